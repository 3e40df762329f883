"""Retrieval evaluation on a gold set: recall@k and MRR per question type and method.

A gold question names phrases that an answering passage must contain (compared after
normalising case, quotes, spaces and digit grouping), optionally restricted to some documents,
so that re-splitting the corpus does not invalidate it. Unanswerable questions have no phrase:
they measure whether the best passage's similarity stays under the relevance threshold.
"""

from __future__ import annotations

import re
import statistics
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import msgspec

from knowledge.retrieval import KnowledgeBase
from knowledge.types import Method, Passage

__all__ = [
    "GoldQuestion",
    "MethodScores",
    "Split",
    "evaluate",
    "first_relevant_rank",
    "load_gold",
    "normalise",
    "summarise",
]

QuestionType = Literal["paraphrase", "english", "keyword", "unanswerable"]
Split = Literal["tuning", "heldout"]


class GoldQuestion(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One question of the gold set."""

    id: str
    type: QuestionType
    question: str
    split: Split
    """Fixed before any tuning: parameters are chosen on "tuning" questions only, and the
    "heldout" ones tell whether a change generalises."""
    expect: list[str] = msgspec.field(default_factory=list)
    """Phrases; a passage containing any of them answers the question."""
    documents: list[str] = msgspec.field(default_factory=list)
    """When given, only passages of these documents count."""
    corpus: Literal["cards", "shared"] = "cards"
    """``shared`` questions need the shared corpus (../shared/corpus)."""


class _GoldFile(msgspec.Struct, forbid_unknown_fields=True):
    questions: list[GoldQuestion]


def load_gold(path: Path) -> list[GoldQuestion]:
    """Read and validate a gold-set TOML file (``[[questions]]`` tables)."""
    with path.open("rb") as f:
        data = tomllib.load(f)
    gold = msgspec.convert(data, _GoldFile).questions
    ids = [q.id for q in gold]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path} : identifiants de questions en double")
    for q in gold:
        if (q.type == "unanswerable") == bool(q.expect):
            raise ValueError(f"{path} : {q.id} — phrases attendues si et seulement si répondable")
    return gold


_QUOTES = str.maketrans({"’": "'", "‘": "'", "«": '"', "»": '"', "“": '"', "”": '"', "*": ""})


def normalise(text: str) -> str:
    """Lowercase, plain quotes, single spaces, digit groups joined (``3 500`` → ``3500``)."""
    text = text.translate(_QUOTES).lower()
    text = re.sub(r"(?<=\d)[\s\u00a0\u202f,](?=\d{3}\b)", "", text)
    text = re.sub(r"(?<=\d)\s+%", "%", text)
    return " ".join(text.split())


def is_relevant(passage: Passage, question: GoldQuestion) -> bool:
    """Whether `passage` answers `question`."""
    if question.documents and passage.document_id not in question.documents:
        return False
    text = normalise(passage.text)
    return any(normalise(phrase) in text for phrase in question.expect)


def first_relevant_rank(passages: Sequence[Passage], question: GoldQuestion) -> int | None:
    """Rank (from 1) of the first answering passage, or None."""
    return next((p.rank for p in passages if is_relevant(p, question)), None)


class MethodScores(msgspec.Struct):
    """Figures of one method on one group of questions."""

    method: str
    group: str
    questions: int
    recall_at_1: float
    recall_at_3: float
    recall_at_5: float
    mrr: float
    top_similarity: float | None
    """Median similarity of the best passage (for unanswerable questions: should be low)."""


def evaluate(
    kb: KnowledgeBase,
    questions: Sequence[GoldQuestion],
    method: Method,
    k: int = 5,
    max_per_document: int | None = None,
) -> dict[str, tuple[int | None, float | None]]:
    """For each question id: (rank of the first answering passage, best similarity).

    By default without the per-document cap: the gold set measures ranking quality, and a
    question's answering passage may be the third of a document that ranks well."""
    out: dict[str, tuple[int | None, float | None]] = {}
    for q in questions:
        passages = kb.search(q.question, k, method=method, max_per_document=max_per_document)
        sims = [p.similarity for p in passages if p.similarity is not None]
        rank = first_relevant_rank(passages, q) if q.expect else None
        out[q.id] = (rank, max(sims) if sims else None)
    return out


def summarise(
    method: str,
    group: str,
    questions: Sequence[GoldQuestion],
    results: dict[str, tuple[int | None, float | None]],
) -> MethodScores:
    """Recall@1/3/5 and MRR of `results` over `questions`."""
    ranks = [results[q.id][0] for q in questions]
    sims = [s for q in questions if (s := results[q.id][1]) is not None]
    n = len(questions) or 1

    def recall(k: int) -> float:
        return sum(1 for r in ranks if r is not None and r <= k) / n

    return MethodScores(
        method=method,
        group=group,
        questions=len(questions),
        recall_at_1=recall(1),
        recall_at_3=recall(3),
        recall_at_5=recall(5),
        mrr=sum(1 / r for r in ranks if r is not None) / n,
        top_similarity=statistics.median(sims) if sims else None,
    )
