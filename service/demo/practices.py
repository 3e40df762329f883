"""Demo good-practice cards: three published cards, flagged synthetic, written for public demo
territories (Angers, Mulhouse and its EPCI) in the two dimensions where the demo member
(Biarritz) answered lowest in its latest submitted assessment, so that its results page shows
them next to its weakest dimensions and the authors' public profiles list them."""

from __future__ import annotations

import uuid
from typing import Final

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.model import Model
from service.accounts.auth import utcnow
from service.platform.db.tables import Assessment, PracticeCard, Revision

__all__ = ["load_demo_practices", "remove_demo_practices", "weakest_dimensions"]

_CARDS: Final = (
    (
        "49007",
        "Un tableau de bord partagé avec les habitants",
        "La ville suivait ses projets numériques dans des tableurs internes.",
        "Un tableau de bord public, mis à jour chaque trimestre, présente l'avancement et les "
        "indicateurs de chaque projet ; il est discuté une fois par an en conseil de quartier.",
        "La direction du numérique, le service des finances et deux conseils de quartier.",
        "Quatre indicateurs de résultat suivis depuis deux ans (données fictives).",
        "numerique@angers.example",
    ),
    (
        "68224",
        "Des référents numériques dans chaque service",
        "Les projets dépendaient de quelques personnes au sein de la direction informatique.",
        "Un référent par service, formé deux jours par an, relaie les besoins et les projets.",
        "Les directions métiers et le centre de gestion.",
        "Vingt-deux référents formés ; délais de mise en service réduits (données fictives).",
        "dsi@mulhouse.example",
    ),
    (
        "200066009",
        "Une feuille de route numérique intercommunale",
        "Chaque commune menait ses projets sans coordination.",
        "Une feuille de route commune, votée en conseil communautaire, fixe trois priorités.",
        "Les trente-neuf communes membres et le syndicat informatique départemental.",
        "Trois projets mutualisés lancés la première année (données fictives).",
        "feuille-de-route@agglo.example",
    ),
)


async def weakest_dimensions(
    session: AsyncSession, model: Model, code: str, count: int = 2
) -> list[str]:
    """The `count` dimensions where `code` answered lowest (mean answer over the question's
    top) in its latest submitted assessment; the model's first ones when it has none."""
    answers = await session.scalar(
        select(Revision.answers)
        .join(Assessment, Assessment.id == Revision.assessment_id)
        .where(Assessment.territory_code == code, Assessment.status == "submitted")
        .where(Revision.number == Assessment.submitted_revision)
        .order_by(Assessment.campaign_year.desc())
        .limit(1)
    )
    answers = answers or {}
    means: list[tuple[float, int, str]] = []
    for position, dimension in enumerate(model.dimensions):
        values = [
            answers[q.id] / q.top
            for q in dimension.questions
            if isinstance(answers.get(q.id), int) and q.top
        ]
        means.append((sum(values) / len(values) if values else 1.0, position, dimension.id))
    return [dimension for _, _, dimension in sorted(means)[:count]]


async def load_demo_practices(session: AsyncSession, model: Model, demo_territory: str) -> int:
    """Add the demo cards (published, synthetic) unless they are there; how many were added."""
    if await session.scalar(select(PracticeCard.id).where(PracticeCard.synthetic).limit(1)):
        return 0
    weakest = await weakest_dimensions(session, model, demo_territory)
    now = utcnow()
    for n, (code, title, context, action, partners, results, contact) in enumerate(_CARDS):
        session.add(
            PracticeCard(
                id=uuid.uuid4(),
                territory_code=code,
                author_id=None,
                status="published",
                language="fr",
                model_version=model.version,
                title=title,
                context=context,
                action=action,
                partners=partners,
                results=results,
                contact=contact,
                links=[],
                dimensions=[weakest[n % len(weakest)]],
                questions=[],
                moderation_comment=None,
                moderated_by=None,
                synthetic=True,
                created_at=now,
                updated_at=now,
                submitted_at=now,
                published_at=now,
            )
        )
    await session.flush()
    return len(_CARDS)


async def remove_demo_practices(session: AsyncSession) -> None:
    """Delete the demo cards."""
    await session.execute(delete(PracticeCard).where(PracticeCard.synthetic))
