"""Reading assessments back: who may see one, its latest snapshot, and its views (one
assessment, or a page of them), with the notice that marks synthetic data.

Apart from `service.assessments.workflow`, which moves an assessment through its life (create,
save, submit, reopen), because everything else that reads an assessment (scores, revisions,
reports, voices) needs only this and not the writing steps; the workflow re-exports these
names. Authorization: an assessment is visible to admins and to the members of its territory
only; anyone else gets a 404, whether it exists or not."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Final, Literal

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.model import Model
from service.accounts.auth import Principal, require_principal, require_role
from service.assessments.answers import Contents, Progress, Snapshot, progress
from service.assessments.editions import editions_for
from service.platform.db.tables import Assessment, Revision, Territory
from service.platform.errors import NotFoundError
from service.platform.i18n import N_
from service.platform.pagination import Page, paginate
from service.territories.directory import TerritoryRef, territory_match

__all__ = [
    "SYNTHETIC_NOTICE",
    "AssessmentSummary",
    "AssessmentView",
    "Status",
    "assessment_view",
    "get_assessment",
    "latest_snapshot",
    "list_assessments",
    "load_assessment",
    "notice",
]

SYNTHETIC_NOTICE: Final = N_(
    "Données synthétiques de démonstration : ce territoire n'a pas réellement répondu."
)
Status = Literal["draft", "submitted"]


class AssessmentSummary(msgspec.Struct):
    """An assessment in a list."""

    id: uuid.UUID
    territory: TerritoryRef
    campaign: int
    status: Status
    revision: int
    updated_at: datetime
    submitted_at: datetime | None
    synthetic: bool
    notice: str | None


class AssessmentView(Contents, kw_only=True):
    """An assessment with its latest answers, comments, evidence links and targets."""

    id: uuid.UUID
    territory: TerritoryRef
    campaign: int
    status: Status
    model_version: str
    revision: int
    submitted_revision: int | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    progress: Progress
    synthetic: bool
    notice: str | None


def notice(synthetic: bool) -> str | None:
    """The visible notice on synthetic (demo) data."""
    return SYNTHETIC_NOTICE if synthetic else None


def _ref(territory: Territory) -> TerritoryRef:
    return TerritoryRef(territory.code, territory.name, territory.kind)


async def load_assessment(
    session: AsyncSession, principal: Principal | None, assessment_id: uuid.UUID
) -> tuple[Assessment, Territory]:
    """The assessment and its territory if the caller may see them; 404 otherwise."""
    caller = require_principal(principal)
    row = (
        await session.execute(
            select(Assessment, Territory)
            .join(Territory, Territory.code == Assessment.territory_code)
            .where(Assessment.id == assessment_id)
        )
    ).first()
    if row is None or not caller.owns(row[1].code):
        raise NotFoundError(N_("Évaluation introuvable."))
    return row[0], row[1]


async def latest_snapshot(session: AsyncSession, assessment: Assessment) -> Snapshot:
    """The content of the assessment's latest revision (empty before the first save)."""
    if assessment.revision == 0:
        return Snapshot()
    revision = (
        await session.execute(
            select(Revision).where(
                Revision.assessment_id == assessment.id, Revision.number == assessment.revision
            )
        )
    ).scalar_one()
    return Snapshot.from_revision(revision)


def assessment_view(
    assessment: Assessment, territory: Territory, snapshot: Snapshot, model: Model
) -> AssessmentView:
    """What callers see of an assessment: its state, progress and latest content."""
    return AssessmentView(
        id=assessment.id,
        territory=_ref(territory),
        campaign=assessment.campaign_year,
        status=assessment.status,  # type: ignore[arg-type]
        model_version=assessment.model_version,
        revision=assessment.revision,
        submitted_revision=assessment.submitted_revision,
        created_at=assessment.created_at,
        updated_at=assessment.updated_at,
        submitted_at=assessment.submitted_at,
        progress=progress(model, snapshot.answers),
        synthetic=assessment.synthetic,
        notice=notice(assessment.synthetic),
        **snapshot.contents(),
    )


async def get_assessment(
    session: AsyncSession, principal: Principal | None, model: Model, assessment_id: uuid.UUID
) -> AssessmentView:
    """An assessment with its latest content."""
    assessment, territory = await load_assessment(session, principal, assessment_id)
    model = editions_for(model).get(assessment.model_version)  # the assessment's own edition
    return assessment_view(assessment, territory, await latest_snapshot(session, assessment), model)


async def list_assessments(
    session: AsyncSession,
    principal: Principal | None,
    campaign: int | None = None,
    territory_code: str | None = None,
    status: Status | None = None,
    page: int = 1,
    per_page: int = 20,
    *,
    territory_search: str | None = None,
) -> Page[AssessmentSummary]:
    """Assessments the caller may see: their territory's (members) or all (admins);
    `territory_search` finds territories by name (accents and case folded) or code."""
    caller = require_role(principal, "member", "admin")
    statement = select(Assessment, Territory).join(
        Territory, Territory.code == Assessment.territory_code
    )
    if not caller.is_admin:
        statement = statement.where(Assessment.territory_code == caller.territory_code)
    if territory_code:
        statement = statement.where(Assessment.territory_code == territory_code)
    if (match := territory_match(territory_search or "")) is not None:
        statement = statement.where(match)
    if campaign is not None:
        statement = statement.where(Assessment.campaign_year == campaign)
    if status:
        statement = statement.where(Assessment.status == status)
    statement = statement.order_by(Assessment.campaign_year.desc(), Territory.name, Assessment.id)

    def convert(row: Any) -> AssessmentSummary:
        assessment, territory = row
        return AssessmentSummary(
            id=assessment.id,
            territory=_ref(territory),
            campaign=assessment.campaign_year,
            status=assessment.status,
            revision=assessment.revision,
            updated_at=assessment.updated_at,
            submitted_at=assessment.submitted_at,
            synthetic=assessment.synthetic,
            notice=notice(assessment.synthetic),
        )

    return await paginate(session, statement, page, per_page, convert, scalars=False)
