"""The assistant as the service runs it: one `Assistant` per application (made on first use,
over the same knowledge base as the search), the caller's territory as a source, the
conversation store, and the feedback readers leave on answers.

Confidentiality: the territory source is only ever built from the caller's principal (a member's
own territory), never from the question, so no question can bring another territory's results
into an answer.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any, Final, Literal

import msgspec
from sqlalchemy import Integer, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

import prompts
from knowledge.assistant import (
    Assistant,
    AssistantAnswer,
    ConversationStore,
    LLMConfig,
    MemoryConversations,
    TerritorySource,
    make_chat_model,
)
from knowledge.retrieval import KnowledgeBase
from maturity.model import INDEX, Model
from service.accounts.auth import Principal, utcnow
from service.assessments.scores import territory_results
from service.peers.cache import BenchmarkCache, reuse, territory_benchmark
from service.platform.db.tables import AssistantFeedback
from service.platform.errors import NotFoundError
from service.platform.settings import Settings

__all__ = [
    "AssistantProvider",
    "Feedback",
    "FeedbackCreate",
    "FeedbackList",
    "answer_summary",
    "conversation_key",
    "list_feedback",
    "record_feedback",
    "territory_source",
]

log = logging.getLogger(__name__)

WEAKEST: Final = 3
STRONGEST: Final = 2
NEXT_STEPS: Final = 3


class AssistantProvider:
    """Makes the assistant once per application, on first use, over the shared knowledge base
    (the chat model too, when `TERRITOIRES_LLM_BASE_URL` is set)."""

    def __init__(
        self,
        settings: Settings,
        knowledge: Callable[[], KnowledgeBase],
        conversations: ConversationStore | None = None,
    ) -> None:
        self._knowledge = knowledge
        self._llm = LLMConfig.from_settings(settings)
        self._assistant: Assistant | None = None
        self._lock = threading.Lock()
        self.conversations: ConversationStore = conversations or MemoryConversations()

    def __call__(self) -> Assistant:
        """The application's assistant."""
        with self._lock:
            if self._assistant is None:
                llm = make_chat_model(self._llm) if self._llm is not None else None
                self._assistant = Assistant(self._knowledge(), llm)
            return self._assistant


def conversation_key(principal: Principal | None, conversation_id: str) -> str:
    """Conversations are kept per caller: another account cannot continue someone's."""
    owner = str(principal.user_id) if principal is not None else "anonyme"
    return f"{owner}:{conversation_id}"


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}".replace(".", ",")


async def territory_source(
    session: AsyncSession,
    principal: Principal | None,
    model: Model,
    benchmarks: BenchmarkCache,
) -> TerritorySource | None:
    """The caller's own territory's latest results as a source, or None (anonymous callers,
    analysts, admins, members whose territory has not answered yet)."""
    if principal is None or principal.role != "member" or not principal.territory_code:
        return None
    code = principal.territory_code
    try:
        results = await territory_results(session, principal, model, code)
    except NotFoundError:
        return None
    if not results.campaigns:
        return None
    latest = results.campaigns[0]
    result = latest.result
    scored = sorted(
        (d for d in result.dimensions if d.score is not None), key=lambda d: d.score or 0.0
    )
    weakest = scored[:WEAKEST]
    labels = {d.id: d.label for d in result.dimensions}
    peers = None
    if latest.status == "submitted":
        try:
            frames = await benchmarks.get(reuse(session), latest.campaign, "national")
            bench = territory_benchmark(model, frames, code)
        except NotFoundError:
            bench = None
        index = next((m for m in bench.metrics if m.id == INDEX), None) if bench else None
        if bench is not None and index is not None and index.withheld is None:
            peers = {
                "description": bench.group.description,
                "n": bench.group.n,
                "percentile": _num(index.percentile, 0),
                "median": _num(index.median),
                "gap": _num(index.gap_median),
            }
    name = results.territory.name
    text = prompts.render(
        "territory",
        name=name,
        campaign=latest.campaign,
        status=latest.status,
        index=_num(result.index) if result.index is not None else None,
        level=result.level,
        level_label=result.level_label,
        weakest=[{"label": d.label, "score": _num(d.score)} for d in weakest],
        strongest=[
            {"label": d.label, "score": _num(d.score)} for d in reversed(scored[-STRONGEST:])
        ]
        if len(scored) > WEAKEST
        else [],
        peers=peers,
        diagnostics=[{"label": d.label, "message": d.message} for d in result.diagnostics],
        next_steps=[
            {
                "dimension": labels.get(s.dimension, s.dimension),
                "question": s.question_label,
                "descriptor": s.descriptor,
            }
            for s in result.next_steps
            if s.dimension in {d.id for d in weakest}
        ][:NEXT_STEPS],
        notice=latest.notice,
    )
    return TerritorySource(
        code=code,
        name=name,
        title=f"Résultats de {name} (campagne {latest.campaign})",
        text=text,
        focus=[d.label for d in weakest],
        source=f"/api/v1/territories/{code}/results",
    )


class FeedbackCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A reader's verdict on an answer, with what was asked and answered."""

    useful: bool
    question: str
    answer: str
    comment: str | None = None
    mode: Literal["extractive", "generative"] = "extractive"
    refused: bool = False
    sources: list[str] = msgspec.field(default_factory=list)
    """Titles or passage ids of the sources the answer cited."""
    conversation_id: str | None = None

    def __post_init__(self) -> None:
        limits = {"question": 2000, "answer": 20000, "comment": 4000}
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
    return Feedback(
        id=row.id,
        created_at=row.created_at,
        useful=row.useful,
        comment=row.comment,
        question=row.question,
        answer=row.answer,
        mode=row.mode,
        refused=row.refused,
        sources=[str(s) for s in row.sources],
        conversation_id=row.conversation_id,
        user_id=row.user_id,
    )


async def record_feedback(
    session: AsyncSession, principal: Principal | None, data: FeedbackCreate
) -> Feedback:
    """Store a verdict (anonymous readers too: the answers are public)."""
    row = AssistantFeedback(
        created_at=utcnow(),
        useful=data.useful,
        comment=(data.comment or "").strip() or None,
        question=data.question.strip(),
        answer=data.answer,
        mode=data.mode,
        refused=data.refused,
        sources=list(data.sources),
        conversation_id=data.conversation_id,
        user_id=principal.user_id if principal is not None else None,
    )
    session.add(row)
    await session.flush()
    return _view(row)


async def list_feedback(session: AsyncSession, limit: int = 100) -> FeedbackList:
    """The latest verdicts and the counts (for the network's staff)."""
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
    return FeedbackList(total=int(total), useful=int(useful), items=[_view(r) for r in rows])


def answer_summary(answer: AssistantAnswer) -> list[str]:
    """The cited sources of an answer as feedback stores them."""
    return [f"[{c.number}] {c.title}" for c in answer.citations]
