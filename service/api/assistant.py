"""The assistant over HTTP: a question in, a cited answer out, as JSON or as Server-Sent Events;
readers' feedback on answers. Rate-limited per client address (`assistant_router`)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

import msgspec
from anyio import to_thread
from litestar import Controller, MediaType, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import JSONBody, QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore

from knowledge.assistant import (
    Assistant,
    AssistantAnswer,
    AssistantEvent,
    AssistantRequest,
    Done,
    Sources,
    Token,
    Turn,
)
from knowledge.errors import KnowledgeError
from service.accounts.auth import Principal, require_role
from service.api.docs import body, responses
from service.api.knowledge import KnowledgeUnavailableError
from service.assistant.core import (
    AssistantProvider,
    Feedback,
    FeedbackCreate,
    FeedbackList,
    conversation_key,
    list_feedback,
    record_feedback,
    territory_source,
)
from service.deps import CurrentModel, CurrentPrincipal, DbSession
from service.peers.cache import BenchmarkCache
from service.platform.errors import InvalidInputError
from service.platform.operations import observe
from service.platform.settings import Settings

__all__ = [
    "RATE_LIMIT_STORE",
    "AskRequest",
    "AssistantController",
    "assistant_router",
    "prepare",
    "rate_limit_store",
]

RATE_LIMIT_STORE = "assistant_rate_limit"
MAX_QUESTION = 2000


class AskRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A question, and the conversation it continues (omit it to start one)."""

    question: str
    conversation_id: str | None = None


Provider = NamedDependency[AssistantProvider]
Benchmarks = NamedDependency[BenchmarkCache]
StreamParam = Annotated[
    bool,
    QueryParameter(description="`true` : la réponse en Server-Sent Events (comme `/stream`)."),
]
ASK_EXAMPLE = {"question": "Comment Angers utilise-t-elle un jumeau numérique ?"}


async def prepare(
    data: AskRequest,
    principal: Principal | None,
    db_session: Any,
    model: Any,
    benchmarks: BenchmarkCache,
    provider: AssistantProvider,
) -> tuple[Assistant, AssistantRequest, str, str]:
    """The assistant, the request to give it, the conversation id and its storage key."""
    question = " ".join(data.question.split())
    if not question:
        raise InvalidInputError("La question est vide.")
    if len(question) > MAX_QUESTION:
        raise InvalidInputError(f"La question dépasse {MAX_QUESTION} caractères.")
    conversation_id = (data.conversation_id or "").strip()[:64] or uuid.uuid4().hex
    key = conversation_key(principal, conversation_id)
    territory = await territory_source(db_session, principal, model, benchmarks)
    try:
        assistant = await to_thread.run_sync(provider)
    except KnowledgeError as exc:
        raise KnowledgeUnavailableError(f"L'assistant est indisponible : {exc}") from exc
    history = provider.conversations.history(key)
    request = AssistantRequest(question=question, history=history, territory=territory)
    return assistant, request, conversation_id, key


def _remember(provider: AssistantProvider, key: str, answer: AssistantAnswer) -> None:
    provider.conversations.append(
        key,
        Turn("user", answer.question),
        Turn("assistant", answer.answer, answer.citations, answer.refused, answer.mode),
    )


def _message(event: AssistantEvent, conversation_id: str) -> ServerSentEventMessage:
    match event:
        case Sources():
            payload = msgspec.structs.asdict(event) | {"conversation_id": conversation_id}
            return ServerSentEventMessage(
                event="sources", data=msgspec.json.encode(payload).decode()
            )
        case Token():
            return ServerSentEventMessage(event="token", data=msgspec.json.encode(event).decode())
        case Done():
            return ServerSentEventMessage(
                event="done", data=msgspec.json.encode(event.answer).decode()
            )


def event_stream(
    assistant: Assistant,
    request: AssistantRequest,
    conversation_id: str,
    on_done: Any,
) -> ServerSentEvent:
    """The answer as Server-Sent Events: ``sources``, ``token``…, ``done``."""

    async def events() -> AsyncIterator[ServerSentEventMessage]:
        async for event in assistant.astream(request):
            if isinstance(event, Done):
                answer = msgspec.structs.replace(event.answer, conversation_id=conversation_id)
                on_done(answer)
                event = Done(answer)
            yield _message(event, conversation_id)

    return ServerSentEvent(events(), headers={"Cache-Control": "no-store"})


class AssistantController(Controller):
    """Questions to the assistant: answers grounded in the knowledge base, always cited."""

    path = "/api/v1/assistant"
    tags = ("Assistant",)

    @post(
        "/ask",
        summary="Poser une question",
        status_code=200,
        responses=responses(AssistantAnswer, None, errors=(400, 422)),
    )
    async def ask(
        self,
        data: Annotated[AskRequest, body(ASK_EXAMPLE)],
        principal: CurrentPrincipal,
        db_session: DbSession,
        model: CurrentModel,
        benchmarks: Benchmarks,
        assistant_provider: Provider,
        stream: StreamParam = False,
    ) -> Response[Any]:
        """The answer, its citations (number, passage text, title, source), whether the gate
        refused, the mode (extractive or generative) and the time spent per step. A member's
        question about its own territory (« où en sommes-nous… ? ») adds its latest results
        as a source. `?stream=true` answers as `/stream` does."""
        assistant, request, conversation_id, key = await prepare(
            data, principal, db_session, model, benchmarks, assistant_provider
        )
        if stream:
            return event_stream(
                assistant,
                request,
                conversation_id,
                lambda a: _remember(assistant_provider, key, a),
            )
        with observe("assistant"):
            answer = await assistant.aask(request)
        answer = msgspec.structs.replace(answer, conversation_id=conversation_id)
        _remember(assistant_provider, key, answer)
        return Response(answer, media_type=MediaType.JSON)

    @post("/stream", summary="Poser une question (flux SSE)", status_code=200)
    async def stream(
        self,
        data: Annotated[AskRequest, body(ASK_EXAMPLE)],
        principal: CurrentPrincipal,
        db_session: DbSession,
        model: CurrentModel,
        benchmarks: Benchmarks,
        assistant_provider: Provider,
    ) -> ServerSentEvent:
        """Server-Sent Events: `sources` (every source given, whether refused), then `token`
        events (the text as it is written), then `done` (the final, checked answer: its text
        replaces the streamed one when a citation had to be repaired)."""
        assistant, request, conversation_id, key = await prepare(
            data, principal, db_session, model, benchmarks, assistant_provider
        )
        return event_stream(
            assistant, request, conversation_id, lambda a: _remember(assistant_provider, key, a)
        )

    @post(
        "/feedback",
        summary="Donner son avis sur une réponse",
        responses=responses(Feedback, None, status=201, errors=(400,)),
    )
    async def feedback(
        self, data: JSONBody[FeedbackCreate], principal: CurrentPrincipal, db_session: DbSession
    ) -> Feedback:
        """Useful or not, with an optional comment; kept for the network to review."""
        return await record_feedback(db_session, principal, data)

    @get("/feedback", summary="Avis des lecteurs (réseau)")
    async def feedback_list(
        self,
        principal: CurrentPrincipal,
        db_session: DbSession,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> FeedbackList:
        """The latest verdicts and the counts (administrators and analysts)."""
        require_role(principal, "admin", "analyst")
        return await list_feedback(db_session, limit)


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
