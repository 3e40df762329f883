"""One run of the assistant's chain: the request, the state its steps pass along, and how
the synchronous path runs the asynchronous answer step without an event loop.

The answer step is written once, as an asynchronous generator (`Answering.events`); on the
synchronous path its model stream is the model's synchronous one, so the generator never
suspends and `drained` can step it by hand: no duplicated streaming code, no event loop
started inside a caller that may already run one.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncGenerator, Coroutine, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from knowledge.assistant.gate import Relevance
from knowledge.assistant.intent import Language
from knowledge.assistant.model_guide import ModelAnswer
from knowledge.assistant.types import (
    AssistantAnswer,
    AssistantEvent,
    Citation,
    Done,
    TerritorySource,
    ToolCaller,
    ToolResult,
    ToolSpec,
    Turn,
)
from knowledge.types import Passage

__all__ = [
    "OWN_TERRITORY",
    "AssistantRequest",
    "RunState",
    "about_own_territory",
    "drained",
    "final",
]

T = TypeVar("T")

OWN_TERRITORY: Final = re.compile(
    r"\b(nous|nos|notre|on en est|sommes|mon territoire|ma (?:commune|ville|collectivité)"
    r"|priorit\w*|prioris\w*|we|our|us)\b",
    re.IGNORECASE,
)
"""Questions about « our » territory: « où en sommes-nous… », « que prioriser ? »."""


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
class RunState:
    """What flows between the steps of one run."""

    request: AssistantRequest
    started: float = field(default_factory=time.perf_counter)
    query: str = ""
    language: Language = "fr"
    missing: list[str] = field(default_factory=list)
    """Names of the question the knowledge base knows nothing of."""
    definition: Passage | None = None
    """The glossary entry of the term a definition question asks about."""
    unsupported: str | None = None
    """The figure the question asks for when no source even names it."""
    model: ModelAnswer | None = None
    """What the maturity model says, when the question is about the model itself."""
    passages: list[Passage] = field(default_factory=list)
    relevance: Relevance | None = None
    territory: TerritorySource | None = None
    sources: list[Citation] = field(default_factory=list)
    refused: bool = False
    literature: bool = False
    """Whether the literature (or the data tools) has something to add: with a language
    model, only then is it called; otherwise the exact and extractive answer is the answer."""
    timings: dict[str, float] = field(default_factory=dict)
    data: list[ToolResult] = field(default_factory=list)

    def mark(self, step: str, since: float) -> None:
        """Records the milliseconds spent on `step` since `since`."""
        self.timings[step] = round((time.perf_counter() - since) * 1000, 1)

    @property
    def asked(self) -> str:
        """The question and the query searched: words the answer may repeat."""
        return f"{self.request.question} {self.query}"


def final(events: Iterable[AssistantEvent]) -> AssistantAnswer:
    """The answer of the run's last `Done` event."""
    done = [event.answer for event in events if isinstance(event, Done)]
    if not done:  # pragma: no cover - the answer step always ends with Done
        raise RuntimeError("la chaîne de l'assistant s'est arrêtée sans réponse")
    return done[-1]


def drained(events: AsyncGenerator[T, None]) -> Generator[T, None, None]:
    """The items of an asynchronous generator that never suspends, without an event loop.

    Raises `RuntimeError` if it does suspend (it awaited real input-output)."""
    suspended = False
    try:
        while True:
            step = events.__anext__()
            try:
                step.send(None)
            except StopIteration as item:
                yield item.value
                continue
            except StopAsyncIteration:
                return
            suspended = True
            raise RuntimeError("le flux synchrone de l'assistant a attendu une entrée-sortie")
    finally:
        if not suspended:  # a suspended generator is left to the garbage collector
            _run(events.aclose())


def _run(step: Coroutine[Any, Any, None]) -> None:
    """Runs a coroutine that does not suspend (the closing of a drained generator)."""
    try:
        step.send(None)
    except StopIteration:
        return
    step.close()
    raise RuntimeError("la fermeture du flux de l'assistant a attendu une entrée-sortie")
