"""Read-only share links to an assessment's synthesis (and, if chosen, its full results).

A member of the territory (or an admin) makes a link for an élu or a partner: it expires
(``days``, at most ``TERRITOIRES_SHARE_LINK_MAX_DAYS``), can be revoked at any time, and never
shows the answers or comments unless the member ticked ``include_answers``. The link's token
is the link's id and an HMAC-SHA256 of it under the service's secret key: a token changed by
one character, or made for an unknown id, is refused before the database is read."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import datetime, timedelta
from typing import Annotated, Literal

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.auth import Principal, require_principal, utcnow
from service.assessments.workflow import load_assessment
from service.platform.db.tables import Assessment, ShareLink
from service.platform.errors import FieldError, InvalidInputError, NotFoundError
from service.platform.i18n import N_

__all__ = [
    "ShareLinkCreate",
    "ShareLinkView",
    "SharedAccess",
    "create_share_link",
    "list_share_links",
    "open_share_link",
    "revoke_share_link",
    "share_token",
]

Scope = Literal["synthesis", "results"]


class ShareLinkCreate(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A new share link: for whom (a label only the members see), for how many days, what it
    opens, and whether the answers and comments go with it."""

    label: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    days: Annotated[int, msgspec.Meta(ge=1)] = 30
    scope: Scope = "synthesis"
    include_answers: bool = False


class ShareLinkView(msgspec.Struct):
    """A share link as its members see it (``path`` is the page a holder opens)."""

    id: uuid.UUID
    assessment_id: uuid.UUID
    label: str
    scope: Scope
    include_answers: bool
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    status: Literal["active", "expired", "revoked"]
    path: str


class SharedAccess(msgspec.Struct, frozen=True):
    """What a holder of a valid link may read: the assessment, through the read rights of the
    territory it belongs to (never more: the pages and endpoints of a link only read)."""

    link: ShareLinkView
    reader: Principal


def _signature(secret: str, link_id: uuid.UUID) -> str:
    digest = hmac.new(secret.encode(), b"share-link:" + link_id.bytes, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def share_token(secret: str, link_id: uuid.UUID) -> str:
    """The token of a link: its id and its signature."""
    return f"{link_id.hex}.{_signature(secret, link_id)}"


def _verified(secret: str, token: str) -> uuid.UUID | None:
    head, _, signature = token.partition(".")
    try:
        link_id = uuid.UUID(hex=head)
    except ValueError:
        return None
    expected = _signature(secret, link_id)
    return link_id if hmac.compare_digest(expected.encode(), signature.encode()) else None


def _status(link: ShareLink, now: datetime) -> Literal["active", "expired", "revoked"]:
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if link.expires_at <= now else "active"


def _view(link: ShareLink, secret: str, now: datetime) -> ShareLinkView:
    return ShareLinkView(
        id=link.id,
        assessment_id=link.assessment_id,
        label=link.label,
        scope=link.scope,  # type: ignore[arg-type]
        include_answers=link.include_answers,
        created_at=link.created_at,
        expires_at=link.expires_at,
        revoked_at=link.revoked_at,
        status=_status(link, now),
        path=f"/partage/{share_token(secret, link.id)}",
    )


async def create_share_link(
    session: AsyncSession,
    principal: Principal | None,
    assessment_id: uuid.UUID,
    data: ShareLinkCreate,
    secret: str,
    max_days: int,
) -> ShareLinkView:
    """Make a link to an assessment of the caller's territory (404 for any other)."""
    caller = require_principal(principal)
    await load_assessment(session, caller, assessment_id)
    if data.days > max_days:
        raise InvalidInputError(
            N_("Un lien de partage vaut %(max)s jours au plus."),
            errors=[FieldError("days", N_("%(max)s jours au plus."), {"max": max_days})],
            max=max_days,
        )
    now = utcnow()
    link = ShareLink(
        id=uuid.uuid4(),
        assessment_id=assessment_id,
        created_by=caller.user_id,
        label=data.label.strip() or data.label,
        scope=data.scope,
        include_answers=data.include_answers,
        created_at=now,
        expires_at=now + timedelta(days=data.days),
        revoked_at=None,
    )
    session.add(link)
    await session.flush()
    return _view(link, secret, now)


async def list_share_links(
    session: AsyncSession, principal: Principal | None, assessment_id: uuid.UUID, secret: str
) -> list[ShareLinkView]:
    """The links of an assessment of the caller's territory, newest first."""
    await load_assessment(session, principal, assessment_id)
    rows = await session.scalars(
        select(ShareLink)
        .where(ShareLink.assessment_id == assessment_id)
        .order_by(ShareLink.created_at.desc())
    )
    now = utcnow()
    return [_view(link, secret, now) for link in rows]


async def revoke_share_link(
    session: AsyncSession, principal: Principal | None, link_id: uuid.UUID, secret: str
) -> ShareLinkView:
    """Revoke a link (idempotent); 404 unless it belongs to the caller's territory."""
    link = await session.get(ShareLink, link_id)
    if link is None:
        raise NotFoundError(N_("Lien de partage introuvable."))
    await load_assessment(session, principal, link.assessment_id)
    link.revoked_at = link.revoked_at or utcnow()
    await session.flush()
    return _view(link, secret, utcnow())


async def open_share_link(session: AsyncSession, token: str, secret: str) -> SharedAccess:
    """The access a token gives: 404 for a tampered or unknown token, and for a link that
    expired or was revoked (with a message saying so)."""
    link_id = _verified(secret, token)
    link = await session.get(ShareLink, link_id) if link_id is not None else None
    if link is None:
        raise NotFoundError(N_("Ce lien de partage n'existe pas."))
    now = utcnow()
    if _status(link, now) != "active":
        raise NotFoundError(N_("Ce lien de partage a expiré ou a été révoqué."))
    assessment = await session.get(Assessment, link.assessment_id)
    assert assessment is not None  # a foreign key
    reader = Principal(
        user_id=link.created_by,
        email="",
        name="",
        role="member",
        territory_code=assessment.territory_code,
        via="session",
    )
    return SharedAccess(_view(link, secret, now), reader)
