"""Retrieval quality on the gold set: recall@5 floors, and fusion at least as good as each side.

Figures per method and type: ``.venv/bin/python benchmarks/retrieval.py`` (benchmarks/README.md).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from knowledge.evaluation import GoldQuestion, evaluate, summarise
from knowledge.retrieval import KnowledgeBase
from tests.knowledge_fixtures import SHARED_CORPUS, gold_questions

RECALL_AT_5 = {
    # (type, method): floor, under the value measured on the full corpus (benchmarks/README.md)
    ("paraphrase", "hybrid"): 0.72,
    ("english", "hybrid"): 0.80,
    ("keyword", "hybrid"): 1.0,
    ("keyword", "lexical"): 1.0,
    ("paraphrase", "dense"): 0.65,
    ("paraphrase", "lexical"): 0.70,
}


def _questions() -> list[GoldQuestion]:
    gold = gold_questions()
    return gold if SHARED_CORPUS.is_dir() else [q for q in gold if q.corpus == "cards"]


Results = dict[str, tuple[int | None, float | None]]


@pytest.fixture(scope="module")
def results(corpus: KnowledgeBase) -> Callable[[str], Results]:
    """Evaluation of the gold set by method, computed once per method."""
    done: dict[str, Results] = {}

    def run(method: str) -> Results:
        if method not in done:
            done[method] = evaluate(corpus, _questions(), method)  # type: ignore[arg-type]
        return done[method]

    return run


def test_the_gold_set_is_large_and_varied() -> None:
    gold = gold_questions()
    assert len(gold) >= 40
    kinds = {q.type for q in gold}
    assert kinds == {"paraphrase", "english", "keyword", "unanswerable"}
    assert sum(q.type == "unanswerable" for q in gold) >= 5


@pytest.mark.parametrize(("kind", "method"), sorted(RECALL_AT_5))
def test_recall_at_5(results: Callable[[str], Results], kind: str, method: str) -> None:
    questions = [q for q in _questions() if q.type == kind]
    found = results(method)
    scores = summarise(method, kind, questions, found)
    missed = [q.id for q in questions if found[q.id][0] is None]
    assert scores.recall_at_5 >= RECALL_AT_5[(kind, method)], missed


@pytest.mark.parametrize("kind", ["paraphrase", "keyword", "all"])
def test_fusion_is_at_least_as_good_as_each_side(
    results: Callable[[str], Results], kind: str
) -> None:
    """The fusion weights were tuned on the full corpus (our cards and the shared corpus)."""
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"../shared absent : {SHARED_CORPUS} introuvable (réglage fait sur le tout)")
    questions = [q for q in _questions() if q.type == kind or (kind == "all" and q.expect)]
    methods = ("dense", "lexical", "hybrid")
    scores = {m: summarise(m, kind, questions, results(m)) for m in methods}
    hybrid = scores["hybrid"]
    for side in ("dense", "lexical"):
        assert hybrid.recall_at_5 >= scores[side].recall_at_5, (side, scores)
        assert hybrid.mrr >= scores[side].mrr, (side, scores)


def test_shared_corpus_questions_are_answered(results: Callable[[str], Results]) -> None:
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"../shared absent : {SHARED_CORPUS} introuvable (questions « shared »)")
    shared = [q for q in _questions() if q.corpus == "shared"]
    scores = summarise("hybrid", "shared", shared, results("hybrid"))
    assert scores.recall_at_5 >= 0.7
