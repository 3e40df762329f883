"""The data tools themselves: each takes the caller's `DataContext` and its arguments (a msgspec
Struct, whose JSON Schema the AI clients see) and calls the use cases, so that the rights are
the API's: peer statistics over k ≥ 5 only, another territory's results only when public,
never anyone's answers but one's own."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
import polars as pl
from anyio import to_thread

from maturity.model import INDEX
from maturity.peers import K_MIN
from maturity.results import ScoreResult, score_answers
from maturity.territories import KIND_LABELS, band_by_id
from service.assessments.model_view import DimensionView, ModelView, model_view
from service.assessments.scores import (
    ProfileSummary,
    TerritoryResults,
    public_profiles,
    territory_results,
)
from service.assessments.workflow import notice
from service.datatools.arguments import (
    AggregatesArgs,
    BenchmarkArgs,
    Grouping,
    ModelArgs,
    PeersArgs,
    ProfileArgs,
    ResultsArgs,
    ScoreArgs,
    SearchArgs,
)
from service.datatools.context import DataContext
from service.datatools.vocabulary import load_vocabulary
from service.documents.library import SearchResults, search_passages
from service.peers.cache import AGGREGATE_GROUPS, aggregates_table
from service.peers.views import GroupStats, group_stats, round_2
from service.platform.errors import InvalidInputError, NotFoundError
from service.platform.i18n import N_
from service.platform.pagination import Page
from service.territories.directory import TerritoryView, get_territory

__all__ = [
    "AggregateCell",
    "Aggregates",
    "AggregatesArgs",
    "BenchmarkArgs",
    "Grouping",
    "ModelArgs",
    "PeersArgs",
    "ProfileArgs",
    "PublicProfile",
    "Ranking",
    "RankingRow",
    "ResultsArgs",
    "ScoreArgs",
    "SearchArgs",
    "aggregates",
    "get_model",
    "my_benchmark",
    "my_results",
    "peers",
    "public_profile",
    "score",
    "search_knowledge",
]


class AggregateCell(GroupStats, omit_defaults=True):
    """One published cell: its statistics as the aggregates publish them (null when masked,
    `n` too), the metric and the group."""

    metric: str
    kind: str | None = None
    population_band: str | None = None
    region: str | None = None
    metric_label: str = ""
    group: str = ""
    """The cell in words, e.g. « Communauté d'agglomération, Nouvelle-Aquitaine »."""
    previous_n: int | None = None
    previous_median: float | None = None
    previous_mean: float | None = None
    change_median: float | None = None
    change_mean: float | None = None


class Aggregates(msgspec.Struct):
    """Network aggregates of one campaign, k-anonymous, and where to download them."""

    campaign: int
    previous_campaign: int | None
    group_by: list[str]
    k_min: int
    rows: list[AggregateCell]
    link: str
    notice: str | None
    not_comparable: list[str] = []
    """Metrics of the rows with no change: the previous campaign answered another edition of
    the model, on which they are not entirely comparable."""


class PublicProfile(msgspec.Struct):
    """A territory that opted in to a public profile, and its submitted scores."""

    territory: TerritoryView
    results: TerritoryResults


class RankingRow(msgspec.Struct):
    """A public territory's score on the metric ranked (and its change)."""

    rank: int
    code: str
    name: str
    score: float | None
    previous: float | None
    change: float | None


class Ranking(msgspec.Struct):
    """Public profiles ranked on one metric of one campaign."""

    campaign: int
    metric: str
    order: str
    public_profiles: int
    rows: list[RankingRow]
    notice: str | None


async def search_knowledge(ctx: DataContext, args: SearchArgs) -> SearchResults:
    """The best passages of the knowledge base for `args.query` (anyone)."""
    kb = await to_thread.run_sync(ctx.knowledge)
    return await to_thread.run_sync(search_passages, kb, args.query, args.k)


def get_model(ctx: DataContext, args: ModelArgs) -> ModelView | DimensionView:
    """The maturity model, or one dimension with its questions (anyone)."""
    view = model_view(ctx.model, args.lang)
    if args.dimension is None:
        return view
    for dimension in view.dimensions:
        if dimension.id == args.dimension:
            return dimension
    raise NotFoundError(
        N_("Dimension inconnue « %(id)s » (possibles : %(known)s)."),
        id=args.dimension,
        known=", ".join(d.id for d in view.dimensions),
    )


def score(ctx: DataContext, args: ScoreArgs) -> ScoreResult:
    """Index, level, pillars, dimensions, diagnostics and next steps of `args.answers`."""
    return score_answers(ctx.model, args.answers, args.lang)


async def my_results(ctx: DataContext, args: ResultsArgs) -> TerritoryResults:
    """The caller's own territory's scores per campaign (its members; drafts included)."""
    code = ctx.own_territory()
    async with ctx.sessions() as session:
        return await territory_results(
            session, ctx.principal, ctx.model, code, args.campaign, args.lang
        )


async def my_benchmark(ctx: DataContext, args: BenchmarkArgs) -> dict[str, Any]:
    """The caller's own territory against its peer group, metric by metric."""
    code = ctx.own_territory()
    encoded = await ctx.reader.benchmark(
        code, args.campaign, args.scope, args.peers, args.lang, "benchmark"
    )
    decoded: dict[str, Any] = msgspec.json.decode(encoded.body)
    return decoded


async def peers(ctx: DataContext, args: PeersArgs) -> dict[str, Any]:
    """A territory's peer group, nearest public peers and public peers to learn from: the
    caller's own territory, or one the caller may see (its own, or a public profile)."""
    code = args.code.strip().upper() if args.code else ctx.own_territory()
    encoded = await ctx.reader.benchmark(code, args.campaign, args.scope, (), args.lang, "peers")
    decoded: dict[str, Any] = msgspec.json.decode(encoded.body)
    return decoded


def _groups(args: AggregatesArgs) -> list[str]:
    """The groupings asked for, plus those a filter needs (a filter picks published cells)."""
    filtered = [g for g in AGGREGATE_GROUPS if getattr(args, g) is not None]
    if args.group_by is None and not filtered:
        return ["kind", "population_band"]
    groups: list[str] = list(dict.fromkeys(args.group_by or []))
    for name in AGGREGATE_GROUPS:
        if getattr(args, name) is not None and name not in groups:
            groups.append(name)
    return groups


def _cell_label(row: dict[str, Any], regions: dict[str, str], lang: str) -> str:
    parts = []
    if row.get("kind"):
        parts.append(KIND_LABELS.get(row["kind"], {}).get(lang, row["kind"]))
    if row.get("population_band"):
        parts.append(band_by_id(row["population_band"]).label(lang))
    if row.get("region"):
        parts.append(regions.get(row["region"], row["region"]))
    return ", ".join(parts) or ("tout le réseau" if lang == "fr" else "whole network")


async def aggregates(ctx: DataContext, args: AggregatesArgs) -> Aggregates:
    """The network aggregates of a campaign (the API's ``/benchmarks/aggregates``), cut to the
    cells and metric asked for; `compare_previous` adds the campaign before, cell by cell."""
    groups = _groups(args)
    if args.population_band is not None:
        band_by_id(args.population_band)  # an unknown band is an error, not an empty table
    frames = await ctx.peers.latest(ctx.sessions, args.campaign, "national")
    table = aggregates_table(frames, groups)
    filters = [pl.col(g) == getattr(args, g) for g in groups if getattr(args, g) is not None]
    if args.metric is not None:
        if args.metric not in set(table["metric"].unique().to_list()) | {INDEX}:
            raise InvalidInputError(N_("Mesure inconnue : %(metric)s."), metric=args.metric)
        filters.append(pl.col("metric") == args.metric)
    if filters:
        table = table.filter(*filters)
    previous: dict[tuple[Any, ...], dict[str, Any]] = {}
    previous_year: int | None = None
    if args.compare_previous:
        try:
            before = await ctx.peers.latest(ctx.sessions, frames.campaign - 1, "national")
        except NotFoundError:
            before = None
        if before is not None:
            previous_year = before.campaign
            for row in aggregates_table(before, groups).iter_rows(named=True):
                # another edition: only the scores both editions compute alike compare
                if frames.statuses.get(row["metric"], "full") == "full":
                    previous[tuple(row[g] for g in (*groups, "metric"))] = row
    vocabulary = await load_vocabulary(ctx.sessions, ctx.model)
    rows = []
    for row in table.iter_rows(named=True):
        cell = AggregateCell(
            metric=row["metric"],
            metric_label=vocabulary.metrics.get(row["metric"], row["metric"]),
            kind=row.get("kind"),
            population_band=row.get("population_band"),
            region=row.get("region"),
            group=_cell_label(row, vocabulary.regions, "fr"),
            **group_stats(row),
        )
        old = previous.get(tuple(row[g] for g in (*groups, "metric")))
        if old is not None:
            cell.previous_n = None if old["n"] is None else int(old["n"])
            cell.previous_median = round_2(old["median"])
            cell.previous_mean = round_2(old["mean"])
            if cell.median is not None and cell.previous_median is not None:
                cell.change_median = round_2(cell.median - cell.previous_median)
            if cell.mean is not None and cell.previous_mean is not None:
                cell.change_mean = round_2(cell.mean - cell.previous_mean)
        rows.append(cell)
    link = (
        f"/api/v1/benchmarks/aggregates?campaign={frames.campaign}"
        f"&group_by={','.join(groups)}&format=csv"
    )
    shown = {cell.metric for cell in rows}
    return Aggregates(
        not_comparable=sorted(
            m for m in shown if previous_year and frames.statuses.get(m, "full") != "full"
        ),
        campaign=frames.campaign,
        previous_campaign=previous_year,
        group_by=groups,
        k_min=K_MIN,
        rows=rows,
        link=link,
        notice=notice(frames.synthetic),
    )


async def public_profile(
    ctx: DataContext, args: ProfileArgs
) -> PublicProfile | Page[ProfileSummary] | Ranking:
    """A public profile (a territory that opted in: its submitted scores, as anyone sees
    them, whoever calls), the list of public profiles, or their ranking on a metric."""
    if args.code:
        code = args.code.strip().upper()
        async with ctx.sessions() as session:
            # read as anyone would: a member asking about its own territory gets the public
            # view here too (its own results are `my_results`)
            results = await territory_results(
                session, None, ctx.model, code, args.campaign, args.lang
            )
            territory = await get_territory(session, code, args.lang)
        return PublicProfile(territory, results)
    if args.rank_by:
        return await _ranking(ctx, args.rank_by, args.campaign, args.order)
    async with ctx.sessions() as session:
        return await public_profiles(session, ctx.model, args.page, 20, args.lang)


RANKED = 10
"""Public territories listed in a ranking."""


async def _ranking(
    ctx: DataContext, metric: str, campaign: int | None, order: Literal["score", "progress"]
) -> Ranking:
    """Public profiles ranked on `metric`: only territories that chose to show their scores
    appear, exactly the scores their public profile shows."""
    frames = await ctx.peers.latest(ctx.sessions, campaign, "national")
    if metric not in set(frames.scores["metric"].unique().to_list()) | {INDEX}:
        raise InvalidInputError(N_("Mesure inconnue : %(metric)s."), metric=metric)
    public = list(frames.public_codes)

    def of(scores: pl.DataFrame, name: str) -> pl.DataFrame:
        return scores.filter(pl.col("metric") == metric, pl.col("territory").is_in(public)).select(
            "territory", pl.col("score").alias(name)
        )

    # across editions, the change compares the scores on the basis the previous ones rest on
    table = (
        of(frames.scores, "score")
        .join(of(frames.compared, "compared"), "territory", "left")
        .join(of(frames.previous, "previous"), "territory", "left")
    )
    table = table.with_columns(change=pl.col("compared") - pl.col("previous")).drop("compared")
    key = "score" if order == "score" else "change"
    table = table.drop_nulls(key).sort(key, "territory", descending=[True, False]).head(RANKED)
    rows = [
        RankingRow(
            rank=i,
            code=r["territory"],
            name=frames.names.get(r["territory"], ""),
            score=round_2(r["score"]),
            previous=round_2(r["previous"]),
            change=round_2(r["change"]),
        )
        for i, r in enumerate(table.iter_rows(named=True), start=1)
    ]
    return Ranking(
        campaign=frames.campaign,
        metric=metric,
        order=order,
        public_profiles=len(public),
        rows=rows,
        notice=notice(frames.synthetic),
    )
