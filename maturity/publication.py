"""What is published of the peer statistics, once `maturity.disclosure` has decided: the
statistics of a suppressed group are null and never state their count; quantiles,
histograms and percentile ranks only where the group holds `K_QUANTILES` non-public
participants; means and quantiles rounded to `STEP`, percentile ranks to `PERCENTILE_STEP`;
gaps computed from the rounded quantiles and changes from the rounded means, so that neither
gives back more precision than the figures they come from.

Custom peer lists hold public profiles only (known scores): they are rounded the same way,
and their quantiles are published from `K_MIN` members."""

from __future__ import annotations

from typing import Final

import polars as pl

from maturity.disclosure import K_MIN, SECRET, Disclosure
from maturity.peer_stats import rounded_rank
from maturity.peers import Comparison, PeerStatistics

__all__ = [
    "DESCRIBED",
    "PERCENTILE_STEP",
    "QUANTILES",
    "STEP",
    "group_verdicts",
    "publish_custom",
    "publish_peers",
    "rounded",
]

STEP: Final = 0.1
"""Rounding of means, quantiles, gaps and changes."""
PERCENTILE_STEP: Final = 5
"""Rounding of percentile ranks."""
GAP_DECIMALS: Final = 2
"""Decimals of the gaps (own score − a rounded quantile)."""
QUANTILES: Final = ("median", "p25", "p75", "p90")
DESCRIBED: Final = ("n", "mean", *QUANTILES, "percentile", "gap_median", "gap_p75", "group_change")
"""The group statistics of a `PeerStatistics` row (its ``own`` and ``own_change`` are the
territory's own: shown to whoever may see the territory)."""
GROUP_COLUMNS: Final = (
    *("group", "metric", "n", "mean", *QUANTILES, "group_change", "withheld", "detailed"),
)
"""What a row of a default group shows of its group, once published (`_group_columns`)."""


def rounded(column: str) -> pl.Expr:
    """`column` rounded to `STEP` (one decimal)."""
    return pl.col(column).round(1)


def group_verdicts(
    groups: pl.DataFrame, disclosure: Disclosure, previous: Disclosure | None
) -> pl.DataFrame:
    """The verdict of each default group of `groups` (group, kinds, bands, region): group,
    published, quantiles, withheld, and change (its mean in the previous campaign is
    determined by that campaign's published figures, so the change reveals nothing more)."""
    rows = []
    for group, kinds, bands, region in groups.select(
        "group", "kinds", "bands", "region"
    ).iter_rows():
        cell = disclosure.cell(kinds, bands, region)
        verdict = disclosure.verdict(cell)
        change = verdict.published and previous is not None and previous.determined(cell)
        rows.append((group, verdict.published, verdict.quantiles, verdict.withheld, change))
    return pl.DataFrame(
        rows,
        schema={
            "group": groups.schema["group"],
            "published": pl.Boolean,
            "quantiles": pl.Boolean,
            "suppressed": pl.String,
            "change": pl.Boolean,
        },
        orient="row",
    )


def _group_columns(counted: bool) -> list[pl.Expr]:
    """Round and null a row's group figures, out of its published, quantiles, change and
    suppressed (the group's wording) columns and its withheld one (fewer than `K_MIN`
    others); `counted`: state n even when withheld (a custom list: its size is known to
    whoever chose it). Evaluated on the input columns, as one ``with_columns``."""
    open_ = pl.col("published") & pl.col("withheld").is_null()
    detailed = open_ & pl.col("quantiles")
    mean_before = pl.col("mean") - pl.col("group_change")
    return [
        pl.when(open_ | counted).then(pl.col("n")).alias("n"),
        pl.when(open_).then(rounded("mean")).alias("mean"),
        *(pl.when(detailed).then(rounded(q)).alias(q) for q in QUANTILES),
        pl.when(open_ & pl.col("change"))
        .then((pl.col("mean").round(1) - mean_before.round(1)).round(1))
        .alias("group_change"),
        pl.when(pl.col("suppressed").is_not_null())
        .then(pl.col("suppressed"))
        .when(pl.col("withheld").is_not_null())
        .then(pl.lit(SECRET))
        .alias("withheld"),
        detailed.alias("detailed"),
    ]


def _row_columns(statistics: pl.LazyFrame) -> pl.LazyFrame:
    """The percentile rank rounded where ``detailed`` (`_group_columns`), the gaps from the
    rounded quantiles (`StatisticRows.rows` makes the same columns for a `Comparison`)."""
    step = PERCENTILE_STEP
    return statistics.with_columns(
        pl.when("detailed").then(rounded_rank(pl.col("percentile"), step)).alias("percentile"),
        gap_median=(pl.col("own") - pl.col("median")).round(GAP_DECIMALS),
        gap_p75=(pl.col("own") - pl.col("p75")).round(GAP_DECIMALS),
    )


def _published(statistics: pl.LazyFrame, counted: bool = False) -> pl.LazyFrame:
    """Round and null the statistics of rows carrying published, quantiles, change and
    suppressed columns (`_group_columns`, `_row_columns`)."""
    return _row_columns(statistics.with_columns(_group_columns(counted))).drop("detailed")


def publish_peers(peers: PeerStatistics | Comparison, verdicts: pl.DataFrame) -> PeerStatistics:
    """`peers` (from `campaign_statistics`, or `campaign_comparison`: its groups' figures are
    published once per segment, then gathered into the rows' one frame) as published, per
    `group_verdicts`."""
    flags = pl.col("published", "quantiles", "change").fill_null(False)
    if isinstance(peers, Comparison):
        table = (
            peers.rows.segments()
            .join(verdicts, on="group", how="left", maintain_order="left")
            .with_columns(flags)
        )
        table = table.with_columns(_group_columns(False)).select(GROUP_COLUMNS)
        statistics = peers.rows.rows(table, "detailed", PERCENTILE_STEP, GAP_DECIMALS)
    else:
        joined = peers.statistics.lazy().join(verdicts.lazy(), on="group", how="left")
        statistics = (
            _published(joined.with_columns(flags))
            .drop("published", "quantiles", "suppressed", "change")
            .collect()
        )
    histograms = (
        peers.histograms.join(
            verdicts.select("group", "published", "quantiles"), on="group", how="left"
        )
        .filter(pl.col("published").fill_null(False) & pl.col("quantiles").fill_null(False))
        .drop("published", "quantiles")
    )
    return PeerStatistics(peers.groups, statistics, histograms)


def publish_custom(peers: PeerStatistics) -> PeerStatistics:
    """A custom list's statistics as published: rounded like the default groups' (its
    members are public profiles: their quantiles are published from `K_MIN` of them)."""
    statistics = (
        _published(
            peers.statistics.lazy().with_columns(
                published=pl.lit(True),
                quantiles=pl.col("n") >= K_MIN,
                change=pl.lit(True),
                suppressed=pl.col("withheld"),
            ),
            counted=True,
        )
        .drop("published", "quantiles", "suppressed", "change")
        .collect()
    )
    return PeerStatistics(peers.groups, statistics, peers.histograms)
