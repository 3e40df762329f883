"""The assistant's own types: what goes in (a question, the conversation, the caller's
territory) and what comes out (an answer with its citations, or the stream of its events).

Everything outside `knowledge/` sees these msgspec Structs, never LangChain objects.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal

import msgspec

__all__ = [
    "AnswerMode",
    "AssistantAnswer",
    "AssistantEvent",
    "Citation",
    "Done",
    "Sources",
    "TerritorySource",
    "Token",
    "ToolCaller",
    "ToolResult",
    "ToolSpec",
    "Turn",
]

AnswerMode = Literal["extractive", "generative"]
"""How the answer was written: sentences picked from the passages, or by the language model."""


class Turn(msgspec.Struct, frozen=True):
    """One message of a conversation (an answer keeps its citations, for the chat page)."""

    role: Literal["user", "assistant"]
    text: str
    citations: list[Citation] = msgspec.field(default_factory=list)
    refused: bool = False
    mode: AnswerMode = "extractive"


class TerritorySource(msgspec.Struct, frozen=True, kw_only=True):
    """The asking member's own territory results, as a source of its own.

    Built by the service from the caller's principal (never from the question), so it can
    only ever hold the caller's territory."""

    code: str
    name: str
    title: str
    """Title of the source, e.g. « Résultats de Biarritz (campagne 2025) »."""
    text: str
    """The results in plain French sentences (index, level, weakest dimensions, …)."""
    focus: list[str] = msgspec.field(default_factory=list)
    """Labels of the weakest dimensions: added to the literature search for recommendations."""
    parts: dict[str, str] = msgspec.field(default_factory=dict)
    """The results part by part (``summary``, ``weakest``, ``peers``, ``strongest``,
    ``evolution``, ``diagnostics``, ``next_steps``, ``notice``): an answer takes the parts
    its question asks for."""
    source: str = ""
    """Where the results can be read (a page or API path)."""


class Citation(msgspec.Struct, frozen=True, kw_only=True):
    """A numbered source given to the answer: a passage of the corpus, or the territory's
    results."""

    number: int
    text: str
    title: str
    source: str
    kind: Literal["passage", "territory", "data", "model"] = "passage"
    """``data``: the result of a data tool (figures with their group, n and campaign);
    ``model``: what the maturity model itself says (`knowledge.assistant.model_guide`)."""
    passage_id: str | None = None
    document_id: str | None = None
    section: str | None = None
    page: int | None = None
    similarity: float | None = None
    provenance: str | None = None
    """``builtin``, ``upload`` or ``practice`` for a passage (see `knowledge.types.Passage`)."""
    language: str = "fr"
    """Language of the passage."""
    href: str | None = None
    """The public page where the passage can be read, anchored on it (never a server path)."""
    flagged: list[str] = msgspec.field(default_factory=list)
    """The passage's instruction-like sentences: it is never quoted in an answer."""


class AssistantAnswer(msgspec.Struct, kw_only=True):
    """The assistant's answer to one question."""

    question: str
    query: str
    """The standalone query actually searched (the question rewritten for follow-ups)."""
    answer: str
    citations: list[Citation]
    """The sources the answer cites, by number."""
    refused: bool
    """True when no passage was relevant enough: the answer is the refusal, no model called."""
    mode: AnswerMode
    fallback: bool = False
    """True when the model's answer was replaced by an extractive one (see `fallback_reason`)."""
    fallback_reason: Literal["citations", "consignes", "injection", "chiffres"] | None = None
    """Why: no valid citation, a copy of the assistant's instructions, text injected in a
    document (`knowledge.assistant.guard`), or a figure that no source gives
    (`knowledge.assistant.figures`)."""
    removed_citations: list[int] = msgspec.field(default_factory=list)
    """Citation numbers the model gave that referred to no source (removed from the answer)."""
    territory: str | None = None
    """Code of the caller's territory when its results were one of the sources."""
    timings: dict[str, float] = msgspec.field(default_factory=dict)
    """Milliseconds spent per step (``rewrite``, ``retrieve``, ``answer``, ``total``,
    ``first_token``)."""
    prompts: dict[str, str] = msgspec.field(default_factory=dict)
    """Versions of the prompt templates used."""
    conversation_id: str | None = None


class Sources(msgspec.Struct, frozen=True, tag="sources"):
    """First event of a stream: every source given to the answer, and whether it refused."""

    sources: list[Citation]
    refused: bool
    mode: AnswerMode
    query: str


class Token(msgspec.Struct, frozen=True, tag="token"):
    """A piece of the answer's text, in order."""

    text: str


class Done(msgspec.Struct, frozen=True, tag="done"):
    """Last event: the final, checked answer (its text replaces the streamed one)."""

    answer: AssistantAnswer


AssistantEvent = Sources | Token | Done


class ToolSpec(msgspec.Struct, frozen=True):
    """A data tool the language model may call: its name, what it does, its arguments' JSON
    Schema."""

    name: str
    description: str
    parameters: dict[str, Any]


class ToolResult(msgspec.Struct, frozen=True):
    """What one tool call gave: a source of the answer (title « Données : … », the figures as
    text, where to read them)."""

    title: str
    text: str
    source: str


ToolCaller = Callable[[str, dict[str, Any]], Awaitable[ToolResult]]
"""Runs a data tool by name with the model's arguments, with the caller's rights."""
