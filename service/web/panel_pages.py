"""The citizens' panel pages: the residents' form behind the panel link, and the lead's
actions to open and close it (the « Voix » page shows its results). Everything goes through
`service.voices.panel`, as the JSON API does."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from service.deps import AppSettings, CurrentModel, CurrentPrincipal, DbSession
from service.platform.errors import (
    ConflictError,
    DomainError,
    InvalidInputError,
    TooManyRequestsError,
)
from service.voices.panel import (
    PanelResponse,
    answer_panel,
    close_panel,
    open_panel,
    panel_form,
)
from service.web.forms import read_form
from service.web.rendering import page, request_lang
from service.web.voices_pages import TOKEN_PAGE, form_answers, lead_page, refusal

__all__ = ["PanelPages"]

AssessmentId = Annotated[uuid.UUID, PathParameter()]
Token = Annotated[str, PathParameter(max_length=100)]


class PanelPages(Controller):
    """The panel form for residents; opening and closing it for the lead."""

    path = "/"
    include_in_schema = False

    @get("/panel/{token:str}", name="panel")
    async def form(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        model: CurrentModel,
        settings: AppSettings,
        token: Token,
    ) -> Template:
        """The panel's questions in plain language."""
        return await self._page(request, db_session, model, settings.secret_key, token)

    async def _page(
        self,
        request: Request[Any, Any, Any],
        db_session: Any,
        model: Any,
        secret: str,
        token: str,
        *,
        done: bool = False,
        error: DomainError | None = None,
    ) -> Template:
        form = await panel_form(db_session, model, token, secret, request_lang(request))
        return page(
            request,
            "voices/panel.html",
            None,
            headers=TOKEN_PAGE,
            form=form,
            token=token,
            done=done,
            **refusal(error, request_lang(request)),
        )

    @post("/panel/{token:str}", name="panel-answer", status_code=200)
    async def answer(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        model: CurrentModel,
        settings: AppSettings,
        token: Token,
    ) -> Template:
        """Record the resident's response, then thank them."""
        data = await read_form(request)
        response = PanelResponse(
            response_token=data.get("response_token", "")[:200],
            answers=form_answers(data, model),
            postcode=data.get("postcode", "").strip()[:10] or None,
        )
        try:
            await answer_panel(request, db_session, model, settings, token, response)
        except (InvalidInputError, ConflictError, TooManyRequestsError) as exc:
            return await self._page(
                request, db_session, model, settings.secret_key, token, error=exc
            )
        return await self._page(request, db_session, model, settings.secret_key, token, done=True)

    @post("/evaluations/{assessment_id:uuid}/voix/panel/ouvrir", name="panel-open", status_code=200)
    async def open(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
    ) -> Template:
        """Open the panel; the « Voix » page shows its link once."""
        link = await open_panel(db_session, principal, model, assessment_id)
        return await lead_page(
            request, db_session, principal, model, assessment_id, panel_link=link.path
        )

    @post("/evaluations/{assessment_id:uuid}/voix/panel/clore", name="panel-close", status_code=303)
    async def close(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
    ) -> Redirect:
        """Close the panel, then back to the « Voix » page."""
        await close_panel(db_session, principal, model, assessment_id)
        return Redirect(path=f"/evaluations/{assessment_id}/voix#panel", status_code=303)
