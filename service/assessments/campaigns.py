"""Campaigns: one per year, open (assessments are created, saved, submitted) or closed.

At most one campaign is open at a time: it is the « current » campaign members answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.model import Model
from service.accounts.auth import Principal, require_role, utcnow
from service.assessments.editions import editions_for
from service.platform.db.tables import Assessment, BarometerEdition, Campaign
from service.platform.errors import ConflictError, NotFoundError
from service.platform.i18n import N_
from service.platform.pagination import Page

__all__ = [
    "CampaignCreate",
    "CampaignStatus",
    "CampaignUpdate",
    "CampaignView",
    "create_campaign",
    "current_campaign",
    "get_campaign",
    "list_campaigns",
    "update_campaign",
]

CampaignStatus = Literal["open", "closed"]
Year = Annotated[int, Meta(ge=2000, le=2100, examples=[2026])]


class CampaignView(msgspec.Struct):
    """A campaign and how many assessments were submitted in it (an aggregate: public)."""

    year: int
    status: CampaignStatus
    created_at: datetime
    closed_at: datetime | None
    submitted: int
    model_version: str
    """The edition of the model its assessments answer."""


class CampaignCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new campaign (open unless said otherwise), answering edition ``model_version`` of the
    model (default: the model in force)."""

    year: Year
    status: CampaignStatus = "open"
    model_version: Annotated[str, Meta(max_length=32, examples=["2026.1"])] | None = None


class CampaignUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Open or close a campaign."""

    status: CampaignStatus


def _view(campaign: Campaign, submitted: int) -> CampaignView:
    return CampaignView(
        year=campaign.year,
        status=campaign.status,  # type: ignore[arg-type]
        created_at=campaign.created_at,
        closed_at=campaign.closed_at,
        submitted=submitted,
        model_version=campaign.model_version,
    )


async def _submitted(session: AsyncSession, year: int) -> int:
    count = select(func.count()).where(
        Assessment.campaign_year == year, Assessment.status == "submitted"
    )
    return (await session.execute(count)).scalar_one()


async def list_campaigns(
    session: AsyncSession, page: int = 1, per_page: int = 20
) -> Page[CampaignView]:
    """Campaigns, newest first, with their number of submitted assessments (anyone)."""
    counts = (
        select(Assessment.campaign_year, func.count().label("n"))
        .where(Assessment.status == "submitted")
        .group_by(Assessment.campaign_year)
        .subquery()
    )
    statement = (
        select(Campaign, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.campaign_year == Campaign.year)
        .order_by(Campaign.year.desc())
    )
    total = (await session.execute(select(func.count()).select_from(Campaign))).scalar_one()
    rows = (await session.execute(statement.limit(per_page).offset((page - 1) * per_page))).all()
    return Page(
        items=[_view(campaign, n) for campaign, n in rows],
        page=page,
        per_page=per_page,
        total=total,
        pages=max(1, -(-total // per_page)),
    )


async def get_campaign(session: AsyncSession, year: int) -> Campaign:
    """The campaign of `year`; 404 when there is none."""
    campaign = await session.get(Campaign, year)
    if campaign is None:
        raise NotFoundError(N_("Aucune campagne %(year)s."), year=year)
    return campaign


async def current_campaign(session: AsyncSession) -> Campaign:
    """The open campaign; 409 when none is open."""
    found = (
        await session.execute(
            select(Campaign).where(Campaign.status == "open").order_by(Campaign.year.desc())
        )
    ).scalar()
    if found is None:
        raise ConflictError(
            N_("Aucune campagne n'est ouverte : un administrateur doit en ouvrir une.")
        )
    return found


async def _ensure_not_published(session: AsyncSession, year: int) -> None:
    """A campaign whose barometer is published stays closed: new submissions would move the
    live statistics away from the published ones, and the difference between the two could
    single out a territory."""
    edition = await session.get(BarometerEdition, year)
    if edition is not None and edition.status == "published":
        raise ConflictError(
            N_(
                "Le baromètre %(year)s est publié : la campagne ne peut plus être rouverte "
                "(les nouvelles réponses s'écarteraient des chiffres publiés)."
            ),
            year=year,
        )


async def _ensure_single_open(session: AsyncSession, year: int) -> None:
    other = (
        await session.execute(
            select(Campaign.year).where(Campaign.status == "open", Campaign.year != year)
        )
    ).scalar()
    if other is not None:
        raise ConflictError(
            N_("La campagne %(other)s est encore ouverte : fermez-la d'abord."), other=other
        )


async def create_campaign(
    session: AsyncSession, principal: Principal | None, data: CampaignCreate, model: Model
) -> CampaignView:
    """Create the campaign of a year (admins only) on an edition of the model: the one asked
    for if the service has it, else `model`, the model in force."""
    require_role(principal, "admin")
    version = editions_for(model).check_version(data.model_version or model.version)
    if await session.get(Campaign, data.year) is not None:
        raise ConflictError(N_("La campagne %(year)s existe déjà."), year=data.year)
    if data.status == "open":
        await _ensure_single_open(session, data.year)
    now = utcnow()
    campaign = Campaign(
        year=data.year,
        status=data.status,
        created_at=now,
        closed_at=now if data.status == "closed" else None,
        model_version=version,
    )
    session.add(campaign)
    await session.flush()
    return _view(campaign, 0)


async def update_campaign(
    session: AsyncSession, principal: Principal | None, year: int, data: CampaignUpdate
) -> CampaignView:
    """Open or close a campaign (admins only; idempotent)."""
    require_role(principal, "admin")
    campaign = await get_campaign(session, year)
    if data.status == "open" and campaign.status != "open":
        await _ensure_not_published(session, year)
        await _ensure_single_open(session, year)
        campaign.closed_at = None
    elif data.status == "closed" and campaign.status != "closed":
        campaign.closed_at = utcnow()
    campaign.status = data.status
    await session.flush()
    return _view(campaign, await _submitted(session, year))
