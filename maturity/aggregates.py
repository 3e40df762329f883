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

from maturity.cells import CellIndex
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
    cells: CellIndex | None = None,
) -> pl.DataFrame:
    """Statistics per cell of `by` (one of `GROUPINGS`) and metric, as published.

    `territories`: territory, kind, band, region; `scores`: territory, metric, score, or
    their `ScoreMatrix` over `territories`; `disclosure`: `maturity.disclosure.protect` of
    this campaign; `cells`: the `CellIndex` of `territories`, when the caller keeps one."""
    index = _index(territories, cells)
    matrix = score_matrix(index.codes, scores)
    return _table(_scored_atoms(index, matrix), index.atoms, matrix, list(by), disclosure)


def network_aggregates(
    territories: pl.DataFrame,
    scores: pl.DataFrame | ScoreMatrix,
    disclosure: Disclosure,
    cells: CellIndex | None = None,
) -> dict[str, pl.DataFrame]:
    """`aggregates` of every grouping of `GROUPINGS` (by its name), the scores matched to
    their territories' cells once for all of them."""
    index = _index(territories, cells)
    matrix = score_matrix(index.codes, scores)
    located = _scored_atoms(index, matrix)
    return {
        name: _table(located, index.atoms, matrix, list(by), disclosure)
        for name, by in GROUPINGS.items()
    }


def _index(territories: pl.DataFrame, cells: CellIndex | None) -> CellIndex:
    """`cells` when it is the index of `territories`, made otherwise: each territory's finest
    cell, of which every grouping's cells are unions."""
    return cells if cells is not None and cells.of_frame(territories) else CellIndex.of(territories)


Located = tuple[np.ndarray, np.ndarray]
"""The finest cell of each score of a matrix, in increasing order of score
(`ScoreMatrix.ascending`), and how many scores each finest cell holds."""


def _scored_atoms(index: CellIndex, matrix: ScoreMatrix) -> Located:
    """Where the scores of `matrix` lie (`Located`)."""
    atom = np.asarray(index.atom[matrix.ascending[1]])
    return atom, np.bincount(atom, minlength=index.atoms.height)


def _statistics(
    cell: np.ndarray, located: Located, matrix: ScoreMatrix, shown: np.ndarray
) -> dict[str, np.ndarray]:
    """n, mean and quantiles of the scores per cell (`cell`: each finest cell's; `located`:
    each score's finest cell, `_scored_atoms`) and metric, cell-major (NaN where a cell has
    no score). Only the cells `shown` (published) are shown: where they hold less than half
    the scores, the others are left out first (their figures NaN), and fewer are sorted."""
    width, size = len(matrix.metrics), len(shown)
    values, _, columns = matrix.ascending
    atom, held = located
    if size == 1:  # the national grouping: a metric is a segment
        segment = columns
    else:  # read off a table of a few hundred finest cells
        segment = (cell * width)[atom]
        segment += columns
    order = matrix.by_value
    withheld = ~shown[cell]
    if held[withheld].sum() > len(atom) // 2:
        kept = np.flatnonzero(~withheld[atom])
        segment, values, order = segment[kept], values[kept], order[kept]
    sorted_ = Segments.of(segment, values, order, size * width)
    figures = {"n": np.where(sorted_.n > 0, sorted_.n, np.nan), "mean": sorted_.mean()}
    return figures | {q: sorted_.quantile(p) for q, p in QUANTILE_LEVELS.items()}


def _table(
    located: Located,
    atoms: pl.DataFrame,
    matrix: ScoreMatrix,
    by: list[str],
    disclosure: Disclosure,
) -> pl.DataFrame:
    """The published table of grouping `by` out of the scores `matrix` (`located`: each
    score's finest cell, `_scored_atoms`, a row number of `atoms`: kind, band, region): one
    frame made of arrays, its cells judged one by one (a few dozen of them)."""
    of_row = atoms.select(by).rows() if by else [()] * atoms.height
    keys = list(dict.fromkeys(of_row))  # the grouping's cells
    number = {key: i for i, key in enumerate(keys)}
    of_atom = np.array([number[key] for key in of_row], dtype=np.int64)
    width = len(matrix.metrics)
    verdicts = []
    for key in keys:
        named = dict(zip(by, key, strict=True))
        verdicts.append(
            disclosure.verdict(
                disclosure.cell(
                    [named["kind"]] if "kind" in named else None,
                    [named["band"]] if "band" in named else None,
                    named.get("region"),
                )
            )
        )
    shown = np.array([v.published for v in verdicts], dtype=bool)
    figures = _statistics(of_atom, located, matrix, shown)
    cell = pl.Series(np.repeat(np.arange(len(keys)), width), dtype=pl.UInt32)
    published = pl.Series(shown, dtype=pl.Boolean).gather(cell)
    detailed = published & pl.Series([v.quantiles for v in verdicts], dtype=pl.Boolean).gather(cell)
    table = pl.DataFrame(
        [
            *(
                pl.Series(c, [key[i] for key in keys], dtype=pl.String).gather(cell)
                for i, c in enumerate(by)
            ),
            pl.Series("metric", matrix.metrics, dtype=pl.String).gather(
                np.tile(np.arange(width), len(keys))
            ),
            *(pl.Series(k, v, nan_to_null=True) for k, v in figures.items()),
            pl.Series("withheld", [v.withheld for v in verdicts], dtype=pl.String).gather(cell),
        ]
    )
    return (
        table.with_columns(
            pl.when(published).then(pl.col("n")).cast(pl.UInt32).alias("n"),
            pl.when(published).then(rounded("mean")).alias("mean"),
            *(pl.when(detailed).then(rounded(q)).alias(q) for q in QUANTILES),
        )
        .select(*by, "metric", "n", "mean", "median", "p25", "p75", "p90", "withheld")
        .sort(*by, "metric", nulls_last=True)
    )
