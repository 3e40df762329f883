"""Readers' feedback on the assistant's answers: useful or not, with an optional comment, kept
for the network to review. The API and the chat page record it the same way.

Private by construction: an answer may quote the caller's own territory results (a source
only its members and the administrators may read), while feedback is read by the network's
analysts. So what is stored never holds them: the answer is the service's own record of the
turn, from which every sentence that cites the territory source, or cites nothing when that
source was given, is removed; a member's answer the service cannot match to its record is
not kept at all. Readers other than administrators do not see who gave the feedback."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Final, Literal, Protocol

import msgspec
from sqlalchemy import Integer, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.assistant import Citation
from service.accounts.auth import Principal, require_role, utcnow
from service.assistant.asking import MAX_CONVERSATION_ID, MAX_QUESTION
from service.platform.db.tables import AssistantFeedback
from service.platform.text import NOT_BLANK_PATTERN

__all__ = [
    "MAX_ANSWER",
    "MAX_COMMENT",
    "NOT_KEPT",
    "Cited",
    "Feedback",
    "FeedbackCreate",
    "FeedbackList",
    "answer_summary",
    "list_feedback",
    "record_feedback",
]

MAX_ANSWER: Final = 20000
MAX_COMMENT: Final = 4000
NOT_KEPT: Final = "(réponse non conservée : elle pouvait citer les résultats privés du territoire)"
_UNITS: Final = re.compile(r"(?<=\])\s+(?=[^\[\s])|(?<=[.!?])\s+(?!\[)")
"""Where a line of an answer splits into cited sentences: after its citations, or after a
sentence that no citation follows."""
_LISTED: Final = re.compile(r"^\[\d{1,3}\]\s")
"""A line of the list of sources (``[2] Title (source)``): one unit, numbered first."""
_NUMBERS: Final = re.compile(r"\[(\d{1,3})\]")


class Cited(Protocol):
    """An answer or a conversation's turn: what it cited."""

    @property
    def citations(self) -> Sequence[Citation]:
        """The cited sources, numbered."""
        ...


class FeedbackCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A reader's verdict on an answer, with what was asked and answered."""

    useful: bool
    question: Annotated[str, msgspec.Meta(pattern=NOT_BLANK_PATTERN)]  # said in the schema
    answer: str
    comment: str | None = None
    mode: Literal["extractive", "generative"] = "extractive"
    refused: bool = False
    sources: list[str] = msgspec.field(default_factory=list)
    """Titles or passage ids of the sources the answer cited."""
    conversation_id: str | None = None

    def __post_init__(self) -> None:
        limits = {
            "question": MAX_QUESTION,
            "answer": MAX_ANSWER,
            "comment": MAX_COMMENT,
            "conversation_id": MAX_CONVERSATION_ID,
        }
        for name, limit in limits.items():
            value = getattr(self, name)
            if value is not None and len(value) > limit:
                raise ValueError(f"« {name} » dépasse {limit} caractères")
        if not self.question.strip():
            raise ValueError("« question » est vide")
        if len(self.sources) > 50 or any(len(s) > 500 for s in self.sources):
            raise ValueError("« sources » : 50 éléments de 500 caractères au plus")


class Feedback(msgspec.Struct):
    """A stored verdict."""

    id: int
    created_at: Any
    useful: bool
    comment: str | None
    question: str
    answer: str
    mode: str
    refused: bool
    sources: list[str]
    conversation_id: str | None
    user_id: uuid.UUID | None


class FeedbackList(msgspec.Struct):
    """Verdicts, newest first, with the overall counts."""

    total: int
    useful: int
    items: list[Feedback]


def _view(row: AssistantFeedback) -> Feedback:
    return msgspec.convert(row, Feedback, from_attributes=True)


def without_territory(text: str, citations: Sequence[Citation]) -> str:
    """`text` without what came from a territory source: the sentences citing it, and the
    uncited ones (they may paraphrase it) whenever such a source was given."""
    private = {c.number for c in citations if c.kind == "territory"}
    if not private:
        return text
    lines = []
    for line in text.splitlines():
        units = [line] if _LISTED.match(line) else _UNITS.split(line)
        kept = []
        for unit in units:
            cited = {int(n) for n in _NUMBERS.findall(unit)}
            if cited and not cited & private:
                kept.append(unit.strip())
        if kept:
            lines.append(" ".join(kept))
    return "\n".join(lines)


def _sources(citations: Sequence[Citation]) -> list[str]:
    return [f"[{c.number}] {c.title}" for c in citations if c.kind != "territory"]


async def record_feedback(
    session: AsyncSession,
    principal: Principal | None,
    data: FeedbackCreate,
    record: Cited | None = None,
) -> Feedback:
    """Store a verdict (anonymous readers too: the answers are public). `record`: the
    service's own record of the answer (its citations), when the verdict could be matched to
    it; then the stored text is free of the caller's territory results."""
    if record is not None:
        answer, sources = (
            without_territory(data.answer, record.citations),
            _sources(record.citations),
        )
    elif principal is not None and principal.territory_code:
        answer, sources = NOT_KEPT, []  # a member's answer we cannot check is not kept
    else:
        answer, sources = data.answer, list(data.sources)
    given = msgspec.structs.asdict(data) | {
        "comment": (data.comment or "").strip() or None,
        "question": data.question.strip(),
        "answer": answer,
        "sources": sources,
    }
    row = AssistantFeedback(
        **given,
        created_at=utcnow(),
        user_id=principal.user_id if principal is not None else None,
    )
    session.add(row)
    await session.flush()
    return _view(row)


async def list_feedback(
    session: AsyncSession, principal: Principal | None, limit: int = 100
) -> FeedbackList:
    """The latest verdicts and the counts (administrators and analysts only)."""
    require_role(principal, "admin", "analyst")
    total, useful = (
        await session.execute(
            select(
                func.count(), func.coalesce(func.sum(cast(AssistantFeedback.useful, Integer)), 0)
            )
        )
    ).one()
    rows = (
        await session.execute(
            select(AssistantFeedback).order_by(AssistantFeedback.id.desc()).limit(limit)
        )
    ).scalars()
    items = [_view(r) for r in rows]
    if principal is None or principal.role != "admin":  # who asked is an administrator's to know
        items = [msgspec.structs.replace(item, user_id=None) for item in items]
    return FeedbackList(total=int(total), useful=int(useful), items=items)


def answer_summary(answer: Cited) -> list[str]:
    """The cited sources of an answer as feedback stores them."""
    return [f"[{c.number}] {c.title}" for c in answer.citations]
