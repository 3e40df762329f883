"""The notice of a published barometer edition: one e-mail to every active member who did
not opt out of notices, queued through the mail's outbox in the publishing transaction (sent
once it is committed; each address at most once per edition)."""

from __future__ import annotations

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.mail import messages
from service.mail.optout import opted_out
from service.mail.postman import Postman
from service.platform.db.tables import User
from service.platform.i18n import N_, translate

__all__ = ["announce_edition"]


async def announce_edition(session: AsyncSession, postman: Postman, year: int) -> int:
    """Queue the notice of edition `year` to the members; returns how many were queued."""
    rows = await session.execute(
        select(User.email).where(
            User.role == "member", User.active.is_(True), User.password_hash.is_not(None)
        )
    )
    emails = list(rows.scalars())
    refused = await opted_out(session, emails)
    settings = postman.settings
    link = f"{settings.public_url.rstrip('/')}/barometre/{year}"
    text = translate(
        settings.default_lang,
        N_(
            "Le baromètre national %(year)s est publié : les agrégats du réseau par type de "
            "territoire, tranche de population et région, le taux de réponse et les données "
            "ouvertes. %(link)s"
        ),
        year=year,
        link=link,
    )
    drafts = [
        msgspec.structs.replace(
            messages.notice(settings, email, year, None, text),
            dedupe_key=f"barometer:{year}:{email}"[:200],
        )
        for email in emails
        if email not in refused
    ]
    return len(await postman.post(session, drafts))
