"""Consolidation: the lead settles the official answers, question by question, seeing every
voice. The official assessment keeps its revisions as always (a consolidation is one more
draft revision); each decision keeps the distribution of the voices it was decided from, as the
lead saw it (small role groups already left out), and is never overwritten."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Response
from msgspec import Meta
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.model import Model
from service.accounts.auth import Principal, utcnow
from service.assessments.answers import AnswersPayload
from service.assessments.workflow import save_answers
from service.platform.db.tables import VoiceConsolidation
from service.platform.errors import InvalidInputError
from service.platform.i18n import N_
from service.voices.gaps import QuestionVoices, voices_report
from service.voices.respondents import lead_assessment

__all__ = [
    "ConsolidationPayload",
    "ConsolidationRecord",
    "consolidate",
    "consolidation_csv",
    "consolidation_download",
    "consolidation_history",
]


class ConsolidationPayload(msgspec.Struct, forbid_unknown_fields=True):
    """The official answers decided, by question id (a level, ``"na"`` or ``"unknown"``); at
    least one, checked by `consolidate` (the OpenAPI schema cannot say it of an object)."""

    answers: Annotated[dict[str, int | str], Meta(max_length=500)]


class ConsolidationRecord(msgspec.Struct):
    """One decision: the official answer, the revision it made and the voices behind it."""

    question: str
    answer: int | str
    revision: int
    decided_at: datetime
    distribution: dict[str, Any]


def _distribution(question: QuestionVoices) -> dict[str, Any]:
    """What the lead saw of a question's voices: only what the thresholds let show."""
    return {
        "answered": question.answered,
        "overall": question.distribution,
        "by_role": question.by_role,
        "spread": question.spread,
        "divergent": question.divergent,
    }


async def consolidate(
    session: AsyncSession,
    principal: Principal | None,
    model: Model,
    assessment_id: uuid.UUID,
    payload: ConsolidationPayload,
) -> list[ConsolidationRecord]:
    """Record the official answers decided from the voices: one new revision of the
    assessment (its usual draft rules apply) and one kept decision per question."""
    report = await voices_report(session, principal, model, assessment_id)
    if not payload.answers:
        raise InvalidInputError(N_("Aucune réponse : rien à envoyer."))
    questions = {q.question: q for q in report.questions}
    unknown = sorted(set(payload.answers) - set(questions))
    if unknown:
        raise InvalidInputError(N_("Questions inconnues : %(ids)s."), ids=", ".join(unknown))
    view = await save_answers(
        session,
        principal,
        model,
        assessment_id,
        AnswersPayload(answers=payload.answers),
        merge=True,
    )
    now, caller = utcnow(), principal.user_id if principal else None
    records = []
    for question, answer in view.answers.items():
        if question not in payload.answers:
            continue
        row = VoiceConsolidation(
            assessment_id=assessment_id,
            revision=view.revision,
            question=question,
            answer=answer,
            distribution=_distribution(questions[question]),
            decided_by=caller,
            decided_at=now,
        )
        session.add(row)
        records.append(ConsolidationRecord(question, answer, view.revision, now, row.distribution))
    await session.flush()
    return records


async def consolidation_history(
    session: AsyncSession, principal: Principal | None, assessment_id: uuid.UUID
) -> list[ConsolidationRecord]:
    """Every decision taken on an assessment, oldest first (the lead's view)."""
    assessment, _ = await lead_assessment(session, principal, assessment_id)
    rows = await session.scalars(
        select(VoiceConsolidation)
        .where(VoiceConsolidation.assessment_id == assessment.id)
        .order_by(VoiceConsolidation.id)
    )
    return [
        ConsolidationRecord(r.question, r.answer, r.revision, r.decided_at, dict(r.distribution))
        for r in rows
    ]


def consolidation_csv(records: list[ConsolidationRecord], levels: int = 5) -> str:
    """The consolidated distribution as CSV: one line per decision and voice group (``*`` for
    all the voices), with the count of each answer level as the lead saw it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        ["question", "reponse_officielle", "revision", "decidee_le", "groupe", "repondants"]
        + [f"niveau_{n}" for n in range(levels)]
    )
    for record in records:
        groups = {"*": record.distribution.get("overall"), **record.distribution.get("by_role", {})}
        for group, counts in groups.items():
            if counts is None:  # below the threshold: nothing to show
                continue
            padded = list(counts) + [""] * (levels - len(counts))
            writer.writerow(
                [
                    record.question,
                    record.answer,
                    record.revision,
                    record.decided_at.isoformat(),
                    group,
                    sum(counts),
                    *padded[:levels],
                ]
            )
    return out.getvalue()


def consolidation_download(
    records: list[ConsolidationRecord], assessment_id: uuid.UUID
) -> Response[str]:
    """The CSV as a download, the same for the API and the page: a BOM for spreadsheet
    software, and never cached (it holds the lead's decisions)."""
    return Response(
        "\ufeff" + consolidation_csv(records),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="consolidation-{assessment_id}.csv"',
            "Cache-Control": "no-store",
        },
    )
