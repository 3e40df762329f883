"""The assistant as one chain of langchain-core runnables.

    rewrite ─▶ retrieve ─▶ gate ─▶ answer (streams events, checks citations)

- *rewrite*: with a language model and a conversation, the follow-up becomes a standalone
  question; offline, a very short follow-up is searched together with the previous question;
- *retrieve*: the knowledge base's hybrid search (plus the weakest dimensions' names when the
  member asks about its own territory, so that recommendations come from the literature);
- *gate*: `knowledge.assistant.gate.relevance`; below it, the refusal, and no model call;
- *answer*: extractive by default, generative when a model is configured; either way every
  citation is checked against the sources actually given, and a model's answer is checked
  against its instructions and the instruction-like passages (`knowledge.assistant.guard`):
  a copy of the instructions or a repeated injection stops the stream and falls back to the
  extractive answer, which never quotes an instruction-like passage.

The chain yields `Sources`, then `Token`s, then `Done`; `Assistant.ask` keeps only the last.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.runnables import Runnable, RunnableGenerator, RunnableLambda

import prompts
from knowledge.analysis import FrenchAnalyser
from knowledge.assistant.citations import cited_numbers, repair
from knowledge.assistant.extractive import compose, pick_sentences, territory_sentences
from knowledge.assistant.gate import CorpusStats, Relevance, relevance
from knowledge.assistant.guard import AnswerCheck, Problem
from knowledge.assistant.llm import answer_messages, instruction_texts, rewrite_messages
from knowledge.assistant.output import AnswerOutput
from knowledge.assistant.tools import call_tools
from knowledge.assistant.types import (
    AnswerMode,
    AssistantAnswer,
    AssistantEvent,
    Citation,
    Done,
    Sources,
    TerritorySource,
    Token,
    ToolCaller,
    ToolResult,
    ToolSpec,
    Turn,
)
from knowledge.retrieval import KnowledgeBase
from knowledge.types import Passage

__all__ = ["DEFAULT_K", "OWN_TERRITORY", "Assistant", "AssistantRequest", "about_own_territory"]

log = logging.getLogger(__name__)

DEFAULT_K: Final = 5
"""Passages given to the answer."""
OWN_TERRITORY: Final = re.compile(
    r"\b(nous|nos|notre|on en est|sommes|mon territoire|ma (?:commune|ville|collectivité)"
    r"|priorit\w*|prioris\w*|we|our|us)\b",
    re.IGNORECASE,
)
"""Questions about « our » territory: « où en sommes-nous… », « que prioriser ? »."""
_SHORT_FOLLOW_UP: Final = 3
"""Offline, a follow-up of at most this many content words is searched with the previous
question (« et à Mulhouse ? »)."""
_TOPICS: Final = 8
_REASONS: Final = {
    "consignes": "copie des consignes",
    "injection": "texte injecté",
    "chiffres": "chiffre absent des sources",
}


def about_own_territory(question: str) -> bool:
    """Whether the question speaks of the asker's own territory."""
    return bool(OWN_TERRITORY.search(question))


@dataclass(frozen=True)
class AssistantRequest:
    """One question, the conversation so far, and the caller's territory when it has one."""

    question: str
    history: Sequence[Turn] = ()
    territory: TerritorySource | None = None
    tools: Sequence[ToolSpec] = ()
    """Data tools the language model may call for this caller (none offline)."""
    call_tool: ToolCaller | None = None
    """Runs them, with the caller's rights (`knowledge.assistant.tools`)."""


@dataclass
class _State:
    """What flows between the steps of one run."""

    request: AssistantRequest
    started: float = field(default_factory=time.perf_counter)
    query: str = ""
    passages: list[Passage] = field(default_factory=list)
    relevance: Relevance | None = None
    territory: TerritorySource | None = None
    sources: list[Citation] = field(default_factory=list)
    refused: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    data: list[ToolResult] = field(default_factory=list)

    def mark(self, step: str, since: float) -> None:
        self.timings[step] = round((time.perf_counter() - since) * 1000, 1)


class Assistant:
    """Answers questions from the knowledge base, with or without a language model."""

    def __init__(
        self,
        kb: KnowledgeBase,
        llm: BaseChatModel | None = None,
        *,
        k: int = DEFAULT_K,
        stats: CorpusStats | None = None,
    ) -> None:
        self.kb = kb
        self.llm = llm
        self.k = k
        self.stats = stats or CorpusStats(kb)
        self.analyser: FrenchAnalyser = self.stats.analyser
        self.chain: Runnable[AssistantRequest, AssistantEvent] = (
            RunnableLambda(self._rewrite, name="rewrite")
            | RunnableLambda(self._tools, afunc=self._atools, name="tools")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._gate, name="gate")
            | RunnableGenerator(self._answer, self._aanswer, name="answer")
        )

    @property
    def mode(self) -> AnswerMode:
        """``generative`` with a language model, else ``extractive``."""
        return "generative" if self.llm is not None else "extractive"

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
        return _final(self.stream(request))

    async def aask(self, request: AssistantRequest) -> AssistantAnswer:
        """`ask`, asynchronously."""
        done: AssistantAnswer | None = None
        async for event in self.astream(request):
            if isinstance(event, Done):
                done = event.answer
        if done is None:  # pragma: no cover - the answer step always ends with Done
            raise RuntimeError("la chaîne de l'assistant s'est arrêtée sans réponse")
        return done

    # -- steps ------------------------------------------------------------------------------

    def _rewrite(self, request: AssistantRequest) -> _State:
        state = _State(request)
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
        elif previous and len(self.analyser.words(question)) <= _SHORT_FOLLOW_UP:
            query = f"{previous[-1]} {question}"
        state.query = query
        if request.territory is not None and about_own_territory(question):
            state.territory = request.territory
        state.mark("rewrite", since)
        return state

    def _tools(self, state: _State) -> _State:
        """Tools are called on the asynchronous path only (the service's)."""
        return state

    async def _atools(self, state: _State) -> _State:
        request = state.request
        if self.llm is None or not request.tools or request.call_tool is None:
            return state
        since = time.perf_counter()
        state.data = await call_tools(self.llm, state.query, request.tools, request.call_tool)
        state.mark("tools", since)
        return state

    def _retrieve(self, state: _State) -> _State:
        since = time.perf_counter()
        query = state.query
        if state.territory is not None and state.territory.focus:
            query = f"{query} {' '.join(state.territory.focus)}"
        state.passages = self.kb.search(query, self.k) if query else []
        state.relevance = relevance(state.query, state.passages, self.stats)
        state.mark("retrieve", since)
        return state

    def _gate(self, state: _State) -> _State:
        passed = state.relevance is not None and state.relevance.passed
        # the member's own results, and the data tools' figures, are relevant by construction
        state.refused = not passed and state.territory is None and not state.data
        if state.refused:
            return state
        passages = state.passages if passed else []
        sources = [_citation(i, p) for i, p in enumerate(passages, start=1)]
        if state.territory is not None:
            t = state.territory
            sources.append(
                Citation(
                    number=len(sources) + 1,
                    text=t.text,
                    title=t.title,
                    source=t.source,
                    kind="territory",
                )
            )
        for result in state.data:
            sources.append(
                Citation(
                    number=len(sources) + 1,
                    text=result.text,
                    title=result.title,
                    source=result.source,
                    kind="data",
                )
            )
        state.sources = sources
        return state

    def _start(self, state: _State) -> Sources:
        return Sources(
            sources=state.sources, refused=state.refused, mode=self.mode, query=state.query
        )

    def _answer(self, states: Iterator[_State]) -> Iterator[AssistantEvent]:
        for state in states:
            yield self._start(state)
            since = time.perf_counter()
            if state.refused or self.llm is None:
                yield from self._offline(state, since)
                continue
            out, failed = AnswerOutput(state.sources, _asked(state), bool(state.data)), False
            try:
                for chunk in self.llm.stream(self._messages(state)):
                    if piece := out.feed(chunk.content):
                        if "first_token" not in state.timings:
                            state.mark("first_token", state.started)
                        yield Token(piece)
                    if out.stopped:
                        break
            except Exception:
                log.exception("le modèle de langage n'a pas répondu ; réponse extractive")
                failed = True
            text = out.text(failed)
            yield Done(self._finish(state, text, since, out.citations.removed, out.problem))

    async def _aanswer(self, states: AsyncIterator[_State]) -> AsyncIterator[AssistantEvent]:
        async for state in states:
            yield self._start(state)
            since = time.perf_counter()
            if state.refused or self.llm is None:
                for event in self._offline(state, since):
                    yield event
                continue
            out, failed = AnswerOutput(state.sources, _asked(state), bool(state.data)), False
            try:
                async for chunk in self.llm.astream(self._messages(state)):
                    if piece := out.feed(chunk.content):
                        if "first_token" not in state.timings:
                            state.mark("first_token", state.started)
                        yield Token(piece)
                    if out.stopped:
                        break
            except Exception:
                log.exception("le modèle de langage n'a pas répondu ; réponse extractive")
                failed = True
            text = out.text(failed)
            yield Done(self._finish(state, text, since, out.citations.removed, out.problem))

    # -- helpers ----------------------------------------------------------------------------

    def _offline(self, state: _State, since: float) -> list[AssistantEvent]:
        """The refusal or the extractive answer: no model involved."""
        text = self._refusal() if state.refused else self._extractive(state)
        state.mark("first_token", state.started)
        return [Token(text), Done(self._finish(state, text, since, generated=False))]

    def _messages(self, state: _State) -> Any:
        territory = state.territory.name if state.territory is not None else None
        return answer_messages(state.query, state.sources, territory, data=bool(state.data))

    def _refusal(self) -> str:
        docs = self.kb.documents()
        cards = [d.title for d in docs if d.dimensions and d.language == "fr"]
        topics = (cards or [d.title for d in docs])[:_TOPICS]
        return prompts.render("refusal", topics=topics)

    def _extractive(self, state: _State) -> str:
        literature = [s for s in state.sources if s.kind == "passage"]
        chosen = pick_sentences(state.query, literature, self.analyser, self.stats.idf)
        own = [s for s in state.sources if s.kind == "territory"]
        if own:
            chosen = territory_sentences(own[0]) + chosen
        # the data tools' figures as they came, each cited, before the literature's sentences
        figures = [
            f"{s.title} [{s.number}] :\n\n{s.text}" for s in state.sources if s.kind == "data"
        ]
        if figures and not chosen:
            return "\n\n".join(figures)
        return "\n\n".join([*figures, compose(chosen, state.sources)])

    def _finish(
        self,
        state: _State,
        text: str,
        since: float,
        removed: Sequence[int] = (),
        problem: Problem | Literal["chiffres"] | None = None,
        *,
        generated: bool = True,
    ) -> AssistantAnswer:
        valid = {s.number for s in state.sources}
        reason: Literal["citations", "consignes", "injection", "chiffres"] | None = None
        removed_all = list(removed)
        used = ["refusal"] if state.refused else ["extractive"]
        if generated:
            text, more = repair(text.strip(), valid)
            removed_all.extend(more)
            used = ["system", "answer"] + (["rewrite"] if state.request.history else [])
            used += ["tools"] if state.request.tools and state.request.call_tool else []
            question = f"{state.request.question} {state.query}"
            reason = problem or AnswerCheck(instruction_texts(), state.sources, question).problem(
                text
            )
            if reason is not None:
                log.warning(
                    "réponse du modèle refusée (%s) : remplacée par l'extractive",
                    _REASONS[reason],
                )
            elif not cited_numbers(text):
                log.warning("réponse du modèle sans citation valide : remplacée par l'extractive")
                reason = "citations"
            if reason is not None:
                text = self._extractive(state)
                used.append("extractive")
        fallback = reason is not None
        if state.territory is not None and not state.refused:
            used.append("territory")
        numbers = set(cited_numbers(text)) if not state.refused else set()
        state.mark("answer", since)
        state.mark("total", state.started)
        return AssistantAnswer(
            question=state.request.question,
            query=state.query,
            answer=text,
            citations=[s for s in state.sources if s.number in numbers],
            refused=state.refused,
            mode="generative" if generated and not fallback else "extractive",
            fallback=fallback,
            fallback_reason=reason,
            removed_citations=sorted(set(removed_all)),
            territory=state.territory.code if state.territory and not state.refused else None,
            timings=dict(state.timings),
            prompts={name: prompts.version(name) for name in used},
        )


def _asked(state: _State) -> str:
    """The question and the query searched: words the answer may repeat."""
    return f"{state.request.question} {state.query}"


def _citation(number: int, passage: Passage) -> Citation:
    return Citation(
        number=number,
        text=passage.text,
        title=passage.title,
        source=passage.source,
        passage_id=passage.id,
        document_id=passage.document_id,
        section=passage.section,
        page=passage.page,
        similarity=passage.similarity,
        provenance=passage.provenance,
        flagged=list(passage.flagged),
    )


def _final(events: Iterator[AssistantEvent]) -> AssistantAnswer:
    done: AssistantAnswer | None = None
    for event in events:
        if isinstance(event, Done):
            done = event.answer
    if done is None:  # pragma: no cover - the answer step always ends with Done
        raise RuntimeError("la chaîne de l'assistant s'est arrêtée sans réponse")
    return done
