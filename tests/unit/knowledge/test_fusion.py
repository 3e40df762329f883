"""Score-aware fusion, reciprocal rank fusion and the per-document cap (pure functions)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.fusion import (
    FusionParams,
    cap_per_group,
    score_fusion,
    standardised,
    weighted_rrf,
)


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


def test_cap_per_group_skips_extra_items_of_a_group_while_others_can_fill() -> None:
    items = ["a1", "a2", "a3", "b1", "a4", "c1"]
    assert cap_per_group(items, lambda s: s[0], cap=2, limit=4) == ["a1", "a2", "b1", "c1"]
    assert cap_per_group(items, lambda s: s[0], cap=None, limit=3) == ["a1", "a2", "a3"]
    assert cap_per_group(items, lambda s: s[0], cap=1, limit=3) == ["a1", "b1", "c1"]
    # Fewer other groups than places: the held-back items come last, in order.
    assert cap_per_group(items, lambda s: s[0], cap=1, limit=5) == ["a1", "b1", "c1", "a2", "a3"]


def test_a_single_document_corpus_is_not_starved_by_the_cap() -> None:
    items = [f"a{i}" for i in range(8)]
    assert cap_per_group(items, lambda s: s[0], cap=3, limit=5) == items[:5]


def test_standardised_scores_centre_and_scale() -> None:
    z = standardised([("a", 9.0), ("b", 5.0), ("c", 1.0)])
    assert z["a"] == pytest.approx(-z["c"]) and z["b"] == pytest.approx(0.0)
    assert z["a"] == pytest.approx(4 / (32 / 3) ** 0.5)
    assert standardised([("a", 3.0)]) == {"a": 1.0}
    assert standardised([("a", 2.0), ("b", 2.0)]) == {"a": 1.0, "b": 1.0}


def test_score_fusion_keeps_what_one_side_finds_with_confidence() -> None:
    """BM25 finds one passage far above the rest; the vectors barely separate theirs.
    Rank fusion puts the vectors' first item on top (it is second on the lexical side);
    score fusion keeps the confident lexical hit first."""
    dense = [("d0", 0.86), ("x", 0.858)] + [(f"d{i}", 0.86 - 0.002 * i) for i in range(2, 9)]
    dense.append(("l1", 0.842))  # tenth for the vectors
    lexical = [("l1", 14.0), ("x", 3.1)] + [(f"l{i}", 3.0 - 0.1 * i) for i in range(3, 11)]
    assert weighted_rrf([[i for i, _ in dense], [i for i, _ in lexical]], [1, 1])[0][0] == "x"
    assert score_fusion([dense, lexical], [1.0, 1.0])[0][0] == "l1"
    with pytest.raises(ValueError):
        score_fusion([dense], [1.0, 1.0])


def test_score_fusion_with_an_empty_side_keeps_the_other_sides_order() -> None:
    dense = [("a", 0.9), ("b", 0.8), ("c", 0.7)]
    assert [i for i, _ in score_fusion([dense, []], [1.0, 1.0])] == ["a", "b", "c"]
    assert score_fusion([[], []], [1.0, 1.0]) == []


def test_params_choose_the_fusion_and_fetch_enough_candidates() -> None:
    dense = [("a", 0.9), ("b", 0.8)]
    lexical = [("b", 9.0), ("c", 1.0), ("e", 0.5)]
    assert FusionParams(mode="rrf").fuse(dense, lexical, (1.0, 1.0))[0][0] == "b"
    assert FusionParams().fuse(dense, lexical, (1.0, 1.0))[0][0] == "b"
    assert FusionParams().fetch(5) == 20 and FusionParams(min_fetch=4).fetch(5) == 10


def test_keyword_queries_give_the_lexical_side_more_weight() -> None:
    params = FusionParams(dense_weight=1.0, lexical_weight=0.5, keyword_lexical_weight=1.5)
    assert params.weights(2, question=False) == (1.0, 1.5)
    assert params.weights(2, question=True) == (1.0, 0.5)  # a short question is no keyword
    assert params.weights(8, question=False) == (1.0, 0.5)
