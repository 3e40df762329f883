"""Reading a document in a worker process that can be killed: the time limit, enforced for real.

Parsing a hostile file can take long in code that cannot be interrupted (pypdf walking a huge
content stream, for instance). An `ExtractionWorker` runs ``python -m knowledge.sandbox``, a
small process that reads, parses, splits and screens the files it is sent, one at a time, over
its standard input and output. The parent waits for each answer while watching the deadline
and the cancellation: past either, the worker is killed (the next file starts a new one). The
worker's memory is capped too. `extract` does the same work in the calling process.

A plain `subprocess` rather than `multiprocessing`: no copy of the service's threads and locks
(fork), and no re-import of the service's main module in the child (spawn, forkserver).
"""

from __future__ import annotations

import contextlib
import os
import resource
import selectors
import struct
import subprocess
import sys
from pathlib import Path
from typing import IO, Final, Literal

import msgspec

from knowledge.chunking import ChunkingConfig, chunk_document
from knowledge.errors import DocumentError
from knowledge.extract import read_document
from knowledge.injection import instruction_sentences
from knowledge.limits import Clock, IngestLimits
from knowledge.types import Chunk, ParsedDocument

__all__ = ["CHILD_MEMORY_BYTES", "Extraction", "ExtractionWorker", "extract"]

CHILD_MEMORY_BYTES: Final = 2 * 1024**3
"""Address space allowed to the worker (a 20 MB file needs a few hundred MB)."""
_POLL_SECONDS: Final = 0.05
_HEADER: Final = struct.Struct("!I")


class Extraction(msgspec.Struct, frozen=True):
    """One file read, split into passages and screened for instructions."""

    document: ParsedDocument
    """The document's metadata (its blocks are dropped once split)."""
    chunks: list[Chunk]


class _Request(msgspec.Struct, frozen=True):
    path: str
    stored_as: str | None
    limits: IngestLimits
    chunking: ChunkingConfig


class _Reply(msgspec.Struct, frozen=True):
    status: Literal["ok", "refused", "error"]
    extraction: Extraction | None = None
    reason: str = ""


def extract(
    path: Path,
    *,
    stored_as: Path | None = None,
    limits: IngestLimits | None = None,
    chunking: ChunkingConfig | None = None,
) -> Extraction:
    """Read `path` (kept as `stored_as`), split it, flag its instruction-like sentences;
    `DocumentError` with the reason when it breaks a limit or cannot be read."""
    limits = limits or IngestLimits()
    doc, _ = read_document(path, limits=limits, stored_as=stored_as)
    chunks = chunk_document(doc, chunking or ChunkingConfig())
    limits.check_passages(len(chunks))
    screened = [
        msgspec.structs.replace(c, flagged=instruction_sentences(doc.title, c.section, c.text))
        for c in chunks
    ]
    return Extraction(msgspec.structs.replace(doc, blocks=[]), screened)


def _answer(payload: bytes) -> _Reply:
    try:
        asked = msgspec.msgpack.decode(payload, type=_Request)
        found = extract(
            Path(asked.path),
            stored_as=Path(asked.stored_as) if asked.stored_as else None,
            limits=asked.limits,
            chunking=asked.chunking,
        )
        return _Reply("ok", found)
    except DocumentError as exc:
        return _Reply("refused", reason=str(exc))
    except MemoryError:
        return _Reply("refused", reason="document trop gros pour la mémoire de l'extraction")
    except Exception as exc:  # reported to the parent, which logs it
        return _Reply("error", reason=f"{type(exc).__name__} : {exc}")


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    data = stream.read(size)
    return data if data is not None and len(data) == size else None


def main() -> None:
    """The worker: length-prefixed requests on stdin, replies on stdout, until stdin closes."""
    with contextlib.suppress(ValueError, OSError):  # a lower hard limit is set: keep it
        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))
    # Replies go to a private copy of stdout; anything a library prints lands on stderr.
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    requests = sys.stdin.buffer
    while (header := _read_exactly(requests, _HEADER.size)) is not None:
        payload = _read_exactly(requests, _HEADER.unpack(header)[0])
        if payload is None:
            return
        reply = msgspec.msgpack.encode(_answer(payload))
        replies.write(_HEADER.pack(len(reply)) + reply)
        replies.flush()


class ExtractionWorker:
    """The parent's side: one worker process, started on first use, killed when a file
    overruns its clock; use it as a context manager (or call `close`)."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ExtractionWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker (it exits when its input closes; killed if it does not)."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.stdin is not None:
                process.stdin.close()
            process.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        finally:
            if process.stdout is not None:
                process.stdout.close()

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "knowledge.sandbox"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                close_fds=True,
            )
        return self._process

    def extract(
        self,
        path: Path,
        clock: Clock,
        *,
        stored_as: Path | None = None,
        limits: IngestLimits | None = None,
        chunking: ChunkingConfig | None = None,
    ) -> Extraction:
        """`extract` in the worker; the worker is killed when `clock` runs out or is
        cancelled (its check raises), or when it dies (`DocumentError`)."""
        request = msgspec.msgpack.encode(
            _Request(
                str(path),
                str(stored_as) if stored_as else None,
                limits or IngestLimits(),
                chunking or ChunkingConfig(),
            )
        )
        process = self._started()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(_HEADER.pack(len(request)) + request)
            process.stdin.flush()
            with selectors.DefaultSelector() as selector:
                selector.register(process.stdout, selectors.EVENT_READ)
                while not selector.select(_POLL_SECONDS):
                    clock.check()
            header = _read_exactly(process.stdout, _HEADER.size)
            payload = header and _read_exactly(process.stdout, _HEADER.unpack(header)[0])
        except BaseException:
            self._kill()
            raise
        if not payload:
            self._kill()
            raise DocumentError("l'extraction du texte s'est arrêtée sans réponse (mémoire ?)")
        reply = msgspec.msgpack.decode(payload, type=_Reply)
        if reply.status == "ok" and reply.extraction is not None:
            return reply.extraction
        if reply.status == "refused":
            raise DocumentError(reply.reason)
        raise RuntimeError(f"échec de l'extraction : {reply.reason}")


if __name__ == "__main__":
    main()
