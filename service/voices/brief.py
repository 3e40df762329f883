"""The « Voix » part of the synthesis for the élus: how many voices answered by role (a role
group under the model's threshold is counted only with the others, never named alone), and
the strongest écart de perception in one sentence, or else the question of strongest
disagreement. Built from the same report as the lead's page (`service.voices.gaps`)."""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.model import Model
from service.accounts.auth import Principal
from service.assessments.editions import editions_for
from service.platform.i18n import N_, translate
from service.voices.gaps import VoicesReport, voices_report
from service.voices.respondents import lead_assessment

__all__ = ["RoleCount", "VoicesBrief", "brief_of", "synthesis_voices"]


class RoleCount(msgspec.Struct):
    """A shown role group and its number of voices."""

    role: str
    label: str
    respondents: int


class VoicesBrief(msgspec.Struct):
    """What the synthesis says of the voices."""

    respondents: int
    roles: list[RoleCount]
    others: int
    """Voices of role groups too small to be named alone."""
    min_group: int
    sentence: str
    link: str | None
    """The results' « Voix » section; null on a share link, whose holder cannot open it."""


def _sentence(model: Model, report: VoicesReport, lang: str) -> str:
    if report.perception:
        gap = max(report.perception, key=lambda p: (p.gap, p.id))
        return translate(
            lang,
            N_("%(label)s : %(gap)s points d'écart entre les groupes de voix."),
            label=gap.label,
            gap=f"{gap.gap:.0f}",
        )
    first = report.strongest[0] if report.strongest else None
    question = next((q for q in report.questions if q.question == first), None)
    if question is not None and question.spread:
        return translate(
            lang,
            N_("Désaccord le plus net : « %(question)s » (%(spread)s niveaux entre groupes)."),
            question=model.questions[question.question][1].label.get(lang),
            spread=f"{question.spread:.1f}".replace(".", "," if lang == "fr" else "."),
        )
    return translate(lang, N_("Aucun écart marqué entre les groupes de voix montrés."))


def brief_of(model: Model, report: VoicesReport, lang: str) -> VoicesBrief | None:
    """The brief of a report (None when no voice was sent)."""
    if report.respondents == 0 or model.coevaluation is None:
        return None
    labels = {r.id: r.label.get(lang) for r in model.coevaluation.roles}
    shown = [RoleCount(g.role, labels[g.role], g.respondents) for g in report.roles if g.shown]
    return VoicesBrief(
        respondents=report.respondents,
        roles=shown,
        others=report.respondents - sum(r.respondents for r in shown),
        min_group=report.min_group,
        sentence=_sentence(model, report, lang),
        link=f"/evaluations/{report.assessment_id}/resultats#voix",
    )


async def synthesis_voices(
    session: AsyncSession,
    principal: Principal | None,
    model: Model,
    assessment_id: uuid.UUID,
    lang: str = "fr",
) -> VoicesBrief | None:
    """The « Voix » part of an assessment's synthesis, for its lead; None when the model has
    no co-évaluation, no voice was sent, or the caller does not lead the voices (an analyst)."""
    if principal is None or principal.role not in ("member", "admin"):
        return None
    assessment, _ = await lead_assessment(session, principal, assessment_id)
    edition = editions_for(model).get(assessment.model_version)
    if edition.coevaluation is None:
        return None
    report = await voices_report(session, principal, model, assessment_id, lang)
    return brief_of(edition, report, lang)
