"""Agreements and gaps between the voices of a territory: vectorised statistics by role.

The voices' answers arrive as the engine's grid (`maturity.grid.answer_cells`: one row per
question, one column per respondent, negative cells for "non concerné" and unknown). Every
statistic is a `numpy.bincount` over (row, group) pairs, so that one call covers one territory
or a whole national batch: a *group* is one role of one territory, numbered
``territory * roles + role``.

The rules (`maturity.coevaluation.CoEvaluation`):

- a role group with fewer than ``min_group`` respondents is *hidden*: its mean is NaN and it
  takes no part in the spread or the divergence flag (its answers still count in the overall
  distribution of the territory);
- the *spread* of a question is the distance between the highest and the lowest mean of the
  shown role groups;
- a question is *divergent* when that spread is at least ``divergence_gap`` levels, or when the
  standard deviation of all its answers (population) is at least ``divergence_sd``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import polars as pl

from maturity.coevaluation import CoEvaluation, PerceptionRule
from maturity.model import Model

__all__ = [
    "Divergence",
    "Moments",
    "dimension_matrix",
    "divergence",
    "group_moments",
    "group_sizes",
    "level_counts",
    "perception_gaps",
]


class Moments(NamedTuple):
    """Per (row, group): how many values, their sum and the sum of their squares."""

    n: np.ndarray
    total: np.ndarray
    squares: np.ndarray


class Divergence(NamedTuple):
    """The statistics of each question (rows) of each territory (``T`` columns); ``mean`` is
    (question, territory, role), NaN for a hidden or silent group."""

    mean: np.ndarray
    overall_mean: np.ndarray
    overall_sd: np.ndarray
    answered: np.ndarray
    spread: np.ndarray
    divergent: np.ndarray


def _valid(values: np.ndarray) -> np.ndarray:
    """Cells holding a value: ≥ 0 in an integer grid, not NaN in a float one (scores)."""
    return ~np.isnan(values) if values.dtype.kind == "f" else values >= 0


def group_moments(values: np.ndarray, groups: np.ndarray, n_groups: int) -> Moments:
    """Count, sum and sum of squares of each row's values by group: `values` is (rows,
    respondents), `groups` gives each respondent's group in ``[0, n_groups)``."""
    rows = values.shape[0]
    valid = _valid(values)
    at = (np.arange(rows, dtype=np.int64)[:, None] * n_groups + groups[None, :])[valid]
    kept = values[valid].astype(np.float64)
    size = rows * n_groups
    n = np.bincount(at, minlength=size).reshape(rows, n_groups)
    total = np.bincount(at, weights=kept, minlength=size).reshape(rows, n_groups)
    squares = np.bincount(at, weights=kept * kept, minlength=size).reshape(rows, n_groups)
    return Moments(n, total, squares)


def group_sizes(groups: np.ndarray, n_groups: int) -> np.ndarray:
    """How many respondents each group has."""
    return np.bincount(groups, minlength=n_groups)


def level_counts(cells: np.ndarray, groups: np.ndarray, n_groups: int, levels: int) -> np.ndarray:
    """The distribution of answers: (question, group, level) counts of the answers 0..levels-1
    ("non concerné" and unknown answers are left out)."""
    rows = cells.shape[0]
    valid = (cells >= 0) & (cells < levels)
    base = np.arange(rows, dtype=np.int64)[:, None] * n_groups + groups[None, :]
    at = (base * levels + cells)[valid]
    return np.bincount(at, minlength=rows * n_groups * levels).reshape(rows, n_groups, levels)


def divergence(moments: Moments, shown: np.ndarray, gap: float, sd: float) -> Divergence:
    """The statistics of `moments` (groups numbered ``territory * roles + role``) where
    `shown` (territory, role) tells which role groups are large enough to be shown.

    Role means are computed for the shown groups only (few, in a national batch), and each
    territory's highest and lowest mean by a segmented reduction over them."""
    territories, roles = shown.shape
    rows = moments.n.shape[0]
    shape = (rows, territories, roles)
    answered = moments.n.reshape(shape).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = moments.total.reshape(shape).sum(axis=2) / answered
        variance = moments.squares.reshape(shape).sum(axis=2) / answered - overall * overall
    overall_sd = np.sqrt(np.maximum(variance, 0.0))
    chosen = np.flatnonzero(shown.ravel())
    with np.errstate(invalid="ignore", divide="ignore"):
        means = moments.total[:, chosen] / moments.n[:, chosen]  # NaN for a silent group
    mean = np.full((rows, territories * roles), np.nan)
    mean[:, chosen] = means
    spread = np.full((rows, territories), np.nan)
    if chosen.size:
        owner = chosen // roles
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        present = ~np.isnan(means)
        high = np.maximum.reduceat(np.where(present, means, -np.inf), starts, axis=1)
        low = np.minimum.reduceat(np.where(present, means, np.inf), starts, axis=1)
        enough = np.add.reduceat(present, starts, axis=1) >= 2
        spread[:, owner[starts]] = np.where(enough, high - low, np.nan)
    with np.errstate(invalid="ignore"):
        divergent = (spread >= gap) | (overall_sd >= sd)
    return Divergence(mean.reshape(shape), overall, overall_sd, answered, spread, divergent)


def perception_gaps(
    coev: CoEvaluation, dimension_ids: Sequence[str], role_scores: np.ndarray
) -> list[tuple[PerceptionRule, np.ndarray, np.ndarray]]:
    """Each « écart de perception » rule with its gap and whether it triggers, per territory:
    `role_scores` is (dimension, territory, role), NaN for hidden groups. A side's score is
    the mean over its dimensions and shown role groups; a missing side never triggers."""
    where = {d: at for at, d in enumerate(dimension_ids)}
    role = coev.role_index()
    found = []
    for rule in coev.perception:
        block = role_scores[[where[d] for d in rule.dimensions]]
        high, low = (
            _side_mean(block[:, :, [role[r] for r in side]]) for side in (rule.high, rule.low)
        )
        gap = high - low
        with np.errstate(invalid="ignore"):
            found.append((rule, gap, gap >= rule.min_gap))
    return found


def _side_mean(block: np.ndarray) -> np.ndarray:
    """Mean over dimensions and roles of a (dimension, territory, role) block, NaN-aware."""
    present = ~np.isnan(block)
    count = present.sum(axis=(0, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, np.where(present, block, 0.0).sum(axis=(0, 2)) / count, np.nan)


def dimension_matrix(model: Model, dimensions: pl.DataFrame, n: int) -> np.ndarray:
    """The engine's ``dimensions`` frame (`maturity.scoring.Scores`) as a (dimension,
    respondent) matrix of scores, NaN where none; the respondents' keys are 0..n-1 (integers,
    or strings of digits)."""
    ids = pl.Enum([d.id for d in model.dimensions])
    matrix = np.full((len(model.dimensions), n), np.nan)
    row = dimensions.get_column("dimension").cast(ids).to_physical().to_numpy()
    column = dimensions.get_column("assessment").cast(pl.Int64).to_numpy()
    matrix[row, column] = dimensions.get_column("score").to_numpy()
    return matrix
