"""The assistant's chat page: a form that works without JavaScript (the question is posted, the
page comes back with the answer), answers whose ``[n]`` link to the cited passage, the
conversation of the browser session, and a few lines of script that stream the answer when
JavaScript is there (``/static/js/assistant.js``).

The use cases are `service.assistant.use_cases`'s (the API calls the same): these handlers
read the form, call them, and render their result or their error next to the form."""

from __future__ import annotations

import re
from typing import Any, Final

from litestar import Controller, Request, get, post
from litestar.response import Redirect, ServerSentEvent, Template
from markupsafe import Markup, escape

from service.accounts.auth import Principal
from service.assistant.asking import AskRequest
from service.assistant.use_cases import AssistantService, Exchange
from service.deps import CallerAssistant, CurrentPrincipal, DbSession
from service.platform.errors import InvalidInputError
from service.platform.sse import event_stream
from service.web.forms import read_form
from service.web.rendering import page, request_lang

__all__ = ["AssistantPages", "link_citations"]

CONVERSATION_KEY: Final = "assistant_conversation"
_CITATION = re.compile(r"\[(\d{1,3})\]")


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


def _current(request: Request[Any, Any, Any]) -> str | None:
    """The browser session's conversation id, if it has one (reading creates none: a visitor
    who only reads the page gets no session)."""
    current = request.session.get(CONVERSATION_KEY) if request.session else None
    return str(current) if current else None


def _keep(request: Request[Any, Any, Any], conversation: str | None) -> None:
    """Keep in the browser session the conversation id the assistant issued (it signs its ids
    for their owner: a page never makes one up)."""
    if conversation != _current(request):
        request.set_session({**(request.session or {}), CONVERSATION_KEY: conversation})


def _prefix(index: int) -> str:
    """The anchor of the `index`-th exchange (``r1`` for the first)."""
    return f"r{index + 1}"


def _view(exchange: Exchange) -> dict[str, Any]:
    """An exchange as the template shows it."""
    prefix = _prefix(exchange.index)
    turn = exchange.answer
    return {
        "index": exchange.index,
        "prefix": prefix,
        "question": exchange.question,
        "answer": link_citations(turn.text, prefix, {c.number for c in turn.citations}),
        "citations": turn.citations,
        "refused": turn.refused,
        "mode": turn.mode,
    }


def _chat(
    request: Request[Any, Any, Any],
    principal: Principal | None,
    assistant: AssistantService,
    *,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """The page: the conversation so far, the question form, and `context` (an error…)."""
    conversation = _current(request)
    exchanges = assistant.exchanges(conversation) if conversation else []
    return page(
        request,
        "assistant/index.html",
        principal,
        status_code=status_code,
        exchanges=[_view(e) for e in exchanges],
        territory=principal.territory_code if principal else None,
        message=request.query_params.get("avis"),
        **context,
    )


class AssistantPages(Controller):
    """``/assistant``: ask, read the cited answer, open its sources, say whether it helped."""

    path = "/assistant"
    include_in_schema = False

    @get("/", name="assistant")
    async def show(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        assistant: CallerAssistant,
    ) -> Template:
        """The conversation so far and the question form."""
        return _chat(request, principal, assistant)

    @post("/", name="assistant-ask", status_code=303)
    async def ask(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        assistant: CallerAssistant,
    ) -> Redirect | Template:
        """Answer the posted question, then show the page again (post, redirect, get); an
        invalid question comes back in the form, with the reason next to it."""
        form = await read_form(request)
        question = form.get("question", "")
        try:
            answer = await assistant.ask(
                AskRequest(question=question, conversation_id=_current(request))
            )
        except InvalidInputError as exc:
            error = exc.translate(request_lang(request))
            return _chat(
                request, principal, assistant, status_code=422, question=question, error=error
            )
        _keep(request, answer.conversation_id)
        count = len(assistant.exchanges(answer.conversation_id))
        return Redirect(path=f"/assistant#{_prefix(count - 1)}", status_code=303)

    @post("/flux", name="assistant-stream", status_code=200)
    async def stream(
        self, request: Request[Any, Any, Any], assistant: CallerAssistant
    ) -> ServerSentEvent:
        """The same answer as Server-Sent Events, for the page's script (which posts the form
        normally when this fails, e.g. on an invalid question, to show the reason)."""
        form = await read_form(request)
        data = AskRequest(question=form.get("question", ""), conversation_id=_current(request))
        answer = await assistant.stream(data)
        _keep(request, answer.conversation_id)
        return event_stream(answer.messages())

    @post("/nouvelle", name="assistant-new", status_code=303)
    async def new_conversation(self, request: Request[Any, Any, Any]) -> Redirect:
        """Start a new conversation (the previous one is left behind)."""
        _keep(request, None)
        return Redirect(path="/assistant", status_code=303)

    @post("/avis", name="assistant-feedback", status_code=303)
    async def feedback(
        self,
        request: Request[Any, Any, Any],
        principal: CurrentPrincipal,
        db_session: DbSession,
        assistant: CallerAssistant,
    ) -> Redirect | Template:
        """Record whether an answer of the conversation was useful."""
        form = await read_form(request)
        comment = form.get("comment", "")
        try:
            index = int(form.get("index", "-1"))
        except ValueError:
            return Redirect(path="/assistant", status_code=303)
        try:
            recorded = await assistant.feedback(
                db_session, _current(request), index, form.get("useful") == "oui", comment
            )
        except InvalidInputError as exc:
            message = exc.translate(request_lang(request))
            error = {"index": index, "message": message, "comment": comment}
            return _chat(request, principal, assistant, status_code=422, feedback_error=error)
        if recorded is None:
            return Redirect(path="/assistant", status_code=303)
        exchange, _ = recorded
        return Redirect(path=f"/assistant?avis=merci#{_prefix(exchange.index)}", status_code=303)
