"""The assistant's use cases, the one entry point of every interface (API, pages, CLI): ask for
a whole answer, or stream it as it is written; read the conversation; give feedback on one of
its answers. Here, and only here, the question is checked, the caller's conversation and
territory resolved, the work timed (``territoires_work_duration_seconds``) and the turn
remembered."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace

import msgspec
from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.assistant import (
    Assistant,
    AssistantAnswer,
    AssistantEvent,
    AssistantRequest,
    ConversationStore,
    Done,
    Sources,
    TerritorySource,
    Token,
    Turn,
)
from knowledge.errors import KnowledgeError
from maturity.model import Model
from service.accounts.auth import Principal
from service.assistant.asking import (
    AskRequest,
    checked_question,
    conversation_key,
    conversation_owner,
    issue_conversation,
    verified_conversation,
)
from service.assistant.feedback import (
    MAX_COMMENT,
    Feedback,
    FeedbackCreate,
    answer_summary,
    record_feedback,
)
from service.assistant.provider import AssistantProvider
from service.assistant.territory import territory_source
from service.datatools.answers import answer_data_question, data_question
from service.datatools.catalogue import tool_caller, tool_specs
from service.datatools.context import DataContext
from service.datatools.grammar import wants_data
from service.datatools.vocabulary import load_vocabulary
from service.documents.provider import KnowledgeUnavailableError
from service.peers.cache import BenchmarkCache
from service.platform.db import Sessions
from service.platform.errors import InvalidInputError
from service.platform.i18n import N_
from service.platform.operations import observe

__all__ = ["AnswerStream", "AssistantService", "Exchange", "TerritoryReader"]


class Exchange(msgspec.Struct, frozen=True):
    """A question of the conversation and the answer it got (`index`: 0 for the first)."""

    index: int
    question: str
    answer: Turn


@dataclass(frozen=True, slots=True)
class TerritoryReader:
    """What reading the caller's own results takes: the request's session, the session
    factory (for the peer cache), the model and the peer cache."""

    session: AsyncSession
    sessions: Sessions
    model: Model
    benchmarks: BenchmarkCache

    async def source(self, principal: Principal | None) -> TerritorySource | None:
        """The caller's territory as a source, or None."""
        return await territory_source(
            self.session, self.sessions, principal, self.model, self.benchmarks
        )


@dataclass(frozen=True, slots=True)
class AnswerStream:
    """A streamed answer: ``Sources``, ``Token``…, then ``Done`` (the final, checked answer,
    carrying the conversation id)."""

    conversation_id: str
    events: AsyncIterator[AssistantEvent]

    def __aiter__(self) -> AsyncIterator[AssistantEvent]:
        return self.events

    async def messages(self) -> AsyncIterator[tuple[str, object]]:
        """The events as ``(name, data)``, as Server-Sent Events carry them: ``sources`` (with
        the conversation id), ``token`` (a piece of text), ``done`` (the answer)."""
        async for event in self.events:
            match event:
                case Sources():
                    data = msgspec.structs.asdict(event)
                    yield "sources", data | {"conversation_id": self.conversation_id}
                case Token():
                    yield "token", event
                case Done():
                    yield "done", event.answer


class AssistantService:
    """The assistant for one caller (a request, or a command on the terminal)."""

    def __init__(
        self,
        provider: AssistantProvider,
        principal: Principal | None,
        territories: TerritoryReader | None = None,
    ) -> None:
        self._provider = provider
        self._principal = principal
        self._territories = territories

    @property
    def conversations(self) -> ConversationStore:
        """Where the turns are kept."""
        return self._provider.conversations

    def _owned(self, given: str | None) -> str | None:
        """`given` if it is a conversation the service issued to this caller."""
        owner = conversation_owner(self._principal)
        return verified_conversation(given, self._provider.secret, owner)

    def exchanges(self, conversation: str | None) -> list[Exchange]:
        """The questions and answers of the caller's `conversation`, oldest first (none for
        an id the service did not issue to this caller)."""
        out: list[Exchange] = []
        if (conversation := self._owned(conversation)) is None:
            return out
        question: str | None = None
        for turn in self.conversations.history(conversation_key(self._principal, conversation)):
            if turn.role == "user":
                question = turn.text
                continue
            out.append(Exchange(len(out), question or "", turn))
        return out

    async def ask(self, data: AskRequest, history: Sequence[Turn] = ()) -> AssistantAnswer:
        """The whole answer, remembered in its conversation; `history`: the turns before it
        as the client holds them (OpenAI-style clients resend the whole conversation), used
        when the service keeps none for `data.conversation_id`."""
        assistant, request, conversation, key = await self._prepare(data, history)
        with observe("assistant"):
            answer = await self._figures(assistant, request) or await assistant.aask(request)
        answer = msgspec.structs.replace(answer, conversation_id=conversation)
        self._remember(key, answer)
        return answer

    async def stream(self, data: AskRequest, history: Sequence[Turn] = ()) -> AnswerStream:
        """The answer as it is written; the question is checked (and the sources found)
        before this returns, so that an invalid question is an error, not a broken stream.
        `history`: as for `ask`."""
        assistant, request, conversation, key = await self._prepare(data, history)

        figures = await self._figures(assistant, request)

        async def answered() -> AsyncIterator[AssistantEvent]:
            assert figures is not None
            yield Sources(figures.citations, False, "extractive", figures.query)
            yield Token(figures.answer)
            yield Done(figures)

        async def events() -> AsyncIterator[AssistantEvent]:
            with observe("assistant_stream"):
                stream = answered() if figures is not None else assistant.astream(request)
                async for event in stream:
                    if isinstance(event, Done):
                        answer = msgspec.structs.replace(event.answer, conversation_id=conversation)
                        self._remember(key, answer)
                        event = Done(answer)
                    yield event

        return AnswerStream(conversation, events())

    async def feedback(
        self,
        session: AsyncSession,
        conversation: str | None,
        index: int,
        useful: bool,
        comment: str | None = None,
    ) -> tuple[Exchange, Feedback] | None:
        """Record a verdict on the `index`-th answer of the caller's `conversation` (None:
        no such answer)."""
        exchanges = self.exchanges(conversation)
        if not 0 <= index < len(exchanges):
            return None
        chosen = exchanges[index]
        answer = chosen.answer
        if comment is not None and len(comment) > MAX_COMMENT:  # as the API's body is checked
            raise InvalidInputError(
                N_("Le commentaire dépasse %(max)s caractères."), max=MAX_COMMENT
            )
        verdict = FeedbackCreate(
            useful=useful,
            question=chosen.question or "—",
            answer=answer.text,
            comment=comment or None,
            mode=answer.mode,
            refused=answer.refused,
            sources=answer_summary(answer),
            conversation_id=conversation,
        )
        return chosen, await record_feedback(session, self._principal, verdict, answer)

    async def record_feedback(self, session: AsyncSession, data: FeedbackCreate) -> Feedback:
        """Record a verdict sent through the API: the answer stored is the service's record of
        the turn of `data.conversation_id` that answered `data.question` (the latest one when
        none matches), never the text the client sends back."""
        exchanges = self.exchanges(data.conversation_id)
        asked = " ".join(data.question.split())
        chosen = next((e for e in reversed(exchanges) if e.question == asked), None)
        if chosen is None and exchanges:
            chosen = exchanges[-1]
        if chosen is None:
            return await record_feedback(session, self._principal, data)
        turn = chosen.answer
        verdict = msgspec.structs.replace(
            data, question=chosen.question or "—", answer=turn.text, mode=turn.mode
        )
        return await record_feedback(session, self._principal, verdict, turn)

    async def _prepare(
        self, data: AskRequest, given: Sequence[Turn] = ()
    ) -> tuple[Assistant, AssistantRequest, str, str]:
        """The assistant, the request to give it, the conversation id and its storage key."""
        question = checked_question(data.question)
        conversation = self._owned(data.conversation_id) or issue_conversation(
            self._provider.secret, conversation_owner(self._principal)
        )
        key = conversation_key(self._principal, conversation)
        territory = None
        if self._territories is not None:
            territory = await self._territories.source(self._principal)
        try:
            assistant = await to_thread.run_sync(self._provider)
        except KnowledgeError as exc:
            raise KnowledgeUnavailableError(
                N_("L'assistant est indisponible : %(reason)s"), reason=str(exc)
            ) from exc
        history = self.conversations.history(key) or list(given)
        request = AssistantRequest(question=question, history=history, territory=territory)
        figures = self._data()
        if figures is not None and self._provider.generative:
            vocabulary = await load_vocabulary(figures.sessions, figures.model)
            if wants_data(question, vocabulary):
                request = replace(request, tools=tool_specs(), call_tool=tool_caller(figures))
        return assistant, request, conversation, key

    def _data(self) -> DataContext | None:
        """What the data tools need for this caller (None without a database: the CLI)."""
        reader = self._territories
        if reader is None:
            return None
        knowledge = self._provider.knowledge
        return DataContext(
            self._principal, reader.sessions, reader.model, reader.benchmarks, knowledge
        )

    async def _figures(
        self, assistant: Assistant, request: AssistantRequest
    ) -> AssistantAnswer | None:
        """Offline, the answer to a data question the grammar reads (a small table and its
        source), or None: the question goes to the knowledge base (a question about the
        model itself too: « passer du niveau 2 au niveau 3 en évaluation » is not a figure)."""
        data = self._data()
        if data is None or self._provider.generative or assistant.about_model(request.question):
            return None
        started = time.perf_counter()
        found = await data_question(data, request.question)
        if found is None:
            return None
        answer = await answer_data_question(data, *found)
        return AssistantAnswer(
            question=request.question,
            query=request.question,
            answer=answer.text,
            citations=[answer.source],
            refused=False,
            mode="extractive",
            timings={"total": round((time.perf_counter() - started) * 1000, 1)},
        )

    def _remember(self, key: str, answer: AssistantAnswer) -> None:
        self.conversations.append(
            key,
            Turn("user", answer.question),
            Turn("assistant", answer.answer, answer.citations, answer.refused, answer.mode),
        )
