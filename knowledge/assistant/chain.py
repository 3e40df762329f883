"""The assistant as one chain of langchain-core runnables.

    rewrite ─▶ retrieve ─▶ gate ─▶ answer (streams events, checks citations)

- *rewrite*: with a language model and a conversation, the follow-up becomes a standalone
  question; offline, a very short follow-up is searched together with the previous question;
- *retrieve*: the knowledge base's hybrid search (plus the weakest dimensions' names when the
  member asks about its own territory, so that recommendations come from the literature);
- *gate*: `knowledge.assistant.gate.relevance`; below it, the refusal, and no model call;
- *answer* (`knowledge.assistant.answering`): extractive by default, generative when a model
  is configured and the literature has something to add (the model file's and the member's
  results' answers are always said exactly); either way every citation is checked against
  the sources actually given, and a model's answer is checked against its instructions and
  the instruction-like passages (`knowledge.assistant.guard`): a copy of the instructions or
  a repeated injection stops the stream and falls back to the extractive answer, which never
  quotes an instruction-like passage.

The chain yields `Sources`, then `Token`s, then `Done`; `Assistant.ask` keeps only the last.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterator
from typing import Final, Literal

import msgspec
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.runnables import Runnable, RunnableGenerator, RunnableLambda

from knowledge.analysis import FrenchAnalyser
from knowledge.assistant.answering import Answering
from knowledge.assistant.gate import CorpusStats, relevance
from knowledge.assistant.intent import (
    asks_figure,
    defined_term,
    language,
    resolve_follow_up,
    standalone,
)
from knowledge.assistant.leads import (
    NOT_GIVEN_QUERY,
    figure_not_given,
    figure_unsupported,
    unknown_names,
    without_names,
)
from knowledge.assistant.llm import rewrite_messages
from knowledge.assistant.model_guide import ModelGuide
from knowledge.assistant.run import (
    OWN_TERRITORY,
    AssistantRequest,
    RunState,
    about_own_territory,
    final,
)
from knowledge.assistant.sources import TermIndex, citations_of
from knowledge.assistant.territory_answer import answered_alone
from knowledge.assistant.tools import call_tools
from knowledge.assistant.types import (
    AnswerMode,
    AssistantAnswer,
    AssistantEvent,
    Citation,
    TerritorySource,
    ToolResult,
)
from knowledge.retrieval import KnowledgeBase
from knowledge.types import Passage
from maturity.model import Model

__all__ = ["DEFAULT_K", "OWN_TERRITORY", "Assistant", "AssistantRequest", "about_own_territory"]

log = logging.getLogger(__name__)

DEFAULT_K: Final = 5
"""Passages given to the answer."""
_SHORT_FOLLOW_UP: Final = 3
"""Offline, a follow-up of at most this many content words is searched with the previous
question (« et à Mulhouse ? »)."""


class Assistant:
    """Answers questions from the knowledge base, with or without a language model."""

    def __init__(
        self,
        kb: KnowledgeBase,
        llm: BaseChatModel | None = None,
        *,
        k: int = DEFAULT_K,
        stats: CorpusStats | None = None,
        model: Model | None = None,
    ) -> None:
        self.kb = kb
        self.llm = llm
        self.k = k
        self.stats = stats or CorpusStats(kb)
        self.terms = TermIndex(kb)
        self.guide = ModelGuide(model) if model is not None else None
        self.analyser: FrenchAnalyser = self.stats.analyser
        self.answering = Answering(kb, llm, self.stats)
        self.chain: Runnable[AssistantRequest, AssistantEvent] = (
            RunnableLambda(self._rewrite, name="rewrite")
            | RunnableLambda(self._tools, afunc=self._atools, name="tools")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._gate, name="gate")
            | RunnableGenerator(self.answering.answer, self.answering.aanswer, name="answer")
        )

    @property
    def mode(self) -> AnswerMode:
        """``generative`` with a language model, else ``extractive``."""
        return self.answering.mode

    # -- public entry points ----------------------------------------------------------------

    def stream(self, request: AssistantRequest) -> Iterator[AssistantEvent]:
        """The events of the answer to `request` (sources, tokens, done)."""
        yield from self.chain.stream(request)

    async def astream(self, request: AssistantRequest) -> AsyncIterator[AssistantEvent]:
        """`stream`, asynchronously (the model's tokens arrive as it writes them)."""
        async for event in self.chain.astream(request):
            yield event

    def ask(self, request: AssistantRequest) -> AssistantAnswer:
        """The final answer to `request`."""
        return final(self.stream(request))

    async def aask(self, request: AssistantRequest) -> AssistantAnswer:
        """`ask`, asynchronously."""
        return final([event async for event in self.astream(request)])

    def about_model(self, question: str) -> bool:
        """Whether `question` is about the maturity model itself (answered from the model)."""
        return self.guide is not None and self.guide.answer(question) is not None

    # -- steps ------------------------------------------------------------------------------

    def _rewrite(self, request: AssistantRequest) -> RunState:
        state = RunState(request)
        since = time.perf_counter()
        question = " ".join(request.question.split())
        query = question
        previous = [t.text for t in request.history if t.role == "user"]
        if previous and self.llm is not None:
            try:
                reply = self.llm.invoke(rewrite_messages(question, request.history))
                rewritten = " ".join(str(reply.content).split()).strip('"«» ')
                if rewritten and len(rewritten) <= 4 * len(question) + 200:
                    query = rewritten
            except Exception:  # a failed rewrite must not cost the answer
                log.exception("réécriture de la question impossible ; question gardée telle quelle")
        elif previous and self._short(question):
            query = resolve_follow_up(question, standalone(previous, self._short))
        state.query = query
        state.language = language(question)
        if self.guide is not None:
            state.model = self.guide.answer(query, state.language)
        if request.territory is not None and about_own_territory(question):
            state.territory = request.territory
        state.mark("rewrite", since)
        return state

    def _short(self, question: str) -> bool:
        return len(self.analyser.words(question)) <= _SHORT_FOLLOW_UP

    def _tools(self, state: RunState) -> RunState:
        """Tools are called on the asynchronous path only (the service's)."""
        return state

    async def _atools(self, state: RunState) -> RunState:
        request = state.request
        if self.llm is None or not request.tools or request.call_tool is None:
            return state
        since = time.perf_counter()
        state.data = await call_tools(self.llm, state.query, request.tools, request.call_tool)
        state.mark("tools", since)
        return state

    def _retrieve(self, state: RunState) -> RunState:
        since = time.perf_counter()
        query = state.query
        if state.territory is not None and state.territory.focus:
            query = f"{query} {' '.join(state.territory.focus)}"
        df, _ = self.stats.frequencies()
        state.missing = unknown_names(state.query, df, self.analyser)
        searched = without_names(state.query, state.missing)
        query = without_names(query, state.missing)
        term = defined_term(state.query)
        state.definition = self.terms.find(term) if term else None
        state.passages = self.kb.search(query, self.k) if query else []
        if state.definition is not None:
            state.passages.insert(0, state.definition)
        state.passages += self._not_given(state, query)
        state.relevance = relevance(searched, state.passages, self.stats, state.language)
        state.mark("retrieve", since)
        return state

    def _not_given(self, state: RunState, query: str) -> list[Passage]:
        """For a question asking a figure, the passages saying it is not given (searched
        apart: they rarely share the question's words)."""
        if not query or not asks_figure(state.query):
            return []
        if figure_not_given(state.query, citations_of(state.passages)):
            return []
        found = self.kb.search(f"{query} {NOT_GIVEN_QUERY}", self.k)
        return [p for p in found if figure_not_given(state.query, citations_of([p]))]

    def _gate(self, state: RunState) -> RunState:
        relevant = state.relevance is not None and state.relevance.passed
        relevant = relevant or state.definition is not None
        if state.territory is not None and answered_alone(state.request.question):
            relevant = False  # its peers, its evolution: the member's results say it all
        passed = relevant or state.model is not None
        if passed and not figure_not_given(state.query, citations_of(state.passages)):
            texts = [p.text for p in state.passages]
            state.unsupported = figure_unsupported(state.query, texts, self.analyser)
            passed = state.unsupported is None
        state.literature = (passed and relevant) or bool(state.data)
        # the member's own results, and the data tools' figures, are relevant by construction
        state.refused = not passed and state.territory is None and not state.data
        if state.refused:
            return state
        sources = citations_of(state.passages) if passed else []
        if state.model is not None:
            m = state.model
            given = Citation(number=1, text=m.text, title=m.title, source=m.link, kind="model")
            sources = [given, *(msgspec.structs.replace(s, number=s.number + 1) for s in sources)]
        added: list[tuple[Literal["territory", "data"], TerritorySource | ToolResult]] = [
            ("territory", t) for t in [state.territory] if t is not None
        ]
        added += [("data", result) for result in state.data]
        for kind, item in added:
            number = len(sources) + 1
            cited = Citation(number=number, text=item.text, title=item.title, source=item.source)
            sources.append(msgspec.structs.replace(cited, kind=kind))
        state.sources = sources
        return state
