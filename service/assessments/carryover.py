"""Last year's answers carried into this year's assessment, each « à confirmer ».

The territory's assessment of the latest earlier campaign (its submitted content, else its
latest draft) is brought to this assessment's edition of the model: as is for the same edition,
through the mapping file otherwise (``maturity/mappings/README.md``). Nothing already answered
this year is overwritten."""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.editions import AnswerSet, migrate
from maturity.model import Model
from service.accounts.auth import Principal
from service.assessments.answers import COMMENT_MAX, AnswersPayload, Snapshot
from service.assessments.editions import editions_for
from service.assessments.workflow import (
    AssessmentView,
    latest_snapshot,
    load_assessment,
    save_answers,
)
from service.platform.db.tables import Assessment, Revision
from service.platform.errors import ConflictError, NotFoundError
from service.platform.i18n import N_

__all__ = [
    "CarryOver",
    "CarryOverRecap",
    "RecapChange",
    "carry_over",
    "carry_over_recap",
    "carry_over_source",
    "previous_answers",
]


class CarryOver(msgspec.Struct, frozen=True):
    """The previous campaign's content brought to this assessment's edition of the model."""

    campaign: int
    """The earlier campaign it comes from."""
    model_version: str
    """The edition that campaign answered."""
    snapshot: Snapshot
    """The content, on this assessment's edition; ``to_confirm`` lists every question that
    received an answer."""
    lost: list[str]
    """Questions of the earlier edition whose answer has no place in this one."""


async def carry_over_source(
    session: AsyncSession, territory_code: str, campaign: int
) -> Assessment | None:
    """The territory's assessment of the latest campaign before `campaign` that has content."""
    return (
        await session.execute(
            select(Assessment)
            .where(
                Assessment.territory_code == territory_code,
                Assessment.campaign_year < campaign,
                Assessment.revision > 0,
            )
            .order_by(Assessment.campaign_year.desc())
            .limit(1)
        )
    ).scalar()


async def previous_answers(
    session: AsyncSession, principal: Principal | None, model: Model, assessment_id: uuid.UUID
) -> CarryOver:
    """Last campaign's answers, comments, evidence and targets on this assessment's edition,
    with the questions to confirm (404 when there is no earlier campaign with answers, 409
    when no mapping links the two editions)."""
    assessment, _ = await load_assessment(session, principal, assessment_id)
    source = await carry_over_source(session, assessment.territory_code, assessment.campaign_year)
    if source is None:
        raise NotFoundError(N_("Aucune réponse d'une campagne précédente à reprendre."))
    editions = editions_for(model)
    mapping = editions.mapping(source.model_version, assessment.model_version)
    if mapping is None:
        raise ConflictError(
            N_(
                "Les réponses de %(year)s (modèle %(source)s) ne peuvent être reprises dans le "
                "modèle %(target)s : aucun fichier de correspondance ne les relie."
            ),
            year=source.campaign_year,
            source=source.model_version,
            target=assessment.model_version,
        )
    number = source.submitted_revision or source.revision
    row = (
        await session.execute(
            select(Revision).where(Revision.assessment_id == source.id, Revision.number == number)
        )
    ).scalar_one()
    old = Snapshot.from_revision(row)
    moved = migrate(
        mapping,
        editions.get(source.model_version),
        editions.get(assessment.model_version),
        AnswerSet(old.answers, old.comments, old.evidence, old.targets),
    )
    result = moved.result
    return CarryOver(
        campaign=source.campaign_year,
        model_version=source.model_version,
        snapshot=Snapshot(
            answers=dict(result.answers),
            comments={q: c[:COMMENT_MAX] for q, c in result.comments.items()},
            evidence=dict(result.evidence),
            targets=dict(result.targets),
            to_confirm=list(moved.to_confirm),
        ),
        lost=list(moved.lost),
    )


async def carry_over(
    session: AsyncSession, principal: Principal | None, model: Model, assessment_id: uuid.UUID
) -> AssessmentView:
    """Pre-fill the draft with last campaign's content (`previous_answers`) where this year's
    has nothing yet; the answers so filled are « à confirmer ». One new revision."""
    found = await previous_answers(session, principal, model, assessment_id)
    assessment, _ = await load_assessment(session, principal, assessment_id)
    current = await latest_snapshot(session, assessment)
    before = found.snapshot
    filled = [q for q in before.to_confirm if q not in current.answers]
    payload = AnswersPayload(
        answers=before.answers | current.answers,
        comments=before.comments | current.comments,
        evidence=before.evidence | current.evidence,
        targets=before.targets | current.targets,
        expected_revision=assessment.revision,
        to_confirm=[*current.to_confirm, *filled],
    )
    return await save_answers(session, principal, model, assessment_id, payload)


class RecapChange(msgspec.Struct, frozen=True):
    """A pre-filled answer changed since: the answer carried over and the one now."""

    question: str
    carried: int | str
    now: int | str | None
    """None: the answer was removed."""


class CarryOverRecap(msgspec.Struct, frozen=True):
    """What became of last campaign's pre-filled answers, for the page before submitting."""

    campaign: int
    model_version: str
    carried: int
    """Answers of this draft that the earlier campaign could pre-fill (`previous_answers`)."""
    changed: list[RecapChange]
    """Pre-fillable answers that differ now, in model order."""
    to_confirm: list[str]
    """Pre-filled answers left as they were and not confirmed yet, in model order."""
    kept: int
    """Pre-filled answers kept as they were and confirmed."""


async def carry_over_recap(
    session: AsyncSession, principal: Principal | None, model: Model, assessment_id: uuid.UUID
) -> CarryOverRecap | None:
    """This draft's answers against those last campaign pre-fills (through the mapping for
    another edition): changed, still to confirm, kept. None without an earlier campaign or a
    mapping, or when nothing was carried over into this draft."""
    try:
        found = await previous_answers(session, principal, model, assessment_id)
    except (NotFoundError, ConflictError):
        return None
    assessment, _ = await load_assessment(session, principal, assessment_id)
    current = await latest_snapshot(session, assessment)
    marks = select(Revision.to_confirm).where(Revision.assessment_id == assessment.id)
    if not any((await session.execute(marks)).scalars()):
        return None  # no revision ever held answers to confirm: never pre-filled
    carried = found.snapshot.answers
    pending = set(current.to_confirm)
    order = editions_for(model).get(assessment.model_version).questions
    questions = [q for q in order if q in carried]
    changed = [
        RecapChange(q, carried[q], current.answers.get(q))
        for q in questions
        if current.answers.get(q) != carried[q]
    ]
    same = [q for q in questions if current.answers.get(q) == carried[q]]
    return CarryOverRecap(
        campaign=found.campaign,
        model_version=found.model_version,
        carried=len(questions),
        changed=changed,
        to_confirm=[q for q in same if q in pending],
        kept=sum(q not in pending for q in same),
    )
