"""k-anonymous aggregates, custom peer lists, nearest peers: and attempts to break them."""

from __future__ import annotations

import itertools

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.aggregates import aggregates, custom_group_statistics, learn_from, nearest_peers
from maturity.benchmark import K_MIN, campaign_statistics

REGIONS = ["11", "24", "84", "93"]


def population(sizes: dict[tuple[str, str, str], int]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Territories and index scores, `n` per (kind, band, region) cell, score = rank."""
    rows, scores = [], []
    for (kind, band, region), n in sizes.items():
        for i in range(n):
            code = f"{kind}-{band}-{region}-{i}"
            rows.append((code, kind, band, region))
            scores.append((code, "index", float(10 + 7 * i % 80)))
    return (
        pl.DataFrame(rows, schema=["territory", "kind", "band", "region"], orient="row"),
        pl.DataFrame(scores, schema=["territory", "metric", "score"], orient="row"),
    )


def test_small_cells_are_suppressed_with_a_reason() -> None:
    territories, scores = population({("ca", "50k-100k", "84"): 6, ("ca", "50k-100k", "11"): 2})
    table = aggregates(territories, scores, ["kind", "band", "region"])
    small = table.filter(pl.col("region") == "11").row(0, named=True)
    assert small["n"] == 2 and small["mean"] is None and "moins de 5" in small["withheld"]


def test_differencing_a_parent_cell_cannot_isolate_a_territory() -> None:
    # a région holding one territory: national mean minus the published région would give it
    sizes = {("cu", "100k-250k", "84"): 7, ("cu", "100k-250k", "11"): 1}
    sizes |= {("cu", "100k-250k", "24"): 9}
    territories, scores = population(sizes)
    national = aggregates(territories, scores, ["kind", "band"]).row(0, named=True)
    regional = aggregates(territories, scores, ["kind", "band", "region"])
    assert national["n"] == 17 and national["mean"] is not None
    hidden = regional.filter(pl.col("mean").is_null())
    assert hidden["n"].sum() >= K_MIN  # the lone territory is hidden among at least 5
    assert "différence" in hidden.filter(pl.col("region") == "84")["withheld"][0]


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.dictionaries(
        st.tuples(
            st.sampled_from(["commune", "cc", "ca"]),
            st.sampled_from(["0-3.5k", "3.5k-20k"]),
            st.sampled_from(REGIONS),
        ),
        st.integers(1, 12),
        min_size=1,
        max_size=24,
    ),
    group_by=st.sampled_from(
        [["kind", "band", "region"], ["kind", "region"], ["band", "region"], ["kind", "band"]]
    ),
)
def test_every_partition_hides_nobody_or_at_least_k(
    sizes: dict[tuple[str, str, str], int], group_by: list[str]
) -> None:
    """For each parent (drop one attribute), the hidden part of its partition is empty, holds
    at least K_MIN territories, or is the whole parent (itself too small to be published):
    subtraction never isolates fewer than K_MIN."""
    territories, scores = population(sizes)
    table = aggregates(territories, scores, group_by)
    assert table.filter(pl.col("n") < K_MIN)["mean"].is_null().all()
    for dropped in group_by:
        parent = [c for c in group_by if c != dropped]
        keys = parent or [pl.lit(1).alias("all")]
        parts = table.group_by(keys).agg(
            hidden=pl.col("n").filter(pl.col("mean").is_null()).sum(), total=pl.col("n").sum()
        )
        # hidden: nobody, at least K_MIN, or the whole parent (then itself under K_MIN)
        ok = (
            (pl.col("hidden") == 0)
            | (pl.col("hidden") >= K_MIN)
            | ((pl.col("hidden") == pl.col("total")) & (pl.col("total") < K_MIN))
        )
        assert parts.select(ok.all()).item()


def test_custom_list_counts_only_public_profiles() -> None:
    territories, scores = population({("ca", "50k-100k", "84"): 8})
    codes = territories["territory"].to_list()
    public = pl.DataFrame({"territory": codes[1:6]})
    hidden = codes[7]
    with_it, ignored = custom_group_statistics(scores, public, [*codes[1:6], hidden], codes[0])
    without, _ = custom_group_statistics(scores, public, codes[1:6], codes[0])
    # adding a hidden territory changes nothing: no difference to exploit
    assert with_it.equals(without) and ignored == [hidden]
    assert with_it["mean"][0] is not None and with_it["n"][0] == 5


def test_custom_list_below_k_is_withheld() -> None:
    territories, scores = population({("ca", "50k-100k", "84"): 8})
    codes = territories["territory"].to_list()
    public = pl.DataFrame({"territory": codes})
    stats, _ = custom_group_statistics(scores, public, codes[1:5], codes[0])
    assert stats["n"][0] == 4 and stats["mean"][0] is None


def test_narrowing_a_peer_group_to_k_plus_one_reveals_nothing_more() -> None:
    """Two default groups of n = 6 that differ by one territory would reveal it: the asker
    sees its own group only, with at least K_MIN others, and its own score is the only
    individual one in the answer."""
    territories, scores = population({("cu", "100k-250k", "84"): 6})
    stats = campaign_statistics(territories, scores)
    assert stats.filter(pl.col("n_others") < K_MIN, pl.col("mean").is_not_null()).is_empty()
    assert set(stats.columns) >= {"own", "mean"} and "score" not in stats.columns


def test_only_public_territories_are_named() -> None:
    territories, scores = population({("ca", "50k-100k", "84"): 8})
    dims = pl.concat(
        [
            scores.with_columns(metric=pl.lit(m), score=pl.col("score") + i)
            for i, m in enumerate(["a", "b", "c"])
        ]
    )
    codes = territories["territory"].to_list()
    public = pl.DataFrame({"territory": codes[2:4]})
    near = nearest_peers(dims, public, codes[0], ["a", "b", "c"])
    assert set(near["territory"]) <= set(codes[2:4])
    best = learn_from(dims, public, codes[0], ["a", "b", "c"])
    assert set(best["territory"]) <= set(codes[2:4])
    assert best["dimension"].unique().len() <= 2


@pytest.mark.parametrize("combo", list(itertools.combinations(["kind", "band", "region"], 2)))
def test_unknown_group_by_is_refused(combo: tuple[str, str]) -> None:
    territories, scores = population({("ca", "50k-100k", "84"): 5})
    with pytest.raises(ValueError, match="regroupement inconnu : couleur"):
        aggregates(territories, scores, [*combo, "couleur"])
