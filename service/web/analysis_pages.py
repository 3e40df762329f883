"""Analysis pages for the network's analysts and administrators: how the current campaign's
levels and ranks move under other weights and thresholds (``/analyse/sensibilite``).

The numbers come from `service.assessments.sensitivity.sensitivity_for`, which refuses anyone
but an analyst or an admin and publishes nothing for fewer than five territories."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from maturity.peer_groups import K_MIN
from service.accounts.auth import require_role
from service.assessments.editions import editions_for
from service.assessments.sensitivity import sensitivity_campaigns, sensitivity_for
from service.deps import CurrentModel, CurrentPrincipal, DbSession
from service.platform.i18n import translate
from service.web.rendering import page, request_lang, svg
from service.web.sensitivity_view import scheme_rows, sensitivity_chart

__all__ = ["AnalysisPages"]

Year = Annotated[int | None, QueryParameter(ge=2000, le=2100)]


class AnalysisPages(Controller):
    """Pages for the network's analysts."""

    path = "/analyse"
    include_in_schema = False

    @get("/sensibilite", name="analysis-sensitivity")
    async def sensitivity(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        campagne: Year = None,
    ) -> Template:
        """Weights and thresholds: what changes when the network's design choices change."""
        who = require_role(principal, "admin", "analyst")
        lang = request_lang(request)
        years = await sensitivity_campaigns(db_session)
        found = await sensitivity_for(db_session, who, model, campagne or None) if years else None
        report = found.report if found else None
        chart = sensitivity_chart(report, lang) if report else None
        # the campaign's own edition names the levels and diagnostics of the report
        edition = editions_for(model).get(found.model_version) if found else model
        return page(
            request,
            "analysis/sensitivity.html",
            who,
            years=years,
            found=found,
            report=report,
            rows=scheme_rows(report, lang) if report else [],
            chart=chart,
            chart_svg=svg(chart.svg) if chart else None,
            notice=found.notice if found else None,
            withheld=translate(lang, found.withheld, k=K_MIN) if found and found.withheld else None,
            level_labels=[lv.label.get(lang) for lv in edition.levels],
            diagnostic_labels=[d.label.get(lang) for d in edition.diagnostics],
            reference_diagnostics=list(report.reference.diagnostics.values()) if report else [],
        )
