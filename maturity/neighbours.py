"""Peers a territory can learn from, among territories that opted in to a public profile.

Pure functions on polars frames. "Profil proche" weighs the dimension profile together with
size and kind, so that a town of 26,000 inhabitants is not offered a village of 141 because
their scores happen to look alike; "learn from" names, in the asker's weakest dimensions, the
public territories that do better there, its peer group's first. Only public profiles are
ever named (their scores are public): no disclosure threshold applies to naming them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import polars as pl

from maturity.territories import KIND_FAMILIES

__all__ = ["KIND_WEIGHT", "SIZE_WEIGHT", "distance_terms", "learn_from_public", "similar_public"]

SIZE_WEIGHT: Final = 0.6
"""Weight of the size term: the gap in orders of magnitude of population, capped at 2."""
KIND_WEIGHT: Final = 0.4
"""Weight of the kind term: 0 for the same kind, half for the same family, 1 otherwise."""

CANDIDATES: Final = pl.Schema(
    [("territory", pl.String()), ("kind", pl.String()), ("population", pl.Int64())]
)
"""The columns of the public territories handed to these functions."""
COMPARABLE: Final = 0.35
"""Size and kind terms at most this (weighted): the same kind within about an order of
magnitude of population, counted as comparable when choosing whom to learn from."""


def distance_terms(kind: str, population: int | None) -> list[pl.Expr]:
    """Size and kind terms of the distance to a territory of `kind` and `population`, on
    candidates with ``kind`` and ``population`` columns (0 to 1 each, before weighting)."""
    family = KIND_FAMILIES.get(kind, "autre")
    logged = pl.col("population").clip(lower_bound=1).cast(pl.Float64).log10()
    size = (
        pl.lit(0.0)
        if not population
        else ((logged - math.log10(population)).abs().clip(upper_bound=2.0).fill_null(2.0) / 2.0)
    )
    kinds = (
        pl.when(pl.col("kind") == kind)
        .then(0.0)
        .when(pl.col("kind").replace_strict(KIND_FAMILIES, default="autre") == family)
        .then(0.5)
        .otherwise(1.0)
    )
    return [size, kinds]


def similar_public(
    scores: pl.DataFrame,
    candidates: pl.DataFrame,
    asker: str,
    kind: str,
    population: int | None,
    dimensions: Sequence[str],
    k: int = 5,
) -> pl.DataFrame:
    """The `k` public territories (`candidates`: territory, kind, population) closest to
    `asker`: root mean square gap of the dimension scores (0 to 1, over the dimensions both
    have), plus `SIZE_WEIGHT` × size term plus `KIND_WEIGHT` × kind term. Returns territory,
    distance (rounded to 0.01), profile (the profile term alone)."""
    wide = scores.filter(pl.col("metric").is_in(list(dimensions))).pivot(
        on="metric", index="territory", values="score"
    )
    mine = wide.filter(pl.col("territory") == asker)
    empty = pl.DataFrame(
        schema={"territory": pl.String, "distance": pl.Float64, "profile": pl.Float64}
    )
    if mine.is_empty():
        return empty
    present = [d for d in dimensions if d in wide.columns and mine[d][0] is not None]
    if not present:
        return empty
    squares = [((pl.col(d) - mine[d][0]) / 100) ** 2 for d in present]
    counted = pl.sum_horizontal(e.is_not_null().cast(pl.Int32) for e in squares)
    size, kinds = distance_terms(kind, population)
    return (
        wide.join(candidates.select("territory", "kind", "population"), on="territory")
        .filter(pl.col("territory") != asker)
        .with_columns(profile=(pl.sum_horizontal(squares) / counted).sqrt())
        .filter(counted > 0)
        .with_columns(distance=(pl.col("profile") + SIZE_WEIGHT * size + KIND_WEIGHT * kinds))
        .sort("distance", "territory")
        .head(k)
        .select("territory", pl.col("distance").round(2), "profile")
    )


def learn_from_public(
    scores: pl.DataFrame,
    candidates: pl.DataFrame,
    asker: str,
    kind: str,
    population: int | None,
    dimensions: Sequence[str],
    group: Sequence[str] = (),
    weakest: int = 2,
    k: int = 3,
) -> tuple[list[str], pl.DataFrame]:
    """The asker's `weakest` lowest-scoring dimensions, and for each the public territories
    (`candidates`) that score strictly higher there: members of `group` first, then those
    comparable in size and kind (`COMPARABLE`), then by score; at most `k` per dimension. Returns
    (dimensions, frame of dimension, territory, score, in_group)."""
    own = scores.filter(
        pl.col("territory") == asker, pl.col("metric").is_in(list(dimensions))
    ).sort("score", "metric")
    targets = own["metric"].head(weakest).to_list()
    if not targets:  # the asker has no score: nobody to compare with
        schema = {"dimension": pl.String, "territory": pl.String, "score": pl.Float64}
        return [], pl.DataFrame(schema=schema | {"in_group": pl.Boolean})
    mine = dict(own.select("metric", "score").iter_rows())
    size, kinds = distance_terms(kind, population)
    found = (
        scores.filter(pl.col("metric").is_in(targets), pl.col("territory") != asker)
        .join(candidates.select("territory", "kind", "population"), on="territory")
        .filter(pl.col("score") > pl.col("metric").replace_strict(mine, return_dtype=pl.Float64))
        .with_columns(
            in_group=pl.col("territory").is_in(list(group)),
            comparable=(SIZE_WEIGHT * size + KIND_WEIGHT * kinds) <= COMPARABLE,
        )
        .sort(
            ["in_group", "comparable", "score", "territory"], descending=[True, True, True, False]
        )
        .with_columns(rank=pl.int_range(1, pl.len() + 1).over("metric"))
        .filter(pl.col("rank") <= k)
        .rename({"metric": "dimension"})
        .select("dimension", "territory", "score", "in_group")
    )
    return targets, found
