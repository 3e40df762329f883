"""Good-practice library pages (``/pratiques``): published cards for everyone, a member's own
cards with their state and the moderator's comment, the form to write or edit one, and the
admins' moderation queue (``/admin/pratiques``). The same use cases as ``/api/v1/practices``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from maturity.model import Model
from service.deps import CurrentModel, CurrentPrincipal, DbSession, Practices
from service.platform.errors import DomainError, InvalidInputError
from service.platform.i18n import N_, translate
from service.practices.cards import (
    EDITABLE,
    PracticeInput,
    PracticeView,
    create_practice,
    list_practices,
    published_practices,
    read_practice,
    submit_practice,
    update_practice,
)
from service.practices.moderation import Decision, moderate_practice, moderation_queue
from service.web.forms import field_errors
from service.web.rendering import page, request_lang

__all__ = ["PracticePages"]

CardId = Annotated[uuid.UUID, PathParameter()]
TEXTS = ("title", "context", "action", "partners", "results", "contact")


async def _form(request: Request[Any, Any, Any]) -> tuple[dict[str, Any], str]:
    """The card form as the use case's input (lists from repeated fields and one link a line),
    and the button pressed (``draft`` or ``submit``)."""
    form = await request.form()
    values: dict[str, Any] = {name: str(form.get(name) or "") for name in TEXTS}
    values["links"] = [ln.strip() for ln in str(form.get("links") or "").splitlines() if ln.strip()]
    values["dimensions"] = [str(d) for d in form.getall("dimensions", [])]
    values["language"] = "en" if form.get("language") == "en" else "fr"
    return values, str(form.get("intent") or "draft")


def _input(values: dict[str, Any], lang: str) -> PracticeInput | dict[str, str]:
    """The form as a `PracticeInput`, or messages by field: empty or too long."""
    try:
        return msgspec.convert(values, PracticeInput)
    except msgspec.ValidationError as exc:
        field = str(exc).rsplit("$.", 1)[-1].split("[")[0].rstrip("`")
        message = translate(lang, N_("Ce champ est vide ou trop long."))
        return {field if field in values else "title": message}


class PracticePages(Controller):
    """The good-practice library."""

    path = "/"
    include_in_schema = False

    @get("/pratiques", name="practices")
    async def library(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
    ) -> Template:
        """Published cards, newest first."""
        cards = await published_practices(db_session)
        return _cards_page(request, "practices/list.html", principal, model, cards)

    @get("/pratiques/mes-fiches", name="my-practices")
    async def mine(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
    ) -> Template:
        """The member's territory's cards in every state, with the moderator's comment."""
        cards = await list_practices(db_session, principal)
        return _cards_page(request, "practices/mine.html", principal, model, cards)

    @get("/pratiques/nouvelle", name="practice-new")
    async def new(
        self, request: Request[Any, Any, Any], principal: CurrentPrincipal, model: CurrentModel
    ) -> Template:
        """An empty card form."""
        return self._editor(request, principal, model, None, {}, {})

    @post("/pratiques/nouvelle", name="practice-create", status_code=303)
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
    ) -> Template | Redirect:
        """Save a new card as a draft, or submit it at once."""
        return await self._save(request, db_session, principal, model, None)

    @get("/pratiques/{card_id:uuid}", name="practice")
    async def show(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        card_id: CardId,
    ) -> Template:
        """A card: its public page, and for its territory its state and the comment."""
        card = await read_practice(db_session, principal, card_id)
        mine = principal is not None and principal.owns(card.territory_code)
        return page(
            request,
            "practices/show.html",
            principal,
            card=card,
            mine=mine,
            editable=mine and card.status in EDITABLE and not principal.is_admin,  # type: ignore[union-attr]
            dimensions=_dimension_labels(model, request_lang(request)),
        )

    @get("/pratiques/{card_id:uuid}/modifier", name="practice-edit")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        card_id: CardId,
    ) -> Template:
        """The form filled with a draft or returned card."""
        card = await read_practice(db_session, principal, card_id)
        values = msgspec.structs.asdict(card)
        values["links"] = card.links
        return self._editor(request, principal, model, card_id, values, {}, card=card)

    @post("/pratiques/{card_id:uuid}/modifier", name="practice-update", status_code=303)
    async def update(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        card_id: CardId,
    ) -> Template | Redirect:
        """Save the changes; submit the card too when that button was pressed."""
        return await self._save(request, db_session, principal, model, card_id)

    @post("/pratiques/{card_id:uuid}/soumettre", name="practice-submit", status_code=303)
    async def submit(
        self, db_session: DbSession, principal: CurrentPrincipal, card_id: CardId
    ) -> Redirect:
        """Send the card to moderation."""
        await submit_practice(db_session, principal, card_id)
        return Redirect(path=f"/pratiques/{card_id}", status_code=303)

    @get("/admin/pratiques", name="practice-moderation")
    async def queue(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
    ) -> Template:
        """Submitted cards waiting for a decision (admins)."""
        return await _queue_page(request, db_session, principal, model)

    @post("/admin/pratiques/{card_id:uuid}", name="practice-moderate", status_code=303)
    async def moderate(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        practice_corpus: Practices,
        card_id: CardId,
    ) -> Template | Redirect:
        """Publish, return with a comment, or unpublish a card; a refused decision (no
        comment) shows the queue again with the message next to that card's comment."""
        form = await request.form()
        action = str(form.get("action") or "")
        comment = str(form.get("comment") or "")[:2000]
        try:
            decision = msgspec.convert({"action": action, "comment": comment}, Decision)
        except msgspec.ValidationError:
            decision = None
        try:
            if decision is None:
                raise InvalidInputError(N_("Choisissez de publier ou de renvoyer la fiche."))
            await moderate_practice(db_session, principal, card_id, decision, practice_corpus)
        except InvalidInputError as exc:
            message = exc.translate(request_lang(request))
            refused = {"id": card_id, "comment": comment, "message": message}
            return await _queue_page(request, db_session, principal, model, refused=refused)
        return Redirect(path="/admin/pratiques", query_params={"fait": action}, status_code=303)

    async def _save(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: Model,
        card_id: uuid.UUID | None,
    ) -> Template | Redirect:
        """Write the form into a new card (`card_id` None) or into card `card_id`, then submit
        it when that button was pressed; a refused form comes back with its messages (422)."""
        values, intent = await _form(request)
        data = _input(values, request_lang(request))
        if isinstance(data, dict):
            return self._editor(request, principal, model, card_id, values, data)
        try:
            if card_id is None:
                saved = (await create_practice(db_session, principal, model, data)).id
            else:
                await update_practice(db_session, principal, model, card_id, data)
                saved = card_id
            if intent == "submit":
                await submit_practice(db_session, principal, saved)
        except DomainError as exc:
            return self._refused(request, principal, model, card_id, values, exc)
        return Redirect(path=f"/pratiques/{saved}", status_code=303)

    def _editor(
        self,
        request: Request[Any, Any, Any],
        principal: Any,
        model: Model,
        card_id: uuid.UUID | None,
        values: dict[str, Any],
        errors: dict[str, str],
        card: Any = None,
    ) -> Template:
        lang = request_lang(request)
        return page(
            request,
            "practices/form.html",
            principal,
            status_code=422 if errors else 200,
            card_id=card_id,
            card=card,
            values=values,
            errors=errors,
            dimensions=_dimension_labels(model, lang),
        )

    def _refused(
        self,
        request: Request[Any, Any, Any],
        principal: Any,
        model: Model,
        card_id: uuid.UUID | None,
        values: dict[str, Any],
        exc: DomainError,
    ) -> Template:
        lang = request_lang(request)
        errors = field_errors(exc.field_errors(lang), default="title") or {
            "title": exc.translate(lang)
        }
        return self._editor(request, principal, model, card_id, values, errors)


async def _queue_page(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    principal: CurrentPrincipal,
    model: Model,
    refused: dict[str, Any] | None = None,
) -> Template:
    """The moderation queue; `refused`: the card whose decision was refused, with the comment
    typed and the message shown next to it (422)."""
    cards = await moderation_queue(db_session, principal)
    return _cards_page(
        request,
        "practices/moderation.html",
        principal,
        model,
        cards,
        status_code=422 if refused else 200,
        done=None if refused else request.query_params.get("fait"),
        refused=refused,
    )


def _cards_page(
    request: Request[Any, Any, Any],
    template: str,
    principal: CurrentPrincipal,
    model: Model,
    cards: list[PracticeView],
    status_code: int = 200,
    **context: Any,
) -> Template:
    """A page listing `cards`, with the labels of the model's dimensions."""
    return page(
        request,
        template,
        principal,
        status_code=status_code,
        cards=cards,
        dimensions=_dimension_labels(model, request_lang(request)),
        **context,
    )


def _dimension_labels(model: Model, lang: str) -> dict[str, str]:
    """Labels of the model's dimensions, by id, in the model's order."""
    return {d.id: d.label.get(lang) for d in model.dimensions}
