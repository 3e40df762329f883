"""An OpenAI-compatible facade over the assistant: ``GET /v1/models`` and ``POST
/v1/chat/completions`` (whole or streamed in the OpenAI chunk format), so that any client of
that protocol (the ``openai`` SDK, Open WebUI, LibreChat, Albert API clients) gets the cited
answers of the knowledge base.

The last user message is the question; the messages before it are the conversation (used to
understand a follow-up, when the service does not already keep it under ``conversation_id``);
system messages are ignored: the assistant's own rules (answer from the sources, cite them)
cannot be replaced. Citations are in the text (``[n]`` and a list of sources at its end) and in
an extra field ``citations``. Authentication: the API keys (``Authorization: Bearer``), never a
browser session; without a key, the answers use public data only, as the JSON API's do."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import partial
from typing import Annotated, Any, Final, Literal

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.response import ServerSentEvent, ServerSentEventMessage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.assistant import AssistantAnswer, Done, Sources, Token, Turn
from knowledge.assistant.extractive import source_label
from service.accounts.auth import DEFAULT_RESOLVERS, Principal, resolve_principal
from service.assistant.asking import AskRequest
from service.deps import CallerAssistant
from service.platform.errors import DomainError, problem_lang
from service.platform.i18n import N_, translate

__all__ = ["MODEL_ID", "ChatCompletionRequest", "OpenAIController"]

MODEL_ID: Final = "territoires-assistant"
"""The one model the facade serves: the assistant (extractive offline, generative with an LLM)."""
OWNER: Final = "territoires-connectes"


class ContentPart(msgspec.Struct):
    """A part of a message's content (only text parts are read)."""

    type: str
    text: str | None = None


class ChatMessage(msgspec.Struct):
    """A message of the conversation, as OpenAI clients send it."""

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None

    @property
    def text(self) -> str:
        """The message's text (its text parts joined)."""
        if isinstance(self.content, list):
            return " ".join(p.text for p in self.content if p.type == "text" and p.text)
        return self.content or ""


class ChatCompletionRequest(msgspec.Struct):
    """The body of ``POST /v1/chat/completions``: the fields the facade reads (others that
    OpenAI clients send, such as ``temperature``, are accepted and ignored)."""

    messages: Annotated[list[ChatMessage], msgspec.Meta(min_length=1, max_length=200)]
    model: str = MODEL_ID
    stream: bool = False
    conversation_id: str | None = None
    """Extension: continue a conversation the service keeps (given back with each answer)."""


class ModelCard(msgspec.Struct):
    """A model as ``/v1/models`` lists it."""

    id: str
    created: int
    owned_by: str
    object: str = "model"


class ModelList(msgspec.Struct):
    """The models served."""

    data: list[ModelCard]
    object: str = "list"


_STARTED: Final = int(time.time())


@asynccontextmanager
async def _committed(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with maker() as session:
        yield session
        await session.commit()


async def key_principal(request: Request[Any, Any, Any]) -> Principal | None:
    """``principal`` here: the API key's (a bad key is a 401), never a browser session."""
    maker = request.app.state["db_sessionmaker"]
    return await resolve_principal(request, partial(_committed, maker), DEFAULT_RESOLVERS)


def openai_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    """The service's errors in OpenAI's shape (``{"error": {"message", "type", "code"}}``),
    which OpenAI clients show as they are."""
    kind = {401: "authentication_error", 403: "permission_error", 404: "not_found_error"}
    status = exc.status_code
    body = {
        "error": {
            "message": exc.translate(problem_lang(request)),
            "type": kind.get(status, "invalid_request_error" if status < 500 else "api_error"),
            "code": getattr(exc, "code", None) or str(status),
        }
    }
    return Response(body, status_code=status, media_type=MediaType.JSON)


class UnknownModelError(DomainError):
    """A model the facade does not serve."""

    status_code = 404
    code = "model_not_found"


def _question(messages: Sequence[ChatMessage]) -> tuple[str, list[Turn]]:
    """The last user message, and the user and assistant turns before it."""
    last = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
    if last is None:
        raise InvalidChatError(N_("La conversation ne contient aucun message de l'utilisateur."))
    history = [
        Turn(m.role, m.text)
        for m in messages[:last]
        if m.role in ("user", "assistant") and m.text.strip()
    ]
    return messages[last].text, history


class InvalidChatError(DomainError):
    """A conversation the facade cannot answer."""

    status_code = 400


def _with_sources(answer: AssistantAnswer) -> str:
    """The answer's text, ending with the list of the sources it cites (the extractive answer
    already has one)."""
    text = answer.answer
    if not answer.citations or "\nSources :" in text or "\nSources:" in text:
        return text
    lines = [
        f"[{c.number}] {source_label(c)}" + (f" ({c.href or c.source})" if c.source else "")
        for c in answer.citations
    ]
    return f"{text}\n\nSources :\n" + "\n".join(lines)


def _extra(answer: AssistantAnswer) -> dict[str, Any]:
    """What the facade adds to OpenAI's format: the citations and the answer's metadata."""
    return {
        "citations": msgspec.to_builtins(answer.citations),
        "conversation_id": answer.conversation_id,
        "territoires": {
            "mode": answer.mode,
            "refused": answer.refused,
            "fallback": answer.fallback,
            "fallback_reason": answer.fallback_reason,
            "territory": answer.territory,
            "timings": answer.timings,
        },
    }


def _completion_id() -> str:
    return f"chatcmpl-{secrets.token_hex(12)}"


class OpenAIController(Controller):
    """The assistant for OpenAI-compatible clients."""

    path = "/v1"
    tags = ("Compatibilité OpenAI",)
    # OpenAI's protocol, documented by OpenAI (and the README), not the service's API: its
    # errors are in OpenAI's shape, not problem details
    include_in_schema = False
    # Litestar reads these class attributes once, when the controller is registered
    dependencies = {"principal": Provide(key_principal)}  # noqa: RUF012
    exception_handlers = {DomainError: openai_error}  # noqa: RUF012
    opt = {"exclude_from_csrf": True}  # noqa: RUF012 - API keys only: no cookie to forge with

    @get("/models", summary="Modèles (compatibilité OpenAI)")
    async def models(self) -> ModelList:
        """The model the facade serves, ``territoires-assistant``."""
        return ModelList([ModelCard(MODEL_ID, _STARTED, OWNER)])

    @post(
        "/chat/completions",
        summary="Réponse de l'assistant (compatibilité OpenAI)",
        status_code=200,
    )
    async def chat(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ChatCompletionRequest],
        assistant: CallerAssistant,
    ) -> Response[Any]:
        """The assistant's cited answer to the last user message, as an OpenAI chat completion
        (``stream: true``: chunks, then ``data: [DONE]``); ``citations`` and
        ``conversation_id`` are extra fields (in the last chunk when streamed)."""
        if data.model != MODEL_ID:
            raise UnknownModelError(
                N_("Modèle inconnu « %(model)s » : ce service sert « %(known)s »."),
                model=data.model,
                known=MODEL_ID,
            )
        question, history = _question(data.messages)
        ask = AskRequest(question, data.conversation_id)
        if data.stream:
            stream = await assistant.stream(ask, history)
            return _chunks(stream.__aiter__(), data.model, problem_lang(request))
        answer = await assistant.ask(ask, history)
        body = {
            "id": _completion_id(),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": data.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": _with_sources(answer)},
                    "finish_reason": "stop",
                }
            ],
        } | _extra(answer)
        return Response(body, media_type=MediaType.JSON)


def _chunks(events: AsyncIterator[Any], model: str, lang: str) -> ServerSentEvent:
    """The answer's events as OpenAI chunks: the role, the text as it is written, then the
    checked answer's ending (its sources, or the whole corrected text when the check replaced
    what was streamed) with ``finish_reason`` and the citations, then ``[DONE]``."""
    ident, created = _completion_id(), int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {
            "id": ident,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        } | extra
        return msgspec.json.encode(body).decode()

    async def messages() -> AsyncIterator[ServerSentEventMessage]:
        shown: list[str] = []
        yield ServerSentEventMessage(data=chunk({"role": "assistant", "content": ""}))
        async for event in events:
            match event:
                case Sources():
                    continue
                case Token(text=text) if text:
                    shown.append(text)
                    yield ServerSentEventMessage(data=chunk({"content": text}))
                case Done(answer=answer):
                    streamed, final = "".join(shown), _with_sources(answer)
                    if final.startswith(streamed):
                        rest = final[len(streamed) :]
                    else:  # the check replaced the model's text (fallback): say so, give it
                        notice = translate(
                            lang, N_("Réponse vérifiée, qui remplace la précédente :")
                        )
                        rest = f"\n\n— {notice}\n\n{final}"
                    yield ServerSentEventMessage(
                        data=chunk({"content": rest} if rest else {}, "stop", **_extra(answer))
                    )
        yield ServerSentEventMessage(data="[DONE]")

    return ServerSentEvent(messages(), headers={"Cache-Control": "no-store"})
