"""Peer benchmarking as the pages and the API show it: the engine's frames for a campaign,
computed once and cached until an assessment of that campaign (or the one before) is submitted
or reopened, then turned into response Structs for one territory."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Final, Literal

import msgspec
import polars as pl
from anyio import to_thread
from sqlalchemy import Integer, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.aggregates import custom_group_statistics, learn_from, nearest_peers
from maturity.benchmark import K_MIN, STEPS, Scope, campaign_statistics, long_scores, metric_ids
from maturity.model import INDEX, Model
from maturity.scoring import score
from maturity.territories import POPULATION_BANDS, population_band_expr
from service.assessments.scores import submitted_answers_frame
from service.assessments.workflow import notice
from service.peers.frames import CampaignFrames, Stamp, remember
from service.peers.views import (
    Benchmark,
    Encoded,
    LearnFrom,
    MetricStats,
    PeerGroupView,
    PeerRef,
    metric_stats,
    round_2,
)
from service.platform.db import Sessions
from service.platform.db.tables import Assessment, Campaign
from service.platform.errors import NotFoundError
from service.platform.operations import observe
from service.territories.directory import territories_frame

__all__ = [
    "Benchmark",
    "BenchmarkCache",
    "CampaignFrames",
    "Encoded",
    "MetricStats",
    "PeerGroupView",
    "Sessions",
    "encoded_benchmark",
    "reuse",
    "territory_benchmark",
]


def reuse(session: AsyncSession) -> Sessions:
    """A factory handing out a session the caller already holds (and will close)."""

    @asynccontextmanager
    async def factory() -> AsyncIterator[AsyncSession]:
        yield session

    return factory


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


def _compute(
    model: Model,
    campaign: int,
    scope: Scope,
    stamp: Stamp,
    territories: pl.DataFrame,
    current: pl.DataFrame,
    previous: pl.DataFrame,
) -> CampaignFrames:
    """Score both campaigns and compute every territory's statistics (runs in a thread)."""
    refs = territories.select(
        territory="code",
        name="name",
        kind="kind",
        band=population_band_expr(pl.col("population")),
        region="region_code",
        public=pl.col("public_profile").fill_null(False),
    )

    def scored(answers: pl.DataFrame) -> pl.DataFrame:
        if answers.is_empty():
            return pl.DataFrame(
                schema={"territory": pl.String, "metric": pl.String, "score": pl.Float64}
            )
        return long_scores(score(model, answers)).rename({"assessment": "territory"})

    now, before = scored(current), scored(previous)
    stats = campaign_statistics(
        refs.select("territory", "kind", "band", "region"),
        now,
        before if not before.is_empty() else None,
        scope,
    )
    return CampaignFrames(campaign, scope, stamp, refs, now, stats, stamp[2])


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
            current = await submitted_answers_frame(session, campaign, self._model)
            previous = await submitted_answers_frame(session, campaign - 1, self._model)
            with observe("benchmark_recompute"):
                entry = await to_thread.run_sync(
                    _compute, self._model, campaign, scope, stamp, territories, current, previous
                )
            entry.checked_at = time.monotonic()
            self._entries[key] = entry
            return entry


def _labels(model: Model, lang: str) -> dict[str, str]:
    labels = {INDEX: "Indice global" if lang == "fr" else "Global index"}
    labels |= {f"pillar:{p.id}": p.label.get(lang) for p in model.pillars}
    return labels | {d.id: d.label.get(lang) for d in model.dimensions}


def _histograms(frames: CampaignFrames, members: Sequence[str]) -> dict[str, list[int]]:
    bins = (pl.col("score") // 10).clip(0, 9).cast(pl.Int32)
    counts = (
        frames.scores.filter(pl.col("territory").is_in(list(members)))
        .group_by("metric", bins.alias("bin"))
        .len()
    )
    out: dict[str, list[int]] = {}
    for metric, b, n in counts.iter_rows():
        out.setdefault(metric, [0] * 10)[b] = n
    return out


def _group_members(frames: CampaignFrames, territory: str) -> list[str]:
    """Submitted territories of `territory`'s default group (itself included)."""
    row = frames.statistics_of(territory).row(0, named=True)
    kinds, positions, region = _definition(row["key"])
    ids = [b.id for i, b in enumerate(POPULATION_BANDS) if i in positions]
    members = frames.territories.filter(
        pl.col("kind").is_in(kinds),
        pl.col("band").is_in(ids),
        pl.lit(region is None) | (pl.col("region") == (region or "")),
    ).join(frames.scores.select("territory").unique(), on="territory", how="semi")
    return members["territory"].to_list()


def _definition(key: str) -> tuple[list[str], set[int], str | None]:
    kinds, bands, region = key.split("|")
    return kinds.split("+"), {int(b) for b in bands.split("+")}, None if region == "*" else region


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


def _cut(
    model: Model, frames: CampaignFrames, territory: str, peers: Sequence[str], lang: str
) -> Benchmark:
    labels = _labels(model, lang)
    stats = frames.statistics_of(territory)
    if stats.is_empty():
        raise NotFoundError(f"Territoire « {territory} » inconnu.")
    dims = [d.id for d in model.dimensions]
    if peers:
        group, metrics = _custom(model, frames, territory, peers, labels)
        members = [p for p in peers if p != territory]
    else:
        first = stats.row(0, named=True)
        step = int(first["step"])
        start = 0 if frames.scope == "region" else 1
        group = PeerGroupView(
            kind="default",
            description=STEPS[step],
            step=step,
            widened=[STEPS[s] for s in range(start + 1, step + 1)],
            n=int(first["n_others"]),
        )
        members = _group_members(frames, territory)
        histograms = _histograms(frames, members)
        by_metric = {r["metric"]: r for r in stats.iter_rows(named=True)}
        metrics = []
        for metric in metric_ids(model):
            r = by_metric.get(metric)
            if r is None:
                continue
            published = r["withheld"] is None
            metrics.append(
                metric_stats(
                    metric, labels[metric], r, histograms.get(metric) if published else None
                )
            )
    names = frames.names
    nearest = nearest_peers(frames.scores, frames.public, territory, dims)
    learn = learn_from(frames.scores, frames.public, territory, dims, group=members or None)
    own = {
        m: s
        for m, s in frames.scores.filter(pl.col("territory") == territory)
        .select("metric", "score")
        .iter_rows()
    }
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
        group=group,
        metrics=metrics,
        nearest=[
            PeerRef(code, names.get(code, ""), round_2(distance) or 0.0)
            for code, distance in nearest.iter_rows()
        ],
        learn_from=list(learn_views.values()),
        notice=notice(frames.synthetic),
    )


def _custom(
    model: Model,
    frames: CampaignFrames,
    territory: str,
    peers: Sequence[str],
    labels: dict[str, str],
) -> tuple[PeerGroupView, list[MetricStats]]:
    """Statistics over a member-chosen list (public profiles only, at least `K_MIN`)."""
    stats, ignored = custom_group_statistics(frames.scores, frames.public, peers, territory)
    own = dict(
        frames.scores.filter(pl.col("territory") == territory).select("metric", "score").iter_rows()
    )
    scores = frames.scores.filter(pl.col("territory").is_in([p for p in peers if p not in ignored]))
    by_metric = {r["metric"]: r for r in stats.iter_rows(named=True)}
    n = max((int(r["n"]) for r in by_metric.values()), default=0)
    metrics = []
    for metric in metric_ids(model):
        r = by_metric.get(metric)
        mine = own.get(metric)
        if r is None:
            continue
        published = r["withheld"] is None
        values = scores.filter(pl.col("metric") == metric)["score"]
        percentile = None
        if published and mine is not None and len(values):
            below = int((values < mine).sum())
            ties = int((values == mine).sum())
            percentile = 100 * (below + 0.5 * ties) / len(values)
        gaps = mine is not None and published
        row = r | {
            "own": mine,
            "percentile": percentile,
            "gap_median": mine - r["median"] if gaps else None,
            "gap_p75": mine - r["p75"] if gaps else None,
            "own_change": None,
            "group_change": None,
        }
        metrics.append(metric_stats(metric, labels[metric], row, None))
    view = PeerGroupView(
        kind="custom",
        description="liste de pairs choisie (profils publics uniquement)",
        step=None,
        widened=[],
        n=n,
        ignored=ignored,
    )
    return view, metrics
