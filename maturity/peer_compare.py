"""The peer comparison in polars (`maturity.peers` states the definitions): the statistics
of a group of scores, percentile ranks, histograms and changes, for any groups and askers.

A custom peer list goes through it as a campaign of one group and one asker, outside its
group; the default groups of a whole campaign take the numpy path (`maturity.peer_stats`),
which a test checks against this one."""

from __future__ import annotations

import polars as pl

from maturity.peer_groups import K_MIN
from maturity.peer_stats import BINS, WITHHELD
from maturity.score_matrix import TIE

__all__ = ["compare", "statistics"]


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


def _histogram(score: pl.Expr) -> pl.Expr:
    """Counts of `score` in the `BINS` bins of 10 points, as a list (an aggregation)."""
    bins = (score // 10).clip(0, BINS - 1)
    return pl.concat_list([(bins == i).sum().cast(pl.UInt32) for i in range(BINS)])


def _ranks(scored: pl.LazyFrame, own: pl.LazyFrame) -> pl.LazyFrame:
    """Each asker's own score (territory, metric, own) and percentile rank among the members
    of its group other than itself: with m of them scoring, b strictly lower and e the same,
    100 × (b + e / 2) / m.

    Each asker is ranked among its group's scores and its own (an asker outside its group, as
    with a custom list, is added to them): its tie block then spans the ranks b + 1 to
    b + e + 1, so its average rank a is b + 1 + e / 2, and the percentile 100 × (a − 1) / m.

    Counted per distinct score rather than ranked per row (a window rank over every member
    of every group costs five times more): the scores below a value and the value's tie
    block, looked up at each asker's own score. Scores compare rounded to `TIE` decimals."""
    outside = own.filter(~pl.col("member")).select("group", "metric", score=pl.col("own"))
    over = ("group", "metric")
    tie = pl.col("score").round(TIE)
    counted = (
        pl.concat([scored.select("group", "metric", "score"), outside])
        .with_columns(tie)
        .group_by(*over, "score")
        .agg(tied=pl.len())
        .sort(*over, "score")
        .with_columns(
            below=(pl.col("tied").cum_sum() - pl.col("tied")).over(over),
            m=pl.col("tied").sum().over(over) - 1,
        )
    )
    average = pl.col("below") + (pl.col("tied") + 1) / 2
    rounded = own.with_columns(score=pl.col("own").round(TIE))
    return rounded.join(counted, on=[*over, "score"], how="left").select(
        "territory",
        "metric",
        "own",
        percentile=pl.when(pl.col("m") > 0).then(100 * (average - 1) / pl.col("m")),
    )


def compare(
    scored: pl.LazyFrame,
    askers: pl.LazyFrame,
    current: pl.LazyFrame,
    scored_before: pl.LazyFrame | None,
    previous: pl.LazyFrame | None,
    basis: tuple[pl.LazyFrame, pl.LazyFrame] | None = None,
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Statistics rows of every asker (territory, group, member and any other column of
    `askers`) against its group, and the groups' histograms.

    `scored`: group, territory, metric, score of the group members now; `scored_before` the
    same in the previous campaign. ``member`` tells whether the asker belongs to its group
    (a default group) or not (a custom list): it is then never counted among the others.
    `basis`: (`scored`, `current`) on the previous campaign's basis, when it answered
    another edition of the model (`maturity.edition_scores`): the changes compare those."""
    by = ("group", "metric")
    stats = scored.group_by(*by).agg(
        **statistics(pl.col("score")), histogram=_histogram(pl.col("score"))
    )
    own = askers.select("territory", "group", "member").join(
        current.select("territory", "metric", own="score"), on="territory"
    )
    result = askers.join(stats.drop("histogram"), on="group", how="inner").join(
        _ranks(scored, own), on=["territory", "metric"], how="left"
    )
    # the territory's own score is in n only when it is a member of the group
    others = pl.col("n") - (pl.col("member") & pl.col("own").is_not_null()).cast(pl.UInt32)
    enough = others >= K_MIN
    if scored_before is not None and previous is not None:
        before = scored_before.group_by(*by).agg(
            n_before=pl.len(), mean_before=pl.col("score").mean()
        )
        had = (pl.col("member") & pl.col("own_before").is_not_null()).cast(pl.UInt32)
        own_now, mean_now = pl.col("own"), pl.col("mean")
        if basis is not None:
            result = _with_basis(result, askers, *basis)
            own_now, mean_now = pl.col("own_basis"), pl.col("mean_basis")
        result = (
            result.join(
                previous.select("territory", "metric", own_before="score"),
                on=["territory", "metric"],
                how="left",
            )
            .join(before, on=by, how="left")
            .with_columns(
                own_change=own_now - pl.col("own_before"),
                group_change=pl.when(pl.col("n_before") - had >= K_MIN).then(
                    mean_now - pl.col("mean_before")
                ),
            )
            .drop("own_before", "n_before", "mean_before", "own_basis", "mean_basis", strict=False)
        )
    else:
        result = result.with_columns(
            own_change=pl.lit(None, pl.Float64), group_change=pl.lit(None, pl.Float64)
        )
    published = ["mean", "median", "p25", "p75", "p90", "percentile", "group_change"]
    result = (
        result.with_columns(pl.when(enough).then(pl.col(c)).alias(c) for c in published)
        .with_columns(
            gap_median=pl.col("own") - pl.col("median"),
            gap_p75=pl.col("own") - pl.col("p75"),
            withheld=pl.when(~enough).then(pl.lit(WITHHELD)),
        )
        .drop("member")
    )
    return result, stats.select("group", "metric", "histogram")


def _with_basis(
    result: pl.LazyFrame, askers: pl.LazyFrame, scored: pl.LazyFrame, current: pl.LazyFrame
) -> pl.LazyFrame:
    """`result` with ``own_basis`` and ``mean_basis``: the asker's score and its group's mean
    on the basis the previous campaign's scores were computed on."""
    means = scored.group_by("group", "metric").agg(mean_basis=pl.col("score").mean())
    own = askers.select("territory", "group").join(
        current.select("territory", "metric", own_basis="score"), on="territory"
    )
    return result.join(
        own.select("territory", "metric", "own_basis"), on=["territory", "metric"], how="left"
    ).join(means, on=["group", "metric"], how="left")
