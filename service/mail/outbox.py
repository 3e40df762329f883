"""The outbox: every e-mail is a row, written before it is sent, updated with the outcome of
each attempt; admins read it (`list_outbox`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

import msgspec
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.auth import Principal, require_role, utcnow
from service.platform.db.tables import OutboxMessage
from service.platform.pagination import Page, paginate

__all__ = [
    "Draft",
    "MessageKind",
    "MessageStatus",
    "OutboxView",
    "list_outbox",
    "outbox_counts",
    "record",
]

MessageKind = Literal["invitation", "reminder", "notice", "password_reset"]
MessageStatus = Literal["queued", "sent", "failed", "skipped"]
SECRET_KINDS = frozenset({"password_reset"})
"""Kinds whose body holds a secret link: emptied once the message is sent or abandoned."""


class Draft(msgspec.Struct, frozen=True):
    """A message to record: who, what, and (for reminders) the key that forbids a second."""

    kind: MessageKind
    recipient: str
    subject: str
    body: str
    dedupe_key: str | None = None
    campaign_year: int | None = None


class OutboxView(msgspec.Struct):
    """A logged message as admins see it (never its body)."""

    id: uuid.UUID
    kind: MessageKind
    recipient: str
    subject: str
    status: MessageStatus
    attempts: int
    last_error: str | None
    campaign_year: int | None
    created_at: datetime
    sent_at: datetime | None


def _view(row: OutboxMessage) -> OutboxView:
    return OutboxView(
        id=row.id,
        kind=row.kind,  # type: ignore[arg-type]
        recipient=row.recipient,
        subject=row.subject,
        status=row.status,  # type: ignore[arg-type]
        attempts=row.attempts,
        last_error=row.last_error,
        campaign_year=row.campaign_year,
        created_at=row.created_at,
        sent_at=row.sent_at,
    )


async def record(session: AsyncSession, drafts: Sequence[Draft]) -> list[uuid.UUID]:
    """Write `drafts` as queued messages; a draft whose dedupe key is already used is skipped.
    Returns the ids written."""
    if not drafts:
        return []
    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "kind": d.kind,
            "recipient": d.recipient,
            "subject": d.subject[:300],
            "body": d.body,
            "status": "queued",
            "attempts": 0,
            "dedupe_key": d.dedupe_key,
            "campaign_year": d.campaign_year,
            "created_at": now,
            "updated_at": now,
        }
        for d in drafts
    ]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(OutboxMessage)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    written: list[uuid.UUID] = []
    for start in range(0, len(rows), 500):
        result = await session.execute(statement, rows[start : start + 500])
        written += list(result.scalars())
    return written


async def list_outbox(
    session: AsyncSession,
    principal: Principal | None,
    page: int = 1,
    per_page: int = 50,
    status: MessageStatus | None = None,
) -> Page[OutboxView]:
    """Logged messages, newest first (admins only)."""
    require_role(principal, "admin")
    statement = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id)
    if status:
        statement = statement.where(OutboxMessage.status == status)
    return await paginate(session, statement, page, per_page, _view)


async def outbox_counts(session: AsyncSession, principal: Principal | None) -> dict[str, int]:
    """How many messages are in each status (admins only)."""
    require_role(principal, "admin")
    rows = await session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return {status: count for status, count in rows}
