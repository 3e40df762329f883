"""Accounts: users and invitations (API keys: `service.accounts.api_keys`).

Domain functions shared by the API, the pages and the commands; each takes the caller's
`Principal` and enforces who may do what."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Annotated, Final, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.auth import (
    Principal,
    Role,
    hash_password,
    new_secret,
    require_role,
    secret_hash,
    utcnow,
)
from service.platform.db.tables import Invitation, Territory, User
from service.platform.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from service.platform.i18n import N_
from service.platform.pagination import Page, paginate
from service.platform.text import CODE_PATTERN, Line

__all__ = [
    "InvitationAccept",
    "InvitationCreate",
    "InvitationCreated",
    "InvitationView",
    "UserUpdate",
    "UserView",
    "accept_invitation",
    "check_new_password",
    "create_user",
    "get_user",
    "invitation_for_token",
    "invite",
    "is_email",
    "list_invitations",
    "list_users",
    "revoke_invitation",
    "update_user",
    "user_view",
]

MIN_PASSWORD: Final = 10
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
Email = Annotated[str, Meta(max_length=254, examples=["cheffe.projet@biarritz.fr"])]
Password = Annotated[str, Meta(max_length=256)]
Name = Line


class UserView(msgspec.Struct):
    """An account as shown to admins and to its owner (never its password hash)."""

    id: uuid.UUID
    email: str
    name: str
    role: Role
    territory_code: str | None
    active: bool
    has_password: bool
    synthetic: bool
    created_at: datetime


class UserUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Fields an admin may change on an account (absent fields stay as they are)."""

    name: Name | UnsetType = UNSET
    role: Role | UnsetType = UNSET
    territory_code: Annotated[str, Meta(pattern=CODE_PATTERN)] | UnsetType | None = UNSET
    active: bool | UnsetType = UNSET


class InvitationCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Invite someone: a member needs a territory; the token is valid ``valid_days`` days."""

    email: Email
    role: Role = "member"
    territory_code: Annotated[str, Meta(pattern=CODE_PATTERN)] | None = None
    name: Name = ""
    valid_days: Annotated[int, Meta(ge=1, le=90)] = 14


class InvitationView(msgspec.Struct):
    """An invitation and its state."""

    id: uuid.UUID
    user: UserView
    status: Literal["pending", "accepted", "expired", "revoked"]
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None


class InvitationCreated(msgspec.Struct):
    """A new invitation with its token: shown once, send it to the person invited."""

    invitation: InvitationView
    token: str
    accept_path: str


class InvitationAccept(msgspec.Struct, forbid_unknown_fields=True):
    """Accept an invitation by choosing a password (10 characters at least)."""

    token: Annotated[str, Meta(max_length=200)]
    password: Password
    name: Name | None = None


def user_view(user: User) -> UserView:
    """The public view of a user row."""
    return UserView(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,  # type: ignore[arg-type]
        territory_code=user.territory_code,
        active=user.active,
        has_password=user.password_hash is not None,
        synthetic=user.synthetic,
        created_at=user.created_at,
    )


def is_email(value: str) -> bool:
    """Whether `value` (trimmed, lower-cased) looks like an e-mail address."""
    return _EMAIL.match(value) is not None


def _email(value: str) -> str:
    email = value.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidInputError(
            N_("Adresse électronique invalide « %(value)s »."),
            value=value,
            errors=[FieldError("email", N_("adresse électronique invalide"))],
        )
    return email


def check_new_password(password: str) -> None:
    """Refuse (422) a password shorter than `MIN_PASSWORD` characters."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError(
            N_("Le mot de passe doit compter au moins %(minimum)s caractères."),
            minimum=MIN_PASSWORD,
            errors=[
                FieldError(
                    "password", N_("au moins %(minimum)s caractères"), {"minimum": MIN_PASSWORD}
                )
            ],
        )


async def _check_role_territory(session: AsyncSession, role: str, territory: str | None) -> None:
    if role == "member" and not territory:
        raise InvalidInputError(
            N_("Un membre doit être rattaché à un territoire (territory_code).")
        )
    if role != "member" and territory:
        raise InvalidInputError(N_("Seuls les membres sont rattachés à un territoire."))
    if territory and await session.get(Territory, territory) is None:
        raise InvalidInputError(N_("Territoire inconnu « %(territory)s »."), territory=territory)


async def create_user(
    session: AsyncSession,
    email: str,
    role: Role,
    *,
    password: str | None = None,
    name: str = "",
    territory_code: str | None = None,
    synthetic: bool = False,
) -> User:
    """Insert a user (409 if the email is taken); the password, if given, is hashed."""
    address = _email(email)
    await _check_role_territory(session, role, territory_code)
    if password is not None:
        check_new_password(password)
    taken = await session.execute(select(User.id).where(User.email == address))
    if taken.first() is not None:
        raise ConflictError(N_("Un compte existe déjà pour %(address)s."), address=address)
    user = User(
        id=uuid.uuid4(),
        email=address,
        name=name,
        role=role,
        territory_code=territory_code,
        password_hash=hash_password(password) if password is not None else None,
        active=True,
        synthetic=synthetic,
        created_at=utcnow(),
    )
    session.add(user)
    await session.flush()
    return user


async def list_users(
    session: AsyncSession,
    principal: Principal | None,
    page: int = 1,
    per_page: int = 20,
    role: Role | None = None,
    territory_code: str | None = None,
) -> Page[UserView]:
    """Accounts, by email (admins only)."""
    require_role(principal, "admin")
    statement = select(User).order_by(User.email)
    if role:
        statement = statement.where(User.role == role)
    if territory_code:
        statement = statement.where(User.territory_code == territory_code)
    return await paginate(session, statement, page, per_page, user_view)


async def _user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFoundError(N_("Compte introuvable."))
    return user


async def get_user(
    session: AsyncSession, principal: Principal | None, user_id: uuid.UUID
) -> UserView:
    """One account (admins only); 404 when unknown."""
    require_role(principal, "admin")
    return user_view(await _user(session, user_id))


async def update_user(
    session: AsyncSession, principal: Principal | None, user_id: uuid.UUID, data: UserUpdate
) -> UserView:
    """Change a user's name, role, territory or active flag (admins only)."""
    admin = require_role(principal, "admin")
    user = await _user(session, user_id)
    role = user.role if data.role is UNSET else data.role
    territory = user.territory_code if data.territory_code is UNSET else data.territory_code
    if role != "member" and data.territory_code is UNSET:
        territory = None
    await _check_role_territory(session, role, territory)
    if user.id == admin.user_id and (role != "admin" or data.active is False):
        raise ConflictError(N_("Un administrateur ne peut ni se rétrograder ni se désactiver."))
    user.role, user.territory_code = role, territory
    if data.name is not UNSET:
        user.name = data.name
    if data.active is not UNSET:
        user.active = data.active
    await session.flush()
    return user_view(user)


def _invitation_status(
    invitation: Invitation,
) -> Literal["pending", "accepted", "expired", "revoked"]:
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    return "expired" if invitation.expires_at <= utcnow() else "pending"


def _invitation_view(invitation: Invitation, user: User) -> InvitationView:
    return InvitationView(
        id=invitation.id,
        user=user_view(user),
        status=_invitation_status(invitation),
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        accepted_at=invitation.accepted_at,
    )


async def invite(
    session: AsyncSession, principal: Principal | None, data: InvitationCreate
) -> InvitationCreated:
    """Create (or re-invite) an account without a password and a one-time token (admins)."""
    admin = require_role(principal, "admin")
    address = _email(data.email)
    user = (await session.execute(select(User).where(User.email == address))).scalar_one_or_none()
    if user is None:
        user = await create_user(
            session, address, data.role, name=data.name, territory_code=data.territory_code
        )
    elif user.password_hash is not None:
        raise ConflictError(
            N_("%(address)s a déjà un compte actif : pas besoin d'invitation."), address=address
        )
    else:
        await _check_role_territory(session, data.role, data.territory_code)
        user.role, user.territory_code = data.role, data.territory_code
        user.name = data.name or user.name
    now = utcnow()
    await session.execute(
        update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.accepted_at.is_(None))
        .where(Invitation.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    token = new_secret("inv")
    invitation = Invitation(
        id=uuid.uuid4(),
        user_id=user.id,
        token_hash=secret_hash(token),
        created_by=admin.user_id,
        created_at=now,
        expires_at=now + timedelta(days=data.valid_days),
    )
    session.add(invitation)
    await session.flush()
    return InvitationCreated(
        invitation=_invitation_view(invitation, user),
        token=token,
        accept_path=f"/invitation/{token}",
    )


async def _pending_invitation(session: AsyncSession, token: str) -> tuple[Invitation, User]:
    row = (
        await session.execute(
            select(Invitation, User)
            .join(User, User.id == Invitation.user_id)
            .where(Invitation.token_hash == secret_hash(token))
        )
    ).first()
    if row is None or _invitation_status(row[0]) != "pending":
        raise NotFoundError(N_("Invitation inconnue, déjà utilisée, révoquée ou expirée."))
    return row[0], row[1]


async def invitation_for_token(session: AsyncSession, token: str) -> InvitationView:
    """The pending invitation a token stands for (404 otherwise): for the welcome page."""
    invitation, user = await _pending_invitation(session, token)
    return _invitation_view(invitation, user)


async def accept_invitation(session: AsyncSession, data: InvitationAccept) -> UserView:
    """Set the invited user's password and use up the token (anyone holding the token)."""
    check_new_password(data.password)
    invitation, user = await _pending_invitation(session, data.token)
    invitation.accepted_at = utcnow()
    user.password_hash = hash_password(data.password)
    if data.name:
        user.name = data.name
    await session.flush()
    return user_view(user)


async def list_invitations(
    session: AsyncSession, principal: Principal | None, page: int = 1, per_page: int = 20
) -> Page[InvitationView]:
    """Invitations, newest first (admins only)."""
    require_role(principal, "admin")
    statement = (
        select(Invitation, User)
        .join(User, User.id == Invitation.user_id)
        .order_by(Invitation.created_at.desc(), Invitation.id)
    )
    return await paginate(
        session, statement, page, per_page, lambda row: _invitation_view(*row), scalars=False
    )


async def revoke_invitation(
    session: AsyncSession, principal: Principal | None, invitation_id: uuid.UUID
) -> InvitationView:
    """Revoke a pending invitation (admins only; idempotent)."""
    require_role(principal, "admin")
    invitation = await session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFoundError(N_("Invitation introuvable."))
    if invitation.accepted_at is not None:
        raise ConflictError(N_("Cette invitation a déjà été acceptée."))
    invitation.revoked_at = invitation.revoked_at or utcnow()
    await session.flush()
    return _invitation_view(invitation, await _user(session, invitation.user_id))
