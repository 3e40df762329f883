"""Synthetic voices of the demo territory's co-évaluation: élus, management, digital team,
departments, partners and residents who « answered » Biarritz's latest submitted assessment, so that
the demo member sees the divergence map at once. Deterministic for a seed, flagged
``synthetic``, named by role and number only (no invented person), and their links are never
shown (their tokens are thrown away)."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import Final

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.model import Model
from service.accounts.auth import new_secret, secret_hash
from service.assessments.editions import editions_for
from service.platform.db.tables import Assessment, Revision, VoiceConsolidation, VoiceRespondent

__all__ = ["DEMO_VOICES", "load_demo_voices", "remove_demo_voices"]

DEMO_VOICES: Final = {
    "elu": 3,
    "direction_generale": 3,
    "numerique": 3,
    "service": 5,
    "partenaire": 3,
    "habitant": 4,
    "conseil_citoyen": 1,
}
"""Respondents by role; the lone conseil citoyen shows that a group under 3 stays hidden."""
BIAS: Final = {
    # how each role's reading departs from the official answers, by dimension (levels)
    "elu": {"open_governance": 1.2, "proactive_governance": 0.8, "organisation": 0.6},
    "direction_generale": {"proactive_governance": 0.6, "organisation": 0.5},
    "numerique": {"foundations": 0.6, "open_governance": -0.4},
    "service": {"organisation": -1.0, "open_governance": -0.8, "evaluation": -0.6},
    "partenaire": {"partnerships": -0.8, "open_governance": -0.5},
    "habitant": {"open_governance": -1.4, "evaluation": -1.0, "use_cases": -0.3},
    "conseil_citoyen": {"open_governance": -1.5},
}


def _answer(rng: random.Random, official: object, top: int, shift: float) -> int | str:
    """One voice's answer: the official level moved by the role's reading and some noise."""
    if not isinstance(official, int):
        return "unknown" if rng.random() < 0.5 else rng.randint(0, top)
    if rng.random() < 0.06:
        return "unknown"
    return max(0, min(top, round(official + shift + rng.gauss(0, 0.6))))


async def load_demo_voices(session: AsyncSession, model: Model, territory: str, seed: int) -> int:
    """Add the synthetic voices to `territory`'s latest submitted synthetic assessment, the
    one whose results the demo member reaches from their space, whatever the edition in force
    and whether a later campaign is open or started (none when it has voices already or no
    such assessment); returns how many were added."""
    assessment = (
        await session.scalars(
            select(Assessment)
            .where(
                Assessment.territory_code == territory,
                Assessment.synthetic,
                Assessment.status == "submitted",
            )
            .order_by(Assessment.campaign_year.desc())
            .limit(1)
        )
    ).first()
    if assessment is None or assessment.revision == 0:
        return 0
    taken = await session.scalar(
        select(VoiceRespondent.id).where(VoiceRespondent.assessment_id == assessment.id)
    )
    if taken is not None:
        return 0
    edition = editions_for(model).get(assessment.model_version)
    official = (
        await session.scalars(
            select(Revision.answers).where(
                Revision.assessment_id == assessment.id, Revision.number == assessment.revision
            )
        )
    ).one()
    coev = edition.coevaluation
    names = {r.id: r.label.fr for r in coev.roles} if coev else {}
    rng = random.Random(seed)
    added = 0
    for role, count in DEMO_VOICES.items():
        if role not in names:
            continue
        for number in range(1, count + 1):
            when = assessment.created_at + timedelta(days=rng.randrange(1, 30))
            answers = {
                q.id: _answer(rng, official.get(q.id), q.top, BIAS[role].get(d.id, 0.0))
                for d, q in edition.iter_questions()
            }
            session.add(
                VoiceRespondent(
                    id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    assessment_id=assessment.id,
                    kind="invited",
                    role=role,
                    label=f"{names.get(role, role)} n° {number}",
                    token_hash=secret_hash(new_secret("voix")),
                    created_at=when,
                    expires_at=when + timedelta(days=30),
                    updated_at=when + timedelta(days=2),
                    submitted_at=when + timedelta(days=2),
                    answers=answers,
                    synthetic=True,
                )
            )
            added += 1
    await session.flush()
    return added


async def remove_demo_voices(session: AsyncSession) -> None:
    """Delete the voices and consolidation records of every synthetic assessment."""
    synthetic = select(Assessment.id).where(Assessment.synthetic)
    for table in (VoiceConsolidation, VoiceRespondent):
        await session.execute(delete(table).where(table.assessment_id.in_(synthetic)))
