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
from litestar.di import NamedDependency
from litestar.params import PathParameter
from litestar.response import Template

from maturity.model import Model
from service.accounts.auth import Principal
from service.assessments.scores import AssessmentScore, score_assessment, territory_results
from service.deps import CurrentModel, CurrentPrincipal, DbSession
from service.peers.cache import Benchmark, BenchmarkCache, Sessions, territory_benchmark
from service.platform.errors import NotFoundError
from service.web.i18n import translate
from service.web.rendering import page, request_lang, sessions, svg
from service.web.results_view import (
    evolution,
    metric_map,
    results_charts,
    results_csv,
    steps_by_dimension,
)

__all__ = ["ResultsPages"]

AssessmentId = Annotated[uuid.UUID, PathParameter()]
Benchmarks = NamedDependency[BenchmarkCache]


async def _benchmark(
    sessions: Sessions,
    benchmarks: BenchmarkCache,
    model: Model,
    score: AssessmentScore,
    lang: str,
) -> Benchmark | None:
    """The territory's benchmark in the assessment's campaign, once it is submitted (a draft
    is in no peer statistics); None when there is none to show."""
    if score.status != "submitted":
        return None
    frames = await benchmarks.get(sessions, score.campaign, "national")
    try:
        return territory_benchmark(model, frames, score.territory.code, (), lang)
    except NotFoundError:
        return None


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
        benchmarks: Benchmarks,
        assessment_id: AssessmentId,
    ) -> Template:
        """Everything a member needs to see where the territory stands (and print it)."""
        lang = request_lang(request)
        score = await score_assessment(db_session, principal, model, assessment_id, lang)
        benchmark = await _benchmark(sessions(request), benchmarks, model, score, lang)
        history = await territory_results(
            db_session, principal, model, score.territory.code, lang=lang
        )
        return self._page(request, principal, model, score, benchmark, history.campaigns, lang)

    @get("/{assessment_id:uuid}/resultats.csv", name="results-csv")
    async def results_csv(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        benchmarks: Benchmarks,
        assessment_id: AssessmentId,
    ) -> Response[str]:
        """The results table (with the peers' statistics) as a CSV file."""
        lang = request_lang(request)
        score = await score_assessment(db_session, principal, model, assessment_id, lang)
        benchmark = await _benchmark(sessions(request), benchmarks, model, score, lang)
        body = results_csv(model, score.result, benchmark, score.territory.code, score.campaign)
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
        benchmark: Benchmark | None,
        history: list[Any],
        lang: str,
    ) -> Template:
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
                translate(lang, "results.peers_synthetic")
                if benchmark and benchmark.notice
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
