"""Weighted reciprocal rank fusion and the per-document cap (pure functions)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.fusion import FusionParams, cap_per_group, weighted_rrf


def test_scores_follow_the_formula() -> None:
    fused = dict(weighted_rrf([["a", "b"], ["b", "c"]], [1.0, 0.5], k=60))
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 0.5 / 61)
    assert fused["c"] == pytest.approx(0.5 / 62)


def test_an_item_found_by_both_sides_beats_one_found_by_one() -> None:
    fused = [item for item, _ in weighted_rrf([["a", "b"], ["b", "c"]], [1.0, 1.0])]
    assert fused == ["b", "a", "c"]


def test_weights_decide_between_the_sides() -> None:
    dense_first = weighted_rrf([["d"], ["l"]], [1.0, 0.5])
    lexical_first = weighted_rrf([["d"], ["l"]], [0.5, 1.0])
    assert dense_first[0][0] == "d"
    assert lexical_first[0][0] == "l"


def test_ties_keep_first_seen_order_and_empty_rankings_are_fine() -> None:
    assert [i for i, _ in weighted_rrf([["x", "y"], []], [1.0, 1.0])] == ["x", "y"]
    assert weighted_rrf([[], []], [1.0, 1.0]) == []
    with pytest.raises(ValueError):
        weighted_rrf([["x"]], [1.0, 1.0])


rankings = st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=2), unique=True, max_size=8)


@given(rankings, rankings, st.floats(0.1, 3), st.floats(0.1, 3))
def test_fusion_keeps_every_item_once_best_first(
    dense: list[str], lexical: list[str], wd: float, wl: float
) -> None:
    fused = weighted_rrf([dense, lexical], [wd, wl])
    assert [i for i, _ in fused] == list(dict.fromkeys([i for i, _ in fused]))
    assert {i for i, _ in fused} == set(dense) | set(lexical)
    scores = [s for _, s in fused]
    assert scores == sorted(scores, reverse=True)


@given(rankings)
def test_a_single_ranking_keeps_its_order(ranking: list[str]) -> None:
    assert [i for i, _ in weighted_rrf([ranking], [2.0])] == ranking


def test_cap_per_group_skips_extra_items_of_a_group() -> None:
    items = ["a1", "a2", "a3", "b1", "a4", "c1"]
    assert cap_per_group(items, lambda s: s[0], cap=2, limit=4) == ["a1", "a2", "b1", "c1"]
    assert cap_per_group(items, lambda s: s[0], cap=None, limit=3) == ["a1", "a2", "a3"]
    assert cap_per_group(items, lambda s: s[0], cap=1, limit=10) == ["a1", "b1", "c1"]


def test_keyword_queries_give_the_lexical_side_more_weight() -> None:
    params = FusionParams(dense_weight=1.0, lexical_weight=0.5, keyword_lexical_weight=1.5)
    assert params.weights(2, question=False) == (1.0, 1.5)
    assert params.weights(2, question=True) == (1.0, 0.5)  # a short question is no keyword
    assert params.weights(8, question=False) == (1.0, 0.5)
