"""The élus' synthesis: ``/evaluations/{id}/synthese`` and its PDF (``synthese.pdf``) for the
territory's members, and ``/partage/{token}`` (and its PDF) for whoever holds a share link.

The numbers come from `service.reports.synthesis.synthesis_of` (``GET
/api/v1/assessments/{id}/synthesis``) and `service.reports.shared.shared_report` (``GET
/api/v1/shared/{token}``); the page and the PDF render the same template body."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import PathParameter
from litestar.response import Template

from service.deps import (
    AppSettings,
    CurrentModel,
    CurrentPrincipal,
    DbSession,
    DbSessions,
    PeerCache,
)
from service.platform.pdf import pdf_of
from service.reports.shared import SharedReport, shared_report
from service.reports.synthesis import Synthesis, synthesis_of
from service.web.rendering import base_context, page, request_lang
from service.web.synthesis_view import pdf_styles, synthesis_context

__all__ = ["SynthesisPages"]

AssessmentId = Annotated[uuid.UUID, PathParameter()]
Token = Annotated[str, PathParameter(max_length=120)]
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
"""A shared page holds its token in its address: never cached, never indexed."""


async def _pdf(request: Request[Any, Any, Any], s: Synthesis, name: str) -> Response[bytes]:
    """The synthesis as a PDF attachment, rendered in a worker thread."""
    lang = request_lang(request)
    context = base_context(request, None) | synthesis_context(s, lang)
    context |= {"pdf": True, "styles": pdf_styles(), "today": date.today()}
    context["site_url"] = str(request.base_url).rstrip("/")  # a PDF's links are absolute
    engine = request.app.template_engine
    assert engine is not None
    html = engine.get_template("results/synthese_pdf.html").render(**context)
    body = await pdf_of(html)
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"', **PRIVATE},
    )


def _name(s: Synthesis) -> str:
    return f"synthese-{s.territory.code}-{s.campaign}.pdf"


class SynthesisPages(Controller):
    """The synthesis page and PDF, for members and for share-link holders."""

    path = "/"
    include_in_schema = False

    @get("/evaluations/{assessment_id:uuid}/synthese", name="synthesis")
    async def synthesis(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        db_sessions: DbSessions,
        benchmarks: PeerCache,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
    ) -> Template:
        """Two minutes of reading for the élus: level, position, strengths, next steps."""
        lang = request_lang(request)
        s = await synthesis_of(
            db_session, db_sessions, benchmarks, principal, model, assessment_id, lang
        )
        return page(
            request,
            "results/synthese.html",
            principal,
            **synthesis_context(s, lang),
            pdf_url=f"/evaluations/{assessment_id}/synthese.pdf",
            shared=None,
        )

    @get("/evaluations/{assessment_id:uuid}/synthese.pdf", name="synthesis-pdf")
    async def synthesis_pdf(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        db_sessions: DbSessions,
        benchmarks: PeerCache,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
    ) -> Response[bytes]:
        """The same synthesis on two A4 pages at most."""
        lang = request_lang(request)
        s = await synthesis_of(
            db_session, db_sessions, benchmarks, principal, model, assessment_id, lang
        )
        return await _pdf(request, s, _name(s))

    @get("/partage/{token:str}", name="shared-synthesis")
    async def shared(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        db_sessions: DbSessions,
        benchmarks: PeerCache,
        model: CurrentModel,
        settings: AppSettings,
        token: Token,
    ) -> Template:
        """What a share link opens, read-only, for anyone holding it."""
        lang = request_lang(request)
        report = await shared_report(
            db_session, db_sessions, benchmarks, model, token, settings.secret_key, lang
        )
        return page(
            request,
            "results/synthese.html",
            None,
            headers=PRIVATE,
            **synthesis_context(report.synthesis, lang),
            **_shared(report, token),
        )

    @get("/partage/{token:str}/synthese.pdf", name="shared-synthesis-pdf")
    async def shared_pdf(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        db_sessions: DbSessions,
        benchmarks: PeerCache,
        model: CurrentModel,
        settings: AppSettings,
        token: Token,
    ) -> Response[bytes]:
        """The shared synthesis as a PDF."""
        lang = request_lang(request)
        report = await shared_report(
            db_session, db_sessions, benchmarks, model, token, settings.secret_key, lang
        )
        return await _pdf(request, report.synthesis, _name(report.synthesis))


def _shared(report: SharedReport, token: str) -> dict[str, Any]:
    return {
        "pdf_url": f"/partage/{token}/synthese.pdf",
        "shared": report.link,
        "results_url": f"/partage/{token}/resultats" if report.dimensions is not None else None,
        "answers": report.answers,
    }
