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
from maturity.score_matrix import TIE, ScoreMatrix, Segments, canonical, score_matrix
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
    # in order, negative scores and -0.0, scores too large for the integer sort (the float
    # sort): the matrix holds the scores rounded to `TIE` decimals, `ScoreMatrix.by_value`
    # gives the order of a stable argsort of them, index for index, and `ascending` the
    # matrix's scores in that order, bit for bit
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 4000))
    values = np.round(rng.uniform(0, 100, n), int(rng.integers(0, 4)))
    values *= 1 + rng.choice([0.0, 1e-13, 2e-15], n)
    values[rng.random(n) < 0.1] = np.nan
    values[rng.random(n) < 0.05] = 0.0
    if seed % 4 == 2:  # keys already in order
        values[~np.isnan(values)] = 50.0
    if seed % 4 == 3:
        values[rng.random(n) < 0.05] = -1.5
        values[rng.random(n) < 0.05] = -0.0
    if seed % 5 == 4:
        values[rng.random(n) < 0.02] = 1e7
    matrix = ScoreMatrix(pl.Series([f"t{i}" for i in range(n)]), ("index",), values[:, None])
    held = matrix.values[:, 0]
    assert np.array_equal(held, np.round(values, TIE), equal_nan=True)
    assert not (np.signbit(held) & (held == 0)).any()  # no -0.0
    kept = np.flatnonzero(~np.isnan(held))
    order = kept[np.argsort(held[kept], kind="stable")]
    assert matrix.by_value.tolist() == order.tolist()
    ascending, rows, columns = matrix.ascending
    assert ascending.view(np.int64).tolist() == held[order].view(np.int64).tolist()
    assert rows.tolist() == order.tolist() and not columns.any()


def test_scores_a_few_ulps_apart_are_held_equal() -> None:
    tenth = 0.1 + 0.2  # 0.30000000000000004
    values = np.array([[tenth * 100], [30.0], [-0.0], [np.nan], [29.9999999994]])
    held = canonical(values)
    assert held[:2, 0].tolist() == [30.0, 30.0] and held[4, 0] == 29.999999999
    assert not np.signbit(held[2, 0]) and np.isnan(held[3, 0])
    assert np.array_equal(canonical(held), held, equal_nan=True)  # its own rounding


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


@pytest.mark.parametrize("seed", [41, 42])
def test_statistic_rows_are_their_group_table_gathered_on_every_row(seed: int) -> None:
    """`StatisticRows.rows` gathers only the columns it shows and makes a rank nowhere shown,
    a gap from a quantile no group has, null at once: the same frame as every column of the
    group table gathered through the key and the rank and gaps computed on every row; ranks
    on the rounding's ties (odd multiples of 2.5), with and without a previous campaign."""
    from dataclasses import replace

    from maturity.peer_stats import FIGURES, ORDER, StatisticRows
    from maturity.peers import campaign_comparison

    def every_row(
        rows: StatisticRows,
        groups: pl.DataFrame,
        shown: str,
        step: int | None,
        decimals: int | None,
    ) -> pl.DataFrame:
        scored = ~np.isnan(rows.own)
        key = rows.segment * 4 + scored * 2 + (0 if rows.had is None else rows.had)
        rank = pl.col("percentile")
        gaps = {
            "gap_median": pl.col("own") - pl.col("median"),
            "gap_p75": pl.col("own") - pl.col("p75"),
        }
        return (
            pl.DataFrame(
                [
                    rows.codes.gather(rows.territory),
                    pl.Series("step", rows.step, dtype=pl.Int8),
                    pl.Series("own", rows.own, nan_to_null=True),
                    pl.Series("percentile", rows.percentile, nan_to_null=True),
                    pl.Series("own_change", rows.own_change, nan_to_null=True),
                ]
            )
            .hstack(groups[pl.Series(key, dtype=pl.UInt32)])
            .select(
                ORDER[:11],
                percentile=pl.when(shown).then(
                    rank if step is None else (rank / step).round(0) * step
                ),
                own_change="own_change",
                group_change="group_change",
                **{g: e if decimals is None else e.round(decimals) for g, e in gaps.items()},
                withheld="withheld",
            )
        )

    rng = random.Random(seed)
    rows_, now, before = population(rng, 200)
    territories = territories_frame(rows_)
    codes = territories.get_column("territory")
    for previous in (score_matrix(codes, long(before)), None):
        compared = campaign_comparison(territories, score_matrix(codes, long(now)), previous)
        percentile = compared.rows.percentile
        tied = replace(compared.rows, percentile=np.round(percentile / 2.5) * 2.5)
        assert (tied.percentile / 5 % 1 == 0.5).any()
        none = slice(0, 0)
        empty = replace(
            tied,
            **{k: getattr(tied, k)[none] for k in ("territory", "segment", "step", "own")},
            **{k: getattr(tied, k)[none] for k in ("percentile", "own_change")},
            had=None if tied.had is None else tied.had[none],
        )
        segments = tied.segments()
        suppressed = segments.with_columns(
            pl.lit(None, pl.UInt32).alias("n"),
            *(pl.lit(None, pl.Float64).alias(c) for c in (*FIGURES, "group_change")),
            enough=False,
        )
        no_median = segments.with_columns(pl.lit(None, pl.Float64).alias("median"))
        for rows in (tied, empty):
            for groups in (segments, suppressed, no_median):
                for step, decimals in ((None, None), (5, 2)):
                    assert_frame_equal(
                        rows.rows(groups, "enough", step, decimals),
                        every_row(rows, groups, "enough", step, decimals),
                        check_exact=True,
                    )
