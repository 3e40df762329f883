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

import polars as pl

from maturity.disclosure import Disclosure
from maturity.peers import statistics
from maturity.publication import QUANTILES, rounded

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
    scores: pl.DataFrame,
    by: Sequence[str],
    disclosure: Disclosure,
) -> pl.DataFrame:
    """Statistics per cell of `by` (one of `GROUPINGS`) and metric, as published.

    `territories`: territory, kind, band, region; `scores`: territory, metric, score;
    `disclosure`: `maturity.disclosure.protect` of this campaign."""
    return _table(territories, *_located(territories, scores), list(by), disclosure)


def network_aggregates(
    territories: pl.DataFrame, scores: pl.DataFrame, disclosure: Disclosure
) -> dict[str, pl.DataFrame]:
    """`aggregates` of every grouping of `GROUPINGS` (by its name), the scores joined to
    their territories' attributes once for all of them."""
    located, metrics = _located(territories, scores)
    return {
        name: _table(territories, located, metrics, list(by), disclosure)
        for name, by in GROUPINGS.items()
    }


def _located(territories: pl.DataFrame, scores: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The scores with their territory's kind, band and region (scores of territories outside
    `territories` dropped), and the metrics of `scores` (every one has its cells)."""
    # attributes and metrics as Enums: grouped on their integer codes (twice as fast as on
    # the strings), turned back into strings on the few rows of each table
    attributes = territories.select(
        "territory", *(pl.col(c).cast(_enum(territories.get_column(c))) for c in ATTRIBUTES)
    )
    located = scores.select(
        "territory", pl.col("metric").cast(_enum(scores.get_column("metric"))), "score"
    ).join(attributes, on="territory", how="inner")
    return located, scores.select(pl.col("metric").unique().sort())


def _enum(values: pl.Series) -> pl.Enum:
    """An Enum of the distinct non-null `values`."""
    return pl.Enum(values.drop_nulls().unique().sort())


def _table(
    territories: pl.DataFrame,
    located: pl.DataFrame,
    metrics: pl.DataFrame,
    by: list[str],
    disclosure: Disclosure,
) -> pl.DataFrame:
    """The published table of grouping `by` out of the `_located` scores."""
    keys = territories.select(by).unique() if by else pl.DataFrame({"_": [0]})
    cells = keys.join(metrics, how="cross")
    grouped = located.lazy().group_by(*by, "metric")
    stats = (
        grouped.agg(**statistics(pl.col("score")))
        .with_columns(pl.col(*by, "metric").cast(pl.String))
        .collect()
    )
    table = cells.join(stats, on=[*by, "metric"], how="left", nulls_equal=True).drop(
        "_", strict=False
    )
    verdicts = []
    for key in keys.drop("_", strict=False).iter_rows(named=True):
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
