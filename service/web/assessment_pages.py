"""A member's space and the self-assessment: one page per dimension, drafts, submission.

Every read and write goes through `service.assessments.workflow` (the functions behind
``/api/v1/assessments``), with the signed-in user as principal: the same authorization,
validation and revision history as the API. A member asking for another territory's
assessment gets the same 404 page as for one that does not exist."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from maturity.model import Model
from maturity.scoring import AnswerError
from service.accounts.auth import Principal, require_principal
from service.assessments.campaigns import current_campaign
from service.assessments.carryover import CarryOverRecap, carry_over_recap, carry_over_source
from service.assessments.editions import editions_for
from service.assessments.revisions import get_revision
from service.assessments.workflow import (
    AssessmentCreate,
    AssessmentView,
    create_assessment,
    get_assessment,
    list_assessments,
    save_answers,
    submit_assessment,
)
from service.deps import CurrentModel, CurrentPrincipal, DbSession
from service.platform.errors import ConflictError, InvalidInputError, NotFoundError
from service.platform.i18n import N_, translate
from service.territories.directory import get_territory
from service.voices.accounts import my_voices
from service.web.forms import read_form
from service.web.questionnaire import (
    TARGET_FIELD,
    carry_over_view,
    dimension_fields,
    dimension_payload,
    last_changed_dimension,
    question_forms,
    resume_point,
    unanswered,
)
from service.web.rendering import page, request_lang

__all__ = ["AssessmentPages"]

AssessmentId = Annotated[uuid.UUID, PathParameter()]
DimensionId = Annotated[str, PathParameter(max_length=64)]


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    """The autosave script asks for a small JSON answer instead of a page."""
    return request.headers.get("x-autosave") == "1"


def _dimension_nav(model: Model, dimension_id: str, lang: str) -> dict[str, Any]:
    ids = [d.id for d in model.dimensions]
    if dimension_id not in ids:
        raise NotFoundError(N_("Dimension inconnue."))
    at = ids.index(dimension_id)
    return {
        "dimension": model.dimension_by_id[dimension_id],
        "position": at + 1,
        "previous": ids[at - 1] if at > 0 else None,
        "following": ids[at + 1] if at + 1 < len(ids) else None,
        "dimensions": [(d.id, d.label.get(lang)) for d in model.dimensions],
    }


class AssessmentPages(Controller):
    """Member space and questionnaire pages."""

    path = "/"
    include_in_schema = False

    @get("/espace", name="space")
    async def space(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
    ) -> Template:
        """The signed-in user's home: their territory, the open campaign, their assessments."""
        who = require_principal(principal)
        lang = request_lang(request)
        try:
            campaign = await current_campaign(db_session)
        except ConflictError:
            campaign = None
        territory, assessments, current = None, [], None
        if who.territory_code is not None:
            territory = await get_territory(db_session, who.territory_code, lang)
            listing = await list_assessments(
                db_session, who, territory_code=who.territory_code, per_page=100
            )
            assessments = listing.items
            if campaign is not None:
                current = next((a for a in assessments if a.campaign == campaign.year), None)
        return page(
            request,
            "assessment/space.html",
            who,
            territory=territory,
            campaign=campaign,
            assessments=assessments,
            current=current,
            voices=await my_voices(db_session, who),
        )

    @post("/evaluations", name="assessment-start", status_code=303)
    async def start(
        self, db_session: DbSession, principal: CurrentPrincipal, model: CurrentModel
    ) -> Redirect:
        """Start the territory's assessment for the open campaign, then open it."""
        view = await create_assessment(db_session, principal, model, AssessmentCreate())
        return Redirect(path=f"/evaluations/{view.id}", status_code=303)

    @get("/evaluations/{assessment_id:uuid}", name="assessment")
    async def overview(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
    ) -> Template:
        """Progress per dimension, where to resume, and the way to submit."""
        view = await get_assessment(db_session, principal, model, assessment_id)
        model = editions_for(model).get(view.model_version)  # its own edition
        lang = request_lang(request)
        last = None
        if view.revision:  # where the latest save was made: the revisions tell
            after = await get_revision(db_session, principal, view.id, view.revision)
            before = (
                await get_revision(db_session, principal, view.id, view.revision - 1)
                if view.revision > 1
                else None
            )
            last = last_changed_dimension(
                model,
                msgspec.structs.asdict(before) if before else None,
                msgspec.structs.asdict(after),
            )
        dimension, question = resume_point(model, view.answers, last)
        earlier = await carry_over_source(db_session, view.territory.code, view.campaign)
        return page(
            request,
            "assessment/overview.html",
            principal,
            assessment=view,
            notice=view.notice,
            dimensions=[(d.id, d.label.get(lang)) for d in model.dimensions],
            resume=f"/evaluations/{view.id}/{dimension}" + (f"#q-{question}" if question else ""),
            carry_over_from=earlier.campaign_year if earlier else None,
        )

    @get("/evaluations/{assessment_id:uuid}/{dimension_id:str}", name="assessment-dimension")
    async def dimension_form(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
        dimension_id: DimensionId,
    ) -> Template:
        """One dimension's questions, pre-filled with the latest saved answers."""
        view = await get_assessment(db_session, principal, model, assessment_id)
        model = editions_for(model).get(view.model_version)  # its own edition
        return self._dimension_page(request, principal, model, view, dimension_id)

    @post(
        "/evaluations/{assessment_id:uuid}/{dimension_id:str}",
        name="assessment-dimension-save",
        status_code=303,
    )
    async def save_dimension(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
        dimension_id: DimensionId,
    ) -> Template | Redirect | Response[dict[str, Any]]:
        """Save the draft: this dimension's answers replace the saved ones, the rest is kept.

        Every valid field is saved even when another is refused; the page then comes back
        (422) with the refused fields as typed, each with its message and in the summary. The
        autosave script gets JSON: 200 once saved, with the refused fields in ``errors``; 409
        when someone saved in between (nothing saved)."""
        lang = request_lang(request)
        nav = _dimension_nav(model, dimension_id, lang)
        form = await read_form(request)
        view = await get_assessment(db_session, principal, model, assessment_id)
        model = editions_for(model).get(view.model_version)  # its own edition
        checked = dimension_payload(model, dimension_id, form, msgspec.structs.asdict(view), lang)
        typed = dimension_fields(model, dimension_id, form)
        try:
            view = await save_answers(db_session, principal, model, assessment_id, checked.payload)
        except AnswerError as exc:  # not expected: each field was checked by the same rules
            detail = "; ".join(f"{p.question} : {p.message}" for p in exc.problems)
            if _wants_json(request):
                return Response({"saved": False, "detail": detail}, status_code=422)
            return self._dimension_page(
                request, principal, model, view, dimension_id, typed, {"form": detail}, 422
            )
        except ConflictError as exc:
            if _wants_json(request):
                return Response({"saved": False, "detail": exc.translate(lang)}, status_code=409)
            errors = {"form": exc.translate(lang)}
            return self._dimension_page(
                request, principal, model, view, dimension_id, typed, errors, 409
            )
        if _wants_json(request):
            done = view.progress.dimensions[dimension_id]
            return Response(
                {
                    "saved": True,
                    "revision": view.revision,
                    "answered": done.answered,
                    "total": done.total,
                    "overall_answered": view.progress.answered,
                    "overall_total": view.progress.total,
                    "errors": checked.errors,
                },
                status_code=200,
            )
        if checked.errors:  # the rest is saved: stay on the page to correct what was refused
            return self._dimension_page(
                request, principal, model, view, dimension_id, checked.refused, checked.errors, 422
            )
        action = form.get("action", "save")
        target = {
            "next": nav["following"],
            "previous": nav["previous"],
        }.get(action)
        if action == "summary" or (action == "next" and target is None):
            return Redirect(path=f"/evaluations/{view.id}/soumettre", status_code=303)
        path = f"/evaluations/{view.id}/{target or dimension_id}"
        return Redirect(path=path, query_params={"message": "saved"}, status_code=303)

    @get("/evaluations/{assessment_id:uuid}/soumettre", name="assessment-submit-form")
    async def submit_form(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
    ) -> Template:
        """What is still unanswered, and the confirmation before submitting."""
        view = await get_assessment(db_session, principal, model, assessment_id)
        recap = await carry_over_recap(db_session, principal, model, assessment_id)
        model = editions_for(model).get(view.model_version)  # its own edition
        return self._submit_page(request, principal, model, view, recap=recap)

    @post("/evaluations/{assessment_id:uuid}/soumettre", name="assessment-submit", status_code=303)
    async def submit(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
    ) -> Template | Redirect:
        """Submit once confirmed; the results page follows."""
        form = await read_form(request)
        view = await get_assessment(db_session, principal, model, assessment_id)
        model = editions_for(model).get(view.model_version)  # its own edition
        lang = request_lang(request)
        if form.get("confirm") != "yes":
            error = translate(lang, N_("Cochez la case de confirmation pour soumettre."))
            recap = await carry_over_recap(db_session, principal, model, assessment_id)
            return self._submit_page(
                request, principal, model, view, {"confirm": error}, 422, recap=recap
            )
        try:
            view = await submit_assessment(db_session, principal, model, assessment_id)
        except (InvalidInputError, ConflictError) as exc:
            return self._submit_page(
                request, principal, model, view, {"form": exc.translate(lang)}, exc.status_code
            )
        return Redirect(
            path=f"/evaluations/{view.id}/resultats",
            query_params={"message": "submitted"},
            status_code=303,
        )

    def _dimension_page(
        self,
        request: Request[Any, Any, Any],
        principal: Principal | None,
        model: Model,
        view: AssessmentView,
        dimension_id: str,
        typed: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        """A dimension's page: `typed` are the fields shown as sent rather than as saved,
        `errors` the messages by field name (``form`` for the whole form)."""
        lang = request_lang(request)
        nav = _dimension_nav(model, dimension_id, lang)
        saved = msgspec.structs.asdict(view)
        typed, errors = typed or {}, errors or {}
        target = typed.get(TARGET_FIELD, view.targets.get(dimension_id))
        return page(
            request,
            "assessment/dimension.html",
            principal,
            status_code=status_code,
            assessment=view,
            notice=view.notice,
            questions=question_forms(model, dimension_id, lang, saved, typed, errors),
            errors=errors,
            unsaved=bool(typed),
            target=str(target or ""),
            levels=[(lv.level, lv.label.get(lang)) for lv in model.levels],
            readonly=view.status != "draft",
            **nav,
        )

    def _submit_page(
        self,
        request: Request[Any, Any, Any],
        principal: Principal | None,
        model: Model,
        view: AssessmentView,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
        *,
        recap: CarryOverRecap | None = None,
    ) -> Template:
        """What is unanswered, what became of the pre-filled answers, the confirmation."""
        lang = request_lang(request)
        return page(
            request,
            "assessment/submit.html",
            principal,
            status_code=status_code,
            assessment=view,
            notice=view.notice,
            missing=unanswered(model, view.answers, lang),
            recap=carry_over_view(model, recap, lang),
            errors=errors or {},
        )
