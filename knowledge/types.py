"""The knowledge base's own types: what ingestion produces and what retrieval returns.

Everything outside `knowledge/` sees only these msgspec Structs (never Chroma, bm25s or
LangChain objects).
"""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = [
    "Block",
    "Chunk",
    "DocumentInfo",
    "FileProblem",
    "IngestReport",
    "Method",
    "ParsedDocument",
    "Passage",
    "Provenance",
    "StoredDocument",
]

Method = Literal["hybrid", "dense", "lexical"]
"""Retrieval method: fused (default), vectors only, or BM25 only."""
Provenance = Literal["builtin", "upload", "practice"]
"""Where a document comes from: one of the project's own cards (``knowledge/corpus/``), a file
an administrator added (upload or ``territoires knowledge ingest``), or a member's published
practice card (`knowledge.builtin.provenance_of`)."""


class Passage(msgspec.Struct, frozen=True, kw_only=True):
    """One retrieved passage, with where it comes from and how it ranked."""

    id: str
    """Stable passage id: ``<document id>#<content hash>-<position>``."""
    text: str
    document_id: str
    title: str
    """Title of the document the passage belongs to."""
    source: str
    """Where the document comes from: its own http(s) URL when it gives one, else a public
    identifier (``corpus/fr/glossaire.md`` for a built-in card, the file name otherwise);
    never a path of the server."""
    provenance: Provenance = "upload"
    section: str | None = None
    """Heading path of the section the passage starts in (``Titre > Sous-titre``)."""
    page: int | None = None
    """Page number (from 1) for PDF documents."""
    language: str = "fr"
    position: int = 0
    """Order of the passage within its document (from 0); neighbours are ±1."""
    references: list[str] = msgspec.field(default_factory=list)
    """Bibliographic references the document itself cites (knowledge cards)."""
    dimensions: list[str] = msgspec.field(default_factory=list)
    """Dimensions of the maturity model the document relates to (knowledge cards)."""
    score: float = 0.0
    """Ranking score of the method used (fused RRF score, cosine similarity or BM25)."""
    similarity: float | None = None
    """Cosine similarity between the question and the passage (dense side), when known."""
    rank: int = 0
    """Position in the result list, from 1."""
    flagged: list[str] = msgspec.field(default_factory=list)
    """Sentences of the passage that read as instructions to an AI (prompt injection), found
    at ingestion: never used as an answer sentence."""


class DocumentInfo(msgspec.Struct, frozen=True, kw_only=True):
    """One indexed document, as listed by ``territoires knowledge documents`` and the API."""

    id: str
    title: str
    source: str
    language: str
    format: str
    passages: int
    content_hash: str
    ingested_at: str
    provenance: Provenance = "upload"
    replaces: str | None = None
    """Content hash of the built-in version this document replaced at an administrator's
    explicit request (that version's file is kept by the service)."""
    references: list[str] = msgspec.field(default_factory=list)
    dimensions: list[str] = msgspec.field(default_factory=list)


class StoredDocument(DocumentInfo, frozen=True, kw_only=True):
    """A document as the index keeps it, with the file it was read from: for ingestion only,
    never shown publicly (interfaces show `DocumentInfo`)."""

    path: str | None = None

    def public(self) -> DocumentInfo:
        """The same document without its server path."""
        fields = msgspec.structs.asdict(self)
        del fields["path"]
        return DocumentInfo(**fields)


class Block(msgspec.Struct, frozen=True):
    """A structural unit of extracted text: a paragraph (or list, table) under its headings."""

    text: str
    headings: tuple[str, ...] = ()
    page: int | None = None


class ParsedDocument(msgspec.Struct, frozen=True, kw_only=True):
    """Clean text of one file, split into blocks, with its document-level metadata."""

    id: str
    title: str
    source: str
    language: str
    format: str
    blocks: list[Block]
    path: str | None = None
    """The file the document is kept as, on the server (never shown publicly)."""
    provenance: Provenance = "upload"
    references: list[str] = msgspec.field(default_factory=list)
    dimensions: list[str] = msgspec.field(default_factory=list)


class Chunk(msgspec.Struct, frozen=True):
    """A passage before indexing: text, section heading and page, and its instruction-like
    sentences (see `knowledge.injection`)."""

    text: str
    section: str | None
    page: int | None
    position: int
    flagged: tuple[str, ...] = ()


class FileProblem(msgspec.Struct, frozen=True):
    """A file that was skipped, and why (in French, for the person running the ingestion)."""

    path: str
    reason: str
    kind: Literal["document", "service"] = "document"
    """``document``: the file itself was refused (the reason may be shown to whoever sent it);
    ``service``: the index or the model failed (details in the log, not for the public)."""


class IngestReport(msgspec.Struct, kw_only=True):
    """What one ingestion run did."""

    added: list[str] = msgspec.field(default_factory=list)
    updated: list[str] = msgspec.field(default_factory=list)
    unchanged: list[str] = msgspec.field(default_factory=list)
    removed: list[str] = msgspec.field(default_factory=list)
    problems: list[FileProblem] = msgspec.field(default_factory=list)
    passages: int = 0
    """Passages embedded and written during this run."""
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """Whether the index was modified."""
        return bool(self.added or self.updated or self.removed)
