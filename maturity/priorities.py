"""What to do first, and which side of an imbalance is the weaker: pure functions on a result.

**Ranking rule of the next steps** (README, "Prochaines étapes prioritaires"): each step
(one question of a dimension, from its current answer to the next level) gets

    priority = 100 × weight × gap × cap

- ``weight``: the question's share of the index, (W_d / Σ W) × (w_q / Σ w of its dimension's
  questions), over the dimensions that have a score;
- ``gap``: the room left on the question, (top − current) / top;
- ``cap``: 2 when the territory's level is held down by the cap (its index alone would reach a
  higher level) and the step's dimension is one of those at the lowest level, which hold the
  cap; 1 otherwise.

At most one step per dimension (its highest priority), then the steps by decreasing priority,
ties in model order. The weight favours what moves the index most, the gap what is furthest
from good practice, the cap what unblocks the level."""

from __future__ import annotations

import msgspec

from maturity.model import Model
from maturity.results import NextStep, ScoreResult

__all__ = ["CAP_FACTOR", "RankedStep", "rank_next_steps"]

CAP_FACTOR = 2.0
"""How much more a step counts when its dimension holds the level's cap down."""


class RankedStep(msgspec.Struct, frozen=True):
    """A next step with the three factors of its priority."""

    step: NextStep
    dimension_label: str
    weight: float
    gap: float
    cap: float
    priority: float


def _capping_dimensions(model: Model, result: ScoreResult) -> set[str]:
    """Dimensions holding the level down: empty unless the cap lowered the level."""
    if result.index is None or result.level is None or not model.cap_levels:
        return set()
    uncapped = model.level_for(result.index)
    if uncapped is None or uncapped.level <= result.level:
        return set()
    levels = {d.id: d.level for d in result.dimensions if d.level is not None}
    lowest = min(levels.values(), default=None)
    return {d for d, level in levels.items() if level == lowest}


def rank_next_steps(model: Model, result: ScoreResult, limit: int = 3) -> list[RankedStep]:
    """The `limit` next steps of `result` to take first (rule in the module docstring)."""
    scored = {d.id for d in result.dimensions if d.score is not None}
    total = sum(d.weight for d in model.dimensions if d.id in scored) or 1.0
    capping = _capping_dimensions(model, result)
    labels = {d.id: d.label for d in result.dimensions}
    best: dict[str, RankedStep] = {}
    for step in result.next_steps:
        dimension, question = model.questions[step.question]
        share = sum(q.weight for q in dimension.questions) or 1.0
        weight = (dimension.weight / total) * (question.weight / share)
        gap = (question.top - step.current) / question.top if question.top else 0.0
        cap = CAP_FACTOR if dimension.id in capping else 1.0
        ranked = RankedStep(
            step=step,
            dimension_label=labels.get(dimension.id, dimension.label.get()),
            weight=round(weight, 6),
            gap=round(gap, 6),
            cap=cap,
            priority=round(100 * weight * gap * cap, 4),
        )
        held = best.get(dimension.id)
        if held is None or ranked.priority > held.priority:
            best[dimension.id] = ranked
    order = {d.id: k for k, d in enumerate(model.dimensions)}
    ranked_steps = sorted(
        best.values(), key=lambda r: (-r.priority, order[r.step.dimension], r.step.question)
    )
    return ranked_steps[:limit]
