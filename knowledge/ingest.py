"""Ingestion: files and folders in, passages indexed; idempotent and incremental.

Each document carries a hash of its bytes and of the splitting settings. Unchanged files are
skipped without being parsed; a changed file's passages replace the old ones; ``prune``
removes documents whose file is gone. A bad file is reported (name and reason) and skipped,
and the rest of the batch goes on. Ingestion is a command, never done on the request path.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from knowledge.chunking import ChunkingConfig, chunk_document, context_text
from knowledge.errors import KnowledgeError
from knowledge.extract import DEFAULT_MAX_BYTES, FORMATS, read_document
from knowledge.retrieval import KnowledgeBase
from knowledge.types import DocumentInfo, FileProblem, IngestReport

__all__ = ["Ingester", "OnFile", "discover"]

OnFile = Callable[[Path, str], None]
"""Called after each file with its outcome: ``ajouté``, ``mis à jour``, ``inchangé``,
``ignoré``."""


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


class Ingester:
    """Parses, splits, embeds and indexes files into a `KnowledgeBase`."""

    def __init__(
        self,
        kb: KnowledgeBase,
        chunking: ChunkingConfig | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.kb = kb
        self.chunking = chunking or ChunkingConfig()
        self.max_bytes = max_bytes

    def content_hash(self, data: bytes) -> str:
        """Hash of a file's bytes and of the splitting settings."""
        return hashlib.sha256(self.chunking.version.encode() + b"\0" + data).hexdigest()

    def run(
        self, paths: Sequence[Path], *, prune: bool = False, on_file: OnFile | None = None
    ) -> IngestReport:
        """Discover the files under `paths` and ingest them."""
        files, problems = discover(paths)
        report = self.ingest(files, prune=prune, on_file=on_file)
        report.problems[:0] = problems
        return report

    def ingest(
        self, files: Sequence[Path], *, prune: bool = False, on_file: OnFile | None = None
    ) -> IngestReport:
        """Ingest `files`; then, with `prune`, drop documents whose file no longer exists."""
        started = time.perf_counter()
        report = IngestReport()
        known = {d.id: d for d in self.kb.documents()}
        claimed: dict[str, str] = {}
        for path in files:
            status = self._one(path, known, claimed, report)
            if on_file is not None:
                on_file(path, status)
        if prune:
            gone = [d.id for d in known.values() if d.path and not Path(d.path).exists()]
            gone = [doc_id for doc_id in gone if doc_id not in claimed]
            self.kb.remove_documents(gone)
            report.removed.extend(gone)
        if report.changed:
            self.kb.commit()
        report.seconds = time.perf_counter() - started
        return report

    def _one(
        self,
        path: Path,
        known: dict[str, DocumentInfo],
        claimed: dict[str, str],
        report: IngestReport,
    ) -> str:
        try:
            doc, data = read_document(path, self.max_bytes)
            digest = self.content_hash(data)
            if doc.id in claimed and claimed[doc.id] != doc.path:
                raise KnowledgeError(
                    f"identifiant de document « {doc.id} » déjà pris par {claimed[doc.id]}"
                )
            claimed[doc.id] = doc.path or str(path)
            previous = known.get(doc.id)
            if previous and previous.content_hash == digest and previous.path == doc.path:
                report.unchanged.append(doc.id)
                return "inchangé"
            chunks = chunk_document(doc, self.chunking)
            texts = [context_text(doc.title, c.section, c.text) for c in chunks]
            vectors = self.kb.embedder.embed_passages(texts)
            report.passages += self.kb.write_document(doc, digest, chunks, vectors)
        except KnowledgeError as exc:
            report.problems.append(FileProblem(str(path), str(exc)))
            return "ignoré"
        except Exception as exc:  # a store or model failure: report it, keep the batch going
            report.problems.append(FileProblem(str(path), f"{type(exc).__name__} : {exc}"))
            return "ignoré"
        (report.updated if previous is not None else report.added).append(doc.id)
        return "mis à jour" if previous is not None else "ajouté"
