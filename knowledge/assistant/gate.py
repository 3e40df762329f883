"""The relevance gate: does the corpus cover the question at all?

Two signals, both cheap once the passages are retrieved:

- *unknown terms*: the share of the question's content terms (French analysis: stopwords out,
  Snowball stems, accents folded) that appear nowhere in the corpus. Off-topic questions are
  mostly made of words the corpus never uses (« tarte tatin », « piscine », « élections »);
- *evidence*: the best passage's cosine similarity to the question, or how much of the
  question (terms weighted by their rarity, IDF) the best passages contain.

The thresholds were measured on the gold set (``tests/fixtures/knowledge-gold.toml``, our cards
plus the shared corpus, hybrid search, k = 5): ``.venv/bin/python benchmarks/assistant.py
--calibrate`` prints both signals per question and how many questions each gate lets through.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from typing import Final

import msgspec

from knowledge.analysis import FrenchAnalyser
from knowledge.chunking import context_text
from knowledge.retrieval import KnowledgeBase
from knowledge.types import Passage

__all__ = [
    "GATE_MAX_UNKNOWN",
    "GATE_MIN_COVERAGE",
    "GATE_MIN_SIMILARITY",
    "GATE_MIN_SIMILARITY_EN",
    "CorpusStats",
    "Relevance",
    "relevance",
]

GATE_MAX_UNKNOWN: Final = 0.5
"""Refuse when at least this share of the question's terms is absent from the corpus.
Measured: every answerable gold question stays at or below 0.40 (worst: a paraphrase with two
rare words out of five); five of the six unanswerable ones are at 0.50 or above."""
GATE_MIN_SIMILARITY: Final = 0.832
"""…otherwise answer when the best passage's cosine similarity reaches this value…
Measured (multilingual-e5-small): answerable questions 0.809–0.898, unanswerable 0.783–0.852;
the one unanswerable question below the unknown-term limit (VAT on books) scores 0.829, the
lowest answerable question not fully covered by its passages scores 0.835."""
GATE_MIN_COVERAGE: Final = 0.9
"""…or when one of the best passages contains at least this share of the question's terms
(IDF weighted): short keyword queries (« Saidot », « Ma Dada ») have low similarities (0.809,
0.826) but are fully covered (1.0). One passage, not the three together: terms scattered over
several passages do not make an answer (« taux de TVA applicable aux livres » found its words
in three unrelated passages, 1.0 together, 0.58 in the best single one); no unanswerable
question exceeds 0.58."""
GATE_MIN_SIMILARITY_EN: Final = 0.80
"""English questions: answer when the best passage's cosine similarity reaches this value
(multilingual embeddings put an English question near the French passage that answers it).
Calibrated on the tuning half of both gold sets (``benchmarks/assistant.py --calibrate``):
English questions with an answer 0.817–0.908, without one 0.778–0.789."""
_COVERAGE_PASSAGES: Final = 3


class Relevance(msgspec.Struct, frozen=True):
    """The gate's signals for one question, and its verdict."""

    unknown: float
    """Share of the question's terms absent from the corpus (0 when it has none)."""
    similarity: float
    """Best cosine similarity among the retrieved passages (0 when none is known)."""
    coverage: float
    """IDF-weighted share of the question's terms found in the best passages."""
    terms: int
    """Distinct content terms of the question."""
    passed: bool


class CorpusStats:
    """Document frequency of every term of the indexed passages, per index generation."""

    def __init__(self, kb: KnowledgeBase, analyser: FrenchAnalyser | None = None) -> None:
        self._kb = kb
        self.analyser = analyser or FrenchAnalyser()
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._df: dict[str, int] = {}
        self._n = 0

    def frequencies(self) -> tuple[dict[str, int], int]:
        """(document frequency by term, number of passages), recomputed when the index changed."""
        generation = self._kb.store.generation()
        with self._lock:
            if generation != self._generation:
                df: dict[str, int] = {}
                n = 0
                for _, text, meta in self._kb.store.records():
                    n += 1
                    section = str(meta["section"]) if meta.get("section") else None
                    for term in set(
                        self.analyser(context_text(str(meta.get("title", "")), section, text))
                    ):
                        df[term] = df.get(term, 0) + 1
                self._df, self._n, self._generation = df, n, generation
            return self._df, self._n

    def weights(self) -> Callable[[str], float]:
        """`idf` over the index as it is now (one look at its generation, not one per term)."""
        df, n = self.frequencies()
        return lambda term: math.log((n + 1) / (df.get(term, 0) + 0.5))

    def idf(self, term: str) -> float:
        """Inverse document frequency of `term` (high for rare and unknown terms)."""
        df, n = self.frequencies()
        return math.log((n + 1) / (df.get(term, 0) + 0.5))


def relevance(
    question: str, passages: Sequence[Passage], stats: CorpusStats, language: str = "fr"
) -> Relevance:
    """Measure how well `passages` (best first) answer `question`, and apply the gate. An
    English question is judged on the dense side alone: its words are not those of a French
    lexical index, which says nothing of whether the passages answer it."""
    df, _ = stats.frequencies()
    terms = set(stats.analyser(question))
    similarity = max((p.similarity or 0.0 for p in passages), default=0.0)
    if not passages:
        return Relevance(unknown=1.0, similarity=0.0, coverage=0.0, terms=len(terms), passed=False)
    if language == "en":
        return Relevance(
            unknown=0.0,
            similarity=similarity,
            coverage=0.0,
            terms=len(terms),
            passed=similarity >= GATE_MIN_SIMILARITY_EN,
        )
    if not terms:  # nothing to weigh: only the dense side can tell
        return Relevance(
            unknown=0.0,
            similarity=similarity,
            coverage=0.0,
            terms=0,
            passed=similarity >= GATE_MIN_SIMILARITY,
        )
    unknown = sum(1 for t in terms if t not in df) / len(terms)
    idf = stats.weights()
    weights = {t: idf(t) for t in terms}
    total = sum(weights.values()) or 1.0
    coverage = max(
        sum(
            weights[t]
            for t in terms & set(stats.analyser(context_text(p.title, p.section, p.text)))
        )
        / total
        for p in passages[:_COVERAGE_PASSAGES]
    )
    passed = unknown < GATE_MAX_UNKNOWN and (
        similarity >= GATE_MIN_SIMILARITY or coverage >= GATE_MIN_COVERAGE
    )
    return Relevance(
        unknown=round(unknown, 3),
        similarity=round(similarity, 4),
        coverage=round(coverage, 3),
        terms=len(terms),
        passed=passed,
    )
