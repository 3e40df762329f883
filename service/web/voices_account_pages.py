"""The member's side of co-évaluation: the invitations sent to the signed-in account's address
(« Mes co-évaluations »), claimed with one click, then answered from the space without the
personal link. The same calls as the JSON API (`service.voices.accounts`)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from maturity.model import Model
from service.accounts.auth import Principal
from service.deps import CurrentModel, CurrentPrincipal, DbSession
from service.platform.errors import DomainError
from service.platform.i18n import N_
from service.voices.accounts import (
    claim_voice,
    my_voices,
    open_own_voice,
    save_own_voice,
    submit_own_voice,
)
from service.web.rendering import page
from service.web.voices_pages import answer_form, voice_page

__all__ = ["AccountVoicesPages"]

RespondentId = Annotated[uuid.UUID, PathParameter()]
HOME = "/espace/voix"


async def _answer_page(
    request: Request[Any, Any, Any],
    db_session: Any,
    principal: Principal | None,
    model: Model,
    respondent_id: uuid.UUID,
    *,
    message: str | None = None,
    error: DomainError | None = None,
) -> Template:
    voice = await open_own_voice(db_session, principal, respondent_id)
    return voice_page(
        request, principal, model, voice, f"{HOME}/{respondent_id}", message=message, error=error
    )


class AccountVoicesPages(Controller):
    """« Mes co-évaluations »: the account's invitations and its own answers."""

    path = "/"
    include_in_schema = False

    @get(HOME, name="my-voices")
    async def mine(
        self, request: Request[Any, Any, Any], db_session: DbSession, principal: CurrentPrincipal
    ) -> Template:
        """The invitations sent to this account's address, claimed or to claim."""
        voices = await my_voices(db_session, principal)
        return page(request, "voices/mine.html", principal, voices=voices)

    @post(HOME + "/{respondent_id:uuid}/rattacher", name="my-voice-claim", status_code=303)
    async def claim(
        self, db_session: DbSession, principal: CurrentPrincipal, respondent_id: RespondentId
    ) -> Redirect:
        """Attach the invitation to the account, then open its questionnaire."""
        await claim_voice(db_session, principal, respondent_id)
        return Redirect(path=f"{HOME}/{respondent_id}", status_code=303)

    @get(HOME + "/{respondent_id:uuid}", name="my-voice")
    async def answer(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        respondent_id: RespondentId,
    ) -> Template:
        """The questionnaire of a claimed invitation: the account's own answers only."""
        return await _answer_page(request, db_session, principal, model, respondent_id)

    @post(HOME + "/{respondent_id:uuid}", name="my-voice-save", status_code=200)
    async def save(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        respondent_id: RespondentId,
    ) -> Template:
        """Save the draft, or send the answers."""
        voice = await open_own_voice(db_session, principal, respondent_id)
        message, error = await answer_form(
            request,
            model,
            voice,
            lambda answers: save_own_voice(db_session, principal, model, respondent_id, answers),
            lambda: submit_own_voice(db_session, principal, respondent_id),
            N_("Brouillon enregistré : vous pouvez y revenir depuis votre espace."),
        )
        return await _answer_page(
            request, db_session, principal, model, respondent_id, message=message, error=error
        )
