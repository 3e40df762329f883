"""Co-évaluation pages: the lead's « Voix » page (respondents, divergence map, strongest
disagreements, écarts de perception, consolidation) and the respondent's page behind their
personal link. Every number comes from `service.voices` (the same calls as the JSON API)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from maturity.model import Model
from service.accounts.auth import Principal
from service.assessments.editions import editions_for
from service.assessments.workflow import get_assessment
from service.deps import AppSettings, CurrentModel, CurrentPrincipal, DbSession, Mail
from service.platform.errors import ConflictError, DomainError, InvalidInputError
from service.platform.i18n import N_, MessageId, translate
from service.voices.consolidation import (
    ConsolidationPayload,
    consolidate,
    consolidation_download,
    consolidation_history,
)
from service.voices.gaps import VoicesReport, voices_report
from service.voices.notify import invite_and_send, remind_and_send
from service.voices.panel import panel_summary
from service.voices.respondents import (
    LINK_PREFIX,
    VoiceAnswers,
    VoiceInvite,
    VoiceLink,
    VoiceView,
    coevaluation_of,
    list_respondents,
    open_by_token,
    revoke_respondent,
    save_own_answers,
    submit_own_answers,
)
from service.web.forms import read_form
from service.web.rendering import page, request_lang, svg
from service.web.voices_chart import divergence_map

__all__ = [
    "TOKEN_PAGE",
    "VoicesPages",
    "answer_form",
    "form_answers",
    "lead_page",
    "refusal",
    "voice_page",
]

TOKEN_PAGE: Final = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
"""Headers of a page reached by a secret link: never cached, the link never sent onwards."""
AssessmentId = Annotated[uuid.UUID, PathParameter()]
RespondentId = Annotated[uuid.UUID, PathParameter()]
Token = Annotated[str, PathParameter(max_length=100)]


def _map(model: Model, report: VoicesReport, lang: str) -> str:
    """The divergence map of a report (shown role groups only)."""
    coev = coevaluation_of(model)
    shown = [g.role for g in report.roles if g.shown]
    labels = {r.id: r.label.get(lang) for r in coev.roles}
    rows = [[d.by_role.get(role) for role in shown] for d in report.dimensions]
    return divergence_map(
        translate(lang, N_("Score de chaque dimension selon les groupes de voix (0 à 100)")),
        [model.dimension_by_id[d.dimension].label.get(lang) for d in report.dimensions],
        [labels[r] for r in shown],
        rows,
        empty=translate(
            lang,
            N_("Aucun groupe de rôle n'atteint encore %(n)s répondants."),
            n=report.min_group,
        ),
    )


def refusal(error: DomainError | None, lang: str) -> dict[str, Any]:
    """A page's ``status_code`` and ``error`` text for a refusal shown on it (none: 200)."""
    if error is None:
        return {"status_code": 200, "error": None}
    return {"status_code": error.status_code, "error": error.translate(lang)}


def form_answers(form: dict[str, str], model: Model) -> dict[str, int | str]:
    """The answers of a questionnaire form (``q:<id>`` fields; empty ones left out)."""
    found: dict[str, int | str] = {}
    for qid in model.questions:
        value = form.get(f"q:{qid}", "").strip()
        if value:
            found[qid] = int(value) if value.isdigit() else value
    return found


def voice_page(
    request: Request[Any, Any, Any],
    principal: Principal | None,
    model: Model,
    voice: VoiceView,
    action: str,
    *,
    message: str | None = None,
    error: DomainError | None = None,
    headers: dict[str, str] | None = None,
) -> Template:
    """A respondent's questionnaire (own answers only), posted back to `action`; an `error`
    shows its message and sets the page's status."""
    edition = editions_for(model).get(voice.model_version)  # the assessment's own edition
    return page(
        request,
        "voices/respondent.html",
        principal,
        headers=headers,
        voice=voice,
        model=edition,
        role=next((r for r in coevaluation_of(edition).roles if r.id == voice.role), None),
        action=action,
        message=message,
        **refusal(error, request_lang(request)),
    )


async def answer_form(
    request: Request[Any, Any, Any],
    model: Model,
    voice: VoiceView,
    save: Callable[[VoiceAnswers], Awaitable[object]],
    submit: Callable[[], Awaitable[object]],
    draft_note: MessageId,
) -> tuple[str | None, InvalidInputError | ConflictError | None]:
    """Save the posted answers, then send them when asked: the note to show, or the error."""
    form = await read_form(request)
    edition = editions_for(model).get(voice.model_version)
    try:
        await save(VoiceAnswers(form_answers(form, edition)))
        if form.get("action") == "submit":
            await submit()
            return translate(request_lang(request), N_("Merci : vos réponses sont envoyées.")), None
    except (InvalidInputError, ConflictError) as exc:
        return None, exc
    return translate(request_lang(request), draft_note), None


async def lead_page(
    request: Request[Any, Any, Any],
    db_session: Any,
    principal: Principal | None,
    model: Model,
    assessment_id: uuid.UUID,
    *,
    link: VoiceLink | None = None,
    panel_link: str | None = None,
    error: DomainError | None = None,
) -> Template:
    """The lead's « Voix » page, with a link just made (a respondent's or the panel's), or an
    `error` refused (its message shown, its status the page's)."""
    lang = request_lang(request)
    base = str(request.base_url).rstrip("/")
    view = await get_assessment(db_session, principal, model, assessment_id)
    edition = editions_for(model).get(view.model_version)
    report = await voices_report(db_session, principal, model, assessment_id, lang)
    questions = {q.question: q for q in report.questions}
    return page(
        request,
        "voices/lead.html",
        principal,
        **refusal(error, lang),
        assessment=view,
        report=report,
        roles=coevaluation_of(edition).roles,
        role_labels={r.id: r.label.get(lang) for r in coevaluation_of(edition).roles},
        respondents=await list_respondents(db_session, principal, assessment_id),
        strongest=[(edition.questions[q][1], questions[q]) for q in report.strongest],
        map=svg(_map(edition, report, lang)),
        link=link,
        link_url=base + link.path if link else None,
        panel=await panel_summary(db_session, principal, model, assessment_id),
        panel_url=base + panel_link if panel_link else None,
        history=await consolidation_history(db_session, principal, assessment_id),
        model=edition,
        official=view.answers,
    )


class VoicesPages(Controller):
    """The lead's co-évaluation page and the respondents' personal pages."""

    path = "/"
    include_in_schema = False

    @get("/evaluations/{assessment_id:uuid}/voix", name="voices")
    async def voices(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
    ) -> Template:
        """Who answered, the divergence map, the strongest disagreements, the gaps."""
        return await lead_page(request, db_session, principal, model, assessment_id)

    @post("/evaluations/{assessment_id:uuid}/voix/inviter", name="voices-invite", status_code=200)
    async def invite(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        settings: AppSettings,
        postman: Mail,
        assessment_id: AssessmentId,
    ) -> Template:
        """Invite a respondent; the page shows their personal link once."""
        form = await read_form(request)
        data = VoiceInvite(
            role=form.get("role", ""),
            label=form.get("label", "").strip()[:200],
            email=form.get("email", "").strip()[:254] or None,
        )
        try:
            if not data.label:
                raise InvalidInputError(N_("Indiquez le nom ou le service du répondant."))
            link = await invite_and_send(
                db_session, principal, postman, model, assessment_id, data,
                valid_days=settings.voice_link_days, base=str(request.base_url),
            )  # fmt: skip
        except (InvalidInputError, ConflictError) as exc:
            return await lead_page(request, db_session, principal, model, assessment_id, error=exc)
        return await lead_page(request, db_session, principal, model, assessment_id, link=link)

    @post(
        "/evaluations/{assessment_id:uuid}/voix/{respondent_id:uuid}/relancer",
        name="voices-remind",
        status_code=200,
    )
    async def remind(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        settings: AppSettings,
        postman: Mail,
        assessment_id: AssessmentId,
        respondent_id: RespondentId,
    ) -> Template:
        """A fresh personal link for a respondent who has not answered yet."""
        link = await remind_and_send(
            db_session, principal, postman, assessment_id, respondent_id,
            valid_days=settings.voice_link_days, base=str(request.base_url),
        )  # fmt: skip
        return await lead_page(request, db_session, principal, model, assessment_id, link=link)

    @post(
        "/evaluations/{assessment_id:uuid}/voix/{respondent_id:uuid}/revoquer",
        name="voices-revoke",
        status_code=303,
    )
    async def revoke(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        assessment_id: AssessmentId,
        respondent_id: RespondentId,
    ) -> Redirect:
        """Revoke a respondent's link, then back to the page."""
        await revoke_respondent(db_session, principal, assessment_id, respondent_id)
        return Redirect(path=f"/evaluations/{assessment_id}/voix", status_code=303)

    @post(
        "/evaluations/{assessment_id:uuid}/voix/consolider",
        name="voices-consolidate",
        status_code=303,
    )
    async def consolidate(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
    ) -> Template | Redirect:
        """Record the official answers chosen on the page (only those that change)."""
        form = await read_form(request)
        view = await get_assessment(db_session, principal, model, assessment_id)
        chosen = form_answers(form, editions_for(model).get(view.model_version))
        changed = {q: a for q, a in chosen.items() if view.answers.get(q) != a}
        try:
            if changed:
                await consolidate(
                    db_session, principal, model, assessment_id, ConsolidationPayload(changed)
                )
        except DomainError as exc:
            return await lead_page(request, db_session, principal, model, assessment_id, error=exc)
        return Redirect(path=f"/evaluations/{assessment_id}/voix#consolidation", status_code=303)

    @get("/evaluations/{assessment_id:uuid}/voix/carte.svg", name="voices-map")
    async def map_svg(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
    ) -> Response[str]:
        """The divergence map alone (the results page shows it)."""
        lang = request_lang(request)
        view = await get_assessment(db_session, principal, model, assessment_id)
        report = await voices_report(db_session, principal, model, assessment_id, lang)
        markup = _map(editions_for(model).get(view.model_version), report, lang)
        return Response(markup, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})

    @get("/evaluations/{assessment_id:uuid}/voix/consolidation.csv", name="voices-csv")
    async def csv(
        self, db_session: DbSession, principal: CurrentPrincipal, assessment_id: AssessmentId
    ) -> Response[str]:
        """The consolidated distribution as a CSV file."""
        records = await consolidation_history(db_session, principal, assessment_id)
        return consolidation_download(records, assessment_id)

    @get("/voix/{token:str}", name="voice-respondent")
    async def respondent(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        model: CurrentModel,
        token: Token,
    ) -> Template:
        """The respondent's questionnaire: their own answers only."""
        return await self._respondent_page(request, db_session, model, token)

    async def _respondent_page(
        self,
        request: Request[Any, Any, Any],
        db_session: Any,
        model: Model,
        token: str,
        *,
        message: str | None = None,
        error: DomainError | None = None,
    ) -> Template:
        voice = await open_by_token(db_session, token)
        return voice_page(
            request, None, model, voice, f"{LINK_PREFIX}{token}",
            message=message, error=error, headers=TOKEN_PAGE,
        )  # fmt: skip

    @post("/voix/{token:str}", name="voice-respondent-save", status_code=200)
    async def respondent_save(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        model: CurrentModel,
        token: Token,
    ) -> Template:
        """Save the respondent's draft, or send their answers."""
        voice = await open_by_token(db_session, token)
        message, error = await answer_form(
            request,
            model,
            voice,
            lambda answers: save_own_answers(db_session, model, token, answers),
            lambda: submit_own_answers(db_session, token),
            N_("Brouillon enregistré : vous pouvez revenir par le même lien."),
        )
        return await self._respondent_page(
            request, db_session, model, token, message=message, error=error
        )
