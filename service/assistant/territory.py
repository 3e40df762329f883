"""The caller's own territory as a source of the assistant: its latest results (index, level,
weakest and strongest dimensions, diagnostics, next steps, its place among its peers).

Confidentiality: the source is only ever built from the caller's principal (a member's own
territory), never from the question, so no question can bring another territory's results
into an answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

import prompts
from knowledge.assistant import TerritorySource
from maturity.model import INDEX, Model
from maturity.results import NextStep
from service.accounts.auth import Principal
from service.assessments.scores import territory_results
from service.peers.cache import BenchmarkCache, territory_benchmark
from service.platform.db import Sessions
from service.platform.errors import NotFoundError

__all__ = ["territory_source"]

WEAKEST: Final = 3
STRONGEST: Final = 2
NEXT_STEPS: Final = 3


PARTS: Final = (
    "summary",
    "weakest",
    "peers",
    "strongest",
    "evolution",
    "diagnostics",
    "next_steps",
    "notice",
)
"""The parts of the results an answer picks from (see `knowledge.assistant.territory_answer`)."""


def _previous(campaigns: Sequence[Any], index: float | None) -> dict[str, str] | None:
    """The campaign before the latest with an index, and how the index changed since."""
    before = next((c for c in campaigns[1:] if c.result.index is not None), None)
    if before is None or index is None:
        return None
    change = index - before.result.index
    if abs(change) < 0.05:
        moved = "peu évolué"
    else:
        moved = f"{'progressé' if change > 0 else 'baissé'} de {_num(abs(change))} points"
    return {"campaign": str(before.campaign), "index": _num(before.result.index), "change": moved}


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}".replace(".", ",")


def _spread(steps: Sequence[NextStep], weakest: Sequence[str]) -> list[NextStep]:
    """`NEXT_STEPS` next steps taken in turn from each of the `weakest` dimensions, weakest
    first: the priorities span the weak dimensions, not the first one's questions only."""
    queues = [[s for s in steps if s.dimension == dimension] for dimension in weakest]
    taken: list[NextStep] = []
    for rank in range(max((len(q) for q in queues), default=0)):
        taken += [queue[rank] for queue in queues if rank < len(queue)]
    return taken[:NEXT_STEPS]


async def territory_source(
    session: AsyncSession,
    sessions: Sessions,
    principal: Principal | None,
    model: Model,
    benchmarks: BenchmarkCache,
) -> TerritorySource | None:
    """The caller's own territory's latest results as a source, or None (anonymous callers,
    analysts, admins, members whose territory has not answered yet). `session` reads the
    results; the peer cache opens one from `sessions` only when its frames are due for a
    check."""
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
            frames = await benchmarks.get(sessions, latest.campaign, "national")
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
    context = {
        "name": name,
        "campaign": latest.campaign,
        "status": latest.status,
        "index": _num(result.index) if result.index is not None else None,
        "level": result.level,
        "level_label": result.level_label,
        "weakest": [{"label": d.label, "score": _num(d.score)} for d in weakest],
        "strongest": [
            {"label": d.label, "score": _num(d.score)} for d in reversed(scored[-STRONGEST:])
        ]
        if len(scored) > WEAKEST
        else [],
        "peers": peers,
        "diagnostics": [{"label": d.label, "message": d.message} for d in result.diagnostics],
        "next_steps": [
            {
                "dimension": labels.get(s.dimension, s.dimension),
                "question": s.question_label,
                "descriptor": s.descriptor,
            }
            for s in _spread(result.next_steps, [d.id for d in weakest])
        ],
        "notice": latest.notice,
        "previous": _previous(results.campaigns, result.index),
    }
    text = prompts.render("territory", **context)
    parts = {part: prompts.render("territory", only=part, **context) for part in PARTS}
    return TerritorySource(
        code=code,
        name=name,
        title=f"Résultats de {name} (campagne {latest.campaign})",
        text=text,
        focus=[d.label for d in weakest],
        parts={k: v for k, v in parts.items() if v},
        source=f"/api/v1/territories/{code}/results",
    )
