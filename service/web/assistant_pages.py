"""The assistant's chat page: a form that works without JavaScript (the question is posted, the
page comes back with the answer), answers whose ``[n]`` link to the cited passage, the
conversation of the browser session, and a few lines of script that stream the answer when
JavaScript is there (``/static/js/assistant.js``)."""

from __future__ import annotations

import re
import uuid
from typing import Any, Final

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, ServerSentEvent, Template
from markupsafe import Markup, escape

from knowledge.assistant import Citation, Turn
from service.api.assistant import AskRequest, event_stream, prepare
from service.assistant.core import (
    AssistantProvider,
    FeedbackCreate,
    conversation_key,
    record_feedback,
)
from service.deps import CurrentModel, CurrentPrincipal, DbSession
from service.peers.cache import BenchmarkCache
from service.web.forms import read_form
from service.web.rendering import page

__all__ = ["AssistantPages", "link_citations"]

CONVERSATION_KEY: Final = "assistant_conversation"
_CITATION = re.compile(r"\[(\d{1,3})\]")

Provider = NamedDependency[AssistantProvider]
Benchmarks = NamedDependency[BenchmarkCache]


def link_citations(text: str, prefix: str, numbers: set[int]) -> Markup:
    """The answer as HTML: paragraphs, and each valid ``[n]`` a link to its source."""

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in numbers:
            return match.group(0)
        return f'<a class="citation" href="#{prefix}-source-{n}">[{n}]</a>'

    paragraphs = [p.strip() for p in str(text).split("\n\n") if p.strip()]
    html = []
    for paragraph in paragraphs:
        escaped = str(escape(paragraph)).replace("\n", "<br>")
        html.append(f"<p>{_CITATION.sub(link, escaped)}</p>")
    return Markup("".join(html))


def _conversation(request: Request[Any, Any, Any]) -> str:
    """The browser session's conversation id (created on first use)."""
    current = request.session.get(CONVERSATION_KEY) if request.session else None
    if current:
        return str(current)
    new = uuid.uuid4().hex
    request.set_session({**(request.session or {}), CONVERSATION_KEY: new})
    return new


def _exchanges(turns: list[Turn]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    question: str | None = None
    for turn in turns:
        if turn.role == "user":
            question = turn.text
            continue
        prefix = f"r{len(out) + 1}"
        out.append(
            {
                "index": len(out),
                "prefix": prefix,
                "question": question or "",
                "text": turn.text,
                "answer": link_citations(turn.text, prefix, {c.number for c in turn.citations}),
                "citations": turn.citations,
                "refused": turn.refused,
                "mode": turn.mode,
            }
        )
    return out


class AssistantPages(Controller):
    """``/assistant``: ask, read the cited answer, open its sources, say whether it helped."""

    path = "/assistant"
    include_in_schema = False

    @get("/", name="assistant")
    async def show(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        assistant_provider: Provider,
    ) -> Template:
        """The conversation so far and the question form."""
        key = conversation_key(principal, _conversation(request))
        exchanges = _exchanges(assistant_provider.conversations.history(key))
        return page(
            request,
            "assistant/index.html",
            principal,
            exchanges=exchanges,
            territory=principal.territory_code if principal else None,
            message=request.query_params.get("avis"),
        )

    @post("/", name="assistant-ask", status_code=303)
    async def ask(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        db_session: DbSession,
        model: CurrentModel,
        benchmarks: Benchmarks,
        assistant_provider: Provider,
    ) -> Redirect | Template:
        """Answer the posted question, then show the page again (post, redirect, get)."""
        form = await read_form(request)
        question = form.get("question", "").strip()
        if not question:
            return Redirect(path="/assistant", status_code=303)
        data = AskRequest(question=question[:2000], conversation_id=_conversation(request))
        assistant, ask, _, key = await prepare(
            data, principal, db_session, model, benchmarks, assistant_provider
        )
        answer = await assistant.aask(ask)
        assistant_provider.conversations.append(
            key,
            Turn("user", answer.question),
            Turn("assistant", answer.answer, answer.citations, answer.refused, answer.mode),
        )
        count = sum(1 for t in assistant_provider.conversations.history(key) if t.role == "user")
        return Redirect(path=f"/assistant#r{count}", status_code=303)

    @post("/flux", name="assistant-stream", status_code=200)
    async def stream(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        db_session: DbSession,
        model: CurrentModel,
        benchmarks: Benchmarks,
        assistant_provider: Provider,
    ) -> ServerSentEvent:
        """The same answer as Server-Sent Events, for the page's script."""
        form = await read_form(request)
        data = AskRequest(
            question=form.get("question", "")[:2000], conversation_id=_conversation(request)
        )
        assistant, ask, conversation_id, key = await prepare(
            data, principal, db_session, model, benchmarks, assistant_provider
        )

        def remember(answer: Any) -> None:
            assistant_provider.conversations.append(
                key,
                Turn("user", answer.question),
                Turn("assistant", answer.answer, answer.citations, answer.refused, answer.mode),
            )

        return event_stream(assistant, ask, conversation_id, remember)

    @post("/nouvelle", name="assistant-new", status_code=303)
    async def new_conversation(self, request: Request[Any, Any, Any]) -> Redirect:
        """Start a new conversation (the previous one is left behind)."""
        request.set_session({**(request.session or {}), CONVERSATION_KEY: uuid.uuid4().hex})
        return Redirect(path="/assistant", status_code=303)

    @post("/avis", name="assistant-feedback", status_code=303)
    async def feedback(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        db_session: DbSession,
        assistant_provider: Provider,
    ) -> Redirect:
        """Record whether an answer of the conversation was useful."""
        form = await read_form(request)
        key = conversation_key(principal, _conversation(request))
        exchanges = _exchanges(assistant_provider.conversations.history(key))
        try:
            chosen = exchanges[int(form.get("index", "-1"))]
        except (ValueError, IndexError):
            return Redirect(path="/assistant", status_code=303)
        citations: list[Citation] = chosen["citations"]
        await record_feedback(
            db_session,
            principal,
            FeedbackCreate(
                useful=form.get("useful") == "oui",
                question=chosen["question"] or "—",
                answer=chosen["text"],
                comment=form.get("comment", "")[:4000] or None,
                mode=chosen["mode"],
                refused=chosen["refused"],
                sources=[f"[{c.number}] {c.title}" for c in citations],
                conversation_id=_conversation(request),
            ),
        )
        return Redirect(path=f"/assistant?avis=merci#{chosen['prefix']}", status_code=303)
