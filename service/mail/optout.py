"""Opting out of reminders and campaign notices: a link signed with the service's key, in
every such message, and a table of the addresses that used it. Invitations and password
resets, which answer a request, are still sent."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.auth import utcnow
from service.platform.db.tables import MailOptOut

__all__ = ["email_for_token", "opt_out", "opt_out_path", "opted_out"]


def _signature(secret_key: str, email: str) -> str:
    digest = hmac.new(secret_key.encode(), b"opt-out:" + email.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def opt_out_path(secret_key: str, email: str) -> str:
    """The path of `email`'s opt-out page (signed: nobody else's address can be opted out)."""
    address = email.strip().lower()
    encoded = base64.urlsafe_b64encode(address.encode()).decode().rstrip("=")
    return f"/courriels/desinscription/{encoded}.{_signature(secret_key, address)}"


def email_for_token(secret_key: str, token: str) -> str | None:
    """The address a genuine opt-out token stands for, or None."""
    encoded, _, signature = token[:600].partition(".")
    try:
        address = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not hmac.compare_digest(signature, _signature(secret_key, address)):
        return None
    return address


async def opt_out(session: AsyncSession, email: str) -> None:
    """Record that `email` wants no more reminders nor notices (idempotent)."""
    if await session.get(MailOptOut, email) is None:
        session.add(MailOptOut(email=email, created_at=utcnow()))
        await session.flush()


async def opted_out(session: AsyncSession, emails: Iterable[str]) -> set[str]:
    """Which of `emails` opted out."""
    wanted = sorted(set(emails))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        rows = await session.execute(
            select(MailOptOut.email).where(MailOptOut.email.in_(wanted[start : start + 500]))
        )
        found.update(rows.scalars())
    return found
