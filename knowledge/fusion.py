"""Fusion of the dense and lexical rankings, and the cap on passages from one document.

The default fusion is score-aware: each side's scores over its candidates are standardised
(z-scores: how far above that side's usual score an item stands) and added, weighted. A
passage that one side finds with confidence (a rare name BM25 matches, a close paraphrase
the vectors match) then stays on top even when the other side misses it, which rank-only
fusion loses: reciprocal rank fusion (Σ wᵢ / (k + rankᵢ), kept as ``mode = "rrf"``) gives the
first BM25 hit the same credit whether it scores 2 or 20. `FusionParams` holds the values
chosen on the tuning half of the gold sets (``python benchmarks/retrieval.py --tune``).
Pure functions.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from typing import Literal, TypeVar

import msgspec

__all__ = [
    "DEFAULT_FUSION",
    "FusionParams",
    "cap_per_group",
    "score_fusion",
    "standardised",
    "weighted_rrf",
]

T = TypeVar("T")


class FusionParams(msgspec.Struct, frozen=True):
    """How the dense and lexical rankings are combined (defaults tuned on the gold set)."""

    mode: Literal["scores", "rrf"] = "scores"
    """``scores``: weighted sum of standardised scores; ``rrf``: reciprocal rank fusion."""
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    rrf_k: float = 60.0
    fetch_factor: float = 2.0
    """Each side fetches ``fetch_factor × k`` candidates…"""
    min_fetch: int = 20
    """…and at least this many, so that the standardisation has a distribution to go by."""
    keyword_words: int = 3
    """A query of at most this many content words and no question mark is a keyword query…"""
    keyword_lexical_weight: float = 1.5
    """…for which the lexical side gets this weight instead: exact names, acronyms and terms
    are what BM25 finds best, while the vectors of a two-word query are vague."""

    def weights(self, content_words: int, question: bool) -> tuple[float, float]:
        """(dense, lexical) weights for a query of `content_words` non-stopwords; `question`
        tells whether it reads as a question (ends with a question mark)."""
        if content_words <= self.keyword_words and not question:
            return self.dense_weight, self.keyword_lexical_weight
        return self.dense_weight, self.lexical_weight

    def fetch(self, k: int) -> int:
        """How many candidates each side fetches for a result list of `k`."""
        return max(self.min_fetch, math.ceil(self.fetch_factor * k))

    def fuse(
        self,
        dense: Sequence[tuple[T, float]],
        lexical: Sequence[tuple[T, float]],
        weights: tuple[float, float],
    ) -> list[tuple[T, float]]:
        """The two sides' ``(item, score)`` lists fused into one, best first."""
        if self.mode == "rrf":
            ranks = [[i for i, _ in dense], [i for i, _ in lexical]]
            return weighted_rrf(ranks, weights, self.rrf_k)
        return score_fusion([dense, lexical], weights)


DEFAULT_FUSION = FusionParams()


def weighted_rrf(
    rankings: Sequence[Sequence[T]], weights: Sequence[float], k: float = 60.0
) -> list[tuple[T, float]]:
    """Fuse best-first rankings into one, best first; ties keep first-seen order."""
    if len(rankings) != len(weights):
        raise ValueError("one weight per ranking is needed")
    scores: dict[T, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    order = {item: i for i, item in enumerate(scores)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))


def standardised(scored: Sequence[tuple[T, float]]) -> dict[T, float]:
    """Each item's z-score among `scored`; a lone item (or all equal) scores 1."""
    values = [s for _, s in scored]
    if len(values) < 2 or (spread := statistics.pstdev(values)) == 0:
        return {item: 1.0 for item, _ in scored}
    mean = statistics.fmean(values)
    return {item: (s - mean) / spread for item, s in scored}


def score_fusion(
    scored: Sequence[Sequence[tuple[T, float]]], weights: Sequence[float]
) -> list[tuple[T, float]]:
    """Fuse ``(item, score)`` lists (any scale, best first) by the weighted sum of their
    standardised scores; an item missing from a list gets that list's lowest standardised
    score (or 0 when the list is empty). Best first; ties keep first-seen order."""
    if len(scored) != len(weights):
        raise ValueError("one weight per ranking is needed")
    sides = [standardised(side) for side in scored]
    floors = [min(side.values(), default=0.0) for side in sides]
    order = list(dict.fromkeys(item for side in scored for item, _ in side))
    parts = list(zip(sides, floors, weights, strict=True))
    fused = {item: sum(w * side.get(item, floor) for side, floor, w in parts) for item in order}
    return sorted(fused.items(), key=lambda kv: -kv[1])


def cap_per_group(
    items: Iterable[T], group: Callable[[T], str], cap: int | None, limit: int
) -> list[T]:
    """The first `limit` items, at most `cap` from one group while other groups can fill
    the list: the items held back come last, in order, only when the others run out (a
    corpus made of one long document is not starved of results)."""
    taken: list[T] = []
    held: list[T] = []
    seen: dict[str, int] = {}
    for item in items:
        key = group(item)
        if cap is not None and seen.get(key, 0) >= cap:
            held.append(item)
            continue
        seen[key] = seen.get(key, 0) + 1
        taken.append(item)
        if len(taken) >= limit:
            return taken
    return taken + held[: limit - len(taken)]
