"""Good-practice cards (retours d'expérience): thin translations of `service.practices`, the
use cases the pages call too. A member writes and submits the cards of their territory; an
admin moderates; anyone reads a published card."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from litestar import Controller, get, post, put
from litestar.params import Parameter, PathParameter

from service.api.docs import body, responses
from service.deps import CurrentModel, CurrentPrincipal, DbSession, Practices
from service.practices.cards import (
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

__all__ = ["PracticeController"]

CardId = Annotated[uuid.UUID, PathParameter(description="Identifiant de la fiche")]
CARD_ID = "0b7c6f3e-2d4a-4c8e-9f1a-6e5d4c3b2a19"
INPUT = {
    "title": "Un comité citoyen du numérique",
    "context": "Peu d'habitants connaissaient les services en ligne de la commune.",
    "action": "Un comité de douze habitants tirés au sort se réunit chaque trimestre.",
    "partners": "Le centre social, la médiathèque et deux associations.",
    "results": "Trois services revus ; la fréquentation du guichet en ligne a doublé.",
    "contact": "numerique@mairie.example",
    "links": ["https://www.example.org/comite"],
    "dimensions": ["open_governance"],
    "questions": [],
    "language": "fr",
}
CARD = INPUT | {
    "id": CARD_ID,
    "territory_code": "64122",
    "territory_name": "Biarritz",
    "status": "published",
    "model_version": "2027.1",
    "moderation_comment": None,
    "synthetic": False,
    "created_at": "2026-03-02T09:00:00Z",
    "updated_at": "2026-03-04T09:00:00Z",
    "submitted_at": "2026-03-03T09:00:00Z",
    "published_at": "2026-03-04T09:00:00Z",
    "path": f"/pratiques/{CARD_ID}",
}
StatusFilter = Literal["draft", "submitted", "returned", "published"]


class PracticeController(Controller):
    """The good-practice library."""

    path = "/api/v1/practices"
    tags = ("Retours d'expérience",)

    @get("/", summary="Fiches publiées", responses=responses(list[PracticeView], [CARD]))
    async def published(
        self,
        db_session: DbSession,
        territory: Annotated[
            str | None, Parameter(max_length=9, description="Code du territoire auteur")
        ] = None,
        dimension: Annotated[
            str | None, Parameter(max_length=80, description="Dimension du modèle")
        ] = None,
    ) -> list[PracticeView]:
        """Published cards, newest first, optionally of one territory or one dimension."""
        return await published_practices(
            db_session,
            territory_code=territory.upper() if territory else None,
            dimensions=[dimension] if dimension else None,
        )

    @get(
        "/mine",
        summary="Fiches de mon territoire",
        responses=responses(list[PracticeView], [CARD], errors=(401, 403)),
    )
    async def mine(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        status: Annotated[StatusFilter | None, Parameter(description="État des fiches")] = None,
    ) -> list[PracticeView]:
        """The caller's territory's cards in every state (every card for an admin)."""
        return await list_practices(db_session, principal, status)

    @get(
        "/moderation",
        summary="File de modération",
        responses=responses(
            list[PracticeView], [CARD | {"status": "submitted"}], errors=(401, 403)
        ),
    )
    async def queue(self, db_session: DbSession, principal: CurrentPrincipal) -> list[PracticeView]:
        """Submitted cards waiting for a decision, oldest first (admins)."""
        return await moderation_queue(db_session, principal)

    @get(
        "/{card_id:uuid}",
        summary="Une fiche",
        responses=responses(PracticeView, CARD, errors=(404,)),
    )
    async def read(
        self, db_session: DbSession, principal: CurrentPrincipal, card_id: CardId
    ) -> PracticeView:
        """A published card, or a card of the caller's territory in any state."""
        return await read_practice(db_session, principal, card_id)

    @post(
        "/",
        summary="Écrire une fiche",
        responses=responses(
            PracticeView, CARD | {"status": "draft"}, status=201, errors=(401, 403, 422)
        ),
    )
    async def create(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        data: Annotated[PracticeInput, body(INPUT)],
    ) -> PracticeView:
        """A new draft card of the caller's territory."""
        return await create_practice(db_session, principal, model, data)

    @put(
        "/{card_id:uuid}",
        summary="Modifier une fiche",
        responses=responses(
            PracticeView, CARD | {"status": "draft"}, errors=(401, 403, 404, 409, 422)
        ),
    )
    async def update(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        card_id: CardId,
        data: Annotated[PracticeInput, body(INPUT)],
    ) -> PracticeView:
        """Change a draft or returned card."""
        return await update_practice(db_session, principal, model, card_id, data)

    @post(
        "/{card_id:uuid}/submit",
        summary="Soumettre une fiche",
        status_code=200,
        responses=responses(
            PracticeView, CARD | {"status": "submitted"}, errors=(401, 403, 404, 409)
        ),
    )
    async def submit(
        self, db_session: DbSession, principal: CurrentPrincipal, card_id: CardId
    ) -> PracticeView:
        """Send a draft or returned card to moderation."""
        return await submit_practice(db_session, principal, card_id)

    @post(
        "/{card_id:uuid}/moderation",
        summary="Modérer une fiche",
        status_code=200,
        responses=responses(PracticeView, CARD, errors=(401, 403, 404, 409, 422)),
    )
    async def moderate(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        practice_corpus: Practices,
        card_id: CardId,
        data: Annotated[Decision, body({"action": "return", "comment": "Précisez les résultats."})],
    ) -> PracticeView:
        """Publish, return with a comment, or unpublish a card (admins)."""
        return await moderate_practice(db_session, principal, card_id, data, practice_corpus)
