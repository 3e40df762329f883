"""Dense side: one Chroma collection of passages (cosine), embedded or on a Chroma server.

The collection records the embedding model and dimension it was built with, and refuses to be
opened with another. Vectors are always computed by our `Embedder`: the collection has no
embedding function, so Chroma never downloads its default model. `VectorMatrix` holds a
collection's vectors in memory for exact searches that do not go through Chroma.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings

from knowledge.embeddings import Vectors
from knowledge.errors import IndexMismatchError, KnowledgeError

__all__ = ["MATRIX_LIMIT", "Record", "VectorMatrix", "VectorStore", "connect"]

Metadata = Mapping[str, str | int | float | bool]
Record = tuple[str, str, dict[str, Any]]
"""A stored passage: id, text, metadata."""

_SCHEMA = 1
_PAGE = 1000
MATRIX_LIMIT = 50_000
"""Up to this many passages, searches use an in-memory `VectorMatrix` (75 MB of float32 at
the limit) instead of Chroma's HNSW query; beyond it, Chroma's index."""


def connect(chroma_url: str | None, path: Path) -> ClientAPI:
    """A Chroma client: the server at `chroma_url`, else an embedded store in `path`."""
    settings = ChromaSettings(anonymized_telemetry=False)
    if not chroma_url:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=settings)
    parts = urlsplit(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise KnowledgeError(
            f"TERRITOIRES_CHROMA_URL invalide : « {chroma_url} » (attendu : http(s)://hôte:port)"
        )
    ssl = parts.scheme == "https"
    try:
        return chromadb.HttpClient(
            host=parts.hostname,
            port=parts.port or (443 if ssl else 8000),
            ssl=ssl,
            settings=settings,
        )
    except Exception as exc:  # chromadb raises plain ValueError/ConnectionError variants
        raise KnowledgeError(f"serveur Chroma injoignable à {chroma_url} : {exc}") from exc


class VectorStore:
    """The passages collection, checked against the embedding model in use."""

    def __init__(self, client: ClientAPI, name: str, model: str, dimension: int) -> None:
        self._client = client
        self._name = name
        self._model = model
        self._dimension = dimension
        wanted = {
            "embedding_model": model,
            "embedding_dimension": dimension,
            "schema": _SCHEMA,
            "generation": "",
        }
        try:
            self._collection = client.get_or_create_collection(
                name,
                metadata=wanted,
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
        except Exception as exc:  # chromadb's errors vary by client (embedded or HTTP)
            raise KnowledgeError(f"collection Chroma « {name} » inaccessible : {exc}") from exc
        self._check(self._collection.metadata or {})

    def reopen(self) -> None:
        """Read an embedded store afresh from disk after another process wrote to it.

        An embedded Chroma keeps its vector index in memory and never rereads it: after an
        ingestion by another process (the command line, another service worker), its queries
        miss the new passages and fetching their vectors fails with "Error finding id". Chroma
        shares one system per directory within a process and offers no reload, so the cached
        system is dropped and a new client opened on the same directory. A Chroma server is
        always current: nothing to do.
        """
        settings = self._client.get_settings()
        path = settings.persist_directory
        if not settings.is_persistent or "fastapi" in str(settings.chroma_api_impl).lower():
            return
        SharedSystemClient._identifier_to_system.pop(path, None)
        self._client = chromadb.PersistentClient(path=path, settings=settings)
        self._collection = self._client.get_collection(self._name, embedding_function=None)

    def _check(self, meta: Mapping[str, Any]) -> None:
        found_model = meta.get("embedding_model")
        found_dimension = meta.get("embedding_dimension")
        if found_model != self._model or found_dimension != self._dimension:
            raise IndexMismatchError(
                f"la collection Chroma « {self._name} » a été construite avec le modèle "
                f"d'embeddings « {found_model} » (dimension {found_dimension}), or le modèle "
                f"configuré est « {self._model} » (dimension {self._dimension}). Reconstruisez "
                f"l'index (supprimez le répertoire de l'index ou la collection) ou revenez au "
                f"modèle d'origine."
            )
        space = (self._collection.configuration_json or {}).get("hnsw", {}).get("space")
        if space not in (None, "cosine"):
            raise IndexMismatchError(
                f"la collection « {self._name} » utilise la distance « {space} » au lieu de cosinus"
            )

    @property
    def name(self) -> str:
        """Collection name."""
        return self._name

    def count(self) -> int:
        """Number of passages."""
        return int(self._collection.count())

    def generation(self) -> str:
        """The generation recorded by the last completed ingestion (read afresh)."""
        meta = self._client.get_collection(self._name, embedding_function=None).metadata or {}
        return str(meta.get("generation") or "")

    def set_generation(self, generation: str) -> None:
        """Record that the index is complete at `generation`."""
        meta = dict(self._collection.metadata or {})
        meta.update(generation=generation, embedding_model=self._model)
        meta["embedding_dimension"] = self._dimension
        self._collection.modify(metadata=meta)

    def upsert(
        self, ids: Sequence[str], vectors: Vectors, texts: Sequence[str], metas: Sequence[Metadata]
    ) -> None:
        """Write passages, in batches the server accepts."""
        step = max(1, min(self._client.get_max_batch_size(), 2000))
        for start in range(0, len(ids), step):
            end = start + step
            self._collection.upsert(
                ids=list(ids[start:end]),
                embeddings=vectors[start:end],
                documents=list(texts[start:end]),
                metadatas=[dict(m) for m in metas[start:end]],
            )

    def delete(self, ids: Sequence[str]) -> None:
        """Remove passages by id."""
        step = max(1, min(self._client.get_max_batch_size(), 2000))
        for start in range(0, len(ids), step):
            self._collection.delete(ids=list(ids[start : start + step]))

    def records(
        self, where: Mapping[str, Any] | None = None, text: bool = True
    ) -> Iterator[Record]:
        """Every passage (or those matching `where`), page by page; ``text=False`` skips texts."""
        include: Any = ["documents", "metadatas"] if text else ["metadatas"]
        offset = 0
        while True:
            page = self._collection.get(
                where=dict(where) if where else None, limit=_PAGE, offset=offset, include=include
            )
            ids = page["ids"]
            documents = page["documents"] or [""] * len(ids)
            metadatas = page["metadatas"] or [{}] * len(ids)
            for pid, body, meta in zip(ids, documents, metadatas, strict=True):
                yield pid, body or "", dict(meta or {})
            if len(ids) < _PAGE:
                return
            offset += _PAGE

    def ids(self, where: Mapping[str, Any] | None = None) -> list[str]:
        """Every passage id (or those matching `where`)."""
        out: list[str] = []
        step = _PAGE * 10
        offset = 0
        while True:
            page = self._collection.get(
                where=dict(where) if where else None, limit=step, offset=offset, include=[]
            )
            out.extend(page["ids"])
            if len(page["ids"]) < step:
                return out
            offset += step

    def get(self, ids: Sequence[str]) -> list[Record]:
        """The passages with these ids that exist, in the order asked."""
        if not ids:
            return []
        page = self._collection.get(ids=list(ids), include=["documents", "metadatas"])
        found = {
            pid: (pid, text or "", dict(meta or {}))
            for pid, text, meta in zip(
                page["ids"], page["documents"] or [], page["metadatas"] or [], strict=True
            )
        }
        return [found[i] for i in ids if i in found]

    def vectors(self, ids: Sequence[str]) -> dict[str, list[float]]:
        """Stored vectors of these passages."""
        if not ids:
            return {}
        page = self._collection.get(ids=list(ids), include=["embeddings"])
        embeddings = page["embeddings"]
        if embeddings is None:
            return {}
        return {pid: list(vec) for pid, vec in zip(page["ids"], embeddings, strict=True)}

    def query(self, vector: Vectors, n: int) -> list[tuple[str, float]]:
        """The `n` nearest passages as ``(id, cosine similarity)``, best first."""
        count = self.count()
        if count == 0 or n <= 0:
            return []
        result = self._collection.query(
            query_embeddings=vector.reshape(1, -1),
            n_results=min(n, count),
            include=["distances"],
        )
        distances = (result["distances"] or [[]])[0]
        return [(pid, 1.0 - float(d)) for pid, d in zip(result["ids"][0], distances, strict=True)]

    def matrix(self, generation: str) -> VectorMatrix:
        """Every stored vector in one in-memory matrix, labelled with `generation`."""
        ids: list[str] = []
        rows: list[Any] = []
        offset = 0
        while True:
            page = self._collection.get(limit=_PAGE * 5, offset=offset, include=["embeddings"])
            embeddings = page["embeddings"]
            ids.extend(page["ids"])
            rows.extend(embeddings if embeddings is not None else [])
            if len(page["ids"]) < _PAGE * 5:
                break
            offset += _PAGE * 5
        array = np.asarray(rows, dtype=np.float32).reshape(len(ids), self._dimension)
        return VectorMatrix(ids, array, generation)


class VectorMatrix:
    """The collection's vectors at one generation, normalised, in one float32 matrix.

    An exact search by one matrix product: at ten thousand passages it takes about a
    millisecond, where Chroma's query costs several (a count, the HNSW search, the bindings),
    and it reads nothing from Chroma on the request path.
    """

    def __init__(self, ids: Sequence[str], vectors: Vectors, generation: str) -> None:
        self.ids = list(ids)
        self.generation = generation
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self._vectors = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
        self._rows = {pid: i for i, pid in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def save(self, path: Path) -> None:
        """Write the matrix to `path` (one ``.npz`` file, replaced in a single rename), so
        that other processes load it in milliseconds instead of reading Chroma for seconds."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.tmp-{uuid.uuid4().hex[:8]}.npz")
        np.savez(tmp, ids=np.array(self.ids), vectors=self._vectors, generation=self.generation)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> VectorMatrix | None:
        """The saved matrix, or None when absent or unreadable."""
        try:
            with np.load(path, allow_pickle=False) as saved:
                ids = [str(i) for i in saved["ids"]]
                return cls(ids, saved["vectors"].astype(np.float32), str(saved["generation"]))
        except (OSError, ValueError, KeyError):
            return None

    def query(self, vector: Vectors, n: int) -> list[tuple[str, float]]:
        """The `n` nearest passages as ``(id, cosine similarity)``, best first."""
        n = min(n, len(self.ids))
        if n <= 0:
            return []
        scores = self._scores(self._vectors, vector)
        best = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(n)
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.ids[int(i)], float(scores[i])) for i in best]

    def similarities(self, ids: Sequence[str], vector: Vectors) -> dict[str, float]:
        """Cosine similarity of `vector` to each of these passages that the matrix holds."""
        rows = [(pid, self._rows[pid]) for pid in ids if pid in self._rows]
        if not rows:
            return {}
        scores = self._scores(self._vectors[[r for _, r in rows]], vector)
        return {pid: float(score) for (pid, _), score in zip(rows, scores, strict=True)}

    @staticmethod
    def _scores(matrix: Vectors, vector: Vectors) -> Vectors:
        """Dot products without BLAS: numpy's `@` hands a matrix-vector product to OpenBLAS's
        threads, which on two busy cores made it 15–20 ms instead of one (they spin waiting
        for each other and for the embedding's OpenMP threads); `einsum` runs in this one."""
        out: Vectors = np.einsum("ij,j->i", matrix, vector.reshape(-1).astype(np.float32))
        return out
