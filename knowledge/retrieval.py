"""The knowledge base: hybrid search (Chroma vectors + French BM25, fused) and its index.

`KnowledgeBase` is a plain object over a `VectorStore`, an `Embedder` and a BM25 directory:
tests and the benchmark build it without any web server. Ingestion writes through
`write_document` / `remove_documents` and makes the result visible with `commit`.

Searches read two indexes kept per *generation* of the collection (recorded by `commit`):
BM25 and, up to `MATRIX_LIMIT` passages, the vectors in one in-memory matrix, both saved next
to the collection so that other processes load them instead of rebuilding them. A generation
that this object did not write means another process ingested: the store is reopened.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from knowledge.analysis import FrenchAnalyser
from knowledge.chunking import context_text
from knowledge.config import KnowledgeConfig, make_embedder
from knowledge.embeddings import Embedder, Vectors
from knowledge.fusion import DEFAULT_FUSION, FusionParams, cap_per_group
from knowledge.lexical import LexicalIndex
from knowledge.locking import WriteLock
from knowledge.records import (
    document_of,
    documents_from,
    metadata,
    passage_from_record,
    passage_id,
)
from knowledge.store import MATRIX_LIMIT, VectorMatrix, VectorStore, connect
from knowledge.translation import french_terms, is_english
from knowledge.types import Chunk, DocumentInfo, Method, ParsedDocument, Passage, StoredDocument

__all__ = [
    "DEFAULT_PER_DOCUMENT",
    "KnowledgeBase",
    "document_of",
    "lexical_query",
    "passage_from_record",
    "passage_id",
]

_FRESHNESS_SECONDS = 2.0
DEFAULT_PER_DOCUMENT = 3
"""Default cap on passages from one document in a result list."""


def lexical_query(query: str) -> str:
    """What the French BM25 index searches: the query, plus the French renderings of its
    words when it is in English (see `knowledge.translation`)."""
    return f"{query} {french_terms(query)}" if is_english(query) else query


class KnowledgeBase:
    """Search and maintenance of the indexed passages."""

    def __init__(
        self,
        store: VectorStore,
        embedder: Embedder,
        lexical_dir: Path,
        *,
        analyser: FrenchAnalyser | None = None,
        fusion: FusionParams = DEFAULT_FUSION,
        write_lock: WriteLock | None = None,
    ) -> None:
        self.store = store
        self.write_lock = write_lock or WriteLock()
        self.embedder = embedder
        self.fusion = fusion
        self._lexical_dir = lexical_dir
        self._analyser = analyser or FrenchAnalyser()
        self._lexical: LexicalIndex | None = None
        self._matrix: VectorMatrix | None = None
        self._store_generation: str | None = None
        """The generation the store's client last saw; another one means another writer."""
        self._checked_at = 0.0
        self._documents: tuple[str, list[StoredDocument]] | None = None
        self._lock = threading.RLock()

    @classmethod
    def open(cls, config: KnowledgeConfig, fusion: FusionParams = DEFAULT_FUSION) -> KnowledgeBase:
        """Open (creating if needed) the knowledge base described by `config`."""
        embedder = make_embedder(config)
        client = connect(config.chroma_url, config.chroma_path)
        store = VectorStore(client, config.collection, embedder.name, embedder.dimension)
        lock = WriteLock(config.index_dir / f"{config.collection}.write.lock")
        return cls(store, embedder, config.lexical_path, fusion=fusion, write_lock=lock)

    def __len__(self) -> int:
        return self.store.count()

    # -- search ---------------------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        method: Method = "hybrid",
        max_per_document: int | None = DEFAULT_PER_DOCUMENT,
    ) -> list[Passage]:
        """The `k` best passages for `query`, at most `max_per_document` from one document
        while other documents have candidates (see `cap_per_group`)."""
        query = " ".join(query.split())
        if not query or k <= 0:
            return []
        fetch = self.fusion.fetch(k)
        vector: Vectors | None = None
        dense: list[tuple[str, float]] = []
        lexical: list[tuple[str, float]] = []
        self._refresh()
        matrix = self._matrix
        if method != "lexical":
            vector = self.embedder.embed_queries([query])[0]
            dense = (
                matrix.query(vector, fetch)
                if matrix is not None
                else self.store.query(vector, fetch)
            )
        if method != "dense":
            lexical = self.lexical().search(lexical_query(query), fetch)
        if method == "hybrid":
            weights = self.fusion.weights(len(self._analyser.words(query)), query.endswith("?"))
            ranked = self.fusion.fuse(dense, lexical, weights)
        else:
            ranked = dense or lexical
        chosen = cap_per_group(ranked, lambda item: document_of(item[0]), max_per_document, k)
        ids = [pid for pid, _ in chosen]
        similarities = dict(dense)
        if vector is not None:
            missing = [pid for pid in ids if pid not in similarities]
            if matrix is not None:
                similarities.update(matrix.similarities(missing, vector))
            else:
                for pid, vec in self.store.vectors(missing).items():
                    similarities[pid] = float(np.dot(np.asarray(vec, dtype=np.float32), vector))
        records = {r[0]: r for r in self.store.get(ids)}
        return [
            passage_from_record(
                records[pid], score=score, rank=rank, similarity=similarities.get(pid)
            )
            for rank, (pid, score) in enumerate(
                ((p, s) for p, s in chosen if p in records), start=1
            )
        ]

    def passage(self, pid: str) -> Passage | None:
        """One passage by id."""
        found = self.store.get([pid])
        return passage_from_record(found[0]) if found else None

    def neighbours(self, pid: str, window: int = 1) -> list[Passage]:
        """The passage and up to `window` passages before and after it, in document order."""
        base, _, position = pid.rpartition("-")
        if not base or not position.isdigit():
            return []
        at = int(position)
        wanted = [f"{base}-{p:04d}" for p in range(max(0, at - window), at + window + 1)]
        return [passage_from_record(r) for r in self.store.get(wanted)]

    def documents(self) -> list[DocumentInfo]:
        """Indexed documents, by title, as shown publicly (no server path)."""
        return [d.public() for d in self.stored_documents()]

    def stored_documents(self) -> list[StoredDocument]:
        """Indexed documents, by title, with the file each was read from (for ingestion)."""
        generation = self.store.generation()
        with self._lock:
            if self._documents is not None and self._documents[0] == generation:
                return self._documents[1]
        docs = documents_from(self.store.records(text=False))
        with self._lock:
            self._documents = (generation, docs)
        return docs

    def stored_document(self, document_id: str) -> StoredDocument | None:
        """One indexed document, read afresh from the store (not from the cached list)."""
        found = documents_from(self.store.records({"document_id": document_id}, text=False))
        return found[0] if found else None

    # -- search indexes kept in step with the collection -----------------------------------

    def lexical(self) -> LexicalIndex:
        """The BM25 index matching the collection's current generation."""
        self._refresh()
        assert self._lexical is not None  # set by _refresh
        return self._lexical

    def _refresh(self) -> None:
        """Bring the BM25 index and the vector matrix to the collection's current generation
        (read at most every two seconds). A generation this object did not write means that
        another process ingested: the embedded store is reopened to see its vectors."""
        now = time.monotonic()
        with self._lock:
            if self._lexical is not None and now - self._checked_at < _FRESHNESS_SECONDS:
                return
            generation = self._current_store()
            self._checked_at = now
            if self._lexical is not None and self._lexical.generation == generation:
                return
            loaded = LexicalIndex.load(self._lexical_dir, self._analyser)
            if loaded is None or loaded.generation != generation:
                loaded = self._rebuild_lexical(generation)
            self._lexical = loaded
            self._matrix = self._load_matrix(generation)

    def _current_store(self) -> str:
        """The collection's generation, the store reopened if another writer changed it."""
        generation = self.store.generation()
        if generation != self._store_generation:
            self.store.reopen()
            self._store_generation = generation
        return generation

    def _load_matrix(self, generation: str) -> VectorMatrix | None:
        """The in-memory vectors when the collection is small enough (see `MATRIX_LIMIT`):
        the copy saved by the last ingestion, else read from the store and saved."""
        if len(self) > MATRIX_LIMIT:
            return None
        # Same passages re-embedded by another model keep their ids, hence the generation.
        label = f"{generation} {self.embedder.name}"
        path = self._lexical_dir.with_name(f"{self._lexical_dir.name}.vectors.npz")
        saved = VectorMatrix.load(path)
        if saved is not None and saved.generation == label:
            return saved
        matrix = self.store.matrix(label)
        matrix.save(path)
        return matrix

    def _rebuild_lexical(self, generation: str) -> LexicalIndex:
        ids: list[str] = []
        texts: list[str] = []
        for pid, text, meta in self.store.records():
            ids.append(pid)
            section = str(meta["section"]) if meta.get("section") else None
            texts.append(context_text(str(meta.get("title", "")), section, text))
        index = LexicalIndex.build(ids, texts, self._analyser, generation)
        index.save(self._lexical_dir)
        return index

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the index's write lock (one ingestion writes at a time, across processes);
        an embedded store another process wrote to is reopened first, so that this one does
        not write over it from a stale copy."""
        with self.write_lock.held():
            with self._lock:
                self._current_store()
            yield

    def write_document(
        self,
        doc: ParsedDocument,
        content_hash: str,
        chunks: Sequence[Chunk],
        vectors: Vectors,
        *,
        replaces: str | None = None,
    ) -> int:
        """Index one document version, replacing any previous one; all or nothing. `replaces`
        records the content hash of the built-in version an administrator replaced."""
        ids = [passage_id(doc.id, content_hash, c.position) for c in chunks]
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        metas = [metadata(doc, content_hash, c, len(chunks), stamp, replaces) for c in chunks]
        stale = set(self.store.ids(where={"document_id": doc.id}))
        if doc.path:
            stale |= set(self.store.ids(where={"path": doc.path}))
        stale -= set(ids)
        try:
            self.store.upsert(ids, vectors, [c.text for c in chunks], metas)
        except BaseException:
            self.store.delete(ids)  # roll back: no half-written document stays behind
            raise
        self.store.delete(sorted(stale))
        return len(ids)

    def remove_documents(self, document_ids: Sequence[str]) -> None:
        """Remove every passage of these documents."""
        for doc_id in document_ids:
            self.store.delete(self.store.ids(where={"document_id": doc_id}))

    def commit(self) -> None:
        """Rebuild the BM25 index from the collection and record the new generation."""
        with self._lock:
            ids = self.store.ids()
            generation = hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:16]
            self._lexical = self._rebuild_lexical(generation)
            self.store.set_generation(generation)
            self._matrix = self._load_matrix(generation)
            self._store_generation = generation
            self._checked_at = time.monotonic()
            self._documents = None
