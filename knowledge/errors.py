"""Errors of the knowledge base, with French messages meant for the person who sees them."""

from __future__ import annotations

__all__ = [
    "DocumentError",
    "EmbeddingError",
    "IndexMismatchError",
    "IngestCancelledError",
    "KnowledgeError",
]


class KnowledgeError(Exception):
    """Base of the knowledge base's errors."""


class DocumentError(KnowledgeError):
    """A file that cannot be ingested (corrupt, binary, empty, too large, bad encoding…)."""


class IngestCancelledError(KnowledgeError):
    """The ingestion of a document was cancelled before it was written."""


class EmbeddingError(KnowledgeError):
    """The embedding model or endpoint failed or returned something unusable."""


class IndexMismatchError(KnowledgeError):
    """The index was built with another embedding model or dimension than the configured one."""
