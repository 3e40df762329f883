"""The results page's change since the previous campaign: the index and each dimension,
this campaign against the one the territory answered before (also across two editions of the
model, where only what the two have in common compares)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from maturity.results import ScoreResult
from service.assessments.scores import CampaignResult

__all__ = ["evolution", "previous_result"]


def previous_result(campaign: int, history: Sequence[CampaignResult]) -> CampaignResult | None:
    """The territory's latest submitted results before `campaign`, if any."""
    before = [c for c in history if c.campaign < campaign and c.status == "submitted"]
    return max(before, key=lambda c: c.campaign) if before else None


def evolution(
    result: ScoreResult, campaign: int, history: Sequence[CampaignResult]
) -> dict[str, Any] | None:
    """This campaign against the previous one the territory answered: index and dimensions."""
    before = [c for c in history if c.campaign < campaign]
    if not before:
        return None
    previous = max(before, key=lambda c: c.campaign)
    old = {d.id: d.score for d in previous.result.dimensions}

    def change(now: float | None, then: float | None) -> float | None:
        return None if now is None or then is None else round(now - then, 2)

    found = {
        "campaign": previous.campaign,
        "index": (previous.result.index, result.index, change(result.index, previous.result.index)),
        "level": (previous.result.level_label, result.level_label),
        "dimensions": [
            (d.label, old.get(d.id), d.score, change(d.score, old.get(d.id)))
            for d in result.dimensions
        ],
        "editions": None,
        "status": {},
    }
    if previous.result.model_version != result.model_version:
        # another edition of the model: only what the two have in common compares
        current = next((c for c in history if c.campaign == campaign), None)
        trend = current.trend if current is not None else None
        moves = {m.id: m for m in trend.dimensions} if trend else {}
        index = trend.index if trend else None
        found |= {
            "editions": (previous.result.model_version, result.model_version),
            "index": (
                (index.before, index.after, change(index.after, index.before))
                if index
                else (None, None, None)
            ),
            "dimensions": [
                (
                    d.label,
                    moves[d.id].before if d.id in moves else None,
                    moves[d.id].after if d.id in moves else None,
                    change(moves[d.id].after, moves[d.id].before) if d.id in moves else None,
                )
                for d in result.dimensions
            ],
            "status": {
                "index": index.status if index else "none",
                **{
                    d.id: moves[d.id].status if d.id in moves else "none" for d in result.dimensions
                },
            },
        }
    return found
