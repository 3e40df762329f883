"""Agreements and gaps between the voices of a territory: vectorised statistics by role.

The voices' answers arrive as the engine's grid (`maturity.grid.answer_cells`: one row per
question, one column per respondent, negative cells for "non concerné" and unknown). Every
statistic is a sum by group (`group_moments`), so that one call covers one territory or a
whole national batch: a *group* is one role of one territory, numbered
``territory * roles + role``.

The rules (`maturity.coevaluation.CoEvaluation`):

- a role group with fewer than ``min_group`` respondents is *hidden*: nothing is computed for
  it on its own, and it takes no part in the spread or the divergence flag (its answers still
  count in the overall distribution of the territory);
- the *spread* of a question is the distance between the highest and the lowest mean of the
  shown role groups;
- a question is *divergent* when that spread is at least ``divergence_gap`` levels, or when the
  standard deviation of all its answers (population) is at least ``divergence_sd``.

A national batch has few shown groups (five voices spread over seven roles rarely make three
of a kind), so the statistics by role are computed for the shown groups only, and the overall
ones by territory: never one value per possible group.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import polars as pl
from scipy import sparse

from maturity.coevaluation import CoEvaluation, PerceptionRule
from maturity.model import Model

__all__ = [
    "Divergence",
    "GroupMeans",
    "Moments",
    "dimension_matrix",
    "divergence",
    "group_moments",
    "group_sizes",
    "level_counts",
    "perception_gaps",
    "shown_means",
]


class Moments(NamedTuple):
    """Per (row, group): how many values, their sum and the sum of their squares."""

    n: np.ndarray
    total: np.ndarray
    squares: np.ndarray


class GroupMeans(NamedTuple):
    """The means of the shown role groups only: ``groups`` their numbers (ascending),
    ``mean`` (row, shown group), NaN where the group gave no value."""

    groups: np.ndarray
    mean: np.ndarray


class Divergence(NamedTuple):
    """The statistics of each question (rows) of each territory (``T`` columns);
    ``by_role`` holds the means of the shown role groups."""

    by_role: GroupMeans
    overall_mean: np.ndarray
    overall_sd: np.ndarray
    answered: np.ndarray
    spread: np.ndarray
    divergent: np.ndarray


def _valid(values: np.ndarray) -> np.ndarray:
    """Cells holding a value: ≥ 0 in an integer grid, not NaN in a float one (scores)."""
    return ~np.isnan(values) if values.dtype.kind == "f" else values >= 0


def _zeroed(values: np.ndarray) -> np.ndarray:
    """The values with 0 in the cells without one (see `_valid`): what a sum adds."""
    kind = values.dtype.kind
    zeroed: np.ndarray = np.nan_to_num(values, nan=0.0) if kind == "f" else np.maximum(values, 0)
    return zeroed


def _accumulator(values: np.ndarray, largest: int) -> type[np.number]:
    """The type the moments are summed in: float for scores; for a grid, the narrowest
    integer that holds the sum of squares of the largest group (exact, and a narrow
    operand is less memory for the product to read)."""
    if values.dtype.kind == "f":
        return np.float64
    top = max(int(values.max(initial=0)), 1)  # the counts must fit too
    kinds = (np.int16, np.int32, np.int64)
    return next(t for t in kinds if top * top * largest <= np.iinfo(t).max)


def group_moments(values: np.ndarray, groups: np.ndarray, n_groups: int) -> Moments:
    """Count, sum and sum of squares of each row's values by group: `values` is (rows,
    respondents), `groups` gives each respondent's group in ``[0, n_groups)``.

    Sparse products: the (group, respondent) membership matrix times the respondents' rows
    of "has a value", value and value², so each group's sums are read off contiguous rows
    instead of scattered one cell at a time (on a national batch, three times faster than
    `numpy.bincount` over (row, group) pairs)."""
    count = values.shape[1]
    largest = int(np.bincount(groups).max(initial=0)) if count else 0
    dtype = _accumulator(values, largest)
    membership = sparse.csr_array(
        (np.ones(count, dtype=dtype), groups, np.arange(count + 1)), shape=(count, n_groups)
    ).T.tocsr()
    by_respondent = np.ascontiguousarray(values.T)
    kept = _zeroed(by_respondent).astype(dtype)

    def summed(operand: np.ndarray) -> np.ndarray:
        return np.asarray(membership @ operand).T

    return Moments(summed(_valid(by_respondent).astype(dtype)), summed(kept), summed(kept * kept))


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


def shown_means(values: np.ndarray, groups: np.ndarray, shown: np.ndarray) -> GroupMeans:
    """Each row's mean by shown role group: `values` is (rows, respondents), `groups` each
    respondent's group (``territory * roles + role``), `shown` (territory, role) which groups
    are large enough to be shown. Only the respondents of shown groups are read."""
    flat = shown.ravel()
    chosen = np.flatnonzero(flat)
    keep = flat[groups]
    rank = np.cumsum(flat) - 1  # a shown group's position among the shown ones
    moments = group_moments(values[:, keep], rank[groups[keep]], chosen.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return GroupMeans(chosen, moments.total / moments.n)


def divergence(
    values: np.ndarray, groups: np.ndarray, shown: np.ndarray, gap: float, sd: float
) -> Divergence:
    """The statistics of the grid `values` (question, respondent), each respondent in the
    role group `groups` (``territory * roles + role``), where `shown` (territory, role) tells
    which role groups are large enough to be shown: overall moments by territory, means of
    the shown groups, and each territory's highest and lowest mean by a segmented reduction
    over them."""
    territories, roles = shown.shape
    rows = values.shape[0]
    overall = group_moments(values, groups // roles, territories)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = overall.total / overall.n
        variance = overall.squares / overall.n - mean * mean
    by_role = shown_means(values, groups, shown)
    spread = np.full((rows, territories), np.nan)
    if by_role.groups.size:
        owner = by_role.groups // roles
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        present = ~np.isnan(by_role.mean)
        high = np.maximum.reduceat(np.where(present, by_role.mean, -np.inf), starts, axis=1)
        low = np.minimum.reduceat(np.where(present, by_role.mean, np.inf), starts, axis=1)
        enough = np.add.reduceat(present, starts, axis=1) >= 2
        spread[:, owner[starts]] = np.where(enough, high - low, np.nan)
    overall_sd = np.sqrt(np.maximum(variance, 0.0))
    with np.errstate(invalid="ignore"):
        divergent = (spread >= gap) | (overall_sd >= sd)
    return Divergence(by_role, mean, overall_sd, overall.n, spread, divergent)


def perception_gaps(
    coev: CoEvaluation, dimension_ids: Sequence[str], role_scores: GroupMeans, territories: int
) -> list[tuple[PerceptionRule, np.ndarray, np.ndarray]]:
    """Each « écart de perception » rule with its gap and whether it triggers, per territory:
    `role_scores` holds the (dimension, shown group) scores (`shown_means` of the dimension
    matrix). A side's score is the mean over its dimensions and shown role groups; a missing
    side never triggers."""
    where = {d: at for at, d in enumerate(dimension_ids)}
    role = coev.role_index()
    owner, group_role = np.divmod(role_scores.groups, len(coev.roles))
    found = []
    for rule in coev.perception:
        block = role_scores.mean[[where[d] for d in rule.dimensions]]
        high, low = (
            _side_mean(block, owner, np.isin(group_role, [role[r] for r in side]), territories)
            for side in (rule.high, rule.low)
        )
        gap = high - low
        with np.errstate(invalid="ignore"):
            found.append((rule, gap, gap >= rule.min_gap))
    return found


def _side_mean(
    block: np.ndarray, owner: np.ndarray, side: np.ndarray, territories: int
) -> np.ndarray:
    """Each territory's mean over the dimensions (rows) of `block` and its shown groups on
    `side`, NaN-aware; `owner` is each group's territory."""
    present = ~np.isnan(block[:, side])
    count = np.bincount(owner[side], weights=present.sum(axis=0), minlength=territories)
    values = np.where(present, block[:, side], 0.0).sum(axis=0)
    total = np.bincount(owner[side], weights=values, minlength=territories)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def dimension_matrix(model: Model, dimensions: pl.DataFrame, n: int) -> np.ndarray:
    """The engine's ``dimensions`` frame (`maturity.scoring.Scores`) as a (dimension,
    respondent) matrix of scores, NaN where none; the respondents' keys are 0..n-1 (integers,
    or strings of digits)."""
    matrix = np.full((len(model.dimensions), n), np.nan)
    # the engine writes the rows dimension after dimension: its few runs are matched to the
    # model's dimensions, rather than a million strings one by one
    runs = dimensions.get_column("dimension").rle()
    ids = pl.Enum([d.id for d in model.dimensions])
    row = np.repeat(
        runs.struct.field("value").cast(ids).to_physical().to_numpy(),
        runs.struct.field("len").to_numpy(),
    )
    column = dimensions.get_column("assessment").cast(pl.Int64).to_numpy()
    matrix[row, column] = dimensions.get_column("score").to_numpy()
    return matrix
