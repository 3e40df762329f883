"""Agreements and gaps between the voices of an assessment, as the lead sees them.

The submitted answers of the invited respondents are scored in one engine call and their
statistics computed in one vectorised pass (`maturity.voices`). What the lead sees obeys the
model's thresholds: a role group with fewer than ``min_group`` respondents never shows on its
own (neither its distribution nor its mean), and a question's overall distribution shows only
once ``min_group`` voices answered it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Final

import msgspec
import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.coevaluation import CoEvaluation
from maturity.grid import answer_cells
from maturity.model import Model
from maturity.scoring import answers_frame, score_grid
from maturity.voices import (
    dimension_matrix,
    divergence,
    group_sizes,
    level_counts,
    perception_gaps,
    shown_means,
)
from service.accounts.auth import Principal
from service.assessments.editions import editions_for
from service.assessments.workflow import notice
from service.platform.db.tables import VoiceRespondent
from service.territories.directory import TerritoryRef
from service.voices.respondents import coevaluation_of, lead_assessment

__all__ = [
    "STRONGEST",
    "DimensionVoices",
    "PerceptionGap",
    "QuestionVoices",
    "RoleGroup",
    "Voice",
    "VoicesReport",
    "compute_report",
    "submitted_voices",
    "voices_report",
]

STRONGEST: Final = 5
"""How many questions of strongest disagreement the report lists."""


class Voice(msgspec.Struct, frozen=True):
    """One submitted voice: its role and answers (never shown as such to the lead)."""

    role: str
    answers: dict[str, int | str]


class RoleGroup(msgspec.Struct):
    """A role and how many voices answered in it; ``shown`` when large enough to show."""

    role: str
    respondents: int
    shown: bool


class QuestionVoices(msgspec.Struct):
    """One question across the voices. ``distribution`` counts the answers 0..top (None
    below the threshold); ``by_role`` and ``role_means`` hold the shown role groups only;
    ``spread`` is the distance between the highest and lowest role means."""

    question: str
    dimension: str
    answered: int
    distribution: list[int] | None
    by_role: dict[str, list[int]]
    role_means: dict[str, float]
    mean: float | None
    sd: float | None
    spread: float | None
    divergent: bool


class DimensionVoices(msgspec.Struct):
    """A dimension's score (0–100) by shown role group."""

    dimension: str
    by_role: dict[str, float]


class PerceptionGap(msgspec.Struct):
    """An « écart de perception » of the model that triggers, with its gap in points."""

    id: str
    label: str
    message: str
    gap: float
    source: str | None


class VoicesReport(msgspec.Struct):
    """The agreements and gaps of an assessment's voices."""

    assessment_id: uuid.UUID | None
    territory: TerritoryRef | None
    campaign: int | None
    min_group: int
    respondents: int
    roles: list[RoleGroup]
    questions: list[QuestionVoices]
    dimensions: list[DimensionVoices]
    strongest: list[str]
    perception: list[PerceptionGap]
    synthetic: bool = False
    notice: str | None = None


def _number(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 2)


def _questions(
    model: Model, coev: CoEvaluation, cells: np.ndarray, roles: np.ndarray
) -> list[QuestionVoices]:
    """The per-question statistics of one territory's voices."""
    ids = [r.id for r in coev.roles]
    sizes = group_sizes(roles, len(ids))
    shown = sizes >= coev.min_group
    stats = divergence(cells, roles, shown[None], coev.divergence_gap, coev.divergence_sd)
    shown_ids = [ids[g] for g in stats.by_role.groups]  # one territory: a group is a role
    levels = max((q.top for _, q in model.iter_questions()), default=0) + 1
    counts = level_counts(cells, roles, len(ids), levels)
    found = []
    for at, (dimension, question) in enumerate(model.iter_questions()):
        answered = int(stats.answered[at, 0])
        visible = answered >= coev.min_group
        width = question.top + 1
        found.append(
            QuestionVoices(
                question=question.id,
                dimension=dimension.id,
                answered=answered,
                distribution=counts[at].sum(axis=0)[:width].tolist() if visible else None,
                by_role={ids[r]: counts[at, r, :width].tolist() for r in np.flatnonzero(shown)},
                role_means={
                    role: round(float(m), 2)
                    for role, m in zip(shown_ids, stats.by_role.mean[at], strict=True)
                    if not np.isnan(m)
                },
                mean=_number(stats.overall_mean[at, 0]) if visible else None,
                sd=_number(stats.overall_sd[at, 0]) if visible else None,
                spread=_number(stats.spread[at, 0]),
                divergent=bool(stats.divergent[at, 0]) and visible,
            )
        )
    return found


def compute_report(model: Model, voices: Sequence[Voice], lang: str = "fr") -> VoicesReport:
    """The report of a territory's submitted voices (pure: no database)."""
    coev = coevaluation_of(model)
    index = coev.role_index()
    ids = list(index)
    roles = np.array([index[v.role] for v in voices], dtype=np.int64)
    sizes = group_sizes(roles, len(ids))
    shown = sizes >= coev.min_group
    if voices:
        frame = answers_frame({f"{at:06d}": v.answers for at, v in enumerate(voices)}, model)
        grid = answer_cells(model, frame)  # one grid for the statistics and the scores
        cells = grid.cells
        scores = dimension_matrix(model, score_grid(model, grid).dimensions, len(voices))
    else:
        cells = np.zeros((len(model.questions), 0), dtype=np.int8)
        scores = np.zeros((len(model.dimensions), 0))
    questions = _questions(model, coev, cells, roles)
    by_role = shown_means(scores, roles, shown[None])
    dimensions = [
        DimensionVoices(
            d.id,
            {
                ids[g]: round(float(m), 1)
                for g, m in zip(by_role.groups, by_role.mean[at], strict=True)
                if not np.isnan(m)
            },
        )
        for at, d in enumerate(model.dimensions)
    ]
    gaps = perception_gaps(coev, [d.id for d in model.dimensions], by_role, 1)
    ranked = sorted(
        (q for q in questions if q.spread is not None), key=lambda q: (-(q.spread or 0), q.question)
    )
    return VoicesReport(
        assessment_id=None,
        territory=None,
        campaign=None,
        min_group=coev.min_group,
        respondents=len(voices),
        roles=[RoleGroup(r, int(sizes[at]), bool(shown[at])) for at, r in enumerate(ids)],
        questions=questions,
        dimensions=dimensions,
        strongest=[q.question for q in ranked[:STRONGEST] if (q.spread or 0) > 0],
        perception=[
            PerceptionGap(
                rule.id,
                rule.label.get(lang),
                rule.message.get(lang),
                round(float(gap[0]), 1),
                rule.source,
            )
            for rule, gap, hit in gaps
            if hit[0]
        ],
    )


async def submitted_voices(session: AsyncSession, assessment_id: uuid.UUID) -> list[Voice]:
    """The submitted, unrevoked invited voices of an assessment, in a stable order."""
    rows = await session.scalars(
        select(VoiceRespondent)
        .where(
            VoiceRespondent.assessment_id == assessment_id,
            VoiceRespondent.kind == "invited",
            VoiceRespondent.submitted_at.is_not(None),
            VoiceRespondent.revoked_at.is_(None),
        )
        .order_by(VoiceRespondent.submitted_at, VoiceRespondent.id)
    )
    return [Voice(row.role, dict(row.answers)) for row in rows]


async def voices_report(
    session: AsyncSession,
    principal: Principal | None,
    model: Model,
    assessment_id: uuid.UUID,
    lang: str = "fr",
) -> VoicesReport:
    """The agreements and gaps of an assessment's voices, for its lead."""
    assessment, territory = await lead_assessment(session, principal, assessment_id)
    edition = editions_for(model).get(assessment.model_version)
    voices = await submitted_voices(session, assessment.id)
    known = coevaluation_of(edition).role_index()
    report = compute_report(edition, [v for v in voices if v.role in known], lang)
    return msgspec.structs.replace(
        report,
        assessment_id=assessment.id,
        territory=TerritoryRef(territory.code, territory.name, territory.kind),
        campaign=assessment.campaign_year,
        synthetic=assessment.synthetic,
        notice=notice(assessment.synthetic),
    )
