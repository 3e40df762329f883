"""What the holder of a share link reads: the synthesis, the dimension details when the link
opens the full results, and the answers and comments only when the member chose to share them.
The synthesis' « Voix » part is shown whatever the link: it counts voices by role and names the
sharpest gap, never an individual answer (the small-group rule of `service.voices.brief`).

The page ``/partage/{token}``, its PDF and ``GET /api/v1/shared/{token}`` all call
`shared_report`; a link that opens the full results also opens the read-only results page
``/partage/{token}/resultats`` (`shared_results`). A holder reaches nothing else (no other
assessment, no write)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.model import Model
from maturity.results import DimensionResult
from service.accounts.auth import Principal
from service.assessments.editions import editions_for
from service.assessments.scores import score_assessment
from service.assessments.workflow import get_assessment
from service.peers.cache import BenchmarkCache
from service.platform.db import Sessions
from service.platform.errors import NotFoundError
from service.platform.i18n import N_, translate
from service.reports.sharing import SharedAccess, ShareLinkView, open_share_link
from service.reports.synthesis import Synthesis, synthesis_of

__all__ = ["AnswerRow", "SharedLink", "SharedReport", "shared_answers", "shared_report",
           "shared_results"]  # fmt: skip


class AnswerRow(msgspec.Struct):
    """One question's answer and comment, as the questionnaire shows them."""

    dimension: str
    question: str
    label: str
    answer: str
    comment: str | None


class SharedLink(msgspec.Struct):
    """The link as its holder sees it: what it opens and until when (no label, no author)."""

    scope: str
    include_answers: bool
    expires_at: datetime


class SharedReport(msgspec.Struct):
    """The synthesis, plus the dimensions' details (``results`` links) and the answers
    (links made with ``include_answers``); null when the link does not open them."""

    link: SharedLink
    synthesis: Synthesis
    dimensions: list[DimensionResult] | None
    answers: list[AnswerRow] | None


def _answer(value: object, top: int, lang: str) -> str:
    match value:
        case "na":
            return translate(lang, N_("non concerné"))
        case "unknown":
            return translate(lang, N_("je ne sais pas"))
        case int():
            return translate(lang, N_("%(value)s sur %(top)s"), value=value, top=top)
    return "–"


async def shared_answers(
    session: AsyncSession, link: ShareLinkView, reader: Principal, model: Model, lang: str
) -> list[AnswerRow]:
    """Every question's answer and comment, for a link made with ``include_answers``."""
    view = await get_assessment(session, reader, model, link.assessment_id)
    edition = editions_for(model).get(view.model_version)
    return [
        AnswerRow(
            dimension=d.label.get(lang),
            question=q.id,
            label=q.label.get(lang),
            answer=_answer(view.answers.get(q.id), q.top, lang),
            comment=view.comments.get(q.id) or None,
        )
        for d, q in edition.iter_questions()
    ]


async def shared_report(
    session: AsyncSession,
    sessions: Sessions,
    cache: BenchmarkCache,
    model: Model,
    token: str,
    secret: str,
    lang: str = "fr",
) -> SharedReport:
    """What a share link's token opens (404 for a tampered, expired or revoked one)."""
    access = await open_share_link(session, token, secret)
    link, reader = access.link, access.reader
    synthesis = await synthesis_of(
        session,
        sessions,
        cache,
        reader,
        model,
        link.assessment_id,
        lang,
        answers_shown=link.include_answers,
    )
    dimensions = None
    if link.scope == "results":
        score = await score_assessment(session, reader, model, link.assessment_id, lang)
        dimensions = score.result.dimensions
    answers = (
        await shared_answers(session, link, reader, model, lang) if link.include_answers else None
    )
    if synthesis.voices is not None:  # aggregates only; the lead's page is not the holder's
        voices = msgspec.structs.replace(synthesis.voices, link=None)
        synthesis = msgspec.structs.replace(synthesis, voices=voices)
    return SharedReport(
        link=SharedLink(link.scope, link.include_answers, link.expires_at),
        synthesis=synthesis,
        dimensions=dimensions,
        answers=answers,
    )


async def shared_results(session: AsyncSession, token: str, secret: str) -> SharedAccess:
    """The access a token gives to the full results: 404 as for `shared_report`, and for a
    link that opens the synthesis only (the same answer: a holder learns nothing more)."""
    access = await open_share_link(session, token, secret)
    if access.link.scope != "results":
        raise NotFoundError(N_("Ce lien de partage n'ouvre que la synthèse."))
    return access
