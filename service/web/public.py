"""Pages anyone may see: home, the maturity model, the language switch."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from litestar import Controller, Request, get
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template

from maturity.model import Model
from service.assessments.editions import editions_for
from service.assessments.model_view import model_view
from service.deps import CurrentModel, CurrentPrincipal, DbSession, DbSessions, PeerCache
from service.platform.errors import NotFoundError
from service.platform.i18n import N_
from service.web.home import national_overview
from service.web.i18n import LANG_COOKIE, LANGS
from service.web.rendering import page, request_lang, safe_next

__all__ = ["PublicPages"]

ONE_YEAR = 365 * 24 * 3600


Edition = Annotated[str | None, QueryParameter(max_length=32)]
"""``?edition=``: another edition of the model the service knows."""


def _edition(model: Model, version: str | None) -> Model:
    """The edition `version` of the model (the one in force when None); 404 when unknown."""
    editions = editions_for(model)
    if version is None or version == model.version:
        return model
    if not editions.knows(version):
        raise NotFoundError(
            N_("Modèle %(version)s inconnu de ce service (modèles : %(known)s)."),
            version=version,
            known=", ".join(editions.versions),
        )
    return editions.get(version)


class PublicPages(Controller):
    """Home, model and language switch."""

    path = "/"
    include_in_schema = False

    @get("/", name="home")
    async def home(
        self,
        request: Request[Any, Any, Any],
        model: CurrentModel,
        principal: CurrentPrincipal,
        db_session: DbSession,
        db_sessions: DbSessions,
        benchmarks: PeerCache,
    ) -> Template:
        """What the service is, the model in two sentences, national aggregates, log in."""
        lang = request_lang(request)
        national = await national_overview(db_session, db_sessions, benchmarks, lang)
        return page(
            request, "home.html", principal, model=model_view(model, lang), national=national
        )

    @get("/modele", name="model")
    async def model_index(
        self,
        request: Request[Any, Any, Any],
        model: CurrentModel,
        principal: CurrentPrincipal,
        edition: Edition = None,
    ) -> Template:
        """Pillars, dimensions, levels and how scores are computed: the edition in force, or
        another one the service knows (``?edition=``), with links to the others."""
        lang = request_lang(request)
        shown = _edition(model, edition)
        info = shown.model
        return page(
            request,
            "model/index.html",
            principal,
            model=model_view(shown, lang),
            description=info.description.get(lang) if info.description else None,
            sources=info.sources,
            editions=editions_for(model).versions,
            in_force=model.version,
        )

    @get("/modele/{dimension_id:str}", name="model-dimension")
    async def model_dimension(
        self,
        request: Request[Any, Any, Any],
        model: CurrentModel,
        principal: CurrentPrincipal,
        dimension_id: Annotated[str, PathParameter(max_length=64)],
        edition: Edition = None,
    ) -> Template:
        """One dimension: its questions and the five descriptors of each (``?edition=``:
        in another edition of the model)."""
        shown = _edition(model, edition)
        view = model_view(shown, request_lang(request))
        ids = [d.id for d in view.dimensions]
        if dimension_id not in ids:
            raise NotFoundError(N_("Dimension inconnue."))
        at = ids.index(dimension_id)
        dimension = view.dimensions[at]
        return page(
            request,
            "model/dimension.html",
            principal,
            dimension=dimension,
            pillar=next(p for p in view.pillars if p.id == dimension.pillar),
            previous=view.dimensions[at - 1] if at > 0 else None,
            following=view.dimensions[at + 1] if at + 1 < len(ids) else None,
            edition=None if shown is model else shown.version,
        )

    @get("/langue/{lang:str}", name="language")
    async def switch_language(
        self,
        lang: Annotated[str, PathParameter(max_length=5)],
        next_: Annotated[str | None, QueryParameter(name="next", max_length=2000)] = None,
    ) -> Redirect:
        """Remember the chosen language in a cookie and go back to the page."""
        if lang not in LANGS:
            raise NotFoundError(N_("Langue inconnue."))
        response = Redirect(path=_without_lang(safe_next(next_)), status_code=303)
        response.set_cookie(LANG_COOKIE, lang, max_age=ONE_YEAR, samesite="lax", httponly=True)
        return response


def _without_lang(target: str) -> str:
    """`target` without a ``lang`` query parameter, which would override the new choice."""
    path, _, query = target.partition("?")
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "lang"]
    return f"{path}?{urlencode(kept)}" if kept else path
