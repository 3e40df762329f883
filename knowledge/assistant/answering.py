"""The chain's last step: the answer, streamed as events.

Offline (or after a refusal) the answer is the refusal or the extractive answer, no model
involved. With a model, its tokens stream through `AnswerOutput` (citations repaired,
instructions and injected text stopped) after what the base lacks and what the model file
or the member's results say, written exactly (`exact_part`): the model is trusted neither to
say the first nor to copy the second; it is called only when the literature (or the data
tools) has something to add. A model that breaks a rule, gives no valid citation or does not
answer is replaced by the extractive answer.

The step is written once, as an asynchronous generator (`Answering.events`); the synchronous
path runs it through `knowledge.assistant.run.drained` with the model's synchronous stream.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator, Sequence
from contextlib import aclosing
from typing import Any, Final, Literal

from langchain_core.language_models.chat_models import BaseChatModel

import prompts
from knowledge.assistant.citations import cited_numbers, repair
from knowledge.assistant.gate import CorpusStats
from knowledge.assistant.guard import AnswerCheck, Problem
from knowledge.assistant.llm import answer_messages, instruction_texts
from knowledge.assistant.offline import Asked, exact_part, extractive_answer, refusal
from knowledge.assistant.output import AnswerOutput
from knowledge.assistant.run import RunState, drained
from knowledge.assistant.types import (
    AnswerMode,
    AssistantAnswer,
    AssistantEvent,
    Done,
    Sources,
    Token,
)
from knowledge.retrieval import KnowledgeBase

__all__ = ["Answering"]

log = logging.getLogger(__name__)

_Chunks = Callable[[BaseChatModel, Any], AsyncGenerator[object, None]]
"""How the model's chunks arrive: `sync_chunks` or `async_chunks`."""
_REASONS: Final = {
    "consignes": "copie des consignes",
    "injection": "texte injecté",
    "chiffres": "chiffre absent des sources",
}


async def sync_chunks(llm: BaseChatModel, messages: Any) -> AsyncGenerator[object, None]:
    """The model's synchronous stream, never suspending (so `drained` can run it)."""
    for chunk in llm.stream(messages):
        yield chunk.content


async def async_chunks(llm: BaseChatModel, messages: Any) -> AsyncGenerator[object, None]:
    """The model's asynchronous stream."""
    async for chunk in llm.astream(messages):
        yield chunk.content


class Answering:
    """Writes the answer of a run whose sources are chosen (or whose question is refused)."""

    def __init__(self, kb: KnowledgeBase, llm: BaseChatModel | None, stats: CorpusStats) -> None:
        self.kb = kb
        self.llm = llm
        self.stats = stats

    @property
    def mode(self) -> AnswerMode:
        """``generative`` with a language model, else ``extractive``."""
        return "generative" if self.llm is not None else "extractive"

    def answer(self, states: Iterator[RunState]) -> Iterator[AssistantEvent]:
        """The answer step, synchronously: `events` run without an event loop."""
        for state in states:
            yield from drained(self.events(state, sync_chunks))

    async def aanswer(self, states: AsyncIterator[RunState]) -> AsyncIterator[AssistantEvent]:
        """The answer step, asynchronously (the model's tokens arrive as it writes them)."""
        async for state in states:
            async with aclosing(self.events(state, async_chunks)) as events:
                async for event in events:
                    yield event

    async def events(
        self, state: RunState, chunks: _Chunks
    ) -> AsyncGenerator[AssistantEvent, None]:
        """The answer's events, the one implementation of both paths: sources, then the
        refusal or extractive answer, or the model's checked tokens as `chunks` brings them."""
        yield Sources(
            sources=state.sources, refused=state.refused, mode=self.mode, query=state.query
        )
        since = time.perf_counter()
        if state.refused or self.llm is None or not state.literature:
            for event in self._offline(state, since):
                yield event
            return
        out, failed = AnswerOutput(state.sources, state.asked, bool(state.data)), False
        if prefix := exact_part(self._asked(state)):
            yield Token(prefix)
        try:
            async with aclosing(chunks(self.llm, self._messages(state, prefix))) as contents:
                async for content in contents:
                    if piece := out.feed(content):
                        if "first_token" not in state.timings:
                            state.mark("first_token", state.started)
                        yield Token(piece)
                    if out.stopped:
                        break
        except Exception:
            log.exception("le modèle de langage n'a pas répondu ; réponse extractive")
            failed = True
        text = out.text(failed)
        yield Done(self._finish(state, text, since, out.citations.removed, out.problem, prefix))

    def _offline(self, state: RunState, since: float) -> list[AssistantEvent]:
        """The refusal or the extractive answer: no model involved (with one, when only the
        model file or the member's results answer: they are said exactly)."""
        text = self._refusal(state) if state.refused else self._extractive(state)
        state.mark("first_token", state.started)
        return [Token(text), Done(self._finish(state, text, since, generated=False))]

    @staticmethod
    def _messages(state: RunState, said: str) -> Any:
        territory = state.territory.name if state.territory is not None else None
        data = bool(state.data)
        return answer_messages(state.query, state.sources, territory, data=data, said=said)

    @staticmethod
    def _asked(state: RunState) -> Asked:
        return Asked(
            question=state.request.question,
            query=state.query,
            sources=state.sources,
            language=state.language,
            missing=state.missing,
            unsupported=state.unsupported,
            topic=state.model.topic if state.model is not None else None,
            territory=state.territory,
            definition=state.definition is not None,
        )

    def _refusal(self, state: RunState) -> str:
        return refusal(self.kb.documents(), self._asked(state))

    def _extractive(self, state: RunState) -> str:
        return extractive_answer(self._asked(state), self.stats.analyser, self.stats.weights())

    def _finish(
        self,
        state: RunState,
        text: str,
        since: float,
        removed: Sequence[int] = (),
        problem: Problem | Literal["chiffres"] | None = None,
        prefix: str = "",
        *,
        generated: bool = True,
    ) -> AssistantAnswer:
        """The answer: a model's `text` checked, after its `prefix`, or replaced by the
        extractive answer (which says the prefix already)."""
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
        if generated and not fallback:
            text = prefix + text
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
