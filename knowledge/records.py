"""How a passage is stored in the collection: its id, the metadata written with it, and the
`Passage` / `StoredDocument` read back from a stored record.

Kept apart from `knowledge.retrieval` because this is the on-disk format, shared by writing
and reading and by the callers that hold raw records: it knows nothing of search or of the
indexes, and reading it must accept records written by older versions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from knowledge.builtin import is_web_url, provenance_of, public_source
from knowledge.store import Record
from knowledge.types import Chunk, ParsedDocument, Passage, Provenance, StoredDocument

__all__ = [
    "document_of",
    "documents_from",
    "metadata",
    "passage_from_record",
    "passage_id",
]


def passage_id(document_id: str, content_hash: str, position: int) -> str:
    """``<document id>#<hash prefix>-<position>``: unique per version of a document."""
    return f"{document_id}#{content_hash[:12]}-{position:04d}"


def document_of(pid: str) -> str:
    """The document id inside a passage id."""
    return pid.rsplit("#", 1)[0]


def _split(value: object, sep: str) -> list[str]:
    return [v for v in str(value or "").split(sep) if v]


def _provenance(meta: Mapping[str, Any]) -> Provenance:
    """The recorded provenance; for passages indexed before it was recorded, from the path."""
    match meta.get("provenance"):
        case "builtin":
            return "builtin"
        case "practice":
            return "practice"
        case "upload":
            return "upload"
    return provenance_of(Path(str(meta["path"]))) if meta.get("path") else "upload"


def _public_source(meta: Mapping[str, Any]) -> str:
    """The recorded source when it is a web address, else the document's public name: an
    index written before sources were made public may still hold a server path."""
    source = str(meta.get("source", ""))
    if is_web_url(source):
        return source
    if meta.get("path"):
        return public_source(Path(str(meta["path"])))
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def passage_from_record(record: Record, **ranking: Any) -> Passage:
    """A `Passage` from a stored record; `ranking` sets score, similarity and rank."""
    pid, text, meta = record
    page = meta.get("page")
    return Passage(
        id=pid,
        text=text,
        document_id=str(meta.get("document_id", document_of(pid))),
        title=str(meta.get("title", "")),
        source=_public_source(meta),
        provenance=_provenance(meta),
        section=str(meta["section"]) if meta.get("section") else None,
        page=int(page) if isinstance(page, int | float) else None,
        language=str(meta.get("language", "fr")),
        position=int(meta.get("position", 0)),
        references=_split(meta.get("references"), "\n"),
        dimensions=_split(meta.get("dimensions"), ","),
        flagged=_split(meta.get("flagged"), "\n"),
        **ranking,
    )


def metadata(
    doc: ParsedDocument,
    content_hash: str,
    chunk: Chunk,
    total: int,
    stamp: str,
    replaces: str | None,
) -> dict[str, str | int]:
    """The metadata stored with one passage; optional fields that are absent are left out."""
    meta: dict[str, str | int] = {
        "document_id": doc.id,
        "title": doc.title,
        "source": doc.source,
        "provenance": doc.provenance,
        "language": doc.language,
        "format": doc.format,
        "position": chunk.position,
        "passages": total,
        "content_hash": content_hash,
        "ingested_at": stamp,
    }
    optional: Mapping[str, str | int | None] = {
        "section": chunk.section,
        "page": chunk.page,
        "path": doc.path,
        "references": "\n".join(doc.references) or None,
        "dimensions": ",".join(doc.dimensions) or None,
        "flagged": "\n".join(" ".join(s.split()) for s in chunk.flagged) or None,
        "replaces": replaces,
    }
    meta.update({k: v for k, v in optional.items() if v is not None})
    return meta


def documents_from(records: Iterable[Record]) -> list[StoredDocument]:
    """One `StoredDocument` per document id; a document whose passages disagree (several
    versions, or fewer passages than announced) gets an empty content hash, so that the next
    ingestion rewrites it."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for _, _, meta in records:
        groups.setdefault(str(meta.get("document_id", "")), []).append(meta)
    docs = []
    for doc_id, metas in groups.items():
        first = metas[0]
        hashes = {m.get("content_hash") for m in metas}
        complete = len(hashes) == 1 and len(metas) == int(first.get("passages", -1))
        docs.append(
            StoredDocument(
                id=doc_id,
                title=str(first.get("title", "")),
                source=_public_source(first),
                provenance=_provenance(first),
                replaces=str(first["replaces"]) if first.get("replaces") else None,
                language=str(first.get("language", "")),
                format=str(first.get("format", "")),
                passages=len(metas),
                content_hash=str(first.get("content_hash", "")) if complete else "",
                ingested_at=str(max(str(m.get("ingested_at", "")) for m in metas)),
                path=str(first["path"]) if first.get("path") else None,
                references=_split(first.get("references"), "\n"),
                dimensions=_split(first.get("dimensions"), ","),
            )
        )
    return sorted(docs, key=lambda d: (d.title.casefold(), d.id))
