"""The national barometer's pages: published editions (``/barometre``, each at a stable URL
``/barometre/{year}``), their PDF and open data, and the draft under review, where a member
sees the figures that concern their territory and may flag an error. Thin translations of
`service.barometer.publication` and `service.barometer.opendata`."""

from __future__ import annotations

import json
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from maturity.disclosure import K_MIN, K_QUANTILES
from service.accounts.auth import Principal
from service.barometer.opendata import FILES, data_file, datapackage, zipped
from service.barometer.publication import (
    EditionView,
    FlagCreate,
    concerning,
    flag_error,
    get_edition,
    list_editions,
)
from service.deps import CurrentPrincipal, DbSession
from service.platform.errors import InvalidInputError, NotFoundError
from service.platform.i18n import N_
from service.platform.pdf import pdf_of
from service.web.barometer_view import group_sections, index_chart, metric_rows
from service.web.forms import read_form
from service.web.rendering import base_context, page, request_lang, svg

__all__ = ["BarometerPages"]

PathYear = Annotated[int, PathParameter(ge=2000, le=2100)]
FileName = Annotated[str, PathParameter(pattern=r"^[a-z0-9.-]{1,40}$")]
MEDIA = {".csv": "text/csv; charset=utf-8", ".parquet": "application/vnd.apache.parquet"}


def _context(edition: EditionView, lang: str, rows: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the page and the PDF show of an edition (`rows`: only these, for a member's
    review)."""
    content = edition.content
    chosen = rows if rows is not None else content
    sections = group_sections(chosen["aggregates"], chosen["participation"],
                              content["regions"], lang)  # fmt: skip
    charts = {s["id"]: index_chart(s, edition.year, lang) for s in sections}
    return {
        "edition": edition,
        "content": content,
        "sections": sections,
        "charts": {k: (c, svg(c.svg)) for k, c in charts.items() if c is not None},
        "metrics": metric_rows(chosen["aggregates"], content["labels"], lang),
        "k_min": K_MIN,
        "k_quantiles": K_QUANTILES,
        "files": FILES,
    }


class BarometerPages(Controller):
    """The barometer, its PDF, its open data and its review."""

    path = "/barometre"
    include_in_schema = False

    @get("/", name="barometer-list")
    async def index(
        self, request: Request[Any, Any, Any], db_session: DbSession, principal: CurrentPrincipal
    ) -> Template:
        """The published editions, newest first."""
        editions = await list_editions(db_session)
        return page(request, "barometer/index.html", principal, editions=editions)

    @get("/{year:int}", name="barometer-edition")
    async def edition(
        self,
        request: Request[Any, Any, Any],
        year: PathYear,
        db_session: DbSession,
        principal: CurrentPrincipal,
    ) -> Template:
        """A published edition, or the draft under review for a signed-in account (a member
        sees the rows that concern their territory, and the form to flag an error)."""
        edition = await get_edition(db_session, principal, year)
        lang = request_lang(request)
        rows = None
        if edition.status == "review" and _reviewer(principal):
            rows = await concerning(db_session, principal, edition.content)
        context = _context(edition, lang, rows)
        return page(request, "barometer/edition.html", principal, review=rows is not None,
                    **context)  # fmt: skip

    @post("/{year:int}/signaler", name="barometer-flag", status_code=303)
    async def flag(
        self,
        request: Request[Any, Any, Any],
        year: PathYear,
        db_session: DbSession,
        principal: CurrentPrincipal,
    ) -> Redirect:
        """A member flags an error in the draft."""
        message = (await read_form(request)).get("message", "").strip()
        if not 3 <= len(message) <= 2000:
            raise InvalidInputError(N_("Décrivez l'erreur en 3 à 2 000 caractères."))
        await flag_error(db_session, principal, year, FlagCreate(message))
        return Redirect(
            path=f"/barometre/{year}", query_params={"message": "barometer_flagged"},
            status_code=303,
        )  # fmt: skip

    @get("/{year:int}/pdf", name="barometer-pdf")
    async def pdf(
        self, request: Request[Any, Any, Any], year: PathYear, db_session: DbSession
    ) -> Response[bytes]:
        """The published edition as a PDF document."""
        edition = await get_edition(db_session, None, year)  # published only
        lang = request_lang(request)
        engine = request.app.template_engine
        if engine is None:  # pragma: no cover - create_app always configures the templates
            raise RuntimeError("templates not configured")
        template = engine.get_template("barometer/print.html")
        html = template.render(**base_context(request, None), **_context(edition, lang))
        body = await pdf_of(html)
        return Response(
            body,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="barometre-{year}.pdf"'},
        )

    @get("/{year:int}/donnees/{name:str}", name="barometer-data")
    async def data(self, year: PathYear, name: FileName, db_session: DbSession) -> Response[bytes]:
        """The open data of a published edition: ``datapackage.json``, each table's files,
        or all of them zipped (``barometre-{year}.zip``)."""
        edition = await get_edition(db_session, None, year)  # published only
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        if name == "datapackage.json":
            body = json.dumps(datapackage(edition.content), indent=2, ensure_ascii=False)
            return Response(body.encode(), media_type="application/json", headers=headers)
        if name == f"barometre-{year}.zip":
            return Response(zipped(edition.content), media_type="application/zip",
                            headers=headers)  # fmt: skip
        if name not in FILES:
            raise NotFoundError(N_("Fichier inconnu : %(name)s."), name=name)
        media = MEDIA[name[name.rindex(".") :]]
        return Response(data_file(edition.content, name), media_type=media, headers=headers)


def _reviewer(principal: Principal | None) -> bool:
    """Members review the figures that concern them; admins and analysts see the whole draft."""
    return principal is not None and principal.role == "member"
