"""Re-scoring of the top fused candidates by their best sentence window.

A passage of a few hundred words has one vector, in which the one sentence that answers a
question is diluted by the rest. Here each passage is also cut into short windows of
consecutive sentences, prefixed like the passage by its title and section (`context_text`),
each embedded once; at query time the `candidates` best fused passages are re-scored with the
best cosine between the question's vector (already computed for the dense side) and the
passage or any of its windows, standardised among the candidates and added, weighted, to the
fused score. The query costs a few dot products; the ingestion, one more vector per window.

Not used by `KnowledgeBase.search`: it is a measured study (``benchmarks/rerank.py`` on the
gold sets), kept so that it can be measured again with another embedding model. With
multilingual-e5-small, the best setting on the tuning halves (the defaults below) gains less
than one question there, loses questions on the held-out halves, and the windows double the
embedding time of an ingestion: the windows' similarities are no sharper than the passages'
for the paraphrases that the fusion misses.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

import msgspec
import numpy as np

from knowledge.chunking import context_text, sentences
from knowledge.embeddings import Embedder, Vectors
from knowledge.store import Record

__all__ = ["RerankParams", "WindowVectors", "rerank", "sentence_windows"]

T = TypeVar("T")


class RerankParams(msgspec.Struct, frozen=True):
    """How the top candidates are re-scored (values chosen on the tuning halves)."""

    candidates: int = 20
    """How many of the best fused passages are re-scored; the others keep their order."""
    weight: float = 0.75
    """Weight of the standardised best window similarity added to the fused score."""
    window_sentences: int = 2
    """Sentences per window (consecutive, not overlapping)."""


def sentence_windows(title: str, section: str | None, text: str, size: int = 2) -> list[str]:
    """A passage's windows of `size` consecutive sentences, each prefixed like the passage
    itself; none for a passage of at most `size` sentences (its own vector says it all)."""
    found = sentences(text)
    if len(found) <= size:
        return []
    return [
        context_text(title, section, " ".join(found[i : i + size]))
        for i in range(0, len(found), size)
    ]


class WindowVectors:
    """The window vectors of a set of passages, with the passage each belongs to."""

    def __init__(self, owners: Sequence[str], vectors: Vectors) -> None:
        self._vectors = np.asarray(vectors, dtype=np.float32)
        if self._vectors.ndim != 2 or len(owners) != len(self._vectors):
            raise ValueError("one passage id per row of a 2-D array of window vectors is needed")
        rows: dict[str, list[int]] = {}
        for row, pid in enumerate(owners):
            rows.setdefault(pid, []).append(row)
        self._rows = rows

    def __len__(self) -> int:
        return len(self._vectors)

    @classmethod
    def build(cls, records: Iterable[Record], embedder: Embedder, size: int = 2) -> WindowVectors:
        """Windows of these stored passages, embedded as passages (through the embedding
        cache when `embedder` has one)."""
        owners: list[str] = []
        texts: list[str] = []
        for pid, text, meta in records:
            section = str(meta["section"]) if meta.get("section") else None
            windows = sentence_windows(str(meta.get("title", "")), section, text, size)
            owners.extend([pid] * len(windows))
            texts.extend(windows)
        if not texts:
            return cls([], np.empty((0, embedder.dimension), dtype=np.float32))
        return cls(owners, embedder.embed_passages(texts))

    def best(self, similarities: Mapping[str, float], question: Vectors) -> dict[str, float]:
        """For each passage of `similarities` (its cosine with the question): the best of
        that cosine and its windows' cosines with `question`."""
        out = dict(similarities)
        rows = [(pid, row) for pid in similarities for row in self._rows.get(pid, ())]
        if not rows:
            return out
        query = np.asarray(question, dtype=np.float32).reshape(-1)
        # einsum, not `@`: see VectorMatrix._scores (no BLAS threads on the request path).
        scores = np.einsum("ij,j->i", self._vectors[[row for _, row in rows]], query)
        for (pid, _), score in zip(rows, scores, strict=True):
            out[pid] = max(out[pid], float(score))
        return out


def rerank(
    fused: Sequence[tuple[T, float]], similarities: Mapping[T, float], params: RerankParams
) -> list[tuple[T, float]]:
    """The first `params.candidates` of `fused` (best first) re-scored by their fused score
    plus `params.weight` times their standardised similarity (`WindowVectors.best`); the
    others follow in their order. A candidate without a similarity gets the lowest one."""
    head = list(fused[: params.candidates])
    if len(head) < 2 or params.weight == 0:
        return list(fused)
    floor = min((similarities[item] for item, _ in head if item in similarities), default=0.0)
    values = [similarities.get(item, floor) for item, _ in head]
    spread = statistics.pstdev(values)
    if spread == 0:
        return list(fused)
    mean = statistics.fmean(values)
    scored = [
        (item, score + params.weight * (value - mean) / spread)
        for (item, score), value in zip(head, values, strict=True)
    ]
    order = sorted(range(len(scored)), key=lambda i: -scored[i][1])  # stable: ties keep order
    return [scored[i] for i in order] + list(fused[params.candidates :])
