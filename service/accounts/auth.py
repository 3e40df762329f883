"""Who is calling: the `Principal`, password and secret hashing, and principal resolution.

`resolve_principal` asks each resolver of ``app.state.principal_resolvers`` in turn (the API
key resolver by default); the web pages add a cookie-session resolver to that list, built on
`principal_for_user`. A resolver opens a database session only when it needs one (an API key
verified a few seconds ago does not). Authorization rules live in the domain functions, which
take the principal as an argument, so pages and API enforce the same ones."""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import cache, partial
from typing import Any, Final, Literal

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from litestar import Request
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.accounts.key_cache import VerifiedKeys, generation
from service.platform.db import Sessions
from service.platform.db.tables import ApiKey, User
from service.platform.errors import AuthenticationError, PermissionDeniedError
from service.platform.i18n import N_
from service.platform.throttle import LoginThrottle

__all__ = [
    "KEY_ROLES",
    "ROLES",
    "Principal",
    "PrincipalResolver",
    "Role",
    "authenticate_password",
    "basic_principal",
    "bearer_principal",
    "hash_password",
    "new_secret",
    "principal_for_user",
    "provide_principal",
    "require_principal",
    "require_role",
    "resolve_principal",
    "secret_hash",
    "utcnow",
    "verify_password",
]

Role = Literal["admin", "member", "analyst"]
ROLES: Final[tuple[Role, ...]] = ("admin", "member", "analyst")
KEY_ROLES: Final[dict[str, tuple[Role, ...]]] = {
    "admin": ("admin", "analyst"),
    "member": ("member",),
    "analyst": ("analyst",),
}
"""Roles an API key may carry, by its owner's role: never more than the owner's rights."""
LAST_USED_RESOLUTION: Final = timedelta(hours=1)
"""``last_used_at`` is written at most this often per key, to keep reads free of writes."""

_hasher = PasswordHasher()  # argon2id, RFC 9106 defaults (64 MiB, 3 passes)


@cache
def _dummy_hash() -> str:
    """A hash checked when the account is unknown, so that both cases take as long."""
    return _hasher.hash("mot de passe fictif pour un temps de réponse constant")


def utcnow() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


class Principal(msgspec.Struct, frozen=True):
    """The authenticated caller: a user, through an API key, a session or a password."""

    user_id: uuid.UUID
    email: str
    name: str
    role: Role
    territory_code: str | None
    via: Literal["api_key", "session", "password"]
    api_key_id: uuid.UUID | None = None

    @property
    def is_admin(self) -> bool:
        """Network staff: every right."""
        return self.role == "admin"

    def owns(self, territory_code: str) -> bool:
        """Whether the caller may read and write `territory_code`'s own data."""
        return self.is_admin or (self.role == "member" and self.territory_code == territory_code)


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches `password_hash` (always spends the hashing time)."""
    try:
        matches = _hasher.verify(password_hash or _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return matches and password_hash is not None


def new_secret(prefix: str = "tc") -> str:
    """A random secret (256 bits) with a readable prefix, e.g. ``tc_…``."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def secret_hash(secret: str) -> str:
    """SHA-256 of a high-entropy secret (API key, invitation token), as stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _principal(user: User, via: Any, key: ApiKey | None = None) -> Principal:
    return Principal(
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=(key.role if key else user.role),  # type: ignore[arg-type]
        territory_code=user.territory_code,
        via=via,
        api_key_id=key.id if key else None,
    )


async def principal_from_api_key(
    session: AsyncSession, secret: str, verified: VerifiedKeys | None = None
) -> Principal | None:
    """The principal of a valid API key; None when unknown, revoked, expired or outgrown.
    With `verified`, a key checked a few seconds ago is not read again from the database."""
    digest = secret_hash(secret)
    if verified is not None and (known := verified.get(digest)) is not None:
        return known
    read_at = generation()
    row = (
        await session.execute(
            select(ApiKey, User)
            .join(User, User.id == ApiKey.user_id)
            .where(ApiKey.secret_hash == digest)
        )
    ).first()
    if row is None:
        return None
    key, user = row
    now = utcnow()
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        return None
    if not user.active or key.role not in KEY_ROLES.get(user.role, ()):
        return None
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        key.last_used_at = now
    principal = _principal(user, "api_key", key)
    if verified is not None:
        verified.put(digest, principal, key.expires_at, read_at)
    return principal


async def principal_for_user(
    session: AsyncSession, user_id: uuid.UUID, via: Literal["session", "password"] = "session"
) -> Principal | None:
    """The principal of an active user with a password set (for cookie sessions)."""
    user = await session.get(User, user_id)
    if user is None or not user.active or user.password_hash is None:
        return None
    return _principal(user, via)


async def authenticate_password(
    session: AsyncSession,
    email: str,
    password: str,
    throttle: LoginThrottle | None = None,
    address: str = "",
) -> Principal:
    """The principal for an email and password; `AuthenticationError` otherwise, and
    `TooManyRequestsError` once `throttle` has seen too many failures from `address`."""
    if throttle is not None:
        await throttle.check(address, email)
    try:
        principal = await _check_password(session, email, password)
    except AuthenticationError:
        if throttle is not None:
            await throttle.failed(address, email)
        raise
    if throttle is not None:
        await throttle.succeeded(address, email)
    return principal


def client_address(request: Request[Any, Any, Any]) -> str:
    """The caller's address, as the throttles count it."""
    return request.client.host if request.client else "inconnue"


def login_throttle(request: Request[Any, Any, Any]) -> LoginThrottle | None:
    """The app's login throttle (None in apps built without one)."""
    throttle: LoginThrottle | None = request.app.state.get("login_throttle")
    return throttle


async def _check_password(session: AsyncSession, email: str, password: str) -> Principal:
    user = (
        await session.execute(select(User).where(func.lower(User.email) == email.strip().lower()))
    ).scalar_one_or_none()
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.active:
        raise AuthenticationError(N_("Adresse électronique ou mot de passe incorrect."))
    if user.password_hash and _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return _principal(user, "password")


def _authorization(request: Request[Any, Any, Any], scheme: str) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    given, _, value = header.partition(" ")
    return value.strip() if given.lower() == scheme else None


async def bearer_principal(request: Request[Any, Any, Any], sessions: Sessions) -> Principal | None:
    """``Authorization: Bearer <clé>``: the key's principal; a bad key is a 401, not anonymous."""
    secret = _authorization(request, "bearer")
    if secret is None:
        return None
    verified: VerifiedKeys | None = request.app.state.get("verified_keys")
    principal = verified.get(secret_hash(secret)) if verified is not None else None
    if principal is None:
        async with sessions() as session:
            principal = await principal_from_api_key(session, secret, verified)
    if principal is None:
        raise AuthenticationError(N_("Clé d'API inconnue, révoquée ou expirée."))
    return principal


async def basic_principal(
    request: Request[Any, Any, Any], session: AsyncSession
) -> Principal | None:
    """``Authorization: Basic`` (email and password): only to obtain a first API key."""
    value = _authorization(request, "basic")
    if value is None:
        return None
    try:
        email, sep, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        sep = ""
    if not sep:
        raise AuthenticationError(N_("En-tête « Authorization: Basic » mal formé."))
    return await authenticate_password(
        session, email, password, login_throttle(request), client_address(request)
    )


PrincipalResolver = Callable[[Request[Any, Any, Any], Sessions], Awaitable[Principal | None]]
DEFAULT_RESOLVERS: Final[tuple[PrincipalResolver, ...]] = (bearer_principal,)


async def resolve_principal(
    request: Request[Any, Any, Any],
    sessions: Sessions,
    resolvers: Sequence[PrincipalResolver] | None = None,
) -> Principal | None:
    """The caller's principal from the first resolver that recognises the request, or None."""
    chain = resolvers if resolvers is not None else request.app.state.get("principal_resolvers")
    for resolver in chain or DEFAULT_RESOLVERS:
        principal = await resolver(request, sessions)
        if principal is not None:
            return principal
    return None


@asynccontextmanager
async def _committed(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session of its own, committed when the block succeeds (``last_used_at``, a rehash)."""
    async with maker() as session:
        yield session
        await session.commit()


async def provide_principal(request: Request[Any, Any, Any]) -> Principal | None:
    """Dependency ``principal``: the current caller or None (anonymous). A resolver that needs
    the database gets a session of its own, closed before the handler runs: a request never
    holds two pool connections at once."""
    return await resolve_principal(
        request, partial(_committed, request.app.state["db_sessionmaker"])
    )


def require_principal(principal: Principal | None) -> Principal:
    """The principal, or a 401 for anonymous callers."""
    if principal is None:
        raise AuthenticationError(
            N_("Authentification requise : envoyez une clé d'API (« Authorization: Bearer … »).")
        )
    return principal


def require_role(principal: Principal | None, *roles: Role) -> Principal:
    """The principal if its role is one of `roles`: 401 when anonymous, 403 otherwise."""
    who = require_principal(principal)
    if who.role not in roles:
        allowed = ", ".join(roles)
        raise PermissionDeniedError(N_("Action réservée aux rôles : %(allowed)s."), allowed=allowed)
    return who
