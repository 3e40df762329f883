"""What the pages, the API and the commands ask of the mail: invite and send, import a file of
invitations and send them, ask for a password reset. Each writes to the caller's transaction;
the queue sends once it is committed."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.auth import Principal
from service.accounts.invitation_import import ImportReport, import_invitations
from service.accounts.members import InvitationCreate, InvitationCreated, invite
from service.accounts.password_reset import start_reset
from service.mail import messages
from service.mail.postman import Postman
from service.platform.db.tables import Territory

__all__ = [
    "import_and_send",
    "invite_and_send",
    "request_password_reset",
    "send_invitations",
]


async def send_invitations(
    session: AsyncSession, postman: Postman, created: Sequence[InvitationCreated], base: str
) -> int:
    """Queue the e-mail of each new invitation (links start with `base`); returns how many."""
    codes = sorted({c.invitation.user.territory_code or "" for c in created} - {""})
    names: dict[str, str] = {}
    for start in range(0, len(codes), 500):  # one query per 500 territories, not per row
        chunk = select(Territory.code, Territory.name).where(
            Territory.code.in_(codes[start : start + 500])
        )
        names.update((await session.execute(chunk)).all())
    lang = postman.settings.default_lang
    drafts = [
        messages.invitation(
            lang,
            base.rstrip("/"),
            c.invitation.user.email,
            names.get(c.invitation.user.territory_code or ""),
            c.accept_path,
            c.invitation.expires_at,
        )
        for c in created
    ]
    return len(await postman.post(session, drafts))


async def invite_and_send(
    session: AsyncSession,
    principal: Principal | None,
    postman: Postman,
    data: InvitationCreate,
    base: str,
) -> InvitationCreated:
    """Invite one person (admins only) and queue their e-mail."""
    created = await invite(session, principal, data)
    await send_invitations(session, postman, [created], base)
    return created


async def import_and_send(
    session: AsyncSession,
    principal: Principal | None,
    postman: Postman,
    text: str,
    base: str,
) -> tuple[ImportReport, list[InvitationCreated]]:
    """Invite every valid row of a CSV file in one transaction and queue their e-mails."""
    report, created = await import_invitations(session, principal, text)
    await send_invitations(session, postman, created, base)
    return report, created


async def request_password_reset(
    session: AsyncSession, postman: Postman, email: str, base: str
) -> None:
    """Queue a reset link to `email` if it has an active account; nothing otherwise (the
    caller answers the same either way)."""
    reset = await start_reset(session, postman.settings.secret_key, email)
    if reset is not None:
        lang = postman.settings.default_lang
        draft = messages.password_reset(lang, base.rstrip("/"), reset.email, reset.path)
        await postman.post(session, [draft])
