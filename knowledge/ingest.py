"""Ingestion: files and folders in, passages indexed; idempotent, incremental and bounded.

Each document carries a hash of its bytes and of the splitting settings. Unchanged files are
skipped without being parsed; a changed file's passages replace the old ones; ``prune``
removes documents whose file is gone. A bad file is reported (name and reason) and skipped,
and the rest of the batch goes on.

One document's ingestion is bounded (`knowledge.limits`): its text is read, split and screened
for instruction-like sentences in a worker process killed at the deadline
(`knowledge.sandbox`); it is embedded in small batches, the deadline and the cancellation
checked between them; it is written under the index's write lock (one writer at a time,
across processes), the only step not counted against the deadline.

Built-in documents (the project's cards, `knowledge.builtin`) are protected: another file
never takes their id unless the caller asks for a replacement explicitly (``replace``); the
replaced card's file is then copied under ``versions_dir`` and the replacement records which
version it replaced; `territoires prepare` keeps such a replacement instead of restoring the
card.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Final, Literal

import numpy as np

from knowledge.builtin import builtin_ids, public_source
from knowledge.chunking import ChunkingConfig, context_text
from knowledge.embeddings import Vectors
from knowledge.errors import DocumentError, IngestCancelledError, KnowledgeError
from knowledge.extract import FORMATS
from knowledge.limits import DEFAULT_MAX_BYTES, Clock, IngestLimits
from knowledge.retrieval import KnowledgeBase
from knowledge.sandbox import Extraction, ExtractionWorker, extract
from knowledge.types import Chunk, FileProblem, IngestReport, ParsedDocument, StoredDocument

__all__ = ["Ingester", "OnFile", "OnProgress", "discover"]

log = logging.getLogger(__name__)

OnFile = Callable[[Path, str], None]
"""Called after each file with its outcome: ``ajouté``, ``mis à jour``, ``inchangé``,
``ignoré``, ``gardé``."""
OnProgress = Callable[[str, int, int], None]
"""Called during one document's ingestion with its step (``extraction``, ``embeddings``,
``écriture``), the passages embedded so far and their total."""
_SCHEMA: Final = "ingest-v2"
"""Part of every content hash: documents indexed before provenance and instruction flags were
recorded are read again once."""
_BATCH: Final = 16
"""Passages embedded between two checks of the clock (a few seconds on a busy machine)."""


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[FileProblem]]:
    """Files to ingest under `paths` (folders are walked for supported formats, hidden entries
    skipped), and the paths that do not exist."""
    files: list[Path] = []
    problems: list[FileProblem] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in FORMATS
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.exists():
            found = [path]
        else:
            problems.append(FileProblem(str(path), "fichier ou dossier introuvable"))
            continue
        for file in found:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                files.append(file)
    return files, problems


class _InProcess:
    """`ExtractionWorker`'s interface, in the calling process (the clock is only checked
    before and after: nothing can be killed)."""

    def __enter__(self) -> _InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def extract(
        self,
        path: Path,
        clock: Clock,
        *,
        stored_as: Path | None,
        limits: IngestLimits,
        chunking: ChunkingConfig,
    ) -> Extraction:
        clock.check()
        found = extract(path, stored_as=stored_as, limits=limits, chunking=chunking)
        clock.check()
        return found


class Ingester:
    """Parses, splits, embeds and indexes files into a `KnowledgeBase`, within `limits`;
    `isolate`: parse in a worker process (the default; False only for tests and tools)."""

    def __init__(
        self,
        kb: KnowledgeBase,
        chunking: ChunkingConfig | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        *,
        limits: IngestLimits | None = None,
        versions_dir: Path | None = None,
        isolate: bool = True,
    ) -> None:
        self.kb = kb
        self.chunking = chunking or ChunkingConfig()
        self.limits = limits or IngestLimits(max_bytes=max_bytes)
        self.versions_dir = versions_dir
        self.isolate = isolate

    def content_hash(self, data: bytes) -> str:
        """Hash of a file's bytes and of the splitting settings."""
        head = f"{_SCHEMA}\0{self.chunking.version}\0".encode()
        return hashlib.sha256(head + data).hexdigest()

    def run(
        self,
        paths: Sequence[Path],
        *,
        prune: bool = False,
        on_file: OnFile | None = None,
        replace: bool = False,
    ) -> IngestReport:
        """Discover the files under `paths` and ingest them."""
        files, problems = discover(paths)
        report = self.ingest(files, prune=prune, on_file=on_file, replace=replace)
        report.problems[:0] = problems
        return report

    def ingest(
        self,
        files: Sequence[Path],
        *,
        prune: bool = False,
        on_file: OnFile | None = None,
        replace: bool = False,
    ) -> IngestReport:
        """Ingest `files`; then, with `prune`, drop documents whose file no longer exists.
        `replace`: these files may take the id of a built-in document."""
        started = time.perf_counter()
        report = IngestReport()
        known = {d.id: d for d in self.kb.stored_documents()}
        claimed: dict[str, str] = {}
        with self._worker() as worker:
            for path in files:
                status = self._one(
                    worker, path, known, claimed, report, replace=replace, exclusive=False
                )
                if on_file is not None:
                    on_file(path, status)
        with self.kb.writing():
            if prune:
                gone = [d.id for d in known.values() if d.path and not Path(d.path).exists()]
                gone = [doc_id for doc_id in gone if doc_id not in claimed]
                self.kb.remove_documents(gone)
                report.removed.extend(gone)
            if report.changed:
                self.kb.commit()
        report.seconds = time.perf_counter() - started
        return report

    def ingest_upload(
        self,
        path: Path,
        *,
        stored_as: Path,
        replace: bool = False,
        cancelled: Callable[[], bool] | None = None,
        on_progress: OnProgress | None = None,
    ) -> IngestReport:
        """One file sent by an administrator, read from `path` and moved to `stored_as` once
        indexed (its id, source and provenance come from `stored_as`). An id already held by
        another document is refused unless `replace`. Raises `IngestCancelledError` when
        `cancelled` says so before the document is written (nothing is then kept)."""
        started = time.perf_counter()
        report = IngestReport()
        known = {d.id: d for d in self.kb.stored_documents()}
        clock = Clock(self.limits.max_seconds, cancelled)
        with self._worker() as worker:
            self._one(
                worker,
                path,
                known,
                {},
                report,
                replace=replace,
                exclusive=True,
                stored_as=stored_as,
                clock=clock,
                on_progress=on_progress,
                commit=True,
            )
        report.seconds = time.perf_counter() - started
        return report

    def _worker(self) -> ExtractionWorker | _InProcess:
        return ExtractionWorker() if self.isolate else _InProcess()

    def _one(
        self,
        worker: ExtractionWorker | _InProcess,
        path: Path,
        known: dict[str, StoredDocument],
        claimed: dict[str, str],
        report: IngestReport,
        *,
        replace: bool,
        exclusive: bool,
        stored_as: Path | None = None,
        clock: Clock | None = None,
        on_progress: OnProgress | None = None,
        commit: bool = False,
    ) -> str:
        logical = stored_as or path
        clock = clock or Clock(self.limits.max_seconds)
        progress = on_progress or (lambda step, done, total: None)
        try:
            digest = self.content_hash(self._read(path))
            where = str(logical.resolve())
            same = next(
                (d for d in known.values() if d.path == where and d.content_hash == digest), None
            )
            if same is not None and same.id not in claimed:  # same file, same bytes: no parse
                claimed[same.id] = where
                report.unchanged.append(same.id)
                return "inchangé"
            progress("extraction", 0, 0)
            found = worker.extract(
                path, clock, stored_as=stored_as, limits=self.limits, chunking=self.chunking
            )
            doc = found.document
            if doc.id in claimed and claimed[doc.id] != doc.path:
                taken = public_source(Path(claimed[doc.id]))
                raise DocumentError(f"identifiant de document « {doc.id} » déjà pris par {taken}")
            claimed[doc.id] = doc.path or where
            previous = known.get(doc.id)
            if self._claim(doc, previous, replace, exclusive) == "keep":
                report.unchanged.append(doc.id)
                return "gardé"
            if previous and previous.content_hash == digest and previous.path == doc.path:
                report.unchanged.append(doc.id)
                return "inchangé"
            vectors = self._embed(doc, found.chunks, clock, progress)
            clock.check()
            progress("écriture", len(found.chunks), len(found.chunks))
            with self.kb.writing():
                return self._write(
                    doc,
                    digest,
                    found.chunks,
                    vectors,
                    report,
                    path,
                    stored_as,
                    replace=replace,
                    exclusive=exclusive,
                    commit=commit,
                )
        except IngestCancelledError:
            raise
        except KnowledgeError as exc:
            kind: Literal["document", "service"] = (
                "document" if isinstance(exc, DocumentError) else "service"
            )
            report.problems.append(FileProblem(str(logical), str(exc), kind))
            return "ignoré"
        except Exception as exc:  # a store or model failure: report it, keep the batch going
            log.exception("indexation de %s impossible", logical)
            reason = f"erreur inattendue pendant l'indexation ({type(exc).__name__})"
            report.problems.append(FileProblem(str(logical), reason, "service"))
            return "ignoré"

    def _read(self, path: Path) -> bytes:
        try:
            size = path.stat().st_size
            if self.limits.max_bytes and size > self.limits.max_bytes:
                raise DocumentError(
                    f"fichier trop volumineux ({size / 1e6:.1f} Mo, "
                    f"limite {self.limits.max_bytes / 1e6:.1f} Mo)"
                )
            return path.read_bytes()
        except OSError as exc:
            raise DocumentError(f"fichier illisible ({exc.strerror or exc})") from exc

    def _claim(
        self,
        doc: ParsedDocument,
        previous: StoredDocument | None,
        replace: bool,
        exclusive: bool,
    ) -> Literal["write", "keep"]:
        """Whether `doc` may take its id: ``keep`` when a built-in card meets the upload an
        administrator explicitly put in its place; a refusal (`DocumentError`) when another
        file claims a built-in id, or (`exclusive`) another document's, without `replace`."""
        if doc.provenance == "builtin":
            kept = previous is not None and previous.provenance != "builtin" and previous.replaces
            return "keep" if kept and not replace else "write"
        if not replace and (
            doc.id in builtin_ids() or (previous is not None and previous.provenance == "builtin")
        ):
            raise DocumentError(
                f"« {doc.id} » est l'identifiant d'un document intégré à la base (une fiche du "
                f"projet) : un document ajouté ne le remplace pas. Changez le nom du fichier ou "
                f"son identifiant (id: dans l'en-tête), ou demandez explicitement le "
                f"remplacement (replace=true dans l'API, --replace en ligne de commande) ; "
                f"l'ancienne version est alors gardée"
            )
        if exclusive and not replace and previous is not None and previous.path != doc.path:
            raise DocumentError(
                f"l'identifiant « {doc.id} » est déjà celui d'un autre document "
                f"({previous.source}) : changez le nom du fichier ou son identifiant (id: dans "
                f"l'en-tête), ou demandez explicitement le remplacement (replace=true)"
            )
        return "write"

    def _embed(
        self, doc: ParsedDocument, chunks: Sequence[Chunk], clock: Clock, progress: OnProgress
    ) -> Vectors:
        texts = [context_text(doc.title, c.section, c.text) for c in chunks]
        parts: list[Vectors] = []
        progress("embeddings", 0, len(texts))
        for start in range(0, len(texts), _BATCH):
            clock.check()
            parts.append(self.kb.embedder.embed_passages(texts[start : start + _BATCH]))
            progress("embeddings", min(start + _BATCH, len(texts)), len(texts))
        if not parts:
            return np.empty((0, self.kb.embedder.dimension), dtype=np.float32)
        return np.vstack(parts).astype(np.float32)

    def _write(
        self,
        doc: ParsedDocument,
        digest: str,
        chunks: Sequence[Chunk],
        vectors: Vectors,
        report: IngestReport,
        path: Path,
        stored_as: Path | None,
        *,
        replace: bool,
        exclusive: bool,
        commit: bool,
    ) -> str:
        """Write under the lock, after a fresh look at the id (another ingestion may have
        written it since this one started)."""
        previous = self.kb.stored_document(doc.id)
        if self._claim(doc, previous, replace, exclusive) == "keep":
            report.unchanged.append(doc.id)
            return "gardé"
        replaces = previous.replaces if previous is not None else None
        if (
            previous is not None
            and previous.provenance == "builtin"
            and doc.provenance != "builtin"
        ):
            replaces = previous.content_hash or "inconnue"
        elif doc.provenance == "builtin":
            replaces = None
        report.passages += self.kb.write_document(doc, digest, chunks, vectors, replaces=replaces)
        if stored_as is not None and stored_as != path:
            stored_as.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, stored_as)
        if previous is not None and previous.provenance == "builtin" and replaces:
            self._keep_version(previous)
        if commit:
            self.kb.commit()
        (report.updated if previous is not None else report.added).append(doc.id)
        return "mis à jour" if previous is not None else "ajouté"

    def _keep_version(self, previous: StoredDocument) -> None:
        """Copy the replaced built-in card's file under ``versions_dir/<id>/``."""
        if self.versions_dir is None or not previous.path or not Path(previous.path).is_file():
            return
        source = Path(previous.path)
        folder = self.versions_dir / previous.id
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{(previous.content_hash or 'inconnue')[:12]}{source.suffix}"
        if not target.exists():
            shutil.copyfile(source, target)
