"""An assessment's history: every revision (saves, submissions, reopenings), newest first,
and the full snapshot of any one of them. Visible to whoever may see the assessment."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.auth import Principal
from service.assessments.answers import Contents, Snapshot
from service.assessments.workflow import load_assessment
from service.platform.db.tables import Revision
from service.platform.errors import NotFoundError
from service.platform.i18n import N_
from service.platform.pagination import Page, paginate

__all__ = ["RevisionDetail", "RevisionView", "get_revision", "list_revisions"]


Kind = Literal["draft", "submission", "reopening"]


class RevisionView(msgspec.Struct):
    """One revision in an assessment's history."""

    number: int
    kind: Kind
    author: str | None
    created_at: datetime
    model_version: str
    answered: int
    note: str | None


class RevisionDetail(Contents, kw_only=True):
    """One revision with its full snapshot."""

    number: int
    kind: Kind
    author: str | None
    created_at: datetime
    model_version: str
    note: str | None


def _header(revision: Revision) -> dict[str, Any]:
    """The fields every view of a revision shows."""
    return {
        "number": revision.number,
        "kind": revision.kind,
        "author": revision.author_email,
        "created_at": revision.created_at,
        "model_version": revision.model_version,
        "note": revision.note,
    }


async def list_revisions(
    session: AsyncSession,
    principal: Principal | None,
    assessment_id: uuid.UUID,
    page: int = 1,
    per_page: int = 20,
) -> Page[RevisionView]:
    """An assessment's history, newest first."""
    await load_assessment(session, principal, assessment_id)
    statement = (
        select(Revision)
        .where(Revision.assessment_id == assessment_id)
        .order_by(Revision.number.desc())
    )

    def convert(revision: Revision) -> RevisionView:
        answered = sum(1 for v in revision.answers.values() if v != "unknown")
        return RevisionView(answered=answered, **_header(revision))

    return await paginate(session, statement, page, per_page, convert)


async def get_revision(
    session: AsyncSession, principal: Principal | None, assessment_id: uuid.UUID, number: int
) -> RevisionDetail:
    """One revision of an assessment, with its full content."""
    await load_assessment(session, principal, assessment_id)
    revision = (
        await session.execute(
            select(Revision).where(
                Revision.assessment_id == assessment_id, Revision.number == number
            )
        )
    ).scalar_one_or_none()
    if revision is None:
        raise NotFoundError(N_("Révision %(number)s introuvable."), number=number)
    return RevisionDetail(**_header(revision), **Snapshot.from_revision(revision).contents())
