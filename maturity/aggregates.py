"""Network-wide aggregates, custom peer lists and "learn from" peers, all k-anonymous.

Pure functions on polars frames. The rules that keep individual scores hidden are here:
- a cell over fewer than `K_MIN` territories is suppressed (its statistics are null);
- complementary suppression: inside each coarser cell, what is suppressed holds either nobody
  or at least `K_MIN` territories, so a published total minus its published parts never
  isolates fewer than `K_MIN` territories;
- only territories that opted in to a public profile are ever named, and a custom peer list
  only counts such territories (a list that differs by one hidden territory would otherwise
  give away that territory's score by difference).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import polars as pl

from maturity.benchmark import K_MIN, statistics

__all__ = [
    "GROUP_BY",
    "aggregates",
    "custom_group_statistics",
    "learn_from",
    "nearest_peers",
]

GROUP_BY: Final = ("kind", "band", "region")
"""Attributes the network aggregates may be grouped by."""

STATISTICS: Final = ("mean", "median", "p25", "p75", "p90")
SUPPRESSED: Final = f"moins de {K_MIN} territoires : statistique masquée"
COMPLEMENT: Final = (
    "masquée pour qu'elle ne permette pas de déduire une case de moins de "
    f"{K_MIN} territoires par différence"
)


def _stats(frame: pl.LazyFrame, by: Sequence[str]) -> pl.LazyFrame:
    return frame.group_by(*by, "metric").agg(**statistics(pl.col("score")))


def _suppress(cells: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    """Primary then complementary suppression, per metric, until stable.

    For every attribute of `by`, the cells sharing the other attributes form a partition of a
    coarser cell; in each, the suppressed cells must hold 0 or at least `K_MIN` territories.
    When they don't, the smallest published cell of that partition is suppressed too."""
    frame = cells.with_columns(
        hidden=pl.col("n") < K_MIN,
        reason=pl.when(pl.col("n") < K_MIN).then(pl.lit(SUPPRESSED)),
    )
    for _ in range(64):  # each round suppresses at least one more cell, or stops
        changed = False
        for attribute in by:
            parent = [c for c in by if c != attribute] + ["metric"]
            hidden_n = pl.col("n").filter(pl.col("hidden")).sum().over(parent)
            visible_min = pl.col("n").filter(~pl.col("hidden")).min().over(parent)
            needs = (hidden_n > 0) & (hidden_n < K_MIN)
            extra = needs & ~pl.col("hidden") & (pl.col("n") == visible_min)
            marked = frame.with_columns(extra=extra.fill_null(False))
            if marked["extra"].any():
                changed = True
                frame = marked.with_columns(
                    reason=pl.when(pl.col("extra")).then(pl.lit(COMPLEMENT)).otherwise("reason"),
                    hidden=pl.col("hidden") | pl.col("extra"),
                ).drop("extra")
        if not changed:
            break
    return (
        frame.with_columns(pl.when(~pl.col("hidden")).then(pl.col(c)).alias(c) for c in STATISTICS)
        .rename({"reason": "withheld"})
        .drop("hidden")
    )


def aggregates(
    territories: pl.DataFrame, scores: pl.DataFrame, group_by: Sequence[str]
) -> pl.DataFrame:
    """Statistics per cell of `group_by` (a subset of `GROUP_BY`) and metric, k-anonymous.

    `territories`: territory, kind, band, region; `scores`: territory, metric, score."""
    unknown = [g for g in group_by if g not in GROUP_BY]
    if unknown:
        raise ValueError(
            f"regroupement inconnu : {', '.join(unknown)} (possibles : {', '.join(GROUP_BY)})"
        )
    by = list(dict.fromkeys(group_by))
    joined = scores.lazy().join(territories.lazy(), on="territory", how="inner")
    cells = _stats(joined, by).collect()
    published = (
        _suppress(cells, by)
        if by
        else cells.with_columns(
            pl.when(pl.col("n") >= K_MIN).then(pl.col(c)).alias(c) for c in STATISTICS
        ).with_columns(withheld=pl.when(pl.col("n") < K_MIN).then(pl.lit(SUPPRESSED)))
    )
    return published.sort(*by, "metric")


def custom_group_statistics(
    scores: pl.DataFrame, public: pl.DataFrame, peers: Sequence[str], asker: str
) -> tuple[pl.DataFrame, list[str]]:
    """Statistics over a member-chosen peer list, counting only territories with a public
    profile; returns the statistics per metric and the codes that were left out."""
    visible = set(public["territory"].to_list())
    kept = [p for p in dict.fromkeys(peers) if p in visible and p != asker]
    ignored = [p for p in dict.fromkeys(peers) if p not in visible and p != asker]
    members = scores.filter(pl.col("territory").is_in(kept))
    stats = _stats(members.lazy().with_columns(group=pl.lit("custom")), ["group"]).collect()
    enough = pl.col("n") >= K_MIN
    return (
        stats.drop("group").with_columns(
            *(pl.when(enough).then(pl.col(c)).alias(c) for c in STATISTICS),
            withheld=pl.when(~enough).then(pl.lit(SUPPRESSED)),
        ),
        ignored,
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
