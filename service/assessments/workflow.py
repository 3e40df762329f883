"""The life of an assessment: create it, save drafts, submit, reopen (reading it back is in
`service.assessments.reading`, re-exported here).

Every save, submission and reopening appends an immutable revision (a full snapshot with its
author and time); nothing is ever overwritten. The assessment row only tracks its status and
the number of its latest revision, advanced by compare-and-set so that two concurrent saves
cannot both win."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.model import Model
from service.accounts.auth import Principal, require_principal, require_role, utcnow
from service.assessments.answers import AnswersPayload, Snapshot, validate_payload
from service.assessments.campaigns import current_campaign, get_campaign
from service.assessments.editions import editions_for
from service.assessments.reading import (
    SYNTHETIC_NOTICE,
    AssessmentSummary,
    AssessmentView,
    Status,
    assessment_view,
    get_assessment,
    latest_snapshot,
    list_assessments,
    load_assessment,
    notice,
)
from service.platform.db.tables import Assessment, Revision, Territory
from service.platform.errors import ConflictError, InvalidInputError, PermissionDeniedError
from service.platform.i18n import N_
from service.platform.text import CODE_PATTERN

__all__ = [
    "SYNTHETIC_NOTICE",
    "AssessmentCreate",
    "AssessmentSummary",
    "AssessmentView",
    "ReopenPayload",
    "create_assessment",
    "get_assessment",
    "latest_snapshot",
    "list_assessments",
    "load_assessment",
    "notice",
    "reopen_assessment",
    "save_answers",
    "submit_assessment",
]


class AssessmentCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Start an assessment: a member's own territory and the open campaign by default."""

    territory_code: Annotated[str, Meta(pattern=CODE_PATTERN, examples=["64122"])] | None = None
    campaign: Annotated[int, Meta(ge=2000, le=2100)] | None = None


class ReopenPayload(msgspec.Struct, forbid_unknown_fields=True):
    """Why a submitted assessment is reopened (kept in its history)."""

    reason: Annotated[str, Meta(max_length=1000, pattern=r"^[^\x00]*$")] | None = None


async def create_assessment(
    session: AsyncSession, principal: Principal | None, model: Model, data: AssessmentCreate
) -> AssessmentView:
    """Start the assessment of a territory for a campaign (members: their own territory)."""
    caller = require_role(principal, "member", "admin")
    code = data.territory_code or caller.territory_code
    if code is None:
        raise InvalidInputError(N_("Précisez le territoire évalué (territory_code)."))
    if not caller.owns(code):
        raise PermissionDeniedError(N_("Un membre n'évalue que son propre territoire."))
    territory = await session.get(Territory, code)
    if territory is None:
        raise InvalidInputError(N_("Territoire inconnu « %(code)s »."), code=code)
    campaign = (
        await get_campaign(session, data.campaign)
        if data.campaign is not None
        else await current_campaign(session)
    )
    if campaign.status != "open":
        raise ConflictError(N_("La campagne %(year)s est close."), year=campaign.year)
    existing = (
        await session.execute(
            select(Assessment.id).where(
                Assessment.territory_code == code, Assessment.campaign_year == campaign.year
            )
        )
    ).scalar()
    if existing is not None:
        raise ConflictError(
            N_("%(name)s a déjà une évaluation pour %(year)s : %(existing)s."),
            name=territory.name,
            year=campaign.year,
            existing=existing,
        )
    now = utcnow()
    assessment = Assessment(
        id=uuid.uuid4(),
        territory_code=code,
        campaign_year=campaign.year,
        status="draft",
        model_version=campaign.model_version,
        revision=0,
        created_at=now,
        created_by=caller.user_id,
        updated_at=now,
        synthetic=False,
    )
    session.add(assessment)
    await session.flush()
    return assessment_view(
        assessment, territory, Snapshot(), editions_for(model).get(campaign.model_version)
    )


async def _writable(session: AsyncSession, assessment: Assessment, model: Model) -> None:
    campaign = await get_campaign(session, assessment.campaign_year)
    if campaign.status != "open":
        raise ConflictError(
            N_("La campagne %(year)s est close : plus de modification."), year=campaign.year
        )
    if assessment.model_version != model.version:
        raise ConflictError(
            N_(
                "Évaluation répondue avec le modèle %(model_version)s ; le service utilise le "
                "modèle %(version)s."
            ),
            model_version=assessment.model_version,
            version=model.version,
        )


async def _append(
    session: AsyncSession,
    assessment: Assessment,
    caller: Principal,
    kind: Literal["draft", "submission", "reopening"],
    snapshot: Snapshot,
    *,
    seen: int,
    status: Status,
    note: str | None = None,
) -> None:
    """Advance the assessment from revision `seen` (compare-and-set) and store the snapshot."""
    now = utcnow()
    values: dict[str, Any] = {"revision": seen + 1, "updated_at": now, "status": status}
    if kind == "submission":
        values |= {"submitted_revision": seen + 1, "submitted_at": now}
    result = await session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id, Assessment.revision == seen)
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError(N_("L'évaluation vient d'être modifiée par ailleurs : rechargez-la."))
    session.add(
        Revision(
            assessment_id=assessment.id,
            number=seen + 1,
            kind=kind,
            author_id=caller.user_id,
            author_email=caller.email,
            api_key_id=caller.api_key_id,
            created_at=now,
            model_version=assessment.model_version,
            note=note,
            **snapshot.columns(),
        )
    )
    await session.flush()
    await session.refresh(assessment)


async def save_answers(
    session: AsyncSession,
    principal: Principal | None,
    model: Model,
    assessment_id: uuid.UUID,
    payload: AnswersPayload,
    *,
    merge: bool = False,
) -> AssessmentView:
    """Save a draft: replace (or, with `merge`, update) the answers, comments, evidence links
    and targets. A save that changes nothing adds no revision."""
    caller = require_principal(principal)
    assessment, territory = await load_assessment(session, caller, assessment_id)
    model = editions_for(model).get(assessment.model_version)  # the assessment's own edition
    seen = assessment.revision
    if payload.expected_revision is not None and payload.expected_revision != seen:
        raise ConflictError(
            N_(
                "Vous modifiez la révision %(expected_revision)s, mais la dernière est la "
                "%(seen)s : rechargez l'évaluation."
            ),
            expected_revision=payload.expected_revision,
            seen=seen,
        )
    if assessment.status != "draft":
        raise ConflictError(N_("Évaluation soumise : un administrateur doit la rouvrir."))
    await _writable(session, assessment, model)
    incoming = validate_payload(model, payload)
    current = await latest_snapshot(session, assessment)
    snapshot = (current.merged(incoming) if merge else incoming).confirming(
        current, payload.to_confirm
    )
    if snapshot != current or seen == 0:
        await _append(session, assessment, caller, "draft", snapshot, seen=seen, status="draft")
    return assessment_view(assessment, territory, snapshot, model)


async def submit_assessment(
    session: AsyncSession, principal: Principal | None, model: Model, assessment_id: uuid.UUID
) -> AssessmentView:
    """Submit the latest draft (a new revision): it then counts in the campaign's results."""
    caller = require_principal(principal)
    assessment, territory = await load_assessment(session, caller, assessment_id)
    model = editions_for(model).get(assessment.model_version)  # the assessment's own edition
    if assessment.status == "submitted":
        raise ConflictError(N_("Évaluation déjà soumise."))
    await _writable(session, assessment, model)
    snapshot = await latest_snapshot(session, assessment)
    if not any(value != "unknown" for value in snapshot.answers.values()):
        raise InvalidInputError(N_("Aucune réponse enregistrée : rien à soumettre."))
    await _append(
        session,
        assessment,
        caller,
        "submission",
        snapshot,
        seen=assessment.revision,
        status="submitted",
    )
    return assessment_view(assessment, territory, snapshot, model)


async def reopen_assessment(
    session: AsyncSession,
    principal: Principal | None,
    model: Model,
    assessment_id: uuid.UUID,
    reason: str | None = None,
) -> AssessmentView:
    """Reopen a submitted assessment for changes (admins only); resubmitting adds a revision."""
    caller = require_role(principal, "admin")
    assessment, territory = await load_assessment(session, caller, assessment_id)
    model = editions_for(model).get(assessment.model_version)  # the assessment's own edition
    if assessment.status != "submitted":
        raise ConflictError(N_("Seule une évaluation soumise peut être rouverte."))
    await _writable(session, assessment, model)
    snapshot = await latest_snapshot(session, assessment)
    await _append(
        session,
        assessment,
        caller,
        "reopening",
        snapshot,
        seen=assessment.revision,
        status="draft",
        note=reason,
    )
    return assessment_view(assessment, territory, snapshot, model)
