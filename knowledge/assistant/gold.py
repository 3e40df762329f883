"""The assistant's gold set (``tests/fixtures/assistant-gold.toml``): questions with what their
answer must say, split into a tuning half and a held-out half fixed before any tuning, and
the check of one answer against its question."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal

import msgspec

from knowledge.assistant.intent import fold, language
from knowledge.assistant.types import AssistantAnswer

__all__ = ["AnswerGold", "Kind", "check", "load_answer_gold"]

Kind = Literal["answer", "unknown", "no_figure", "refuse", "follow_up"]


class AnswerGold(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One question of the assistant's gold set."""

    id: str
    kind: Kind
    split: Literal["tuning", "heldout"]
    question: str
    expect: list[str] = msgspec.field(default_factory=list)
    """Phrases; the answer must contain one of them (compared folded)."""
    lead: str | None = None
    """What the answer must start with."""
    previous: str | None = None
    """The question asked just before (follow-ups)."""
    corpus: Literal["cards", "shared"] = "cards"


class _File(msgspec.Struct, forbid_unknown_fields=True):
    questions: list[AnswerGold]


def load_answer_gold(path: Path) -> list[AnswerGold]:
    """Read and validate the assistant's gold file."""
    with path.open("rb") as f:
        return msgspec.convert(tomllib.load(f), _File).questions


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", fold(text).replace("’", "'"))


def check(question: AnswerGold, answer: AssistantAnswer) -> str | None:
    """Why `answer` fails `question`, or None when it passes."""
    text = _squash(answer.answer)
    english = language(question.question) == "en"
    if question.kind == "refuse":
        if not answer.refused:
            return "répond au lieu de refuser"
        refusal_en = text.startswith("i cannot answer")
        if english != refusal_en:
            return "refus dans une autre langue que la question"
        return None
    if question.lead is not None and not text.startswith(_squash(question.lead)):
        return f"ne commence pas par « {question.lead} »"
    if question.kind == "unknown":
        return None
    if answer.refused:
        return "refuse une question qui a une réponse"
    if question.expect and not any(_squash(e) in text for e in question.expect):
        return "aucune des phrases attendues"
    return None
