"""Network-wide aggregates, nearest peers and "learn from" peers.

Pure functions on polars frames. The aggregates come in a fixed hierarchy of groupings
(`GROUPINGS`), never free combinations, and every cell is published or withheld as
`maturity.disclosure` decided for the whole campaign (the same verdict as the peer group made
of the same territories): a withheld cell states neither its statistics nor its count. Every
cell of a grouping is listed, even without any submission, so that an absent row says
nothing. Only territories that opted in to a public profile are ever named.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import polars as pl

from maturity.disclosure import Disclosure
from maturity.publication import QUANTILES, rounded
from maturity.score_matrix import QUANTILE_LEVELS, ScoreMatrix, Segments, score_matrix

__all__ = [
    "GROUPINGS",
    "aggregates",
    "grouping",
    "network_aggregates",
]

GROUPINGS: Final[dict[str, tuple[str, ...]]] = {
    "national": (),
    "kind": ("kind",),
    "population_band": ("band",),
    "kind,population_band": ("kind", "band"),
    "region": ("region",),
}
"""The groupings of the network aggregates (their API names) and the territory attributes
each is made of: a fixed hierarchy, so that overlapping groupings cannot be differenced."""
ATTRIBUTES: Final = ("kind", "band", "region")


def grouping(name: str) -> tuple[str, ...]:
    """The attributes of the grouping `name` (``""`` is ``national``); the error lists the
    allowed groupings."""
    key = ",".join(p.strip() for p in name.split(",") if p.strip()) or "national"
    if key not in GROUPINGS:
        raise ValueError(f"regroupement non proposé : {name} (possibles : {' ; '.join(GROUPINGS)})")
    return GROUPINGS[key]


def aggregates(
    territories: pl.DataFrame,
    scores: pl.DataFrame | ScoreMatrix,
    by: Sequence[str],
    disclosure: Disclosure,
) -> pl.DataFrame:
    """Statistics per cell of `by` (one of `GROUPINGS`) and metric, as published.

    `territories`: territory, kind, band, region; `scores`: territory, metric, score, or
    their `ScoreMatrix` over `territories`; `disclosure`: `maturity.disclosure.protect` of
    this campaign."""
    matrix = score_matrix(territories.get_column("territory"), scores)
    return _table(*_atoms(territories), matrix, list(by), disclosure)


def network_aggregates(
    territories: pl.DataFrame, scores: pl.DataFrame | ScoreMatrix, disclosure: Disclosure
) -> dict[str, pl.DataFrame]:
    """`aggregates` of every grouping of `GROUPINGS` (by its name), the scores matched to
    their territories' cells once for all of them."""
    matrix = score_matrix(territories.get_column("territory"), scores)
    atom, atoms = _atoms(territories)
    return {
        name: _table(atom, atoms, matrix, list(by), disclosure) for name, by in GROUPINGS.items()
    }


def _atoms(territories: pl.DataFrame) -> tuple[np.ndarray, pl.DataFrame]:
    """Each territory's finest cell (a row number of the second frame: kind, band, region):
    every grouping's cells are unions of them."""
    cells = territories.select(ATTRIBUTES)
    atoms = cells.unique().with_row_index("atom")
    located = cells.join(atoms, on=ATTRIBUTES, how="left", nulls_equal=True, maintain_order="left")
    return located.get_column("atom").to_numpy().astype(np.int64), atoms


def _statistics(cell: np.ndarray, matrix: ScoreMatrix, size: int) -> dict[str, np.ndarray]:
    """n, mean and quantiles of the scores per cell (`cell`: each territory's) and metric,
    cell-major (NaN where a cell has no score)."""
    width = len(matrix.metrics)
    values, rows, columns = matrix.ascending
    segment = cell[rows] * width + columns
    sorted_ = Segments.of(segment, values, matrix.by_value, size * width)
    figures = {"n": np.where(sorted_.n > 0, sorted_.n, np.nan), "mean": sorted_.mean()}
    return figures | {q: sorted_.quantile(p) for q, p in QUANTILE_LEVELS.items()}


def _table(
    atom: np.ndarray,
    atoms: pl.DataFrame,
    matrix: ScoreMatrix,
    by: list[str],
    disclosure: Disclosure,
) -> pl.DataFrame:
    """The published table of grouping `by` out of the scores `matrix` (`atom`: each
    territory's finest cell, described by `atoms`)."""
    keys = atoms.select(by).unique() if by else pl.DataFrame({"_": [0]})
    keys = keys.with_row_index("cell")
    cell = (
        atoms.join(keys, on=by, how="left", nulls_equal=True, maintain_order="left")
        if by
        else atoms.with_columns(cell=pl.lit(0, pl.UInt32))
    )
    of_atom = cell.get_column("cell").to_numpy().astype(np.int64)  # atoms are row numbers
    figures = _statistics(of_atom[atom], matrix, keys.height)
    width = len(matrix.metrics)
    table = (
        keys.select(pl.all().gather(np.repeat(np.arange(keys.height), width)))
        .with_columns(
            metric=pl.Series(matrix.metrics, dtype=pl.String).gather(
                np.tile(np.arange(width), keys.height)
            ),
            **{k: pl.Series(v, nan_to_null=True) for k, v in figures.items()},
        )
        .drop("_", "cell", strict=False)
    )
    verdicts = []
    for key in keys.drop("_", "cell", strict=False).iter_rows(named=True):
        verdict = disclosure.verdict(
            disclosure.cell(
                [key["kind"]] if "kind" in key else None,
                [key["band"]] if "band" in key else None,
                key.get("region"),
            )
        )
        verdicts.append({**key, "published": verdict.published, "quantiles": verdict.quantiles,
                         "withheld": verdict.withheld})  # fmt: skip
    judged = pl.DataFrame(
        verdicts or [{"published": False, "quantiles": False, "withheld": None}],
        schema_overrides={"withheld": pl.String},
    )
    table = (
        table.join(judged, on=by, how="left", nulls_equal=True)
        if by
        else table.join(judged, how="cross")
    )
    return (
        table.with_columns(
            pl.when(pl.col("published")).then(pl.col("n")).cast(pl.UInt32).alias("n"),
            pl.when(pl.col("published")).then(rounded("mean")).alias("mean"),
            *(
                pl.when(pl.col("published") & pl.col("quantiles")).then(rounded(q)).alias(q)
                for q in QUANTILES
            ),
        )
        .select(*by, "metric", "n", "mean", "median", "p25", "p75", "p90", "withheld")
        .sort(*by, "metric", nulls_last=True)
    )
