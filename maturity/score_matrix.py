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
from typing import Final

import numpy as np
import polars as pl

__all__ = ["QUANTILE_LEVELS", "TIE", "ScoreMatrix", "Segments", "score_matrix", "scored_matrix"]

TIE: Final = 9
"""Decimals a score is ranked on: scores from one matrix product can differ in their last
bits for equal answers, and equal answers must stay tied."""

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
    """Scores (territories × metrics), NaN where a territory has none."""

    @property
    def submitted(self) -> np.ndarray:
        """Whether each territory has a score (a submitted assessment)."""
        return np.asarray(~np.isnan(self.values).all(axis=1))

    @cached_property
    def by_value(self) -> np.ndarray:
        """The flat indices (row × metrics + column) of the scores, in increasing order of
        score: sorted once, shared by every grouping of them (`Segments.of`)."""
        return _ascending(self.values.ravel())

    @cached_property
    def ascending(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The scores in increasing order, with their rows and columns."""
        rows, columns = np.divmod(self.by_value, len(self.metrics))
        return self.values.ravel()[self.by_value], rows, columns

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
    values = np.full((len(codes), len(metrics)), np.nan)
    if metrics:
        values[rows] = np.column_stack([scores[m] for m in metrics])
    return ScoreMatrix(codes.rename("territory"), metrics, values)


def _ascending(flat: np.ndarray) -> np.ndarray:
    """The indices of the scores of `flat` (NaN left out) in increasing order of score, equal
    scores in increasing order of index (as a stable argsort).

    An argsort of a million floats costs 0.1 s; numpy sorts integers ten times faster. The
    bits of a non-negative float order as the float does: a first sort of (leading bits,
    position) puts the scores in runs of equal leading bits, a second of (run, trailing bits,
    position in the first sort) orders each run; three fields of `shift` bits in an int64."""
    scored = np.flatnonzero(~np.isnan(flat))
    bits = flat[scored].view(np.int64)
    shift = len(flat).bit_length()
    if 3 * shift > 63 or np.signbit(flat[scored]).any():
        return scored[np.argsort(flat[scored], kind="stable")]
    low = (1 << shift) - 1
    first = np.sort(bits >> shift << shift | np.arange(len(bits)))
    at, high = first & low, first >> shift
    run = np.cumsum(np.concatenate(([0], high[1:] != high[:-1])))
    second = np.sort(run << 2 * shift | (bits[at] & low) << shift | np.arange(len(at)))
    return np.asarray(scored[at[second & low]])


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
    are segment s's scores in increasing order."""

    n: np.ndarray
    start: np.ndarray
    values: np.ndarray
    order: np.ndarray
    """Where each sorted score came from among the elements given to `of`."""
    elements: int
    """How many elements `ranks` answers for (the largest given to `of`, plus one)."""

    @classmethod
    def of(
        cls, segment: np.ndarray, values: np.ndarray, elements: np.ndarray, size: int
    ) -> Segments:
        """`values` (no NaN, in increasing order) sorted by their `segment` (0 … `size` − 1),
        keeping their order within a segment: only a stable sort of small integers is left
        (a radix sort: ten times faster than sorting the scores again for every grouping).
        `elements`: where each value comes from (its number among the caller's elements,
        which `ranks` answers for)."""
        small = np.int16 if size <= np.iinfo(np.int16).max else np.int64
        by_segment = np.argsort(segment.astype(small), kind="stable")
        n = np.bincount(segment, minlength=size)
        order = elements[by_segment]
        count = int(elements.max(initial=-1)) + 1
        return cls(n, np.cumsum(n) - n, values[by_segment], order, count)

    @cached_property
    def segment(self) -> np.ndarray:
        """The segment of each sorted score (made once: means and histograms both read it)."""
        return np.repeat(np.arange(len(self.n)), self.n)

    def mean(self) -> np.ndarray:
        """Each segment's mean (NaN when empty)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.bincount(self.segment, self.values, len(self.n)) / self.n)

    def quantile(self, q: float) -> np.ndarray:
        """Each segment's `q` quantile, linearly interpolated as polars and numpy do (NaN
        when empty)."""
        if not len(self.values):
            return np.full(len(self.n), np.nan)
        position = (np.maximum(self.n, 1) - 1) * q
        low = np.floor(position)
        last = len(self.values) - 1
        lower = self.values[np.minimum(self.start + low.astype(np.int64), last)]
        upper = self.values[np.minimum(self.start + np.ceil(position).astype(np.int64), last)]
        return np.where(self.n > 0, lower + (upper - lower) * (position - low), np.nan)

    def histogram(self, bins: int) -> np.ndarray:
        """Counts per segment of the scores in `bins` bins of 10 points (segments × bins)."""
        bin_ = np.clip(self.values // 10, 0, bins - 1).astype(np.int64)
        counts = np.bincount(self.segment * bins + bin_, minlength=len(self.n) * bins)
        return counts.reshape(len(self.n), bins)

    def ranks(self) -> tuple[np.ndarray, np.ndarray]:
        """For each score, in the order given to `of`: how many scores of its segment are
        lower, and how many equal, itself included (both after rounding to `TIE` decimals)."""
        rounded = np.round(self.values, TIE)
        new = np.ones(len(rounded), dtype=bool)
        new[1:] = rounded[1:] != rounded[:-1]
        new[self.start[self.n > 0]] = True  # a segment starts a tie block
        first = np.flatnonzero(new)
        length = np.diff(first, append=len(rounded))
        below, tied = np.zeros(self.elements, np.int64), np.zeros(self.elements, np.int64)
        below[self.order] = np.repeat(first, length) - np.repeat(self.start, self.n)
        tied[self.order] = np.repeat(length, length)
        return below, tied
