"""Peers to learn from and nearest public profiles: size and kind count, not the profile alone."""

from __future__ import annotations

import polars as pl

from maturity.neighbours import learn_from_public, similar_public

DIMS = ["a", "b", "c"]


def scores(rows: dict[str, tuple[float, float, float]]) -> pl.DataFrame:
    """Long scores (territory, metric, score) of territories on the three dimensions."""
    return pl.DataFrame(
        [(t, d, v) for t, values in rows.items() for d, v in zip(DIMS, values, strict=True)],
        schema={"territory": pl.String, "metric": pl.String, "score": pl.Float64},
        orient="row",
    )


def candidates(rows: dict[str, tuple[str, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(t, kind, population) for t, (kind, population) in rows.items()],
        schema={"territory": pl.String, "kind": pl.String, "population": pl.Int64},
        orient="row",
    )


ASKER = "64122"
SCORES = scores(
    {
        ASKER: (30.0, 40.0, 60.0),
        "village": (30.0, 40.0, 60.0),  # the very same profile, 141 inhabitants
        "town": (35.0, 45.0, 55.0),  # a close profile, a town of the same size
        "city": (80.0, 90.0, 20.0),  # same size, very different profile
        "epci": (31.0, 41.0, 59.0),  # close profile, an intercommunality
    }
)
PUBLIC = candidates(
    {
        "village": ("commune", 141),
        "town": ("commune", 24_000),
        "city": ("commune", 30_000),
        "epci": ("ca", 25_000),
    }
)


def test_nearest_weighs_size_and_kind_with_the_profile() -> None:
    near = similar_public(SCORES, PUBLIC, ASKER, "commune", 26_206, DIMS, k=4)
    order = near["territory"].to_list()
    assert order[0] == "town"
    assert order.index("village") > order.index("town")  # same profile, 186 times smaller
    assert order.index("epci") > order.index("town")  # another kind
    assert ASKER not in order


def test_nearest_is_empty_for_a_territory_without_scores() -> None:
    assert similar_public(SCORES, PUBLIC, "nobody", "commune", 1_000, DIMS).is_empty()


def test_only_public_territories_are_named() -> None:
    near = similar_public(SCORES, PUBLIC.filter(pl.col("territory") != "town"), ASKER,
                          "commune", 26_206, DIMS)  # fmt: skip
    assert "town" not in near["territory"].to_list()


def test_learn_from_names_only_those_who_do_better_group_first() -> None:
    targets, found = learn_from_public(
        SCORES, PUBLIC, ASKER, "commune", 26_206, DIMS, group=["epci"], weakest=2, k=3
    )
    assert targets == ["a", "b"]  # the two weakest dimensions, weakest first
    for dimension in targets:
        rows = found.filter(pl.col("dimension") == dimension)
        own = {"a": 30.0, "b": 40.0}[dimension]
        assert (rows["score"] > own).all()  # never someone doing worse or the same
        assert rows["territory"].to_list()[0] == "epci"  # the comparison group first
        assert "village" not in rows["territory"].to_list()  # same score: nothing to learn


def test_learn_from_prefers_comparable_territories_to_higher_scores() -> None:
    public = candidates({"city": ("commune", 30_000), "metropolis": ("commune", 2_000_000)})
    richer = scores({ASKER: (30.0, 40.0, 60.0), "city": (50.0, 50.0, 50.0),
                     "metropolis": (95.0, 95.0, 95.0)})  # fmt: skip
    _, found = learn_from_public(richer, public, ASKER, "commune", 26_206, DIMS, k=2)
    first = found.filter(pl.col("dimension") == "a")["territory"].to_list()
    assert first == ["city", "metropolis"]


def test_learn_from_is_empty_when_nobody_does_better() -> None:
    best = scores({ASKER: (100.0, 100.0, 100.0), "town": (35.0, 45.0, 55.0)})
    targets, found = learn_from_public(best, PUBLIC, ASKER, "commune", 26_206, DIMS)
    assert len(targets) == 2 and found.is_empty()


def test_learn_from_is_empty_for_a_territory_without_scores() -> None:
    scores = pl.DataFrame({"territory": ["b"], "metric": ["d1"], "score": [60.0]})
    candidates = pl.DataFrame({"territory": ["b"], "kind": ["commune"], "population": [1000]})
    targets, found = learn_from_public(scores, candidates, "a", "commune", 1000, ["d1"])
    assert targets == [] and found.is_empty()
