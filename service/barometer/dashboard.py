"""The analysts' and admins' dashboard: a campaign's response rate by kind, population band
and région (live while it is open), submissions over time, the distribution of the index,
pillars and dimensions, and their national trend over the campaigns.

Every figure by cell is cut from the aggregates the API publishes (`service.barometer.figures`),
under the same statistical disclosure control; analysts never see an individual answer. The
response rate by département is finer than the published hierarchy: only admins, who may read
every assessment anyway, see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.edition_scores import metric_statuses
from maturity.model import Model
from service.accounts.auth import Principal, require_role
from service.assessments.campaigns import CampaignView, list_campaigns
from service.assessments.editions import Editions, editions_for
from service.barometer.figures import (
    BAROMETER_GROUPINGS,
    aggregate_rows,
    metric_labels,
    participation,
    region_names,
)
from service.peers.aggregates import aggregates_table
from service.peers.cache import BenchmarkCache
from service.platform.db import Sessions
from service.platform.db.tables import Assessment
from service.platform.errors import ConflictError, NotFoundError
from service.platform.i18n import N_
from service.territories.directory import territories_frame

__all__ = ["TREND_CAMPAIGNS", "Dashboard", "dashboard", "dashboard_table", "trend_rows"]

TREND_CAMPAIGNS = 10
"""Campaigns the trends go back over."""


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows for one campaign."""

    campaign: CampaignView
    campaigns: list[CampaignView]
    synthetic: bool
    participation: dict[str, pl.DataFrame]
    """By grouping name (``national``, ``kind``…): territories, submitted, rate, withheld."""
    departements: pl.DataFrame | None
    """Admins only: departement, territories, submitted, rate (no suppression)."""
    drafts: int
    timeline: list[tuple[date, int, int]]
    """Day, submissions that day, submissions so far."""
    aggregates: pl.DataFrame
    """Every metric's aggregates per cell of each grouping, as published (`aggregate_rows`)."""
    trends: pl.DataFrame
    """campaign, model_version, metric, mean (national, as published), comparable (with the
    chosen campaign: False where its edition computes the metric otherwise) over the last
    campaigns."""
    labels: dict[str, dict[str, str]]
    regions: dict[str, str]


def _chosen(campaigns: list[CampaignView], year: int | None) -> CampaignView:
    if not campaigns:
        raise NotFoundError(N_("Aucune campagne n'existe encore."))
    if year is None:
        return next((c for c in campaigns if c.status == "open"), campaigns[0])
    found = next((c for c in campaigns if c.year == year), None)
    if found is None:
        raise NotFoundError(N_("Aucune campagne %(year)s."), year=year)
    return found


async def _timeline(session: AsyncSession, year: int) -> list[tuple[date, int, int]]:
    """Submissions per day of the campaign (national: a count that is always published)."""
    moments = await session.execute(
        select(Assessment.submitted_at).where(
            Assessment.campaign_year == year, Assessment.status == "submitted"
        )
    )
    days = [m.date() for m in moments.scalars() if m is not None]
    if not days:
        return []
    per_day = pl.DataFrame({"day": days}).group_by("day").agg(n=pl.len()).sort("day")
    per_day = per_day.with_columns(total=pl.col("n").cum_sum())
    return [(d, int(n), int(t)) for d, n, t in per_day.iter_rows()]


async def _departements(session: AsyncSession, submitted: pl.Series) -> pl.DataFrame:
    """Response rate by département from the directory (admins: no suppression)."""
    refs = await territories_frame(session)
    return (
        refs.with_columns(took_part=pl.col("code").is_in(submitted.implode()))
        .group_by("departement_code")
        .agg(territories=pl.len(), submitted=pl.col("took_part").sum().cast(pl.Int64))
        .with_columns(rate=(pl.col("submitted") * 100 / pl.col("territories")).round(1))
        .rename({"departement_code": "departement"})
        .sort("departement", nulls_last=True)
    )


async def _drafts(session: AsyncSession, year: int) -> int:
    query = select(func.count()).where(
        Assessment.campaign_year == year, Assessment.status == "draft"
    )
    return int((await session.execute(query)).scalar_one())


async def dashboard(
    session: AsyncSession,
    sessions: Sessions,
    cache: BenchmarkCache,
    principal: Principal | None,
    model: Model,
    year: int | None = None,
) -> Dashboard:
    """The dashboard of campaign `year` (None: the open one, else the latest), for an
    analyst or an admin (401 anonymous, 403 a member)."""
    who = require_role(principal, "admin", "analyst")
    campaigns = (await list_campaigns(session, 1, 100)).items
    chosen = _chosen(campaigns, year)
    frames = await cache.get(sessions, chosen.year, "national")
    shares = {name: participation(frames, by) for name, by in BAROMETER_GROUPINGS.items()}
    registry = editions_for(model)
    trends = []
    for past in [c for c in campaigns if c.year <= chosen.year][:TREND_CAMPAIGNS]:
        if past.submitted:
            national = aggregates_table(await cache.get(sessions, past.year, "national"), [])
            full = _comparable(registry, past.model_version, chosen.model_version)
            trends.append(
                national.select(
                    pl.lit(past.year).alias("campaign"),
                    pl.lit(past.model_version).alias("model_version"),
                    "metric",
                    "mean",
                    comparable=pl.lit(True) if full is None else pl.col("metric").is_in(full),
                )
            )
    edition = registry.get(chosen.model_version)
    return Dashboard(
        campaign=chosen,
        campaigns=campaigns,
        synthetic=frames.synthetic,
        participation=shares,
        departements=(
            await _departements(session, frames.scores["territory"].unique())
            if who.is_admin
            else None
        ),
        drafts=await _drafts(session, chosen.year),
        timeline=await _timeline(session, chosen.year),
        aggregates=aggregate_rows(frames),
        trends=pl.concat(trends) if trends else pl.DataFrame(),
        labels=metric_labels(edition),
        regions=await region_names(session),
    )


def _comparable(registry: Editions, past: str, chosen: str) -> list[str] | None:
    """The metrics of edition `past` whose national mean compares as it is with edition
    `chosen`'s (``full`` in `maturity.editions.comparability`); None: the same edition."""
    if past == chosen:
        return None
    try:
        basis = registry.basis(past, chosen)
    except ConflictError:  # an edition this service does not have
        return []
    if basis is None:
        return []
    return [metric for metric, status in metric_statuses(basis).items() if status == "full"]


def trend_rows(
    view: Dashboard, lang: str
) -> tuple[list[tuple[int, str]], list[tuple[str, list[float | bool | None]]]]:
    """The trends as the page shows them: the campaigns (year, model edition), then each
    metric's national mean per campaign, False where the campaign answered another edition
    on which the metric is not computed alike (not comparable), None where withheld."""
    if not view.trends.height:
        return [], []
    years = sorted(set(view.trends.select("campaign", "model_version").iter_rows()))
    values = {
        (year, metric): (mean if comparable else False)
        for year, _, metric, mean, comparable in view.trends.iter_rows()
    }
    rows = [
        (label.get(lang, metric), [values.get((year, metric)) for year, _ in years])
        for metric, label in view.labels.items()
    ]
    return years, rows


def dashboard_table(view: Dashboard, table: str) -> pl.DataFrame:
    """One of the dashboard's tables as downloaded (``participation``, ``aggregates``,
    ``trends``; ``departements`` for admins), with the campaign's year."""
    year = pl.lit(view.campaign.year).alias("campaign")
    match table:
        case "participation":
            frame = pl.concat(list(view.participation.values()), how="vertical_relaxed")
        case "aggregates":
            frame = view.aggregates.drop("change")
        case "trends":
            return view.trends
        case "departements" if view.departements is not None:
            frame = view.departements
        case _:
            raise NotFoundError(
                N_("Tableau inconnu : %(table)s (participation, aggregates, trends)."),
                table=table,
            )
    return frame.select(year, pl.all())
