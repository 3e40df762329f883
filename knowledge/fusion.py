"""Weighted reciprocal rank fusion, and the cap on passages from one document. Pure functions.

RRF scores each item by Σ wᵢ / (k + rankᵢ) over the rankings it appears in (rank from 1):
only ranks matter, so BM25 scores and cosine similarities need no common scale. The weights
let one side count more; `FusionParams` holds the values tuned on the evaluation set
(``python benchmarks/retrieval.py --tune``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import msgspec

__all__ = ["DEFAULT_FUSION", "FusionParams", "cap_per_group", "weighted_rrf"]

T = TypeVar("T")


class FusionParams(msgspec.Struct, frozen=True):
    """How the dense and lexical rankings are combined (defaults tuned on the gold set)."""

    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    rrf_k: float = 60.0
    fetch_factor: float = 2.0
    """Each side fetches ``fetch_factor × k`` candidates."""
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


def cap_per_group(
    items: Iterable[T], group: Callable[[T], str], cap: int | None, limit: int
) -> list[T]:
    """The first `limit` items, skipping any beyond `cap` from the same group."""
    taken: list[T] = []
    seen: dict[str, int] = {}
    for item in items:
        key = group(item)
        if cap is not None and seen.get(key, 0) >= cap:
            continue
        seen[key] = seen.get(key, 0) + 1
        taken.append(item)
        if len(taken) >= limit:
            break
    return taken
