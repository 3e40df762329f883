"""The numpy path of a campaign's peer statistics (`maturity.peer_stats`) against the polars
comparison custom lists go through (`maturity.peer_compare`), run on the default groups of
small random populations (the seed is printed: it reproduces a failure); and ties that the
scoring's matrix product leaves a few ulps apart stay ties."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from maturity.peer_compare import compare
from maturity.peer_groups import cells, group_members, scoped_peer_groups
from maturity.peers import (
    K_MIN,
    Scope,
    campaign_statistics,
    custom_group,
    custom_statistics,
    peer_groups,
)
from maturity.score_matrix import ScoreMatrix, Segments, score_matrix
from tests.unit.maturity.test_peers import long, population, territories_frame


def polars_statistics(
    territories: pl.DataFrame,
    now: pl.DataFrame,
    before: pl.DataFrame,
    basis: pl.DataFrame | None,
    scope: Scope,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Statistic rows and histograms of every territory through `compare`, joins on strings."""
    groups = peer_groups(territories, now.select("territory").unique(), scope)
    definitions = groups.select("group", "kinds", "bands", "region").unique("group")
    members = group_members(definitions, cells(territories, now))
    changed = None
    if basis is not None:
        changed = (members.join(basis.lazy(), on="territory"), basis.lazy())
    result, histograms = compare(
        members.join(now.lazy(), on="territory"),
        groups.lazy().select("territory", "group", "step", member=pl.lit(True)),
        now.lazy(),
        group_members(definitions, cells(territories, before)).join(before.lazy(), on="territory"),
        before.lazy(),
        changed,
    )
    return result.collect(), histograms.collect()


@pytest.mark.parametrize("scope", ["national", "region"])
@pytest.mark.parametrize("seed", [21, 22, 23])
def test_the_numpy_path_equals_the_polars_comparison(seed: int, scope: Scope) -> None:
    print(f"seed={seed} scope={scope}")  # reproduces a failure
    rng = random.Random(seed)
    rows, now, before = population(rng, rng.choice([80, 400]))
    territories = territories_frame(rows)
    current, previous = long(now), long(before)
    # another edition's basis: some metrics only, other values
    basis = current.filter(pl.col("metric") != "b").with_columns(pl.col("score") * 0.5)
    for at in (None, basis):
        fast = campaign_statistics(territories, current, previous, scope, at)
        statistics, histograms = polars_statistics(territories, current, previous, at, scope)
        key = ["territory", "metric"]
        assert_frame_equal(
            fast.statistics.sort(key), statistics.select(fast.statistics.columns).sort(key)
        )
        assert_frame_equal(
            fast.histograms.sort("group", "metric"), histograms.sort("group", "metric")
        )


def test_a_matrix_gives_the_same_statistics_as_long_scores() -> None:
    rng = random.Random(5)
    rows, now, before = population(rng, 120)
    territories = territories_frame(rows)
    codes = territories.get_column("territory")
    matrices = campaign_statistics(
        territories, score_matrix(codes, long(now)), score_matrix(codes, long(before))
    )
    frames = campaign_statistics(territories, long(now), long(before))
    key = ["territory", "metric"]
    assert_frame_equal(matrices.statistics.sort(key), frames.statistics.sort(key))
    assert_frame_equal(matrices.groups, frames.groups)


def test_scores_a_few_ulps_apart_are_tied() -> None:
    # equal answers scored by one matrix product can differ in their last bits
    tenth = 0.1 + 0.2  # 0.30000000000000004
    scores = [tenth * 100, 30.0, 30.0, 10.0, 50.0, 70.0, 90.0]
    rows = [(f"c{i}", "commune", "0-3.5k", "11") for i in range(len(scores))]
    current = long({(f"c{i}", "index"): s for i, s in enumerate(scores)})
    stats = campaign_statistics(territories_frame(rows), current).statistics
    percentiles = dict(stats.select("territory", "percentile").iter_rows())
    # c0 among six others: one lower (10), two equal (30): 100 × (1 + 2 / 2) / 6
    assert percentiles["c0"] == pytest.approx(100 * 2 / 6)
    assert percentiles["c0"] == percentiles["c1"] == percentiles["c2"]
    assert len(scores) - 1 >= K_MIN
    # a custom list of the same peers ranks the same way
    codes = [r[0] for r in rows]
    group = custom_group(set(codes), current, codes[1:], "c0")
    row = custom_statistics(group, "c0", current).statistics.row(0, named=True)
    assert row["percentile"] == pytest.approx(100 * 2 / 6)


def test_segments_rank_within_their_segment_only() -> None:
    values = np.array([3.0, 1.0, 2.0, 1.0, 5.0, np.nan, 1.0])
    segment = np.array([0, 0, 0, 0, 1, 1, 1])
    kept = np.flatnonzero(~np.isnan(values))
    by_value = kept[np.argsort(values[kept], kind="stable")]
    sorted_ = Segments.of(segment[by_value], values[by_value], by_value, 2)
    below, tied = sorted_.ranks()  # in sorted order: `order` tells whose
    ranks = {int(s): (int(b), int(t)) for s, b, t in zip(sorted_.order, below, tied, strict=True)}
    assert sorted_.n.tolist() == [4, 2]
    assert sorted_.quantile(0.5).tolist() == [1.5, 3.0]
    assert [ranks[i][0] for i in (0, 1, 2, 3, 4, 6)] == [3, 0, 2, 0, 1, 0]
    assert [ranks[i][1] for i in (0, 1, 2, 3, 4, 6)] == [1, 2, 1, 2, 1, 1]
    # 100 × (b + e / 2) / m among the m others: 3.0 is above the three others of segment 0
    percentiles = dict(zip(sorted_.order.tolist(), sorted_.percentiles().tolist(), strict=True))
    assert percentiles[0] == 100.0 and percentiles[4] == 100.0 and percentiles[6] == 0.0
    assert percentiles[1] == percentiles[3] == pytest.approx(100 * 0.5 / 3)


@pytest.mark.parametrize("seed", range(20))
def test_scores_sorted_on_their_bits_as_a_stable_argsort(seed: int) -> None:
    # near-ties in the last bits, exact ties, missing scores (left out), zeros, keys already
    # in order, negative scores (the float sort): the integer sorts of `ScoreMatrix.by_value`
    # must give the order of a stable argsort, index for index, and `ascending` the matrix's
    # scores in that order, bit for bit
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 4000))
    values = np.round(rng.uniform(0, 100, n), int(rng.integers(0, 4)))
    values *= 1 + rng.choice([0.0, 1e-13, 2e-15], n)
    values[rng.random(n) < 0.1] = np.nan
    values[rng.random(n) < 0.05] = 0.0
    if seed % 4 == 2:  # keys already in order for both sorts
        values[~np.isnan(values)] = 50.0
    if seed % 4 == 3:
        values[rng.random(n) < 0.05] = -1.5
    matrix = ScoreMatrix(pl.Series([f"t{i}" for i in range(n)]), ("index",), values[:, None])
    kept = np.flatnonzero(~np.isnan(values))
    order = kept[np.argsort(values[kept], kind="stable")]
    assert matrix.by_value.tolist() == order.tolist()
    ascending, rows, columns = matrix.ascending
    assert ascending.view(np.int64).tolist() == values[order].view(np.int64).tolist()
    assert rows.tolist() == order.tolist() and not columns.any()


def test_negative_scores_are_sorted_too() -> None:
    values = np.array([[2.0], [-0.0], [np.nan], [-3.5], [0.0], [1.0]])
    matrix = ScoreMatrix(pl.Series(["a", "b", "c", "d", "e", "f"]), ("index",), values)
    assert matrix.by_value.tolist() == [3, 1, 4, 5, 0]


@pytest.mark.parametrize("seed", [31, 32])
def test_both_perimeters_counted_once_give_each_perimeters_groups(seed: int) -> None:
    rng = random.Random(seed)
    rows, _, _ = population(rng, 150)
    territories = territories_frame(rows)
    submitted = pl.DataFrame({"territory": [r[0] for r in rows if rng.random() < 0.7]})
    both = scoped_peer_groups(territories, submitted, ("region", "national"))
    for scope in ("national", "region"):
        assert_frame_equal(both[scope], peer_groups(territories, submitted, scope))
    assert not both["national"].equals(both["region"])
