"""The citizens' panel: the lead opens, reads and closes it; residents read its questions and
answer through the panel link (one response per form token, rate-limited per address). Thin
translations of `service.voices.panel`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.params import PathParameter

from service.api.docs import body, responses
from service.api.model import Lang
from service.deps import AppSettings, CurrentModel, CurrentPrincipal, DbSession
from service.voices.panel import (
    PANEL_STORE,
    PanelForm,
    PanelLink,
    PanelResponse,
    PanelSummary,
    answer_panel,
    close_panel,
    open_panel,
    panel_form,
    panel_summary,
)

__all__ = ["PANEL_STORE", "LeadPanelController", "PanelController", "PanelReceipt"]

AssessmentId = Annotated[uuid.UUID, PathParameter(description="Identifiant de l'évaluation")]
Token = Annotated[str, PathParameter(max_length=100, description="Jeton du lien du panel")]
Q = "open_governance.resident_co_creation"
LINK = {"token": "panel_…", "path": "/panel/panel_…", "opened_at": "2026-03-02T09:00:00Z"}
SUMMARY = {
    "open": True,
    "responses": 12,
    "min_responses": 5,
    "questions": [{"question": Q, "distribution": [3, 4, 3, 2, 0]}],
}
FORM = {
    "territory": {"code": "64122", "name": "Biarritz", "kind": "commune"},
    "campaign": 2026,
    "questions": [
        {
            "question": Q,
            "label": "Les habitants sont-ils invités à imaginer les projets… ?",
            "levels": ["Jamais", "Rarement", "Parfois", "Souvent", "Toujours"],
            "help": None,
        }
    ],
    "response_token": "…",
}


class PanelReceipt(msgspec.Struct):
    """A response was recorded."""

    recorded: bool = True


class LeadPanelController(Controller):
    """The assessment's citizens' panel, for its lead."""

    path = "/api/v1/assessments/{assessment_id:uuid}/voices/panel"
    tags = ("Co-évaluation",)

    @get(
        "/",
        summary="Panel citoyen (réponses)",
        responses=responses(PanelSummary, SUMMARY, errors=(401, 403, 404, 409)),
    )
    async def summary(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
    ) -> PanelSummary:
        """How many residents answered; the distributions only from ``min_responses`` on."""
        return await panel_summary(db_session, principal, model, assessment_id)

    @post(
        "/",
        summary="Ouvrir le panel citoyen",
        responses=responses(PanelLink, LINK, status=201, errors=(401, 403, 404, 409)),
    )
    async def open(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
    ) -> PanelLink:
        """Open the panel (or reopen it with a new link): the link is shown once."""
        return await open_panel(db_session, principal, model, assessment_id)

    @delete(
        "/",
        summary="Clore le panel citoyen",
        status_code=200,
        responses=responses(PanelSummary, SUMMARY | {"open": False}, errors=(401, 403, 404, 409)),
    )
    async def close(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
    ) -> PanelSummary:
        """Close the panel: its link stops taking responses."""
        return await close_panel(db_session, principal, model, assessment_id)


class PanelController(Controller):
    """The panel as residents reach it, by its link (no account)."""

    path = "/api/v1/panel/{token:str}"
    tags = ("Co-évaluation",)

    @get(
        "/",
        summary="Questions du panel citoyen",
        responses=responses(PanelForm, FORM, errors=(404,)),
    )
    async def form(
        self,
        db_session: DbSession,
        model: CurrentModel,
        settings: AppSettings,
        token: Token,
        lang: Lang = None,
    ) -> PanelForm:
        """The questions in plain language and a one-time ``response_token`` to answer with."""
        return await panel_form(db_session, model, token, settings.secret_key, lang or "fr")

    @post(
        "/responses",
        summary="Répondre au panel citoyen",
        responses=responses(
            PanelReceipt, {"recorded": True}, status=201, errors=(404, 409, 422, 429)
        ),
    )
    async def answer(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        model: CurrentModel,
        settings: AppSettings,
        token: Token,
        data: Annotated[
            PanelResponse,
            body({"response_token": "…", "answers": {Q: 2}, "postcode": "64200"}, "Une réponse"),
        ],
    ) -> PanelReceipt:
        """One response per ``response_token``; nothing personal beyond an optional postcode."""
        await answer_panel(request, db_session, model, settings, token, data)
        return PanelReceipt()
