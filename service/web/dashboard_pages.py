"""The analysts' and admins' dashboard (``/tableau-de-bord``) and the admin's barometer desk
(``/tableau-de-bord/barometre``): thin translations of `service.barometer.dashboard` and
`service.barometer.publication`, which check the roles (anonymous: login page; member: 403)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template

from maturity.disclosure import K_MIN
from service.accounts.auth import require_role
from service.assessments.campaigns import list_campaigns
from service.barometer.dashboard import dashboard, dashboard_table, trend_rows
from service.barometer.publication import (
    list_editions,
    list_flags,
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
from service.web.barometer_view import group_sections, index_chart, metric_rows, timeline_chart
from service.web.rendering import page, request_lang, svg

__all__ = ["DashboardPages"]

Year = Annotated[int | None, QueryParameter(ge=2000, le=2100)]
PathYear = Annotated[int, PathParameter(ge=2000, le=2100)]
TableName = Annotated[str, QueryParameter(pattern="^[a-z]{1,20}$")]


class DashboardPages(Controller):
    """The network's dashboard and the barometer's preparation."""

    path = "/tableau-de-bord"
    include_in_schema = False

    @get("/", name="dashboard")
    async def show(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        db_sessions: DbSessions,
        benchmarks: PeerCache,
        principal: CurrentPrincipal,
        model: CurrentModel,
        campagne: Year = None,
    ) -> Template:
        """Response rates, submissions over time, distributions and trends of one campaign."""
        view = await dashboard(db_session, db_sessions, benchmarks, principal, model, campagne)
        lang = request_lang(request)
        aggregates = view.aggregates.to_dicts()
        shares = [r for t in view.participation.values() for r in t.to_dicts()]
        sections = group_sections(aggregates, shares, view.regions, lang)
        charts = [(s["id"], index_chart(s, view.campaign.year, lang)) for s in sections]
        timeline = timeline_chart(view.timeline, lang)
        trend_years, trends = trend_rows(view, lang)
        return page(
            request,
            "barometer/dashboard.html",
            principal,
            view=view,
            national=view.participation["national"].row(0, named=True),
            sections=sections,
            charts={k: (c, svg(c.svg)) for k, c in charts if c is not None},
            timeline=(timeline, svg(timeline.svg)) if timeline else None,
            metrics=metric_rows(aggregates, view.labels, lang),
            trend_years=trend_years,
            trends=trends,
            departements=view.departements.to_dicts() if view.departements is not None else None,
            k_min=K_MIN,
        )

    @get("/export", name="dashboard-export")
    async def export(
        self,
        db_session: DbSession,
        db_sessions: DbSessions,
        benchmarks: PeerCache,
        principal: CurrentPrincipal,
        model: CurrentModel,
        tableau: TableName = "participation",
        campagne: Year = None,
    ) -> Response[bytes]:
        """One of the dashboard's tables as CSV (UTF-8), as published."""
        view = await dashboard(db_session, db_sessions, benchmarks, principal, model, campagne)
        body = dashboard_table(view, tableau).write_csv().encode()
        name = f"tableau-de-bord-{view.campaign.year}-{tableau}.csv"
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @get("/barometre", name="barometer-desk")
    async def desk(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
    ) -> Template:
        """The admin's barometer desk: closed campaigns, drafts and their flags, publication."""
        admin = require_role(principal, "admin")
        view_editions = await list_editions(db_session, admin)
        flags = {e.year: await list_flags(db_session, admin, e.year) for e in view_editions}
        campaigns = (await list_campaigns(db_session, 1, 100)).items
        return page(
            request,
            "barometer/desk.html",
            admin,
            campaigns=campaigns,
            editions={e.year: e for e in view_editions},
            flags=flags,
        )

    @post("/barometre/{year:int}/preparer", name="barometer-prepare", status_code=303)
    async def prepare(
        self,
        year: PathYear,
        db_session: DbSession,
        db_sessions: DbSessions,
        benchmarks: PeerCache,
        principal: CurrentPrincipal,
        model: CurrentModel,
    ) -> Redirect:
        """Freeze the campaign's figures as a draft open to the members' review."""
        await prepare_edition(db_session, db_sessions, benchmarks, principal, model, year)
        return Redirect(
            path="/tableau-de-bord/barometre",
            query_params={"message": "barometer_prepared"},
            status_code=303,
        )

    @post("/barometre/{year:int}/publier", name="barometer-publish", status_code=303)
    async def publish(
        self, year: PathYear, db_session: DbSession, principal: CurrentPrincipal, postman: Mail
    ) -> Redirect:
        """Publish the reviewed edition at its stable URL and e-mail its notice to members."""
        await publish_edition(db_session, principal, year, postman)
        return Redirect(path=f"/barometre/{year}", status_code=303)
