"""Peer benchmarking (DESIGN §4): peer groups, group statistics, percentile ranks, evolution.

Pure functions on polars frames; every territory of a campaign is handled in one vectorised
pass. Confidentiality rules live here too, so that no caller can forget them: a statistic over
fewer than `K_MIN` territories other than the asker is never computed.
"""

from __future__ import annotations

from typing import Final, Literal

import polars as pl

from maturity.model import INDEX, Model
from maturity.scoring import Scores
from maturity.territories import KIND_FAMILIES, POPULATION_BANDS

__all__ = [
    "K_MIN",
    "STEPS",
    "TERRITORY_SCHEMA",
    "Scope",
    "campaign_statistics",
    "long_scores",
    "metric_ids",
    "peer_groups",
    "statistics",
]

K_MIN: Final = 5
"""Smallest number of territories (besides the asker) any published statistic may cover."""

Scope = Literal["national", "region"]

TERRITORY_SCHEMA: Final = pl.Schema(
    [
        ("territory", pl.String()),
        ("kind", pl.String()),
        ("band", pl.String()),
        ("region", pl.String()),
    ]
)
"""The territory attributes peer groups are made of."""

BAND_POSITION: Final = {band.id: i for i, band in enumerate(POPULATION_BANDS)}

STEPS: Final[dict[int, str]] = {
    0: "même type, même tranche de population, même région",
    1: "même type, même tranche de population",
    2: "même type, tranches de population voisines fusionnées",
    3: "même famille de types (communes ou intercommunalités), tranches voisines fusionnées",
    4: "même famille de types, toutes tranches de population",
    5: "tous les territoires",
}
"""Widening steps, narrowest first; a group is the first step holding at least `K_MIN` others."""


def metric_ids(model: Model) -> list[str]:
    """Benchmarked metrics in display order: the index, the pillars, then the dimensions."""
    return [INDEX, *(f"pillar:{p.id}" for p in model.pillars), *(d.id for d in model.dimensions)]


def long_scores(scores: Scores) -> pl.DataFrame:
    """One row per (assessment, metric, score) out of the engine's frames (nulls dropped)."""
    summary = scores.summary.drop("level").unpivot(
        index="assessment", variable_name="metric", value_name="score"
    )
    dimensions = scores.dimensions.select(
        "assessment", metric=pl.col("dimension"), score=pl.col("score")
    )
    return pl.concat([summary, dimensions]).drop_nulls("score")


def _cells(territories: pl.LazyFrame, submitted: pl.LazyFrame) -> pl.LazyFrame:
    """Territory attributes with a flag telling whether it has a submitted assessment."""
    return territories.join(
        submitted.select("territory").unique().with_columns(has=pl.lit(1, pl.Int32)),
        on="territory",
        how="left",
    ).with_columns(
        pl.col("has").fill_null(0),
        family=pl.col("kind").replace_strict(KIND_FAMILIES, default="autre"),
        band_pos=pl.col("band").replace_strict(BAND_POSITION, default=None, return_dtype=pl.Int32),
    )


def _band_window(position: pl.Expr) -> pl.Expr:
    """The positions of a band and its neighbours, as a list."""
    last = len(POPULATION_BANDS) - 1
    return pl.concat_list(
        pl.max_horizontal(position - 1, 0), position, pl.min_horizontal(position + 1, last)
    ).list.unique()


def peer_groups(
    territories: pl.DataFrame, submitted: pl.DataFrame, scope: Scope = "national"
) -> pl.DataFrame:
    """The default peer group of every territory: the narrowest step of `STEPS` whose group
    holds at least `K_MIN` submitted territories besides itself.

    `territories` follows `TERRITORY_SCHEMA`; `submitted` has a ``territory`` column. Returns
    territory, step, key (a readable id of the group), kinds, band_positions, region (null when
    the group spans régions), n_others."""
    cells = _cells(territories.lazy(), submitted.lazy()).collect()
    counts = cells.group_by("kind", "band_pos", "region").agg(n=pl.col("has").sum())
    by_kind_band = counts.group_by("kind", "band_pos").agg(pl.col("n").sum())
    by_family_band = (
        counts.with_columns(family=pl.col("kind").replace_strict(KIND_FAMILIES, default="autre"))
        .group_by("family", "band_pos")
        .agg(pl.col("n").sum())
    )
    by_family = by_family_band.group_by("family").agg(pl.col("n").sum())
    total = int(cells["has"].sum())

    def windowed(frame: pl.DataFrame, key: str) -> pl.DataFrame:
        """Counts over each band and its neighbours."""
        return (
            frame.lazy()
            .with_columns(window=_band_window(pl.col("band_pos")))
            .explode("window")
            .join(
                frame.lazy().rename({"band_pos": "window", "n": "m"}),
                on=[key, "window"],
                how="left",
            )
            .group_by(key, "band_pos")
            .agg(pl.col("m").sum())
            .collect()
        )

    n = (
        cells.join(counts.rename({"n": "n0"}), on=["kind", "band_pos", "region"], how="left")
        .join(by_kind_band.rename({"n": "n1"}), on=["kind", "band_pos"], how="left")
        .join(
            windowed(by_kind_band, "kind").rename({"m": "n2"}), on=["kind", "band_pos"], how="left"
        )
        .join(
            windowed(by_family_band, "family").rename({"m": "n3"}),
            on=["family", "band_pos"],
            how="left",
        )
        .join(by_family.rename({"n": "n4"}), on="family", how="left")
        .with_columns(pl.col("^n[0-4]$").fill_null(0), n5=pl.lit(total))
    )
    first = 0 if scope == "region" else 1
    others = [pl.col(f"n{i}") - pl.col("has") for i in range(6)]
    step: pl.Expr = pl.lit(5)
    for i in reversed(range(first, 5)):  # the narrowest step that is large enough wins
        step = pl.when(others[i] >= K_MIN).then(i).otherwise(step)
    window = _band_window(pl.col("band_pos"))
    all_bands = pl.lit(list(range(len(POPULATION_BANDS)))).cast(pl.List(pl.Int32))
    family_kinds = {
        family: [k for k, f in KIND_FAMILIES.items() if f == family]
        for family in set(KIND_FAMILIES.values())
    }
    kinds_of_family = pl.col("family").replace_strict(
        family_kinds, default=None, return_dtype=pl.List(pl.String)
    )
    picked: pl.Expr = others[5]
    for i in reversed(range(5)):
        picked = pl.when(pl.col("step") == i).then(others[i]).otherwise(picked)
    chosen = n.with_columns(step=step.cast(pl.Int8)).with_columns(n_others=picked)
    # a group's description depends only on these attributes: build it once per distinct
    # combination (a few hundred), not once per territory, then give it back to each
    attributes = ["step", "kind", "family", "band_pos", "region"]
    described = (
        chosen.select(attributes)
        .unique()
        .with_columns(
            kinds=pl.when(pl.col("step") <= 2)
            .then(pl.concat_list(pl.col("kind")))
            .when(pl.col("step") <= 4)
            .then(kinds_of_family)
            .otherwise(pl.lit(list(KIND_FAMILIES)).cast(pl.List(pl.String))),
            band_positions=pl.when(pl.col("step") <= 1)
            .then(pl.concat_list(pl.col("band_pos")))
            .when(pl.col("step") <= 3)
            .then(window.list.sort())
            .otherwise(all_bands),
            group_region=pl.when(pl.col("step") == 0).then(pl.col("region")),
        )
        .with_columns(
            key=pl.format(
                "{}|{}|{}",
                pl.col("kinds").list.join("+"),
                pl.col("band_positions").cast(pl.List(pl.String)).list.join("+"),
                pl.col("group_region").fill_null("*"),
            )
        )
    )
    return chosen.join(
        described, on=attributes, how="left", nulls_equal=True, maintain_order="left"
    ).select(
        "territory",
        "step",
        "key",
        "kinds",
        "band_positions",
        pl.col("group_region").alias("region"),
        "n_others",
    )


def _members(groups: pl.DataFrame, cells: pl.DataFrame) -> pl.LazyFrame:
    """(key, territory) for every distinct group and every submitted territory inside it."""
    definitions = groups.lazy().select("key", "kinds", "band_positions", "region").unique("key")
    return (
        definitions.explode("kinds")
        .explode("band_positions")
        .join(
            cells.lazy().filter(pl.col("has") == 1),
            left_on=["kinds", "band_positions"],
            right_on=["kind", "band_pos"],
            how="inner",
        )
        .filter(pl.col("region").is_null() | (pl.col("region") == pl.col("region_right")))
        .select("key", "territory")
    )


def campaign_statistics(
    territories: pl.DataFrame,
    current: pl.DataFrame,
    previous: pl.DataFrame | None = None,
    scope: Scope = "national",
) -> pl.DataFrame:
    """Per territory and metric: its peer group's n, mean, median, p25, p75, p90, the
    territory's own score, percentile rank among the others, gaps to median and p75, and the
    change since `previous` for the territory and for its group.

    `current` and `previous` hold the submitted scores of a campaign in long form: territory,
    metric, score. Group statistics are null (``withheld`` says why) where fewer than `K_MIN`
    other territories of the group have a score for that metric."""
    # territory and metric as Enums for every join and grouping below (their physical codes
    # are hashed, not the strings); a score of a territory not in `territories` is dropped
    codes = pl.Enum(territories.get_column("territory").unique(maintain_order=True))
    metrics = [s.get_column("metric").unique() for s in (current, previous) if s is not None]
    names = pl.Enum(pl.concat(metrics).unique(maintain_order=True))

    def encoded(scores: pl.DataFrame) -> pl.DataFrame:
        return scores.with_columns(
            pl.col("territory").cast(codes, strict=False), pl.col("metric").cast(names)
        ).drop_nulls("territory")

    territories = territories.with_columns(pl.col("territory").cast(codes))
    current = encoded(current)
    previous = encoded(previous) if previous is not None else None
    groups = peer_groups(territories, current.select("territory").unique(), scope)
    cells = _cells(territories.lazy(), current.lazy()).collect()
    # integer ids for the joins below: hashing integers is much cheaper than strings
    keys = groups.select("key").unique().with_row_index("key_id")
    own_key = groups.select("territory", "step", "key", "n_others").join(keys, on="key")
    scored = (
        _members(groups, cells)
        .join(keys.lazy(), on="key")
        .join(current.lazy(), on="territory")
        .select("key_id", "territory", "metric", "score")
        .collect()
    )
    stats = _group_stats(scored.lazy())
    ranked = _ranks(scored.lazy(), own_key.lazy().select("territory", "key_id"))
    result = (
        own_key.lazy()
        .join(stats, on="key_id", how="inner")
        .join(ranked, on=["territory", "metric"], how="left")
    )
    if previous is not None:
        prev_cells = _cells(territories.lazy(), previous.lazy()).collect()
        prev_scored = (
            _members(groups, prev_cells)
            .join(keys.lazy(), on="key")
            .join(previous.lazy(), on="territory")
            .select("key_id", "territory", "metric", "score")
        )
        prev_stats = _group_stats(prev_scored).select(
            "key_id", "metric", mean_before="mean", n_before="n"
        )
        result = (
            result.join(
                previous.lazy().rename({"score": "own_before"}),
                on=["territory", "metric"],
                how="left",
            )
            .join(prev_stats, on=["key_id", "metric"], how="left")
            .with_columns(
                own_change=pl.col("own") - pl.col("own_before"),
                group_change=pl.when(pl.col("n_before") >= K_MIN + 1).then(
                    pl.col("mean") - pl.col("mean_before")
                ),
            )
            .drop("own_before", "mean_before", "n_before")
        )
    else:
        result = result.with_columns(
            own_change=pl.lit(None, pl.Float64), group_change=pl.lit(None, pl.Float64)
        )
    enough = (pl.col("n") - pl.col("own").is_not_null().cast(pl.UInt32)) >= K_MIN
    published = ["mean", "median", "p25", "p75", "p90", "percentile", "group_change"]
    return (
        result.with_columns(pl.when(enough).then(pl.col(c)).alias(c) for c in published)
        .with_columns(
            gap_median=pl.col("own") - pl.col("median"),
            gap_p75=pl.col("own") - pl.col("p75"),
            withheld=pl.when(~enough).then(
                pl.lit(f"moins de {K_MIN} autres territoires ont un score pour cette mesure")
            ),
        )
        .drop("key_id")
        .with_columns(pl.col("territory", "metric").cast(pl.String))
        .collect()
    )


def statistics(score: pl.Expr) -> dict[str, pl.Expr]:
    """The published statistics of a group of scores: n, mean and quantiles (linear
    interpolation, as numpy's default), named for ``agg(**statistics(...))``."""
    return {
        "n": pl.len(),
        "mean": score.mean(),
        "median": score.median(),
        "p25": score.quantile(0.25, "linear"),
        "p75": score.quantile(0.75, "linear"),
        "p90": score.quantile(0.90, "linear"),
    }


def _group_stats(scored: pl.LazyFrame) -> pl.LazyFrame:
    """`statistics` per group and metric."""
    return scored.group_by("key_id", "metric").agg(**statistics(pl.col("score")))


def _ranks(scored: pl.LazyFrame, own_keys: pl.LazyFrame) -> pl.LazyFrame:
    """Percentile rank of each territory among the *other* members of its own group: the
    share of them scoring lower, ties counting half (0 to 100).

    With b members below and e equal (itself included), the average rank is b + (e + 1) / 2,
    so b + (e − 1) / 2 is the average rank minus one."""
    over = ("key_id", "metric")
    return (
        scored.with_columns(
            average=pl.col("score").rank("average").over(over), others=pl.len().over(over) - 1
        )
        .join(own_keys, on=["territory", "key_id"], how="semi")
        .select(
            "territory",
            "metric",
            own=pl.col("score"),
            percentile=pl.when(pl.col("others") > 0).then(
                100 * (pl.col("average") - 1) / pl.col("others")
            ),
        )
    )
