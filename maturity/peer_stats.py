"""Every territory of a campaign against its default peer group, in numpy (`maturity.peers`
states the definitions: statistics, percentile rank, changes, the `K_MIN` rule).

A network of 100,000 territories and eleven metrics makes a million statistic rows per
campaign: joins on (territory, metric) strings cost seconds there. Here the territories are
row numbers of a `ScoreMatrix`, a group's members are found through its finest cells
(`maturity.cells`) and every (group, metric) segment is sorted once (`Segments`): counts,
means, quantiles, histograms and ranks are then array arithmetic. A group's figures stay one
value per segment until the rows are made a frame (`StatisticRows`). `tests/unit/maturity`
checks it against the polars comparison custom lists go through (`maturity.peer_compare`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Final

import numpy as np
import polars as pl

from maturity.cells import CellIndex
from maturity.peer_groups import K_MIN
from maturity.peer_index import PeerGroups
from maturity.score_matrix import QUANTILE_LEVELS as QUANTILES
from maturity.score_matrix import ScoreMatrix, Segments, sort_keys

__all__ = ["BINS", "WITHHELD", "StatisticRows", "compare_campaign", "rounded_rank"]

BINS: Final = 10
"""Histogram bins: 0–10, 10–20, …, 90–100 (a score of 100 falls in the last one)."""
WITHHELD: Final = f"moins de {K_MIN} autres territoires ont un score pour cette mesure"
FIGURES: Final = ("mean", *QUANTILES)
"""A group's figures (with ``n``), one value per (group, metric) segment."""

Cover = tuple[np.ndarray, np.ndarray]
"""(group position, finest cell) of every finest cell inside each group's definition."""


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
    by group then territory; a member's score elements are member × metrics + metric."""

    group: np.ndarray
    territory: np.ndarray

    @classmethod
    def of(cls, cover: Cover, atom: np.ndarray, submitted: np.ndarray) -> _Members:
        """The members of the groups `cover` describes, among the `submitted` territories."""
        groups, cells = cover
        rows = np.flatnonzero(submitted)
        small = np.int16 if len(atom) and atom.max() <= np.iinfo(np.int16).max else np.int64
        rows = rows[np.argsort(atom[rows].astype(small), kind="stable")]  # a radix sort
        count = np.bincount(atom[rows], minlength=int(atom.max(initial=-1)) + 1)
        start = np.cumsum(count) - count
        taken = count[cells]
        first = np.cumsum(taken) - taken
        offset = np.repeat(start[cells] - first, taken) + np.arange(int(taken.sum()))
        # by group then territory: one integer sort of both
        key = sort_keys(np.repeat(groups, taken) * len(atom) + rows[offset])
        return cls(key // max(len(atom), 1), key % max(len(atom), 1))

    def means(self, values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Count and mean of the members' scores of `values` (territories × metrics) per
        segment (group × metrics + metric), summed member after member."""
        width = values.shape[1]
        segment = (self.group[:, None] * width + np.arange(width)).ravel()
        flat = values[self.territory].ravel()
        n = np.bincount(segment, minlength=size)
        missing = np.isnan(flat)
        if missing.any():  # a few: counted out, and adding 0.0 leaves a sum as it is
            gone = np.flatnonzero(missing)
            n -= np.bincount(segment[gone], minlength=size)
            flat[gone] = 0.0  # `flat` is a copy (fancy indexing)
        with np.errstate(invalid="ignore", divide="ignore"):
            return n, np.bincount(segment, flat, size) / n

    def sorted(self, matrix: ScoreMatrix, size: int, own: np.ndarray | None = None) -> Segments:
        """The members' scores sorted within their segments, out of the matrix's own order
        (a score held by several groups follows itself once per group); a score's source is
        its flat index in the matrix (territory × metrics + metric), or -1 for the copy of a
        score in another group than its territory's `own` (each territory's group, -1 for
        none), when given."""
        width = len(matrix.metrics)
        values, territory, metric = matrix.ascending
        flat = matrix.by_value
        count = np.bincount(self.territory, minlength=len(matrix.codes))
        grouped = np.argsort(self.territory, kind="stable")  # a territory's groups, in order
        start = np.cumsum(count) - count
        base = np.full(len(count), -1)
        held = np.flatnonzero(count)
        base[held] = self.group[grouped[start[held]]] * width  # its first group
        segment = base[territory]
        if (segment < 0).any():
            kept = segment >= 0
            segment, metric, values, flat = (a[kept] for a in (segment, metric, values, flat))
            territory = territory[kept]
        segment += metric
        if not self.shared:
            return Segments.of(segment, values, flat, size)
        # the other groups' copies of a shared score, right after it: the few territories of
        # several groups do not cost a repetition of every score
        times = np.maximum(count - 1, 0)[territory]
        at = np.flatnonzero(times)
        k = times[at]
        before = np.cumsum(k) - k
        offset = np.arange(int(k.sum())) - np.repeat(before, k)
        later = self.group[grouped[np.repeat(start[territory[at]], k) + offset + 1]]
        where = np.repeat(at + 1, k)
        copies = (later * width + np.repeat(metric[at], k), np.repeat(values[at], k))
        sources = np.insert(flat, where, np.repeat(flat[at], k))
        if own is not None:  # where each copy went: the inserted ones shift the others
            mine = own[territory[at]]
            first = at + before
            sources[first[segment[at] // width != mine]] = -1
            moved = np.repeat(first + 1, k) + offset
            sources[moved[later != np.repeat(mine, k)]] = -1
        segment = np.insert(segment, where, copies[0])
        return Segments.of(segment, np.insert(values, where, copies[1]), sources, size)

    @cached_property
    def shared(self) -> bool:
        """Whether a territory is a member of more than one group."""
        return bool(np.bincount(self.territory).max(initial=0) > 1)


@dataclass(frozen=True)
class _Rows:
    """The statistic rows: every asker with every metric its group has scores for; a row is
    also a score of the matrix (its territory × metrics + metric: ``flat``)."""

    segment: np.ndarray
    flat: np.ndarray | None
    """None when the rows are every score of the matrix in order (every territory asks, in
    the matrix's order, and its group has scores for every metric)."""
    asker: np.ndarray | None
    """Each row's asker (None: the row's territory)."""

    @classmethod
    def of(
        cls, tid: np.ndarray, position: np.ndarray, n: np.ndarray, width: int, territories: int
    ) -> _Rows:
        """Every asker (`tid`, its group's `position`) with every metric its group has
        scores for (`n`: the scores of each segment, position × `width` + metric), among
        the matrix's `territories`."""
        segment = (position[:, None] * width + np.arange(width)).ravel()
        shown = n[segment] > 0
        everyone = len(tid) == territories and np.array_equal(tid, np.arange(territories))
        if everyone and shown.all():
            return cls(segment, None, None)
        asker = np.repeat(np.arange(len(tid)), width)
        flat = tid[asker] * width + segment % width
        return cls(segment[shown], flat[shown], asker[shown])

    def gather(self, values: np.ndarray) -> np.ndarray:
        """Each row's score in `values` (territories × metrics, as the matrix)."""
        flat = values.ravel()
        return flat if self.flat is None else np.asarray(flat[self.flat])

    def territory(self, width: int) -> np.ndarray:
        """Each row's territory (a row of the matrix)."""
        if self.flat is None:
            return np.repeat(np.arange(len(self.segment) // max(width, 1)), width)
        return np.asarray(self.flat // width)

    def step(self, step: np.ndarray, width: int) -> np.ndarray:
        """Each row's asker's `step`."""
        return np.repeat(step, width) if self.asker is None else np.asarray(step[self.asker])

    def percentiles(self, sorted_: Segments, scores: int) -> np.ndarray:
        """Each row's percentile rank: the rank of its own score among its group's
        (`Segments.percentiles`, scattered from the sorted scores, whose sources are flat
        indices among the matrix's `scores` or -1, to the rows; a spare last row takes what
        is no row's)."""
        row = sorted_.order
        if self.flat is not None:  # the scores of territories that do not ask are no row
            at = np.full(scores + 1, len(self.segment))
            at[self.flat] = np.arange(len(self.flat))
            row = at[row]
        percentile = np.full(len(self.segment) + 1, np.nan)
        percentile[row] = sorted_.percentiles()
        return percentile[:-1]


@dataclass(frozen=True)
class StatisticRows:
    """The statistic rows of `maturity.peers.PeerStatistics` as arrays: a million rows for a
    large network, made one frame only at the end (`frame`, or published by
    `maturity.publication.publish_peers`). A group's figures are one value per segment
    (group position × metrics + metric); a row's depend on its segment and on whether its
    territory has a score now and had one before (`key`): they are gathered once, at the
    end, from a table of four rows per segment (`segments`)."""

    codes: pl.Series
    metrics: tuple[str, ...]
    ids: np.ndarray
    """The group id (``group`` of `maturity.peer_groups.peer_groups`) of each position."""
    territory: np.ndarray
    """Each row's territory (row of `codes`) and segment."""
    segment: np.ndarray
    step: np.ndarray
    n: np.ndarray
    """Per segment: the members with a score, and the `FIGURES` (NaN when empty)."""
    figures: dict[str, np.ndarray]
    change: np.ndarray | None
    """Per segment: the change of mean since the previous campaign (None without one)."""
    n_before: np.ndarray | None
    own: np.ndarray
    """Per row: the territory's own score, percentile rank and change (NaN: null)."""
    percentile: np.ndarray
    own_change: np.ndarray
    had: np.ndarray | None
    """Per row: whether the territory had a score for the metric before."""

    def key(self) -> np.ndarray:
        """Each row's row of `segments`: segment × 4 + (own score) × 2 + (score before), as
        unsigned 32-bit integers when they fit (polars' row numbers: gathered with as they
        are); made in place, a million rows."""
        small = len(self.n) * 4 <= np.iinfo(np.uint32).max
        key = self.segment.astype(np.uint32 if small else np.int64)
        np.left_shift(key, 2, out=key)
        low = np.isnan(self.own).view(np.uint8)  # (own score) × 2 + (score before): a byte
        np.left_shift(low, 1, out=low)
        np.bitwise_xor(low, 2, out=low)
        if self.had is not None:
            np.bitwise_or(low, self.had, out=low)
        np.bitwise_or(key, low, out=key)  # into the two bits the shift freed
        return key

    def segments(self) -> pl.DataFrame:
        """A row's group columns for each value of its `key`, as the rows show them: group,
        metric, n, the `FIGURES` and group_change (null where fewer than `K_MIN` others have
        a score, the change also where fewer than `K_MIN` others had one), withheld; and
        ``enough`` (the statistics are shown)."""
        size, width = len(self.n), max(len(self.metrics), 1)
        segment = np.repeat(np.arange(size), 4)
        scored, had = (np.tile([0, 0, 1, 1], size), np.tile([0, 1, 0, 1], size))
        n = self.n[segment]
        enough = n - scored >= K_MIN
        shown = {k: np.where(enough, v[segment], np.nan) for k, v in self.figures.items()}
        change = np.full(len(segment), np.nan)
        if self.change is not None and self.n_before is not None:
            others = self.n_before[segment] - had >= K_MIN
            change = np.where(enough & others, self.change[segment], np.nan)
        metrics = pl.Series("metric", self.metrics or ("",), dtype=pl.String)
        return pl.DataFrame(
            [
                pl.Series("group", self.ids[segment // width], dtype=pl.UInt32),
                metrics.gather(segment % width),
                pl.Series("n", n, dtype=pl.UInt32),
                *(_column(k, shown[k]) for k in FIGURES),
                _column("group_change", change),
                pl.Series("withheld", [None if e else WITHHELD for e in enough], pl.String),
                pl.Series("enough", enough),
            ]
        )

    def rows(
        self,
        groups: pl.DataFrame,
        shown: str,
        step: int | None = None,
        decimals: int | None = None,
    ) -> pl.DataFrame:
        """The rows in the columns of `ORDER`: each row's own territory, step, own score,
        percentile rank and own_change beside its group columns of `groups` (a table over
        `key`, as `segments`: group, metric, n, the `FIGURES`, group_change, withheld, and
        the boolean `shown`); its percentile rank null where not `shown`, else rounded to
        `step` (`rounded_rank`), its gaps own − median and own −
        p75, rounded to `decimals`.

        Only the columns the rows show are gathered (a million rows). A rank nowhere shown,
        a gap from a quantile no group has (every group suppressed: a network without
        public profiles) is null at once, not computed row by row."""
        ranked = bool(groups.get_column(shown).any())
        columns = ["group", "metric", "n", *FIGURES, "group_change", "withheld"]
        gathered = groups.select([*columns, shown] if ranked else columns)[pl.Series(self.key())]
        mine = [
            self.codes.gather(self.territory),
            pl.Series("step", self.step, dtype=pl.Int8),
            _column("own", self.own),
            _column("own_change", self.own_change),
        ]
        percentile = pl.lit(None, pl.Float64)
        if ranked:
            mine.append(_column("percentile", self.percentile))
            rank = pl.col("percentile")
            rank = rank if step is None else rounded_rank(rank, step)
            percentile = pl.when(shown).then(rank)
        gaps: dict[str, pl.Expr] = {}
        for gap, quantile in (("gap_median", "median"), ("gap_p75", "p75")):
            gaps[gap] = pl.lit(None, pl.Float64)
            if groups.get_column(quantile).null_count() < groups.height:
                gaps[gap] = pl.col("own") - pl.col(quantile)
                if decimals is not None:
                    gaps[gap] = gaps[gap].round(decimals)
        return (
            pl.DataFrame(mine)
            .hstack(gathered)
            .select(
                ORDER[:11],
                percentile=percentile,
                own_change="own_change",
                group_change="group_change",
                **gaps,
                withheld="withheld",
            )
        )

    def frame(self) -> pl.DataFrame:
        """The rows as a frame (the columns of `PeerStatistics.statistics`)."""
        return self.rows(self.segments(), "enough")


ORDER: Final = (
    *("territory", "group", "step", "metric", "n", *FIGURES),
    *("own", "percentile", "own_change", "group_change", "gap_median", "gap_p75", "withheld"),
)
"""The columns of a statistic row, in order."""


def rounded_rank(rank: pl.Expr, step: int) -> pl.Expr:
    """A percentile rank rounded to the nearest multiple of `step`."""
    return (rank / step).round(0) * step


def _column(name: str, values: np.ndarray) -> pl.Series:
    return pl.Series(name, values, dtype=pl.Float64, nan_to_null=True)


def _askers(
    territories: pl.DataFrame, groups: pl.DataFrame | PeerGroups
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """The groups' definitions (group, kinds, bands, region, by group), and each asker's
    territory row, group id and step."""
    if isinstance(groups, PeerGroups):
        tid = np.arange(len(groups.codes))
        return groups.definitions(), tid, groups.group, groups.step
    definitions = groups.select("group", "kinds", "bands", "region").unique("group").sort("group")
    askers = groups.select("territory", "group", "step")
    codes = territories.get_column("territory")
    if askers.get_column("territory").equals(codes):  # `peer_groups` of the same frame
        tid = np.arange(askers.height)
    else:
        rows_of = codes.to_frame("territory").with_row_index("tid")
        askers = askers.join(rows_of, on="territory")
        tid = askers.get_column("tid").to_numpy().astype(np.int64)
    group, step = (askers.get_column(c).to_numpy() for c in ("group", "step"))
    return definitions, tid, group, step


def compare_campaign(
    territories: pl.DataFrame,
    groups: pl.DataFrame | PeerGroups,
    now: ScoreMatrix,
    before: ScoreMatrix | None,
    basis: ScoreMatrix | None,
    cells: CellIndex | None = None,
) -> tuple[pl.DataFrame, StatisticRows, pl.DataFrame]:
    """The groups (with their members), statistic rows (as arrays) and histograms of
    `maturity.peers.PeerStatistics` for every territory of `groups` (``peer_groups``, or
    `PeerGroups`) against its group; `now`, `before` and `basis` are matrices over the rows
    of `territories`, `cells` its `CellIndex` when the caller has it."""
    index = (
        cells if cells is not None and cells.of_frame(territories) else CellIndex.of(territories)
    )
    definitions, tid, group, step = _askers(territories, groups)
    ids = definitions.get_column("group").to_numpy()
    if isinstance(groups, PeerGroups) and groups.covers is not None:
        positions, atoms = np.nonzero(groups.covers[ids])
        cover = (positions.astype(np.int64), atoms.astype(np.int64))
    else:
        cover = _cover(definitions, index.atoms)
    width, count = len(now.metrics), len(now.codes)
    size = len(ids) * width
    members = _Members.of(cover, index.atom, now.submitted)
    position = np.searchsorted(ids, group)
    mine = np.full(count, -1)
    mine[tid] = position
    sorted_ = members.sorted(now, size, mine)
    rows = _Rows.of(tid, position, sorted_.n, width, count)
    own = rows.gather(now.values)
    percentile = rows.percentiles(sorted_, count * width)
    mean = sorted_.mean()
    figures = {"mean": mean, **{k: sorted_.quantile(q) for k, q in QUANTILES.items()}}
    own_change, change, n_before, had = np.full(len(own), np.nan), None, None, None
    if before is not None:  # changes on `basis` when the campaigns answered other editions
        aligned = before.aligned(now.metrics)
        previous = rows.gather(aligned)
        had = ~np.isnan(previous)
        had_members = _Members.of(cover, index.atom, before.submitted)
        n_before, mean_before = had_members.means(aligned, size)
        own_now, mean_now = own, mean
        if basis is not None:
            at_basis = basis.aligned(now.metrics)
            own_now, mean_now = rows.gather(at_basis), members.means(at_basis, size)[1]
        own_change, change = own_now - previous, mean_now - mean_before
    metrics = pl.Series("metric", now.metrics, dtype=pl.String)
    statistics = StatisticRows(
        now.codes, now.metrics, ids, rows.territory(width), rows.segment,
        rows.step(step, width).astype(np.int8), sorted_.n, figures, change, n_before, own,
        percentile, own_change, had,
    )  # fmt: skip
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
