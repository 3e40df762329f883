"""A plain-Python implementation of DESIGN §3, written for clarity, not speed.

The test oracle for the polars engine (tests compare both on generated answer sets) and the
baseline of `benchmarks/scoring.py`. Deliberately shares no code with `maturity.scoring`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from maturity.model import GapRule, Model

NA, UNKNOWN = "na", "unknown"
EPS = 1e-9  # a score equal to a threshold in exact arithmetic reaches it


@dataclass
class OracleResult:
    """Everything DESIGN §3 defines for one assessment."""

    dimensions: dict[str, float | None] = field(default_factory=dict)
    completeness: dict[str, float | None] = field(default_factory=dict)
    incomplete: dict[str, bool] = field(default_factory=dict)
    pillars: dict[str, float | None] = field(default_factory=dict)
    index: float | None = None
    level: int | None = None
    diagnostics: list[str] = field(default_factory=list)
    next_steps: list[tuple[str, int]] = field(default_factory=list)


def _level(model: Model, value: float | None) -> int | None:
    if value is None or not model.levels:
        return None
    level = None
    for lv in model.levels:
        if value >= lv.min - EPS:
            level = lv.level
    return level


def _mean(values: list[float | None]) -> float | None:
    if any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None) / len(values)


def oracle_score(
    model: Model, answers: Mapping[str, int | str], *, with_next_steps: bool = True
) -> OracleResult:
    """Score one answer set the slow, obvious way (next steps too unless told otherwise)."""
    out = OracleResult()
    for dim in model.dimensions:
        num = den = 0.0
        answered = applicable = 0
        for q in dim.questions:
            a = answers.get(q.id, UNKNOWN)
            if a == NA:
                continue
            applicable += 1
            if isinstance(a, int):
                answered += 1
                num += q.weight * a / q.top
                den += q.weight
        out.dimensions[dim.id] = 100 * num / den if den > 0 else None
        out.completeness[dim.id] = answered / applicable if applicable else None
        c = out.completeness[dim.id]
        out.incomplete[dim.id] = c is not None and c < 0.8 - EPS
        if not with_next_steps:
            continue
        weakest: list[tuple[float, str, int]] = []
        for q in dim.questions:
            a = answers.get(q.id, UNKNOWN)
            if isinstance(a, int) and a < q.top:
                weakest.append((a / q.top, q.id, a))
        if weakest:
            low = min(w[0] for w in weakest)
            out.next_steps += [(qid, a + 1) for r, qid, a in weakest if r == low]

    def weighted(dims: list[str]) -> float | None:
        pairs = [
            (model.dimension_by_id[d].weight, out.dimensions[d])
            for d in dims
            if out.dimensions[d] is not None
        ]
        total = sum(w for w, _ in pairs)
        return sum(w * s for w, s in pairs if s is not None) / total if total else None

    out.index = weighted([d.id for d in model.dimensions])
    for p in model.pillars:
        out.pillars[p.id] = weighted([d.id for d in model.dimensions if d.pillar == p.id])
    level = _level(model, out.index)
    if level is not None and model.cap_levels:
        dim_levels = [_level(model, s) for s in out.dimensions.values() if s is not None]
        level = min(level, 1 + min(lv for lv in dim_levels if lv is not None))
    out.level = level

    scores: dict[str, float | None] = {"index": out.index, **out.pillars, **out.dimensions}
    for _, q in model.iter_questions():  # a gap rule may name questions: their answer on 0–100
        a = answers.get(q.id, UNKNOWN)
        scores.setdefault(q.id, 100 * a / q.top if isinstance(a, int) else None)
    for diag in model.diagnostics:
        rule = diag.rule
        if isinstance(rule, GapRule):
            left = _mean([scores[n] for n in rule.left])
            right = _mean([scores[n] for n in rule.right])
            if left is None or right is None:
                continue
            gap = abs(left - right) if rule.absolute else left - right
            hit = gap >= rule.min_gap - EPS
        else:
            value = scores[rule.target]
            if value is None:
                continue
            hit = (rule.below is None or value < rule.below - EPS) and (
                rule.at_least is None or value >= rule.at_least - EPS
            )
        if rule.index_at_least is not None:
            hit = hit and out.index is not None and out.index >= rule.index_at_least - EPS
        if hit:
            out.diagnostics.append(diag.id)
    return out
