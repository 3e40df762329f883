"""Password reset: a single-use, short-lived token sent by e-mail (the mail package sends it).

The token is 256 random bits; the database keeps only its SHA-256 keyed with the service's
secret key (HMAC), so that neither a copy of the database nor a guess yields a usable link.
Asking for a reset answers the same whether or not the address has an account: `start_reset`
returns None for an unknown, inactive or never-activated address, and the caller says nothing
different. A new request, or a reset, voids the account's earlier tokens."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import timedelta
from typing import Final

import msgspec
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.auth import hash_password, new_secret, utcnow
from service.accounts.members import check_new_password
from service.platform.db.tables import PasswordReset, User
from service.platform.errors import NotFoundError
from service.platform.i18n import N_

__all__ = ["RESET_VALIDITY", "ResetToken", "check_reset", "reset_password", "start_reset"]

RESET_VALIDITY: Final = timedelta(hours=1)
"""How long a reset link works."""


class ResetToken(msgspec.Struct, frozen=True):
    """A new reset token for an account: to be sent to its address, never shown."""

    email: str
    name: str
    token: str
    path: str


def _keyed_hash(secret_key: str, token: str) -> str:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


async def start_reset(session: AsyncSession, secret_key: str, email: str) -> ResetToken | None:
    """A reset token for the active account of `email`, or None when there is none (the
    caller answers alike in both cases)."""
    address = email.strip().lower()
    user = (
        await session.execute(select(User).where(User.email == address, User.active.is_(True)))
    ).scalar_one_or_none()
    if user is None or user.password_hash is None:
        return None
    now = utcnow()
    await _void(session, user.id)
    token = new_secret("mdp")
    session.add(
        PasswordReset(
            id=uuid.uuid4(),
            user_id=user.id,
            token_hash=_keyed_hash(secret_key, token),
            created_at=now,
            expires_at=now + RESET_VALIDITY,
        )
    )
    await session.flush()
    return ResetToken(user.email, user.name, token, f"/mot-de-passe/nouveau/{token}")


async def _void(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )


async def _pending(
    session: AsyncSession, secret_key: str, token: str
) -> tuple[PasswordReset, User]:
    row = (
        await session.execute(
            select(PasswordReset, User)
            .join(User, User.id == PasswordReset.user_id)
            .where(PasswordReset.token_hash == _keyed_hash(secret_key, token[:200]))
        )
    ).first()
    if row is None or row[0].used_at is not None or row[0].expires_at <= utcnow():
        raise NotFoundError(N_("Lien de réinitialisation inconnu, déjà utilisé ou expiré."))
    if not row[1].active:
        raise NotFoundError(N_("Lien de réinitialisation inconnu, déjà utilisé ou expiré."))
    return row[0], row[1]


async def check_reset(session: AsyncSession, secret_key: str, token: str) -> str:
    """The address a pending token resets (404 when unknown, used or expired)."""
    return (await _pending(session, secret_key, token))[1].email


async def reset_password(session: AsyncSession, secret_key: str, token: str, password: str) -> str:
    """Set a new password with a pending token, use the token up; returns the address."""
    check_new_password(password)
    _reset, user = await _pending(session, secret_key, token)
    user.password_hash = hash_password(password)
    await _void(session, user.id)
    await session.flush()
    return user.email
