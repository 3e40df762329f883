"""A campaign's long scores as one matrix, and scores sorted within segments.

The peer statistics, the disclosure control and the network aggregates all read the same
scores (territory, metric, score: about a million rows for a large network) through integer
keys. `ScoreMatrix` matches the territory and metric strings to their row and column once,
so that every later grouping, count and rank is numpy arithmetic on integers; `Segments`
sorts scores within segments (a peer group or an aggregate cell, times a metric) once, and
answers every count, mean, quantile, histogram and rank from the sorted values.

Pure numpy and polars, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from typing import Final

import numpy as np
import polars as pl

__all__ = [
    "QUANTILE_LEVELS",
    "TIE",
    "ScoreMatrix",
    "Segments",
    "canonical",
    "score_matrix",
    "scored_matrix",
    "sort_keys",
]

TIE: Final = 9
"""Decimals a score is held and ranked on: scores from one matrix product can differ in their
last bits for equal answers, and equal answers must stay tied."""
_SCALE: Final = 10.0**TIE

QUANTILE_LEVELS: Final = {"median": 0.5, "p25": 0.25, "p75": 0.75, "p90": 0.9}
"""The published quantiles of a group of scores (linear interpolation, as numpy's default)."""


@dataclass(frozen=True)
class ScoreMatrix:
    """Long scores as a matrix: row i is ``codes[i]``, column j metric ``metrics[j]``."""

    codes: pl.Series
    """The territory codes, in the order of the territory frame the scores were matched to."""
    metrics: tuple[str, ...]
    """The metrics with at least one score, sorted."""
    values: np.ndarray
    """Scores (territories × metrics), NaN where a territory has none, held rounded to `TIE`
    decimals (`canonical`: done when the matrix is made)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", canonical(self.values))

    @cached_property
    def submitted(self) -> np.ndarray:
        """Whether each territory has a score (a submitted assessment)."""
        return np.asarray(~np.isnan(self.values).all(axis=1))

    @cached_property
    def _sorted(self) -> tuple[np.ndarray, np.ndarray]:
        return _ascending(self.values.ravel())

    @property
    def by_value(self) -> np.ndarray:
        """The flat indices (row × metrics + column) of the scores, in increasing order of
        score: sorted once, shared by every grouping of them (`Segments.of`)."""
        return self._sorted[0]

    @cached_property
    def ascending(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The scores in increasing order, with their rows and columns."""
        rows, columns = np.divmod(self.by_value, len(self.metrics))
        return self._sorted[1], rows, columns

    def column(self, metric: str) -> np.ndarray:
        """One metric's scores (all NaN when the metric has none)."""
        if metric in self.metrics:
            return np.asarray(self.values[:, self.metrics.index(metric)])
        return np.full(len(self.codes), np.nan)

    def aligned(self, metrics: tuple[str, ...]) -> np.ndarray:
        """The scores of `metrics`, in that order (NaN columns for metrics it lacks)."""
        if metrics == self.metrics:
            return self.values
        return np.column_stack([self.column(m) for m in metrics]).reshape(len(self.codes), -1)


def score_matrix(codes: pl.Series, scores: pl.DataFrame | ScoreMatrix) -> ScoreMatrix:
    """`scores` (territory, metric, score) as a matrix over the territories `codes` (unique);
    scores of other territories and null scores are left out. A matrix over the same codes
    is returned as it is: the caller that made it once shares it."""
    if isinstance(scores, ScoreMatrix):
        if scores.codes is codes or scores.codes.equals(codes):
            return scores
        scores = _long(scores)
    scores = scores.drop_nulls("score")
    metrics = tuple(sorted(scores.get_column("metric").unique().to_list()))
    rows = scores.get_column("territory").cast(pl.Enum(codes), strict=False).to_physical()
    columns = scores.get_column("metric").cast(pl.Enum(metrics)).to_physical()
    kept = rows.is_not_null().to_numpy()
    values = np.full((len(codes), len(metrics)), np.nan)
    values[rows.to_numpy()[kept].astype(np.int64), columns.to_numpy()[kept]] = scores.get_column(
        "score"
    ).to_numpy()[kept]
    return ScoreMatrix(codes.rename("territory"), metrics, values)


def scored_matrix(
    codes: pl.Series, rows: np.ndarray, scores: Mapping[str, np.ndarray]
) -> ScoreMatrix:
    """The engine's scores (`maturity.scoring.metric_scores`: one vector per metric, NaN
    where an assessment has none) as a matrix over the territories `codes`, the i-th
    assessment being the territory of row ``rows[i]`` (one assessment per territory): the
    same matrix as `score_matrix` of their long form, without building it nor matching a
    string (a million rows per campaign in a large network)."""
    metrics = tuple(sorted(m for m, v in scores.items() if not np.isnan(v).all()))
    if metrics and np.array_equal(rows, np.arange(len(codes))):  # every territory, in order
        values = np.column_stack([scores[m] for m in metrics])
    else:
        values = np.full((len(codes), len(metrics)), np.nan)
        if metrics:
            values[rows] = np.column_stack([scores[m] for m in metrics])
    return ScoreMatrix(codes.rename("territory"), metrics, values)


def canonical(values: np.ndarray) -> np.ndarray:
    """`values` rounded to `TIE` decimals (as ``np.round``: ``rint(v × 10**TIE) / 10**TIE``),
    -0.0 made 0.0: equal answers get equal scores whatever the order of the sums that made
    them, so that every tie, quantile and mean of a matrix is exact and each score's order
    is that of an integer (`_ascending`). A rounded score is its own rounding."""
    rounded = np.round(np.asarray(values, dtype=np.float64), TIE)
    rounded += 0.0  # -0.0 + 0.0 is 0.0
    return rounded


def _ascending(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The indices of the scores of `flat` (`canonical`, NaN left out) in increasing order of
    score, equal scores in increasing order of index (as a stable argsort), and the scores in
    that order.

    A float argsort of a million scores costs 0.13 s; an integer sort 18 ms (`sort_keys`).
    A canonical score is an integer number of 10**-TIE (k), and k orders as the score does:
    one sort of (k, index) packed in an int64 gives both the order and, divided back, the
    scores (k / 10**TIE is the canonical score itself, bit for bit); the missing ones are
    left out first. Scores too large for the packing (never between 0 and 100) go through
    the float sort."""
    shift = max(len(flat).bit_length(), 1)
    missing = np.isnan(flat)
    at = np.flatnonzero(~missing) if missing.any() else np.arange(len(flat))
    ticks = flat[at] if len(at) < len(flat) else flat.copy()
    ticks *= _SCALE
    np.rint(ticks, out=ticks)
    limit = float(1 << (62 - shift))  # k and the index in 63 bits
    if len(ticks) and max(ticks.max(), -ticks.min()) >= limit:
        order = np.asarray(at[np.argsort(flat[at], kind="stable")])
        return order, np.asarray(flat[order])
    key = ticks.astype(np.int64)
    key <<= shift
    key |= at
    ordered = sort_keys(key)  # read-only
    return ordered & ((1 << shift) - 1), np.right_shift(ordered, shift) / _SCALE


def sort_keys(keys: np.ndarray) -> np.ndarray:
    """`keys` (int64) in increasing order: polars's sort on one thread, three times faster
    than numpy's here (and the server's other requests keep the second core)."""
    return pl.Series(keys, dtype=pl.Int64).sort(multithreaded=False).to_numpy()


def _long(matrix: ScoreMatrix) -> pl.DataFrame:
    """A matrix back in long form (a matrix over other territories: matched again)."""
    rows, columns = np.nonzero(~np.isnan(matrix.values))
    return pl.DataFrame(
        {
            "territory": matrix.codes.gather(rows),
            "metric": pl.Series(matrix.metrics, dtype=pl.String).gather(columns),
            "score": matrix.values[rows, columns],
        }
    )


@dataclass(frozen=True)
class Segments:
    """Scores sorted within segments ``0 … size − 1``: ``values[start[s]:start[s] + n[s]]``
    are segment s's scores in increasing order.

    Made out of `canonical` scores in increasing order (`ScoreMatrix.ascending`, whose ties
    are exact): a stable sort on the segment alone keeps them in
    order within each segment. Sums and counts need no sort at all (a segment's scores come
    in the same order either way), quantiles and histograms read a few sorted positions, and
    only ranks gather every score (`values`)."""

    n: np.ndarray
    start: np.ndarray
    of_segment: np.ndarray
    """The segment of each score, in the order given to `of`."""
    given: np.ndarray
    """The scores, in the order given to `of` (increasing)."""
    sources: np.ndarray
    """Where each score comes from (in the order given): the caller's number for it."""
    by_segment: np.ndarray
    """The scores' positions in the order given, sorted by segment."""

    @classmethod
    def of(
        cls, segment: np.ndarray, values: np.ndarray, sources: np.ndarray, size: int
    ) -> Segments:
        """`values` (no NaN, in increasing order) sorted by their `segment` (0 … `size` − 1),
        keeping their order within a segment: only a stable sort of small integers is left
        (a radix sort: ten times faster than sorting the scores again for every grouping).
        `sources`: where each value comes from (`order` gives them back, sorted)."""
        small = np.int16 if size <= np.iinfo(np.int16).max else np.int64
        by_segment = np.argsort(segment.astype(small), kind="stable")
        n = np.bincount(segment, minlength=size)
        return cls(n, np.cumsum(n) - n, segment, values, sources, by_segment)

    @cached_property
    def values(self) -> np.ndarray:
        """The scores sorted by segment, in increasing order within each."""
        return np.asarray(self.given[self.by_segment])

    @cached_property
    def order(self) -> np.ndarray:
        """The source of each score of `values`."""
        return np.asarray(self.sources[self.by_segment])

    def mean(self) -> np.ndarray:
        """Each segment's mean (NaN when empty), its scores summed in increasing order."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.bincount(self.of_segment, self.given, len(self.n)) / self.n)

    def quantile(self, q: float) -> np.ndarray:
        """Each segment's `q` quantile, linearly interpolated as polars and numpy do (NaN
        when empty)."""
        if not len(self.given):
            return np.full(len(self.n), np.nan)
        position = (np.maximum(self.n, 1) - 1) * q
        low = np.floor(position)
        last = len(self.given) - 1
        at = self.by_segment[np.minimum(self.start + low.astype(np.int64), last)]
        lower = self.given[at]
        upper = self.given[
            self.by_segment[np.minimum(self.start + np.ceil(position).astype(np.int64), last)]
        ]
        return np.where(self.n > 0, lower + (upper - lower) * (position - low), np.nan)

    def histogram(self, bins: int) -> np.ndarray:
        """Counts per segment of the scores in `bins` bins of 10 points (segments × bins):
        bin b holds 10 b ≤ score < 10 (b + 1), the first and last bins what lies beyond.
        The scores come in increasing order: each bin is one slice of them."""
        edges = np.searchsorted(self.given, 10.0 * np.arange(1, bins), side="left")
        bounds = np.concatenate(([0], edges, [len(self.given)]))
        return np.column_stack(
            [np.bincount(self.of_segment[a:b], minlength=len(self.n)) for a, b in pairwise(bounds)]
        ).reshape(len(self.n), bins)

    def _blocks(self) -> tuple[np.ndarray, np.ndarray]:
        """Where each block of equal scores starts among `values`, a segment starting a block
        too; and each score's block (the scores are `canonical`: equal after rounding to `TIE`
        decimals is equal)."""
        values = self.values
        new = np.empty(len(values), dtype=bool)
        new[:1] = True
        np.not_equal(values[1:], values[:-1], out=new[1:])
        new[self.start[self.n > 0]] = True
        block = np.cumsum(new)
        block -= 1
        return np.flatnonzero(new), block

    def _block_ranks(self, first: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each block starting at `first`: the scores of its segment below it, its
        length, its segment."""
        length = np.diff(first, append=len(self.given))
        segment = np.searchsorted(self.start + self.n, first, side="right")
        return first - self.start[segment], length, segment

    def ranks(self) -> tuple[np.ndarray, np.ndarray]:
        """For each score of `values`: how many scores of its segment are lower, and how many
        equal, itself included (both after rounding to `TIE` decimals)."""
        first, block = self._blocks()
        below, tied, _ = self._block_ranks(first)
        return below[block], tied[block]

    def percentiles(self) -> np.ndarray:
        """For each score of `values`, its percentile rank among the other scores of its
        segment (`maturity.peers`: with m of them, b lower and e equal, 100 × (b + e / 2) / m;
        NaN when m = 0): worked out once per block of equal scores."""
        first, block = self._blocks()
        below, tied, segment = self._block_ranks(first)
        m = self.n[segment] - 1
        with np.errstate(invalid="ignore", divide="ignore"):
            # the asker is one of the e + 1 tied: 100 × ((b + (e + 1) / 2) − 1) / m
            percentile = np.where(m > 0, 100 * ((below + (tied + 1) / 2) - 1) / m, np.nan)
        return np.asarray(percentile[block])
