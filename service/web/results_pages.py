"""Results of an assessment: index, level, profile against peers, diagnostics, next steps,
evolution, peers to learn from; printable, and downloadable as CSV.

The numbers come from `service.assessments.scores.score_assessment`
(``GET /api/v1/assessments/{id}/score``)
and `service.peers.cache.territory_benchmark` (``GET /api/v1/territories/{code}/benchmark``),
with the same authorization: only the territory's members and admins reach this page."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import PathParameter
from litestar.response import Template

from maturity.model import Model
from service.accounts.auth import Principal
from service.assessments.editions import editions_for
from service.assessments.scores import AssessmentScore, score_assessment, territory_results
from service.deps import CurrentModel, CurrentPrincipal, DbSession, DbSessions, PeerCache
from service.peers.cache import Benchmark, BenchmarkCache, territory_benchmark
from service.platform.db import Sessions
from service.platform.errors import NotFoundError
from service.platform.i18n import N_, translate
from service.web.rendering import page, request_lang, svg
from service.web.results_view import (
    evolution,
    metric_map,
    results_charts,
    results_csv,
    steps_by_dimension,
)

__all__ = ["ResultsPages"]

AssessmentId = Annotated[uuid.UUID, PathParameter()]


async def _benchmark(
    sessions: Sessions,
    benchmarks: BenchmarkCache,
    model: Model,
    score: AssessmentScore,
    lang: str,
) -> tuple[Benchmark | None, bool]:
    """The territory's benchmark in the assessment's campaign, once it is submitted (a draft
    is in no peer statistics), or None when there is none to show; and whether its peers are
    synthetic demo data."""
    if score.status != "submitted":
        return None, False
    frames = await benchmarks.get(sessions, score.campaign, "national")
    try:
        return territory_benchmark(model, frames, score.territory.code, (), lang), frames.synthetic
    except NotFoundError:
        return None, False


class ResultsPages(Controller):
    """Results page and CSV export."""

    path = "/evaluations"
    include_in_schema = False

    @get("/{assessment_id:uuid}/resultats", name="results")
    async def results(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        db_sessions: DbSessions,
        benchmarks: PeerCache,
        assessment_id: AssessmentId,
    ) -> Template:
        """Everything a member needs to see where the territory stands (and print it)."""
        lang = request_lang(request)
        score = await score_assessment(db_session, principal, model, assessment_id, lang)
        compared = await _benchmark(db_sessions, benchmarks, model, score, lang)
        history = await territory_results(
            db_session, principal, model, score.territory.code, lang=lang
        )
        edition = editions_for(model).get(score.result.model_version)  # the assessment's own
        return self._page(request, principal, edition, score, compared, history.campaigns, lang)

    @get("/{assessment_id:uuid}/resultats.csv", name="results-csv")
    async def results_csv(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        db_sessions: DbSessions,
        benchmarks: PeerCache,
        assessment_id: AssessmentId,
    ) -> Response[str]:
        """The results table (with the peers' statistics) as a CSV file."""
        lang = request_lang(request)
        score = await score_assessment(db_session, principal, model, assessment_id, lang)
        benchmark, _ = await _benchmark(db_sessions, benchmarks, model, score, lang)
        edition = editions_for(model).get(score.result.model_version)  # the assessment's own
        body = results_csv(edition, score.result, benchmark, score.territory.code, score.campaign)
        name = f"resultats-{score.territory.code}-{score.campaign}.csv"
        return Response(
            "\ufeff" + body,  # a BOM, so that spreadsheet software reads the accents right
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )

    def _page(
        self,
        request: Request[Any, Any, Any],
        principal: Principal | None,
        model: Model,
        score: AssessmentScore,
        compared: tuple[Benchmark | None, bool],
        history: list[Any],
        lang: str,
    ) -> Template:
        benchmark, synthetic = compared
        result = score.result
        level = next((lv for lv in model.levels if lv.level == result.level), None)
        charts = results_charts(model, result, benchmark, lang)
        return page(
            request,
            "results/show.html",
            principal,
            score=score,
            result=result,
            notice=score.notice
            or (
                translate(
                    lang,
                    N_(
                        "Les territoires auxquels ces résultats sont comparés sont des données "
                        "synthétiques de démonstration."
                    ),
                )
                if benchmark and synthetic
                else None
            ),
            level_description=level.description.get(lang) if level and level.description else None,
            levels=[(lv.level, lv.label.get(lang)) for lv in model.levels],
            charts=charts,
            svg={name: svg(chart.svg) for name, chart in charts.items()},
            benchmark=benchmark,
            stats=metric_map(benchmark),
            steps=steps_by_dimension(result),
            evolution=evolution(result, score.campaign, history),
            dimension_labels={d.id: d.label for d in result.dimensions},
        )
