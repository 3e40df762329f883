"""Which side of an imbalance is the weaker: a gap diagnostic (e.g. « Gouvernance
déséquilibrée ») names it, with both scores, rather than saying "either … or …"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec

from maturity.model import INDEX, GapRule, Model

__all__ = ["Side", "side_sentence", "weaker_side"]


class Side(msgspec.Struct, frozen=True):
    """The two sides of an imbalance, the weaker first, with their mean scores."""

    weaker: tuple[str, ...]
    weaker_score: float
    stronger: tuple[str, ...]
    stronger_score: float


def weaker_side(rule: GapRule, scores: Mapping[str, float | None]) -> Side | None:
    """Which side of a gap rule is the weaker, from the named scores (dimensions, pillars,
    ``index``); None when a score is missing or the two are equal."""

    def mean(names: Sequence[str]) -> float | None:
        values = [scores.get(n) for n in names]
        if not values or any(v is None for v in values):
            return None
        return sum(v for v in values if v is not None) / len(values)

    left, right = mean(rule.left), mean(rule.right)
    if left is None or right is None or left == right:
        return None
    if left < right:
        return Side(rule.left, left, rule.right, right)
    return Side(rule.right, right, rule.left, left)


def _number(value: float, lang: str) -> str:
    text = f"{value:.1f}"
    return text if lang == "en" else text.replace(".", ",")


def side_sentence(model: Model, side: Side, lang: str = "fr") -> str:
    """One sentence naming the weaker side and both scores, in `lang` (``fr`` or ``en``)."""
    names = {d.id: d.label.get(lang) for d in model.dimensions}
    names |= {p.id: p.label.get(lang) for p in model.pillars}
    names[INDEX] = "index" if lang == "en" else "indice"

    def named(ids: Sequence[str]) -> str:
        if lang == "en":
            return " and ".join(f"“{names.get(i, i)}”" for i in ids)
        return " et ".join(f"« {names.get(i, i)} »" for i in ids)

    weak, strong = _number(side.weaker_score, lang), _number(side.stronger_score, lang)
    if lang == "en":
        return (
            f"Here the weaker side is {named(side.weaker)} ({weak} out of 100, against "
            f"{strong} for {named(side.stronger)}): strengthen it first."
        )
    return (
        f"Ici, le versant le plus faible est {named(side.weaker)} ({weak} sur 100, contre "
        f"{strong} pour {named(side.stronger)}) : c’est lui qu’il faut renforcer en premier."
    )
