"""The national barometer in JSON: published editions and their frozen figures, the draft
for signed-in callers during the review, and the admin's preparation and publication. Thin
HTTP translations of `service.barometer.publication`."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import PathParameter

from service.api.docs import responses
from service.barometer.publication import (
    EditionSummary,
    EditionView,
    concerning,
    get_edition,
    list_editions,
    prepare_edition,
    publish_edition,
)
from service.deps import (
    CurrentModel,
    CurrentPrincipal,
    DbSession,
    DbSessions,
    Mail,
    PeerCache,
)

__all__ = ["BarometerController"]

YearPath = Annotated[int, PathParameter(ge=2000, le=2100, description="Année de la campagne")]


class BarometerController(Controller):
    """The yearly national barometer (agrégats publiés sous secret statistique)."""

    path = "/api/v1/barometer"
    tags = ("Baromètre",)

    @get("/", summary="Éditions publiées du baromètre", responses=responses(list[EditionSummary]))
    async def editions(
        self, db_session: DbSession, principal: CurrentPrincipal
    ) -> list[EditionSummary]:
        """Published editions, newest first (admins see the drafts too)."""
        return await list_editions(db_session, principal)

    @get(
        "/{year:int}",
        summary="Une édition du baromètre",
        responses=responses(EditionView, errors=(404,)),
    )
    async def edition(
        self, year: YearPath, db_session: DbSession, principal: CurrentPrincipal
    ) -> EditionView:
        """A published edition's frozen figures (``aggregates``, ``participation``: the rows of
        the open data); a draft under review only to signed-in callers (a member: the rows
        that concern their territory), else 404."""
        edition = await get_edition(db_session, principal, year)
        if edition.status == "review" and principal is not None and principal.role == "member":
            rows = await concerning(db_session, principal, edition.content)
            return msgspec.structs.replace(edition, content=edition.content | rows)
        return edition

    @post(
        "/{year:int}/prepare",
        summary="Préparer le brouillon d'une édition (admin)",
        responses=responses(EditionView, status=201, errors=(401, 403, 404, 409)),
    )
    async def prepare(
        self,
        year: YearPath,
        db_session: DbSession,
        db_sessions: DbSessions,
        benchmarks: PeerCache,
        principal: CurrentPrincipal,
        model: CurrentModel,
    ) -> EditionView:
        """Freeze the figures of a closed campaign as a draft open to the members' review."""
        return await prepare_edition(db_session, db_sessions, benchmarks, principal, model, year)

    @post(
        "/{year:int}/publish",
        summary="Publier une édition relue (admin)",
        responses=responses(EditionView, status=201, errors=(401, 403, 404, 409)),
    )
    async def publish(
        self, year: YearPath, db_session: DbSession, principal: CurrentPrincipal, postman: Mail
    ) -> EditionView:
        """Publish the reviewed draft at its stable URL (``/barometre/{year}``) and e-mail
        its notice to the members who did not opt out."""
        return await publish_edition(db_session, principal, year, postman)
