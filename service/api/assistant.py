"""The assistant over HTTP: a question in, a cited answer out, as JSON or as Server-Sent Events;
readers' feedback on answers. Rate-limited per client address (`assistant_router`).

The use cases (limits, conversation, territory, metrics) are `service.assistant.use_cases`'s:
these handlers only translate HTTP to them and back."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, Router, get, post
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import JSONBody, QueryParameter
from litestar.response import ServerSentEvent
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore

from knowledge.assistant import AssistantAnswer
from service.api.docs import SSE_EVENT, body, responses
from service.assistant.asking import AskRequest
from service.assistant.feedback import (
    Feedback,
    FeedbackCreate,
    FeedbackList,
    list_feedback,
)
from service.deps import CallerAssistant, CurrentPrincipal, DbSession
from service.platform.settings import Settings
from service.platform.sse import event_stream

__all__ = [
    "RATE_LIMIT_STORE",
    "AssistantController",
    "assistant_router",
    "rate_limit_store",
]

RATE_LIMIT_STORE = "assistant_rate_limit"

StreamParam = Annotated[
    bool,
    QueryParameter(description="`true` : la réponse en Server-Sent Events (comme `/stream`)."),
]
ASK_EXAMPLE = {"question": "Comment Angers utilise-t-elle un jumeau numérique ?"}


class AssistantController(Controller):
    """Questions to the assistant: answers grounded in the knowledge base, always cited."""

    path = "/api/v1/assistant"
    tags = ("Assistant",)

    @post(
        "/ask",
        summary="Poser une question",
        status_code=200,
        responses=responses(
            AssistantAnswer, errors=(422, 429), alternatives={"text/event-stream": SSE_EVENT}
        ),
    )
    async def ask(
        self,
        data: Annotated[AskRequest, body(ASK_EXAMPLE)],
        assistant: CallerAssistant,
        stream: StreamParam = False,
    ) -> Response[Any]:
        """The answer, its citations (number, passage text, title, source), whether the gate
        refused, the mode (extractive or generative) and the time spent per step. A member's
        question about its own territory (« où en sommes-nous… ? ») adds its latest results
        as a source. `?stream=true` answers as `/stream` does."""
        if stream:
            return event_stream((await assistant.stream(data)).messages())
        return Response(await assistant.ask(data), media_type=MediaType.JSON)

    @post(
        "/stream",
        summary="Poser une question (flux SSE)",
        status_code=200,
        responses=responses(None, alternatives={"text/event-stream": SSE_EVENT}, errors=(422, 429)),
    )
    async def stream(
        self, data: Annotated[AskRequest, body(ASK_EXAMPLE)], assistant: CallerAssistant
    ) -> ServerSentEvent:
        """Server-Sent Events: `sources` (every source given, whether refused), then `token`
        events (the text as it is written), then `done` (the final, checked answer: its text
        replaces the streamed one when a citation had to be repaired)."""
        return event_stream((await assistant.stream(data)).messages())

    @post(
        "/feedback",
        summary="Donner son avis sur une réponse",
        responses=responses(Feedback, status=201),
    )
    async def feedback(
        self, data: JSONBody[FeedbackCreate], assistant: CallerAssistant, db_session: DbSession
    ) -> Feedback:
        """Useful or not, with an optional comment; kept for the network to review. With the
        answer's `conversation_id`, the answer stored is the service's own record of it, free
        of the caller's territory results; a member's answer that cannot be matched to a
        conversation is not kept (only the verdict and the comment are)."""
        return await assistant.record_feedback(db_session, data)

    @get(
        "/feedback",
        summary="Avis des lecteurs (réseau)",
        responses=responses(FeedbackList, errors=(401, 403)),
    )
    async def feedback_list(
        self,
        principal: CurrentPrincipal,
        db_session: DbSession,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> FeedbackList:
        """The latest verdicts and the counts (administrators and analysts)."""
        return await list_feedback(db_session, principal, limit)


def rate_limit_store(settings: Settings) -> Store:
    """Counters of the assistant's rate limit: Redis when configured (shared by the workers),
    else in the process."""
    if settings.redis_url:
        from litestar.stores.redis import RedisStore

        return RedisStore.with_client(url=settings.redis_url, namespace="territoires_assistant")
    return MemoryStore()


def _is_question(request: Request[Any, Any, Any]) -> bool:
    """Only questions count against the limit (not feedback, nor reading the page)."""
    return request.method == "POST" and not request.url.path.endswith("/feedback")


def assistant_router(settings: Settings, *handlers: Any) -> Router:
    """The assistant's routes (API and the handlers given, e.g. its page) under a rate limit of
    `assistant_rate_limit` questions per minute and client address (0: none)."""
    middleware = []
    if settings.assistant_rate_limit > 0:
        config = RateLimitConfig(
            rate_limit=("minute", settings.assistant_rate_limit),
            store=RATE_LIMIT_STORE,
            check_throttle_handler=_is_question,
        )
        middleware.append(config.middleware)
    return Router(path="/", route_handlers=[AssistantController, *handlers], middleware=middleware)
