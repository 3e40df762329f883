"""Public profile of a territory: what anyone may see of a territory that opted in (kind,
population, areas, latest submitted level and dimension profile, the digital lead's contact
when the territory opted in to show it), the page every named peer links to. The same use
cases as ``GET /api/v1/territories/{code}`` and ``…/results`` seen without an account: a
territory without a public profile is a 404, as there."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import PathParameter
from litestar.response import Template

from service.assessments.scores import territory_results
from service.deps import CurrentModel, CurrentPrincipal, DbSession
from service.platform.text import CODE_PATTERN
from service.practices.cards import published_practices
from service.territories.contact import public_contact
from service.territories.directory import get_territory
from service.web.rendering import page, request_lang

__all__ = ["ProfilePages"]

Code = Annotated[str, PathParameter(pattern=CODE_PATTERN)]


class ProfilePages(Controller):
    """Public territory profiles."""

    path = "/territoires"
    include_in_schema = False

    @get("/{code:str}", name="public-profile")
    async def profile(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        code: Code,
    ) -> Template:
        """A public territory: who it is, its latest submitted level and dimension profile."""
        lang = request_lang(request)
        # seen as the public sees it (principal None): a non-public territory is a 404
        results = await territory_results(db_session, None, model, code.upper(), lang=lang)
        territory = await get_territory(db_session, code, lang)
        latest = next((c for c in results.campaigns if c.status == "submitted"), None)
        return page(
            request,
            "territories/profile.html",
            principal,
            territory=territory,
            latest=latest,
            levels=len(model.levels),
            notice=latest.notice if latest is not None else None,
            practices=await published_practices(db_session, territory_code=code.upper()),
            contact=await public_contact(db_session, code.upper()),
        )
