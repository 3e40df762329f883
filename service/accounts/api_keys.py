"""API keys: created for oneself (or by an admin for anyone), shown once, stored as a
SHA-256, revocable, with a role never above their owner's and an optional expiry."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.auth import (
    KEY_ROLES,
    Principal,
    Role,
    new_secret,
    require_principal,
    secret_hash,
    utcnow,
)
from service.platform.db.tables import ApiKey, User
from service.platform.errors import (
    ConflictError,
    FieldError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from service.platform.i18n import N_
from service.platform.pagination import Page, paginate

__all__ = [
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyView",
    "create_api_key",
    "list_api_keys",
    "revoke_api_key",
]


class ApiKeyCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new API key. Admins may create one for another user (``user_id``) or a read-only
    ``analyst`` key; by default the key has its owner's role."""

    name: Annotated[
        str,
        Meta(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$", examples=["SIG"]),
    ]
    role: Role | None = None
    user_id: uuid.UUID | None = None
    expires_at: datetime | None = None


class ApiKeyView(msgspec.Struct):
    """An API key without its secret."""

    id: uuid.UUID
    name: str
    prefix: str
    role: Role
    user_id: uuid.UUID
    user_email: str
    territory_code: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    active: bool


class ApiKeyCreated(msgspec.Struct):
    """A new key and its secret, shown this once only: send it as ``Authorization: Bearer``."""

    key: ApiKeyView
    secret: str


def _key_view(key: ApiKey, user: User) -> ApiKeyView:
    now = utcnow()
    active = key.revoked_at is None and (key.expires_at is None or key.expires_at > now)
    return ApiKeyView(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        role=key.role,  # type: ignore[arg-type]
        user_id=user.id,
        user_email=user.email,
        territory_code=user.territory_code if key.role == "member" else None,
        created_at=key.created_at,
        expires_at=key.expires_at,
        revoked_at=key.revoked_at,
        last_used_at=key.last_used_at,
        active=active and user.active,
    )


async def create_api_key(
    session: AsyncSession, principal: Principal | None, data: ApiKeyCreate
) -> ApiKeyCreated:
    """Create a key for oneself (or, for admins, for anyone); its secret is returned once."""
    caller = require_principal(principal)
    if data.user_id is not None and data.user_id != caller.user_id and not caller.is_admin:
        raise PermissionDeniedError(
            N_("Seul un administrateur crée des clés pour un autre compte.")
        )
    owner = await session.get(User, data.user_id or caller.user_id)
    if owner is None:
        raise NotFoundError(N_("Compte introuvable."))
    if not owner.active:
        raise ConflictError(N_("Ce compte est désactivé."))
    role = data.role or owner.role
    allowed = KEY_ROLES[owner.role]
    if role not in allowed:
        raise InvalidInputError(
            N_("Un compte « %(role)s » ne peut avoir que des clés : %(allowed)s."),
            role=owner.role,
            allowed=", ".join(allowed),
            errors=[
                FieldError("role", N_("rôle permis : %(allowed)s"), {"allowed": ", ".join(allowed)})
            ],
        )
    now = utcnow()
    if data.expires_at is not None and (data.expires_at.tzinfo is None or data.expires_at <= now):
        raise InvalidInputError(
            N_(
                "La date d'expiration doit être future et porter son fuseau (ex. "
                "2027-01-31T00:00:00Z)."
            ),
            errors=[FieldError("expires_at", N_("date future avec fuseau attendue"))],
        )
    secret = new_secret("tc")
    key = ApiKey(
        id=uuid.uuid4(),
        user_id=owner.id,
        name=data.name,
        prefix=secret[:10],
        secret_hash=secret_hash(secret),
        role=role,
        created_at=now,
        expires_at=data.expires_at,
    )
    session.add(key)
    await session.flush()
    return ApiKeyCreated(key=_key_view(key, owner), secret=secret)


async def list_api_keys(
    session: AsyncSession,
    principal: Principal | None,
    page: int = 1,
    per_page: int = 20,
    user_id: uuid.UUID | None = None,
) -> Page[ApiKeyView]:
    """Keys, newest first: one's own, or anyone's for admins (optionally for one user)."""
    caller = require_principal(principal)
    statement = (
        select(ApiKey, User)
        .join(User, User.id == ApiKey.user_id)
        .order_by(ApiKey.created_at.desc(), ApiKey.id)
    )
    if not caller.is_admin:
        statement = statement.where(ApiKey.user_id == caller.user_id)
    elif user_id is not None:
        statement = statement.where(ApiKey.user_id == user_id)
    return await paginate(
        session, statement, page, per_page, lambda row: _key_view(*row), scalars=False
    )


async def revoke_api_key(
    session: AsyncSession, principal: Principal | None, key_id: uuid.UUID
) -> ApiKeyView:
    """Revoke a key (one's own, or any for admins; someone else's is a 404). Idempotent."""
    caller = require_principal(principal)
    row = (
        await session.execute(
            select(ApiKey, User).join(User, User.id == ApiKey.user_id).where(ApiKey.id == key_id)
        )
    ).first()
    if row is None or (row[0].user_id != caller.user_id and not caller.is_admin):
        raise NotFoundError(N_("Clé d'API introuvable."))
    key, owner = row
    key.revoked_at = key.revoked_at or utcnow()
    await session.flush()
    return _key_view(key, owner)
