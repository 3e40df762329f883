"""Campaign reminders and notices. Each campaign may have a closing date and the days before
it when members whose territory has not submitted get a reminder (``14,3`` by default); a
reminder is logged with a key (campaign, threshold, address) so it is never sent twice, and
only the latest threshold reached is sent (a service down on day 14 does not send two at once
on day 3). Addresses that opted out get neither reminders nor notices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.auth import Principal, require_role
from service.mail import messages
from service.mail.optout import opted_out
from service.mail.postman import Postman
from service.platform.db.tables import Assessment, Campaign, MailSchedule, Territory, User
from service.platform.errors import InvalidInputError, NotFoundError
from service.platform.i18n import N_

__all__ = [
    "ScheduleView",
    "announce_campaign",
    "parse_days",
    "queue_due_reminders",
    "schedules",
    "set_schedule",
]


class ScheduleView(msgspec.Struct):
    """A campaign's closing date and reminder days."""

    campaign_year: int
    closes_on: date
    reminder_days: list[int]


def parse_days(text: str) -> list[int]:
    """``"14, 3"`` → ``[14, 3]`` (distinct, 1 to 90, largest first); 422 otherwise."""
    try:
        days = sorted({int(part) for part in text.replace(";", ",").split(",") if part.strip()})
    except ValueError:
        days = []
    if not days or days[0] < 1 or days[-1] > 90:
        raise InvalidInputError(
            N_("Jours de rappel invalides : des nombres de 1 à 90 séparés par des virgules.")
        )
    return days[::-1]


async def set_schedule(
    session: AsyncSession, principal: Principal | None, year: int, closes_on: date, days: str
) -> ScheduleView:
    """Set campaign `year`'s closing date and reminder days (admins only)."""
    require_role(principal, "admin")
    if await session.get(Campaign, year) is None:
        raise NotFoundError(N_("Campagne %(year)s introuvable."), year=year)
    parsed = parse_days(days)
    row = await session.get(MailSchedule, year)
    text = ",".join(str(d) for d in parsed)
    if row is None:
        session.add(MailSchedule(campaign_year=year, closes_on=closes_on, reminder_days=text))
    else:
        row.closes_on, row.reminder_days = closes_on, text
    await session.flush()
    return ScheduleView(year, closes_on, parsed)


async def schedules(session: AsyncSession) -> dict[int, ScheduleView]:
    """Every campaign's schedule, by year."""
    rows = await session.execute(select(MailSchedule))
    return {
        r.campaign_year: ScheduleView(r.campaign_year, r.closes_on, parse_days(r.reminder_days))
        for r in rows.scalars()
    }


def _threshold(schedule: ScheduleView, today: date) -> int | None:
    left = (schedule.closes_on - today).days
    if left < 0:
        return None
    reached = [d for d in schedule.reminder_days if d >= left]
    return min(reached) if reached else None


async def _late_members(session: AsyncSession, year: int) -> list[tuple[str, str]]:
    """(address, territory name) of active members whose territory has not submitted."""
    submitted = select(Assessment.territory_code).where(
        Assessment.campaign_year == year, Assessment.status == "submitted"
    )
    rows = await session.execute(
        select(User.email, Territory.name)
        .join(Territory, Territory.code == User.territory_code)
        .where(User.role == "member", User.active.is_(True), User.password_hash.is_not(None))
        .where(User.territory_code.not_in(submitted))
        .order_by(User.email)
    )
    return [(email, name) for email, name in rows]


async def queue_due_reminders(session: AsyncSession, postman: Postman, today: date) -> int:
    """Log and queue the reminders due `today` in open campaigns; returns how many."""
    open_years = set(
        (await session.execute(select(Campaign.year).where(Campaign.status == "open"))).scalars()
    )
    count = 0
    for year, schedule in (await schedules(session)).items():
        threshold = _threshold(schedule, today)
        if year not in open_years or threshold is None:
            continue
        late = await _late_members(session, year)
        refused = await opted_out(session, [email for email, _ in late])
        left = (schedule.closes_on - today).days
        drafts = [
            messages.reminder(postman.settings, email, name, year, schedule.closes_on, left)
            for email, name in late
            if email not in refused
        ]
        drafts = [
            msgspec.structs.replace(d, dedupe_key=_key(year, threshold, d.recipient))
            for d in drafts
        ]
        count += len(await postman.post(session, drafts))
    return count


def _key(year: int, threshold: int, email: str) -> str:
    return f"reminder:{year}:{threshold}:{email}"[:200]


async def announce_campaign(
    session: AsyncSession, principal: Principal | None, postman: Postman, year: int, text: str
) -> int:
    """Send campaign `year`'s notice to every active member and analyst who did not opt out
    (admins only); returns how many were queued."""
    require_role(principal, "admin")
    if await session.get(Campaign, year) is None:
        raise NotFoundError(N_("Campagne %(year)s introuvable."), year=year)
    schedule = await session.get(MailSchedule, year)
    rows = await session.execute(
        select(User.email).where(
            User.role.in_(("member", "analyst")),
            User.active.is_(True),
            User.password_hash.is_not(None),
        )
    )
    emails: Sequence[str] = list(rows.scalars())
    refused = await opted_out(session, emails)
    closes = schedule.closes_on if schedule else None
    drafts = [
        messages.notice(postman.settings, e, year, closes, text[:4000])
        for e in emails
        if e not in refused
    ]
    return len(await postman.post(session, drafts))
