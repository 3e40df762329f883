"""The national barometer of a closed campaign: prepared by an admin (its aggregates are
computed once and frozen), reviewed by the members (each sees the draft of the figures that
concern their territory and may flag an error), then published at a stable URL.

The figures are `service.barometer.figures` on the campaign's peer frames: the aggregates the
API publishes, under the same statistical disclosure control; the change since the previous
campaign only where both means are published, and across editions of the model only on what
the two editions have in common (each row's ``change_basis``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, Literal

import msgspec
import polars as pl
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.disclosure import K_MIN, K_QUANTILES, NOTICE
from maturity.model import Model
from maturity.territories import population_band
from service.accounts.auth import Principal, require_principal, require_role, utcnow
from service.assessments.campaigns import get_campaign
from service.assessments.editions import editions_for
from service.assessments.workflow import notice
from service.barometer.figures import (
    BAROMETER_GROUPINGS,
    aggregate_rows,
    metric_labels,
    not_comparable,
    participation,
    region_names,
)
from service.barometer.notices import announce_edition
from service.mail.postman import Postman
from service.peers.cache import BenchmarkCache
from service.platform.db import Sessions
from service.platform.db.tables import BarometerEdition, BarometerFlag, Campaign, Territory
from service.platform.errors import ConflictError, NotFoundError, PermissionDeniedError
from service.platform.i18n import N_

__all__ = [
    "EditionStatus",
    "EditionSummary",
    "EditionView",
    "FlagCreate",
    "FlagView",
    "concerning",
    "flag_error",
    "get_edition",
    "list_editions",
    "list_flags",
    "prepare_edition",
    "publish_edition",
]

EditionStatus = Literal["review", "published"]
LICENCE: Final = "Licence Ouverte 2.0 (Etalab)"


class EditionSummary(msgspec.Struct, frozen=True):
    """A barometer edition in a list."""

    year: int
    status: EditionStatus
    prepared_at: datetime
    published_at: datetime | None


class EditionView(msgspec.Struct, frozen=True):
    """A barometer edition and its frozen figures (``content``: see the README)."""

    year: int
    status: EditionStatus
    prepared_at: datetime
    published_at: datetime | None
    content: dict[str, Any]


class FlagCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A member's report of an error in a draft edition."""

    message: Annotated[str, msgspec.Meta(min_length=3, max_length=2000)]


class FlagView(msgspec.Struct, frozen=True):
    """A flag as the admin reads it."""

    id: int
    territory: str | None
    territory_name: str | None
    created_at: datetime
    message: str


def _view(row: BarometerEdition) -> EditionView:
    return EditionView(
        row.year,
        row.status,  # type: ignore[arg-type]
        row.prepared_at,
        row.published_at,
        row.content,
    )


async def _previous(session: AsyncSession, campaign: Campaign) -> Campaign | None:
    """The campaign before `campaign` (on another edition of the model, the changes compare
    only what the two editions have in common: `aggregate_rows`)."""
    return await session.get(Campaign, campaign.year - 1)


def _records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dicts()


async def prepare_edition(
    session: AsyncSession,
    sessions: Sessions,
    cache: BenchmarkCache,
    principal: Principal | None,
    model: Model,
    year: int,
) -> EditionView:
    """Compute and freeze the figures of the closed campaign `year` as a draft open to the
    members' review (again, to take a correction into account); admins only."""
    admin = require_role(principal, "admin")
    campaign = await get_campaign(session, year)
    if campaign.status != "closed":
        raise ConflictError(N_("La campagne %(year)s doit être close avant son baromètre."),
                            year=year)  # fmt: skip
    existing = await session.get(BarometerEdition, year)
    if existing is not None and existing.status == "published":
        raise ConflictError(N_("Le baromètre %(year)s est déjà publié."), year=year)
    frames = await cache.get(sessions, year, "national")
    before = await _previous(session, campaign)
    previous = await cache.get(sessions, before.year, "national") if before else None
    if previous is not None and previous.scores.is_empty():
        previous = None
    national = participation(frames, ()).row(0, named=True)
    content = {
        "year": year,
        "previous": previous.campaign if previous is not None else None,
        "previous_model_version": before.model_version if previous and before else None,
        "not_comparable": not_comparable(frames) if previous is not None else [],
        "model_version": campaign.model_version,
        "closed_at": campaign.closed_at.isoformat() if campaign.closed_at else None,
        "synthetic": frames.synthetic,
        "notice": notice(frames.synthetic),
        "method": NOTICE,
        "licence": LICENCE,
        "k_min": K_MIN,
        "k_quantiles": K_QUANTILES,
        "national": {k: national[k] for k in ("territories", "submitted", "rate")},
        "participation": _records(
            pl.concat(
                [participation(frames, by) for by in BAROMETER_GROUPINGS.values() if by],
                how="vertical_relaxed",
            )
        ),
        "aggregates": _records(aggregate_rows(frames, previous)),
        "labels": metric_labels(editions_for(model).get(campaign.model_version)),
        "regions": await region_names(session),
    }
    now = utcnow()
    if existing is None:
        existing = BarometerEdition(year=year, status="review", prepared_at=now,
                                    prepared_by=admin.user_id, content=content)  # fmt: skip
        session.add(existing)
    else:
        existing.content, existing.prepared_at, existing.prepared_by = content, now, admin.user_id
    await session.flush()
    return _view(existing)


async def publish_edition(
    session: AsyncSession, principal: Principal | None, year: int, postman: Postman | None = None
) -> EditionView:
    """Publish the reviewed draft of `year` at its stable URL (admins only); with `postman`,
    queue its notice to the members who did not opt out (sent once committed)."""
    require_role(principal, "admin")
    edition = await session.get(BarometerEdition, year)
    if edition is None:
        raise NotFoundError(N_("Aucun baromètre %(year)s en préparation."), year=year)
    if edition.status == "published":
        raise ConflictError(N_("Le baromètre %(year)s est déjà publié."), year=year)
    edition.status, edition.published_at = "published", utcnow()
    await session.flush()
    if postman is not None:
        await announce_edition(session, postman, year)
    return _view(edition)


async def get_edition(session: AsyncSession, principal: Principal | None, year: int) -> EditionView:
    """A published edition (anyone), or a draft under review (any signed-in account: members
    review the figures that concern them); otherwise 404."""
    edition = await session.get(BarometerEdition, year)
    if edition is None or (edition.status != "published" and principal is None):
        raise NotFoundError(N_("Aucun baromètre %(year)s publié."), year=year)
    return _view(edition)


async def list_editions(
    session: AsyncSession, principal: Principal | None = None
) -> list[EditionSummary]:
    """Published editions, newest first; admins see the drafts too."""
    query = select(BarometerEdition).order_by(BarometerEdition.year.desc())
    if principal is None or not principal.is_admin:
        query = query.where(BarometerEdition.status == "published")
    rows = (await session.execute(query)).scalars()
    return [
        EditionSummary(r.year, r.status, r.prepared_at, r.published_at)  # type: ignore[arg-type]
        for r in rows
    ]


async def _territory(session: AsyncSession, code: str | None) -> Territory | None:
    return await session.get(Territory, code) if code else None


async def concerning(
    session: AsyncSession, principal: Principal | None, content: dict[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """The rows of an edition that concern the caller's territory: national, its kind, its
    population band and its région (empty for an account without a territory)."""
    who = require_principal(principal)
    territory = await _territory(session, who.territory_code)
    if territory is None:
        return {"aggregates": [], "participation": []}
    band = population_band(territory.population)
    mine = {"kind": territory.kind, "population_band": band.id if band else None,
            "region": territory.region_code}  # fmt: skip

    def keep(row: dict[str, Any]) -> bool:
        key = row["grouping"]
        return key == "national" or (key in mine and row[key] == mine[key])

    return {name: [r for r in content[name] if keep(r)] for name in ("aggregates", "participation")}


async def flag_error(
    session: AsyncSession, principal: Principal | None, year: int, flag: FlagCreate
) -> int:
    """Record a member's flag on the draft of `year` (during the review only)."""
    who = require_principal(principal)
    if who.role != "member":
        raise PermissionDeniedError(N_("Seuls les membres signalent une erreur du brouillon."))
    edition = await session.get(BarometerEdition, year)
    if edition is None or edition.status != "review":
        raise ConflictError(N_("Le baromètre %(year)s n'est pas en relecture."), year=year)
    row = BarometerFlag(year=year, territory_code=who.territory_code, user_id=who.user_id,
                        created_at=utcnow(), message=flag.message.strip())  # fmt: skip
    session.add(row)
    await session.flush()
    return int(row.id)


async def list_flags(
    session: AsyncSession, principal: Principal | None, year: int
) -> list[FlagView]:
    """The members' flags on edition `year`, oldest first (admins only)."""
    require_role(principal, "admin")
    rows = await session.execute(
        select(BarometerFlag, Territory.name)
        .outerjoin(Territory, Territory.code == BarometerFlag.territory_code)
        .where(BarometerFlag.year == year)
        .order_by(BarometerFlag.id)
    )
    return [
        FlagView(int(f.id), f.territory_code, name, f.created_at, f.message)
        for f, name in rows.all()
    ]
