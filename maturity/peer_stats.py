"""Every territory of a campaign against its default peer group, in numpy (`maturity.peers`
states the definitions: statistics, percentile rank, changes, the `K_MIN` rule).

A network of 100,000 territories and eleven metrics makes a million statistic rows per
campaign: joins on (territory, metric) strings cost seconds there. Here the territories are
row numbers of a `ScoreMatrix`, a group's members are found through its finest cells (kind ×
band × région) and every (group, metric) segment is sorted once (`Segments`): counts, means,
quantiles, histograms and ranks are then array arithmetic. `tests/unit/maturity` checks it
against the polars comparison custom lists go through (`maturity.peer_compare`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import polars as pl

from maturity.peer_groups import K_MIN
from maturity.score_matrix import QUANTILE_LEVELS as QUANTILES
from maturity.score_matrix import ScoreMatrix, Segments

__all__ = ["BINS", "WITHHELD", "StatisticRows", "compare_campaign"]

BINS: Final = 10
"""Histogram bins: 0–10, 10–20, …, 90–100 (a score of 100 falls in the last one)."""
WITHHELD: Final = f"moins de {K_MIN} autres territoires ont un score pour cette mesure"
PUBLISHED: Final = ("mean", *QUANTILES, "percentile", "group_change")
"""The figures a row withholds below `K_MIN` others."""

Cover = tuple[np.ndarray, np.ndarray]
"""(group position, finest cell) of every finest cell inside each group's definition."""


def _atoms(territories: pl.DataFrame) -> tuple[np.ndarray, pl.DataFrame]:
    """Each territory's finest cell (row number of the second frame: atom, kind, band,
    region)."""
    cells = territories.select("kind", "band", "region")
    atoms = cells.unique(maintain_order=True).with_row_index("atom")
    located = cells.join(
        atoms, on=["kind", "band", "region"], how="left", nulls_equal=True, maintain_order="left"
    )
    return located.get_column("atom").to_numpy().astype(np.int64), atoms


def _cover(definitions: pl.DataFrame, atoms: pl.DataFrame) -> Cover:
    """The finest cells of each group of `definitions` (group, kinds, bands, region)."""
    pairs = (
        definitions.with_row_index("position")
        .explode("kinds")
        .explode("bands")
        .join(atoms, left_on=["kinds", "bands"], right_on=["kind", "band"], nulls_equal=True)
        .filter(pl.col("region").is_null() | (pl.col("region") == pl.col("region_right")))
    )
    return (
        pairs.get_column("position").to_numpy().astype(np.int64),
        pairs.get_column("atom").to_numpy().astype(np.int64),
    )


@dataclass(frozen=True)
class _Members:
    """(group position, territory row) of every submitted territory in every group, sorted
    by group then territory."""

    group: np.ndarray
    territory: np.ndarray

    @classmethod
    def of(cls, cover: Cover, atom: np.ndarray, submitted: np.ndarray) -> _Members:
        """The members of the groups `cover` describes, among the `submitted` territories."""
        groups, cells = cover
        rows = np.flatnonzero(submitted)
        rows = rows[np.argsort(atom[rows], kind="stable")]
        count = np.bincount(atom[rows], minlength=int(atom.max(initial=-1)) + 1)
        start = np.cumsum(count) - count
        taken = count[cells]
        first = np.cumsum(taken) - taken
        offset = np.repeat(start[cells] - first, taken) + np.arange(int(taken.sum()))
        group, territory = np.repeat(groups, taken), rows[offset]
        order = np.lexsort((territory, group))
        return cls(group[order], territory[order])

    def scores(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The members' scores of `values` (territories × metrics), flattened member-major
        (element member × metrics + metric): each element's segment (group × metrics +
        metric) and score (NaN when the member has none)."""
        width = values.shape[1]
        segment = (self.group[:, None] * width + np.arange(width)).ravel()
        return segment, values[self.territory].ravel()

    def means(self, values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Count and mean of the members' scores of `values` per segment."""
        segment, flat = self.scores(values)
        kept = ~np.isnan(flat)
        n = np.bincount(segment[kept], minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            return n, np.bincount(segment[kept], flat[kept], size) / n

    def by_value(self, matrix: ScoreMatrix) -> np.ndarray:
        """The members' score elements (as `scores` numbers them) in increasing order of
        score: the matrix's own order, each score repeated for every group holding it."""
        width = len(matrix.metrics)
        territory, metric = np.divmod(matrix.by_value, width)
        count = np.bincount(self.territory, minlength=len(matrix.codes))
        if count.max(initial=0) <= 1:  # groups that share no territory: one score, one element
            member = np.full(len(count), -1)
            member[self.territory] = np.arange(len(self.territory))
            element = member[territory]
            kept = element >= 0
            return np.asarray(element[kept] * width + metric[kept])
        grouped = np.argsort(self.territory, kind="stable")
        start = np.cumsum(count) - count
        times = count[territory]
        first = np.cumsum(times) - times
        at = np.repeat(start[territory] - first, times) + np.arange(int(times.sum()))
        return np.asarray(grouped[at] * width + np.repeat(metric, times))

    def find(self, group: np.ndarray, territory: np.ndarray, territories: int) -> np.ndarray:
        """The member row of each (`group`, `territory`); meaningless for a non-member."""
        keys = self.group * territories + self.territory
        found = np.searchsorted(keys, group * territories + territory)
        return np.asarray(np.minimum(found, max(len(keys) - 1, 0)))


@dataclass(frozen=True)
class _Rows:
    """The statistic rows: one per asker and metric its group has scores for."""

    segment: np.ndarray
    asker: np.ndarray
    """Row number of the asker in the askers frame."""
    territory: np.ndarray
    metric: np.ndarray

    @classmethod
    def of(cls, tid: np.ndarray, position: np.ndarray, n: np.ndarray, width: int) -> _Rows:
        """Every asker (`tid`, its group's `position`) with every metric of its group."""
        segment = (position[:, None] * width + np.arange(width)).ravel()
        asker = np.repeat(np.arange(len(tid)), width)
        shown = n[segment] > 0
        segment, asker = segment[shown], asker[shown]
        return cls(segment, asker, tid[asker], segment % width)


def _percentiles(rows: _Rows, own: np.ndarray, sorted_: Segments, at: np.ndarray) -> np.ndarray:
    """Each row's percentile rank: the asker is a member of its group, whose rank among its
    segment's scores (`Segments.ranks`) is read at its own score (`at`: its element in
    `_Members.scores`); NaN without an own score or another member."""
    scored = ~np.isnan(own)
    below, tied = (r[np.where(scored, at, 0)] for r in sorted_.ranks())
    m = sorted_.n[rows.segment] - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        percentile = 100 * ((below + (tied + 1) / 2) - 1) / m
    return np.where(scored & (m > 0), percentile, np.nan)


def _changes(
    rows: _Rows,
    now: tuple[np.ndarray, np.ndarray],
    before: ScoreMatrix,
    basis: ScoreMatrix | None,
    groups: tuple[Cover, np.ndarray, _Members],
    metrics: tuple[str, ...],
    size: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's own change and its group's change of mean since `before` (on `basis` when
    the campaigns answered different editions); `now`: the rows' own scores and means;
    `size`: groups × metrics."""
    cover, atom, members = groups
    previous = before.aligned(metrics)
    had = _Members.of(cover, atom, before.submitted)
    n_before, mean_before = had.means(previous, size)
    own_before = previous[rows.territory, rows.metric]
    own_now, mean_now = now
    if basis is not None:
        at = basis.aligned(metrics)
        own_now = at[rows.territory, rows.metric]
        mean_now = members.means(at, size)[1][rows.segment]
    others = n_before[rows.segment] - ~np.isnan(own_before)
    group = np.where(others >= K_MIN, mean_now - mean_before[rows.segment], np.nan)
    return own_now - own_before, group


def _column(name: str, values: np.ndarray) -> pl.Series:
    return pl.Series(name, values, dtype=pl.Float64, nan_to_null=True)


@dataclass(frozen=True)
class StatisticRows:
    """The statistic rows of `maturity.peers.PeerStatistics` as arrays: a million rows for a
    large network, made into one frame only at the end (`frame`), with the columns of
    whoever publishes them (`maturity.publication.publish_peers`) beside."""

    codes: pl.Series
    metrics: tuple[str, ...]
    territory: np.ndarray
    """Each row's territory (row of `codes`) and metric (position in `metrics`)."""
    metric: np.ndarray
    group: np.ndarray
    """Each row's group id (``group`` of `maturity.peer_groups.peer_groups`)."""
    step: pl.Series
    n: np.ndarray
    figures: dict[str, np.ndarray]
    """mean, the quantiles, own, percentile, own_change and group_change (NaN: null)."""
    hidden: np.ndarray
    """Rows withheld (fewer than `K_MIN` others): their group's figures are NaN already."""

    def frame(self, *beside: pl.Series) -> pl.DataFrame:
        """The rows as a frame (the columns of `PeerStatistics.statistics`), `beside` after."""
        figures, own = self.figures, self.figures["own"]
        metrics = pl.Series("metric", self.metrics, dtype=pl.String)
        return pl.DataFrame(
            [
                self.codes.gather(self.territory),
                pl.Series("group", self.group, dtype=pl.UInt32),
                self.step,
                metrics.gather(self.metric),
                pl.Series("n", self.n, dtype=pl.UInt32),
                *(_column(k, figures[k]) for k in ("mean", *QUANTILES)),
                _column("own", own),
                _column("percentile", figures["percentile"]),
                _column("own_change", figures["own_change"]),
                _column("group_change", figures["group_change"]),
                _column("gap_median", own - figures["median"]),
                _column("gap_p75", own - figures["p75"]),
                pl.Series("withheld", self.hidden),
                *beside,
            ]
        ).with_columns(withheld=pl.when("withheld").then(pl.lit(WITHHELD)))


def compare_campaign(
    territories: pl.DataFrame,
    groups: pl.DataFrame,
    now: ScoreMatrix,
    before: ScoreMatrix | None,
    basis: ScoreMatrix | None,
) -> tuple[pl.DataFrame, StatisticRows, pl.DataFrame]:
    """The groups (with their members), statistic rows (as arrays) and histograms of
    `maturity.peers.PeerStatistics` for every territory of `groups` (``peer_groups``) against
    its group; `now`, `before` and `basis` are matrices over the rows of `territories`."""
    definitions = groups.select("group", "kinds", "bands", "region").unique("group").sort("group")
    ids = definitions.get_column("group").to_numpy()
    atom, atoms = _atoms(territories)
    cover = _cover(definitions, atoms)
    width, count = len(now.metrics), len(now.codes)
    members = _Members.of(cover, atom, now.submitted)
    segment, values = members.scores(now.values)
    elements = members.by_value(now)
    sorted_ = Segments.of(segment[elements], values[elements], elements, len(ids) * width)
    rows_of = now.codes.to_frame("territory").with_row_index("tid")
    askers = groups.select("territory", "group", "step").join(rows_of, on="territory")
    tid = askers.get_column("tid").to_numpy().astype(np.int64)
    position = np.searchsorted(ids, askers.get_column("group").to_numpy())
    rows = _Rows.of(tid, position, sorted_.n, width)
    own = now.values[rows.territory, rows.metric]
    mean = sorted_.mean()[rows.segment]
    figures = {"mean": mean, **{k: sorted_.quantile(q)[rows.segment] for k, q in QUANTILES.items()}}
    at = members.find(position, tid, count)[rows.asker] * width + rows.metric
    figures["percentile"] = _percentiles(rows, own, sorted_, at)
    own_change, figures["group_change"] = np.full(len(own), np.nan), np.full(len(own), np.nan)
    if before is not None:
        own_change, figures["group_change"] = _changes(
            rows, (own, mean), before, basis, (cover, atom, members), now.metrics, len(sorted_.n)
        )
    n = sorted_.n[rows.segment]
    hidden = n - ~np.isnan(own) < K_MIN
    withheld = np.flatnonzero(hidden)
    for k in PUBLISHED:  # each array is this call's own: withheld in place, no million-row copy
        figures[k][withheld] = np.nan
    metrics = pl.Series("metric", now.metrics, dtype=pl.String)
    statistics = StatisticRows(
        now.codes,
        now.metrics,
        rows.territory,
        rows.metric,
        ids[rows.segment // width],
        askers.get_column("step").gather(rows.asker).cast(pl.Int8),
        n,
        {**figures, "own": own, "own_change": own_change},
        hidden,
    )
    filled = np.flatnonzero(sorted_.n > 0)
    histograms = pl.DataFrame(
        [
            pl.Series("group", ids[filled // width], dtype=pl.UInt32),
            metrics.gather(filled % width),
            pl.Series("histogram", sorted_.histogram(BINS)[filled].astype(np.uint32)).cast(
                pl.List(pl.UInt32)
            ),
        ]
    )
    listed = (
        pl.DataFrame(
            {"group": ids[members.group], "territory": now.codes.gather(members.territory)}
        )
        .group_by("group")
        .agg(members=pl.col("territory").sort())
    )
    described = definitions.join(listed, on="group", how="left").with_columns(
        pl.col("members").fill_null(pl.lit([], pl.List(pl.String)))
    )
    return described, statistics, histograms
