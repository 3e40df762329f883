"""Share links: in the member's space, ``/evaluations/{id}/partages`` lists an assessment's
read-only links, makes a new one and revokes one (`service.reports.sharing`, the same use
cases as ``/api/v1/assessments/{id}/share-links``); for whoever holds a link made "with the
details", ``/partage/{token}/resultats`` is the full results page, read-only."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from service.assessments.workflow import get_assessment
from service.deps import (
    AppSettings,
    CurrentModel,
    CurrentPrincipal,
    DbSession,
    DbSessions,
    PeerCache,
)
from service.platform.errors import InvalidInputError
from service.platform.i18n import N_, translate
from service.reports.shared import shared_answers, shared_results
from service.reports.sharing import (
    ShareLinkCreate,
    create_share_link,
    list_share_links,
    revoke_share_link,
)
from service.web.forms import read_form
from service.web.rendering import page, request_lang
from service.web.results_pages import ReadOnly, results_page

__all__ = ["SharePages"]

AssessmentId = Annotated[uuid.UUID, PathParameter()]
LinkId = Annotated[uuid.UUID, PathParameter()]
Token = Annotated[str, PathParameter(max_length=120)]
LINKS = "/evaluations/{assessment_id:uuid}/partages"
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
"""A shared page holds its token in its address: never cached, never indexed."""


def _create_payload(form: dict[str, str]) -> ShareLinkCreate | None:
    """The form as a `ShareLinkCreate`, or None when a field is not valid."""
    try:
        return msgspec.convert(
            {
                "label": form.get("label", "").strip(),
                "days": int(form.get("days") or 0),
                "scope": "results" if form.get("scope") == "results" else "synthesis",
                "include_answers": form.get("include_answers") == "on",
            },
            ShareLinkCreate,
        )
    except (ValueError, msgspec.ValidationError):
        return None


class SharePages(Controller):
    """List, create and revoke an assessment's read-only links; the full results a link
    opens."""

    path = "/"
    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        settings: AppSettings,
        assessment_id: uuid.UUID,
        error: str | None = None,
        form: dict[str, str] | None = None,
    ) -> Template:
        view = await get_assessment(db_session, principal, model, assessment_id)
        links = await list_share_links(db_session, principal, assessment_id, settings.secret_key)
        return page(
            request,
            "results/synthese_partages.html",
            principal,
            status_code=422 if error else 200,
            assessment=view,
            links=links,
            base_url=settings.public_url.rstrip("/"),
            max_days=settings.share_link_max_days,
            error=error,
            form=form or {"days": "30"},
            created=request.query_params.get("cree"),
        )

    @get(LINKS, name="share-links")
    async def links(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        settings: AppSettings,
        assessment_id: AssessmentId,
    ) -> Template:
        """The assessment's links, their state, and the form for a new one."""
        return await self._page(request, db_session, principal, model, settings, assessment_id)

    @post(LINKS, name="share-link-create", status_code=303)
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        settings: AppSettings,
        assessment_id: AssessmentId,
    ) -> Template | Redirect:
        """Make a link, then show the list with the new one highlighted."""
        form = await read_form(request)
        data = _create_payload(form)
        lang = request_lang(request)
        error = None
        if data is None:
            error = translate(
                lang,
                N_("Indiquez pour qui est le lien et sa durée, de 1 à %(max)s jours."),
                max=settings.share_link_max_days,
            )
        else:
            try:
                link = await create_share_link(
                    db_session,
                    principal,
                    assessment_id,
                    data,
                    settings.secret_key,
                    settings.share_link_max_days,
                )
            except InvalidInputError as exc:
                error = exc.translate(lang)
            else:
                return Redirect(
                    path=f"/evaluations/{assessment_id}/partages",
                    query_params={"cree": str(link.id)},
                    status_code=303,
                )
        return await self._page(
            request, db_session, principal, model, settings, assessment_id, error, form
        )

    @post(LINKS + "/{link_id:uuid}/revoquer", name="share-link-revoke", status_code=303)
    async def revoke(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        settings: AppSettings,
        assessment_id: AssessmentId,
        link_id: LinkId,
    ) -> Redirect:
        """Revoke a link: it opens nothing from now on."""
        await revoke_share_link(db_session, principal, link_id, settings.secret_key)
        return Redirect(path=f"/evaluations/{assessment_id}/partages", status_code=303)

    @get("/partage/{token:str}/resultats", name="shared-results")
    async def shared(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        db_sessions: DbSessions,
        benchmarks: PeerCache,
        model: CurrentModel,
        settings: AppSettings,
        token: Token,
    ) -> Template:
        """The full results, read-only, for whoever holds a link made with the details (404
        for any other link, as for a tampered, expired or revoked one)."""
        access = await shared_results(db_session, token, settings.secret_key)
        link, reader = access.link, access.reader
        answers = None
        if link.include_answers:
            lang = request_lang(request)
            answers = await shared_answers(db_session, link, reader, model, lang)
        read_only = ReadOnly(
            expires_at=link.expires_at,
            include_answers=link.include_answers,
            synthesis_url=f"/partage/{token}",
            pdf_url=f"/partage/{token}/synthese.pdf",
            answers=answers,
        )
        return await results_page(
            request, db_session, reader, model, db_sessions, benchmarks, link.assessment_id,
            read_only=read_only, headers=PRIVATE,
        )  # fmt: skip
