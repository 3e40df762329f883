"""Results of an assessment: index, level, profile against peers, diagnostics, next steps,
evolution, peers to learn from; printable, and downloadable as CSV.

The numbers come from `service.assessments.scores.score_assessment`
(``GET /api/v1/assessments/{id}/score``)
and `service.peers.cache.territory_benchmark` (``GET /api/v1/territories/{code}/benchmark``),
with the same authorization: only the territory's members and admins reach this page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Final

from litestar import Controller, Request, Response, get
from litestar.params import PathParameter, QueryParameter
from litestar.response import Template

from maturity.model import Model
from maturity.results import ScoreResult
from maturity.territories import KIND_LABELS
from service.accounts.auth import Principal
from service.assessments.editions import editions_for
from service.assessments.scores import (
    AssessmentScore,
    CampaignResult,
    score_assessment,
    territory_results,
)
from service.deps import CurrentModel, CurrentPrincipal, DbSession, DbSessions, PeerCache
from service.peers.cache import BenchmarkCache
from service.peers.comparison import (
    DRAFT,
    PeerChoice,
    choose_peers,
    comparison_key,
    listed_codes,
)
from service.platform.db import Sessions
from service.platform.i18n import N_, translate
from service.practices.cards import practices_for_weakest
from service.reports.exports import CsvFormat, peer_count, results_rows, to_csv, to_xlsx
from service.reports.shared import AnswerRow
from service.reports.synthesis import benchmark_of as _benchmark
from service.reports.synthesis import comparable
from service.web.i18n import format_share
from service.web.rendering import page, request_lang, svg
from service.web.results_evolution import evolution, previous_result
from service.web.results_view import (
    comparison_options,
    diagnostics,
    dimension_rows,
    metric_map,
    narrow_rows,
    next_steps,
    results_charts,
)

__all__ = ["ReadOnly", "ResultsPages", "results_page"]

AssessmentId = Annotated[uuid.UUID, PathParameter()]
ComparerParam = Annotated[str | None, QueryParameter(max_length=20)]
"""The comparison chosen (`service.peers.comparison.COMPARISONS`; unknown: automatic)."""
PairsParam = Annotated[str | None, QueryParameter(max_length=2000)]
"""The codes of a typed list of public territories (``comparer=liste``)."""
SYNTHETIC_PEERS: Final = N_(
    "Les territoires auxquels ces résultats sont comparés sont des données synthétiques de "
    "démonstration."
)


@dataclass(frozen=True)
class ReadOnly:
    """The page as a share link's holder reads it: no chooser, no export that needs an
    account, no link into the member's space; the answers and the next steps (which reveal
    answers) only when the member shared them."""

    expires_at: datetime
    include_answers: bool
    synthesis_url: str
    pdf_url: str
    answers: list[AnswerRow] | None


XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _export(
    request: Request[Any, Any, Any],
    db_session: Any,
    principal: Principal | None,
    model: Model,
    db_sessions: Sessions,
    benchmarks: BenchmarkCache,
    assessment_id: uuid.UUID,
) -> tuple[list[list[Any]], str]:
    """The export's rows (`service.reports.exports`) and the file's name without extension."""
    lang = request_lang(request)
    score = await score_assessment(db_session, principal, model, assessment_id, lang)
    benchmark, _ = await _benchmark(db_sessions, benchmarks, model, score, lang)
    edition = editions_for(model).get(score.result.model_version)  # the assessment's own
    rows = results_rows(edition, score.result, benchmark, score.territory.code, score.campaign)
    return rows, f"resultats-{score.territory.code}-{score.campaign}"


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
        comparer: ComparerParam = None,
        pairs: PairsParam = None,
    ) -> Template:
        """Everything a member needs to see where the territory stands (and print it),
        against the comparison chosen in the address (``?comparer=…&pairs=…``)."""
        return await results_page(
            request, db_session, principal, model, db_sessions, benchmarks, assessment_id,
            comparer, pairs,
        )  # fmt: skip

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
        csv_format: Annotated[CsvFormat, QueryParameter(name="format")] = "fr",
    ) -> Response[str]:
        """The results table (with the peers' statistics) as CSV: for French spreadsheets by
        default (``;``, decimal comma, BOM), plain for programs with ``?format=machine``."""
        rows, name = await _export(
            request, db_session, principal, model, db_sessions, benchmarks, assessment_id
        )
        return Response(
            to_csv(rows, csv_format),
            media_type="text/csv",  # Litestar adds the charset (utf-8) once
            headers={
                "Content-Disposition": f'attachment; filename="{name}.csv"',
                "Cache-Control": "no-store",
            },
        )

    @get("/{assessment_id:uuid}/resultats.xlsx", name="results-xlsx")
    async def results_xlsx(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        db_sessions: DbSessions,
        benchmarks: PeerCache,
        assessment_id: AssessmentId,
    ) -> Response[bytes]:
        """The same table as an XLSX workbook, for people."""
        rows, name = await _export(
            request, db_session, principal, model, db_sessions, benchmarks, assessment_id
        )
        return Response(
            to_xlsx(rows),
            media_type=XLSX,
            headers={
                "Content-Disposition": f'attachment; filename="{name}.xlsx"',
                "Cache-Control": "no-store",
            },
        )


async def results_page(
    request: Request[Any, Any, Any],
    db_session: Any,
    reader: Principal | None,
    model: Model,
    db_sessions: Sessions,
    benchmarks: BenchmarkCache,
    assessment_id: uuid.UUID,
    comparer: str | None = None,
    pairs: str | None = None,
    read_only: ReadOnly | None = None,
    headers: dict[str, str] | None = None,
) -> Template:
    """The results page of an assessment `reader` may read, against the comparison chosen;
    read-only (`read_only`) for a share link's holder, who is not signed in."""
    lang = request_lang(request)
    score = await score_assessment(db_session, reader, model, assessment_id, lang)
    history = await territory_results(db_session, reader, model, score.territory.code, lang=lang)
    choice = None
    if score.status == "submitted":
        choice = await choose_peers(
            db_session, db_sessions, benchmarks, model, score.territory.code, score.campaign,
            comparison_key(comparer), listed_codes(pairs), lang,
        )  # fmt: skip
    edition = editions_for(model).get(score.result.model_version)  # the assessment's own
    scores = {d.id: d.score for d in score.result.dimensions}
    return page(
        request,
        "results/show.html",
        None if read_only else reader,
        headers=headers,
        **_context(edition, score, choice, history.campaigns, lang),
        practices=await practices_for_weakest(db_session, scores),
        read_only=read_only,
    )


def _level(model: Model, result: ScoreResult, lang: str) -> dict[str, Any]:
    """The level named and explained, and the level the index alone would reach when the
    weakest dimension holds it down."""
    found = next((lv for lv in model.levels if lv.level == result.level), None)
    uncapped = model.level_for(result.index) if result.index is not None else None
    capped = uncapped is not None and result.level is not None and uncapped.level > result.level
    lowest = min((d.level for d in result.dimensions if d.level is not None), default=None)
    return {
        "description": found.description.get(lang) if found and found.description else None,
        "capped_from": uncapped.level if capped and uncapped else None,
        "capped_by": [d.label for d in result.dimensions if capped and d.level == lowest],
    }


def _context(
    model: Model,
    score: AssessmentScore,
    choice: PeerChoice | None,
    history: list[CampaignResult],
    lang: str,
) -> dict[str, Any]:
    benchmark = choice.benchmark if choice is not None else None
    if choice is not None and choice.comparison == "annee":
        benchmark = None  # last year's self: no peers on the charts
    previous = previous_result(score.campaign, history)
    reference = None
    if choice is not None and choice.comparison == "annee" and previous is not None:
        label = translate(lang, N_("Vous en %(year)s"), year=previous.campaign)
        reference = (label, previous.result)
    result = score.result
    charts = results_charts(result, benchmark, lang, reference)
    synthetic = benchmark is not None and benchmark.notice is not None
    stats = metric_map(benchmark)
    index = stats.get("index")
    return {
        "score": score,
        "result": result,
        "notice": score.notice or (translate(lang, SYNTHETIC_PEERS) if synthetic else None),
        "level": _level(model, result, lang),
        "levels": [(lv.level, lv.label.get(lang), lv.min) for lv in model.levels],
        "charts": charts,
        "svg": {name: svg(chart.svg) for name, chart in charts.items()},
        "benchmark": benchmark,
        "choice": choice,
        "comparisons": comparison_options(choice, previous),
        "reference": reference,
        "narrow": narrow_rows(result, benchmark, reference[1] if reference else None),
        "rows": dimension_rows(result, benchmark, reference[1] if reference else None, lang),
        "stats": stats,
        "better_than": format_share(index.percentile / 100, lang)
        if index is not None and index.percentile is not None
        else None,
        "peer_count": peer_count(index, benchmark) if index is not None else None,
        "comparable": comparable(score.territory.kind),
        "steps": next_steps(model, result),
        "diagnostics": diagnostics(model, result, lang),
        "evolution": evolution(result, score.campaign, history),
        "dimension_labels": {d.id: d.label for d in result.dimensions},
        "draft_reason": DRAFT,
        "kind_labels": {k: v.get(lang, k) for k, v in KIND_LABELS.items()},
    }
