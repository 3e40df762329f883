"""Peer comparison as the pages and the API show it: the engine's frames for a campaign,
computed once and cached until an assessment of that campaign (or the one before) is submitted
or reopened, then turned into response Structs for one territory.

Every number comes from `maturity.peers` (groups, statistics, percentile ranks, histograms,
custom lists) as `maturity.disclosure` lets it be published (`frames.build_frames`): this
module only caches, checks who may see what, and cuts responses."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import msgspec
import polars as pl
from anyio import to_thread
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy import Integer, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.disclosure import Disclosure
from maturity.model import INDEX, Model
from maturity.neighbours import learn_from_public, similar_public
from maturity.peers import (
    K_MIN,
    PeerGroup,
    Scope,
    custom_group,
    custom_statistics,
    metric_ids,
)
from maturity.publication import publish_custom
from service.accounts.auth import Principal
from service.assessments.editions import editions_for
from service.assessments.scores import submitted_answers_frame
from service.assessments.workflow import notice
from service.peers.aggregates import (
    AGGREGATE_GROUPS,
    GroupingError,
    aggregate_groups,
    aggregates_table,
    data_notice,
)
from service.peers.frames import (
    CampaignFrames,
    Protection,
    Stamp,
    build_frames,
    compute_frames,
    histograms_by_group,
    remember,
)
from service.peers.views import (
    Benchmark,
    Encoded,
    LearnFrom,
    MetricStats,
    PeerGroupView,
    PeerRef,
    group_view,
    metric_stats,
    round_2,
)
from service.platform.db import Sessions, provide_db_sessions
from service.platform.db.tables import Assessment, Campaign
from service.platform.errors import NotFoundError
from service.platform.i18n import N_
from service.platform.operations import observe
from service.territories.directory import territories_frame

__all__ = [
    "AGGREGATE_GROUPS",
    "STAMP_TTL",
    "Benchmark",
    "BenchmarkCache",
    "CampaignFrames",
    "Encoded",
    "GroupingError",
    "MetricStats",
    "PeerGroupView",
    "PeerReader",
    "aggregate_groups",
    "aggregates_table",
    "build_frames",
    "check_visible",
    "data_notice",
    "encoded_benchmark",
    "territory_benchmark",
]


async def _stamp(session: AsyncSession, campaign: int) -> Stamp:
    """What changes whenever a submission of `campaign` or the previous one changes: the
    count of submitted assessments and the latest submission time (reopening lowers the one,
    resubmitting raises the other)."""
    row = (
        await session.execute(
            select(
                func.count(),
                func.max(Assessment.submitted_at),
                func.max(cast(Assessment.synthetic, Integer)),  # PostgreSQL has no max(bool)
            ).where(
                Assessment.campaign_year.in_([campaign, campaign - 1]),
                Assessment.status == "submitted",
            )
        )
    ).one()
    return int(row[0]), row[1], bool(row[2])


STAMP_TTL: Final = 1.0
"""Seconds during which a campaign's cached frames are served without asking the database
whether a submission changed them: the most a worker lags behind a submission made on
another worker (or in this one)."""


class BenchmarkCache:
    """Per (campaign, scope) frames, recomputed when the campaign's stamp moves.

    The stamp lives in the database, so several workers sharing it see a submission made on
    any of them within `STAMP_TTL` seconds, without a round trip on every request. One
    request at a time checks it: the others meanwhile get the frames already there, rather
    than all querying the database together each time the delay runs out."""

    def __init__(self, model: Model, stamp_ttl: float = STAMP_TTL) -> None:
        self._model = model
        self._ttl = stamp_ttl
        self._entries: dict[tuple[int, Scope], CampaignFrames] = {}
        self._locks: dict[tuple[int, Scope], asyncio.Lock] = {}
        self._years: tuple[float, list[int]] = (-1e9, [])
        self._checking: set[object] = set()
        self._protected: dict[tuple[int, Stamp], Protection] = {}

    def reader(self, principal: NamedDependency[Principal | None], state: State) -> PeerReader:
        """Dependency ``peer_reader``: this cache, the model and the session factory for the
        request's caller. Resolved after the principal, it is the only dependency of the
        territory handlers: Litestar resolves sibling dependencies in an anyio task group,
        which costs a cached read more than the read itself (litestar#4563)."""
        return PeerReader(self, self._model, provide_db_sessions(state), principal)

    async def campaign_years(self, sessions: Sessions) -> list[int]:
        """Years of the existing campaigns, newest first (re-read every `STAMP_TTL` s)."""
        checked, years = self._years
        if time.monotonic() - checked < self._ttl or ("years" in self._checking and years):
            return years
        self._checking.add("years")
        try:
            async with sessions() as session:
                query = select(Campaign.year).order_by(Campaign.year.desc())
                years = list((await session.execute(query)).scalars())
        finally:
            self._checking.discard("years")
        self._years = (time.monotonic(), years)
        return years

    async def latest(
        self, sessions: Sessions, campaign: int | None, scope: Scope
    ) -> CampaignFrames:
        """The frames of `campaign` (404 when there is no such campaign) or, when None, of
        the most recent one."""
        years = await self.campaign_years(sessions)
        if campaign is not None and campaign not in years:
            raise NotFoundError(N_("Campagne %(year)s introuvable."), year=campaign)
        if not years:
            raise NotFoundError(N_("Aucune campagne n'existe encore."))
        return await self.get(sessions, campaign if campaign is not None else years[0], scope)

    async def get(self, sessions: Sessions, campaign: int, scope: Scope) -> CampaignFrames:
        """The frames of `campaign`, from the cache when still current. A database session
        is opened only when the stamp is due for a check: a cached read touches no database."""
        key = (campaign, scope)
        entry = self._entries.get(key)
        if entry is not None and (
            time.monotonic() - entry.checked_at < self._ttl or key in self._checking
        ):
            return entry
        self._checking.add(key)
        try:
            async with sessions() as session:
                return await self._refresh(session, key, entry)
        finally:
            self._checking.discard(key)

    async def _editions(self, session: AsyncSession, campaign: int) -> tuple[Model, Model]:
        """The editions `campaign` and the campaign before record (the model in force for a
        campaign that does not exist)."""
        rows = await session.execute(
            select(Campaign.year, Campaign.model_version).where(
                Campaign.year.in_([campaign, campaign - 1])
            )
        )
        versions: dict[int, str] = {year: version for year, version in rows.all()}
        editions = editions_for(self._model)
        model = editions.get(versions.get(campaign, self._model.version))
        return model, editions.get(versions.get(campaign - 1, model.version))

    async def _refresh(
        self, session: AsyncSession, key: tuple[int, Scope], entry: CampaignFrames | None
    ) -> CampaignFrames:
        campaign, scope = key
        stamp = await _stamp(session, campaign)
        if entry is not None and entry.stamp == stamp:
            entry.checked_at = time.monotonic()
            return entry
        async with self._locks.setdefault(key, asyncio.Lock()):
            entry = self._entries.get(key)
            if entry is not None and entry.stamp == stamp:
                entry.checked_at = time.monotonic()
                return entry
            territories = await territories_frame(session)
            model, older = await self._editions(session, campaign)
            current = await submitted_answers_frame(session, campaign, model)
            previous = await submitted_answers_frame(session, campaign - 1, older)
            with observe("benchmark_recompute"):
                entry = await to_thread.run_sync(
                    compute_frames,
                    (model, older, editions_for(self._model)),
                    campaign,
                    scope,
                    stamp,
                    territories,
                    current,
                    previous,
                    self._protected,
                )
            entry.checked_at = time.monotonic()
            self._entries[key] = entry
            return entry


@dataclass(frozen=True, slots=True)
class PeerReader:
    """The peer comparison as one caller may read it."""

    cache: BenchmarkCache
    model: Model
    sessions: Sessions
    principal: Principal | None

    async def benchmark(
        self,
        code: str,
        campaign: int | None,
        scope: Scope,
        peers: Sequence[str],
        lang: str,
        view: Literal["benchmark", "peers"],
    ) -> Encoded:
        """`code`'s benchmark body in `campaign` (None: the latest), once the caller is known
        to be allowed to see it (`check_visible`)."""
        frames = await self.cache.latest(self.sessions, campaign, scope)
        check_visible(frames, code, self.principal)
        return encoded_benchmark(self.model, frames, code, peers, lang, view)


def _labels(model: Model, lang: str) -> dict[str, str]:
    labels = {INDEX: "Indice global" if lang == "fr" else "Global index"}
    labels |= {f"pillar:{p.id}": p.label.get(lang) for p in model.pillars}
    return labels | {d.id: d.label.get(lang) for d in model.dimensions}


def check_visible(frames: CampaignFrames, code: str, principal: Principal | None) -> None:
    """A territory's own results are shown to its members, to admins, or when it is public;
    anyone else gets the same 404 as for an unknown code (no leak of existence)."""
    if code not in frames.names:
        raise NotFoundError(N_("Territoire « %(code)s » introuvable."), code=code)
    if principal is not None and principal.owns(code):
        return
    if code not in frames.public_codes:
        raise NotFoundError(N_("Territoire « %(code)s » introuvable."), code=code)


def territory_benchmark(
    model: Model,
    frames: CampaignFrames,
    territory: str,
    peers: Sequence[str] = (),
    lang: str = "fr",
) -> Benchmark:
    """The benchmark of one territory, cut from its campaign's frames (once: then cached)."""
    if peers:  # custom lists are not kept as Structs: there are too many of them
        return _cut(model, frames, territory, peers, lang)
    return remember(
        frames.responses, (territory, lang), lambda: _cut(model, frames, territory, peers, lang)
    )


def encoded_benchmark(
    model: Model,
    frames: CampaignFrames,
    territory: str,
    peers: Sequence[str] = (),
    lang: str = "fr",
    view: Literal["benchmark", "peers"] = "benchmark",
) -> Encoded:
    """`territory_benchmark` as the API sends it (``peers``: without the statistics),
    encoded once per campaign state: a cached request only checks who may see it."""

    def make() -> Encoded:
        bench = territory_benchmark(model, frames, territory, peers, lang)
        return Encoded.of(msgspec.structs.replace(bench, metrics=[]) if view == "peers" else bench)

    return remember(frames.encoded, (view, territory, lang, *peers), make)


def _group_withheld(disclosure: Disclosure, group: PeerGroup) -> str | None:
    """Why a default group's statistics are withheld (None when published; a custom list
    holds public profiles only)."""
    if group.kind != "default":
        return None
    return disclosure.verdict(disclosure.cell(group.kinds, group.bands, group.region)).withheld


def _neighbours(
    frames: CampaignFrames, territory: str, dims: Sequence[str], group: Sequence[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The public territories closest to `territory` in profile, size and kind (territory,
    distance), and those to learn from in its two weakest dimensions, `group`'s members first
    (dimension, territory, score): as the results page finds them (`maturity.neighbours`)."""
    refs = frames.territories
    if "population" not in refs.columns:  # frames built from references without populations
        refs = refs.with_columns(population=pl.lit(None, dtype=pl.Int64))
    own = refs.filter(pl.col("territory") == territory)
    kind, population = (own["kind"][0], own["population"][0]) if own.height else ("", None)
    candidates = refs.filter("public").select("territory", "kind", "population")
    near = similar_public(frames.scores, candidates, territory, kind, population, dims)
    _, learn = learn_from_public(
        frames.scores, candidates, territory, kind, population, dims, group
    )
    return near.select("territory", "distance"), learn


def _cut(
    model: Model, frames: CampaignFrames, territory: str, peers: Sequence[str], lang: str
) -> Benchmark:
    """`territory` against its default group, or against the custom list `peers`, with the
    labels of the campaign's own edition."""
    model = frames.model or model
    rows = frames.statistics_of(territory)
    if rows.is_empty():
        raise NotFoundError(N_("Territoire « %(territory)s » inconnu."), territory=territory)
    if peers:
        group = custom_group(frames.public_codes, frames.scores, peers, territory)
        compared = publish_custom(
            custom_statistics(group, territory, frames.scores, frames.before, frames.basis)
        )
        rows, histograms = compared.statistics, histograms_by_group(compared.histograms).get(0, {})
    else:
        group, histograms = frames.group_of(territory, rows)
    labels = _labels(model, lang)
    by_metric = {r["metric"]: r for r in rows.iter_rows(named=True)}
    metrics = [
        metric_stats(
            metric,
            labels[metric],
            by_metric[metric],
            histograms.get(metric),
            frames.statuses.get(metric),
        )
        for metric in metric_ids(model)
        if metric in by_metric
    ]
    dims = [d.id for d in model.dimensions]
    names = frames.names
    withheld = _group_withheld(frames.disclosure, group)
    # the group's members come first only when the group is shown: they would tell its extent
    among = group.members if withheld is None else ()
    nearest, learn = _neighbours(frames, territory, dims, among)
    own = dict(
        frames.scores.filter(pl.col("territory") == territory).select("metric", "score").iter_rows()
    )
    learn_views: dict[str, LearnFrom] = {}
    for row in learn.iter_rows(named=True):
        view = learn_views.setdefault(
            row["dimension"],
            LearnFrom(
                row["dimension"], labels[row["dimension"]], round_2(own.get(row["dimension"])), []
            ),
        )
        view.peers.append(
            PeerRef(row["territory"], names.get(row["territory"], ""), round_2(row["score"]) or 0.0)
        )
    return Benchmark(
        territory=territory,
        campaign=frames.campaign,
        scope=frames.scope,
        k_min=K_MIN,
        group=group_view(group, withheld),
        metrics=metrics,
        nearest=[
            PeerRef(code, names.get(code, ""), round_2(distance) or 0.0)
            for code, distance in nearest.iter_rows()
        ],
        learn_from=list(learn_views.values()),
        # the rules are in the aggregates' notice and the README; a withheld group says so in
        # group.withheld: every cached body need not carry 540 more bytes
        notice=notice(frames.synthetic),
    )
