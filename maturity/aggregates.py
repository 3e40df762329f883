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
    "learn_from",
    "nearest_peers",
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
    scores: pl.DataFrame,
    by: Sequence[str],
    disclosure: Disclosure,
) -> pl.DataFrame:
    """Statistics per cell of `by` (one of `GROUPINGS`) and metric, as published.

    `territories`: territory, kind, band, region; `scores`: territory, metric, score;
    `disclosure`: `maturity.disclosure.protect` of this campaign."""
    by = list(by)
    metrics = scores.select(pl.col("metric").unique().sort())
    keys = territories.select(by).unique() if by else pl.DataFrame({"_": [0]})
    cells = keys.join(metrics, how="cross")
    joined = scores.lazy().join(territories.lazy(), on="territory", how="inner")
    grouped = joined.group_by(*by, "metric") if by else joined.group_by("metric")
    stats = grouped.agg(**statistics(pl.col("score"))).collect()
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


def nearest_peers(
    scores: pl.DataFrame, public: pl.DataFrame, asker: str, dimensions: Sequence[str], k: int = 5
) -> pl.DataFrame:
    """The `k` public territories closest to `asker` in dimension profile (Euclidean distance
    over the dimensions both have scored, scaled to a full profile)."""
    wide = scores.filter(pl.col("metric").is_in(list(dimensions))).pivot(
        on="metric", index="territory", values="score"
    )
    mine = wide.filter(pl.col("territory") == asker)
    if mine.is_empty():
        return pl.DataFrame(schema={"territory": pl.String, "distance": pl.Float64})
    present = [d for d in dimensions if d in wide.columns]
    squares = [(pl.col(d) - mine[d][0]) ** 2 for d in present if mine[d][0] is not None]
    if not squares:
        return pl.DataFrame(schema={"territory": pl.String, "distance": pl.Float64})
    counted = pl.sum_horizontal(e.is_not_null().cast(pl.Int32) for e in squares)
    return (
        wide.join(public.select("territory"), on="territory", how="semi")
        .filter(pl.col("territory") != asker)
        .with_columns(
            distance=(pl.sum_horizontal(squares) * len(squares) / counted).sqrt(),
        )
        .filter(counted > 0)
        .sort("distance", "territory")
        .head(k)
        .select("territory", "distance")
    )


def learn_from(
    scores: pl.DataFrame,
    public: pl.DataFrame,
    asker: str,
    dimensions: Sequence[str],
    group: Sequence[str] | None = None,
    weakest: int = 2,
    k: int = 3,
) -> pl.DataFrame:
    """For the asker's `weakest` lowest dimensions, the public territories (of `group` when
    given) that score highest there: dimension, territory, score, rank."""
    own = scores.filter(
        pl.col("territory") == asker, pl.col("metric").is_in(list(dimensions))
    ).sort("score", "metric")
    targets = own["metric"].head(weakest).to_list()
    candidates = scores.join(public.select("territory"), on="territory", how="semi").filter(
        pl.col("territory") != asker, pl.col("metric").is_in(targets)
    )
    if group is not None:
        candidates = candidates.filter(pl.col("territory").is_in(list(group)))
    return (
        candidates.sort("score", "territory", descending=[True, False])
        .with_columns(rank=pl.int_range(1, pl.len() + 1).over("metric"))
        .filter(pl.col("rank") <= k)
        .rename({"metric": "dimension"})
        .select("dimension", "territory", "score", "rank")
        .sort(pl.col("dimension").replace_strict({d: i for i, d in enumerate(targets)}), "rank")
    )
