"""Co-évaluation settings of a model file: the roles of the voices a territory gathers, the
questions open to a citizens' panel (in plain language), the thresholds that protect small
groups and flag divergences, and the « écart de perception » rules.

They sit in the model file's ``[coevaluation]`` table so that a network can change them; the
statistics themselves are in `maturity.voices`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import msgspec

from maturity.texts import Text
from maturity.tomlfile import Path as TomlPath

__all__ = [
    "CoEvaluation",
    "PanelQuestion",
    "PerceptionRule",
    "Role",
    "coevaluation_problems",
]


class Role(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A role a respondent answers in (élu·e, service métier, habitant·e…)."""

    id: str
    label: Text
    description: Text | None = None


class PanelQuestion(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A question of the model open to residents, reworded in plain language; ``levels``
    rewords its five answers (0 to 4)."""

    question: str
    label: Text
    levels: tuple[Text, ...]
    help: Text | None = None


class PerceptionRule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """« Écart de perception »: triggers when the mean score that the ``high`` roles give to
    ``dimensions`` is at least ``min_gap`` points above the mean the ``low`` roles give
    (each side counts only role groups large enough to be shown)."""

    id: str
    label: Text
    message: Text
    dimensions: tuple[str, ...]
    high: tuple[str, ...]
    low: tuple[str, ...]
    min_gap: float
    source: str | None = None


class CoEvaluation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The ``[coevaluation]`` table of a model file.

    A question is flagged divergent when the means of two shown role groups are at least
    ``divergence_gap`` levels apart, or when the standard deviation of all its answers is at
    least ``divergence_sd``. A role group with fewer than ``min_group`` respondents is never
    shown on its own; panel results need at least ``panel_min`` responses."""

    roles: tuple[Role, ...]
    panel_role: str
    min_group: int = 3
    panel_min: int = 5
    divergence_gap: float = 2.0
    divergence_sd: float = 1.25
    panel: tuple[PanelQuestion, ...] = ()
    perception: tuple[PerceptionRule, ...] = ()

    def role_index(self) -> dict[str, int]:
        """Each role's position (the column of the statistics by role)."""
        return {role.id: at for at, role in enumerate(self.roles)}


Located = tuple[TomlPath, str]


def coevaluation_problems(
    coev: CoEvaluation, questions: dict[str, int], dimensions: Iterable[str]
) -> Iterator[Located]:
    """Every rule the ``[coevaluation]`` table breaks; `questions` maps each question id of the
    model to the top of its scale, `dimensions` lists the dimension ids."""
    root: TomlPath = ("coevaluation",)
    roles = [role.id for role in coev.roles]
    if not roles:
        yield root, "co-évaluation : aucun rôle défini"
    if len(set(roles)) != len(roles):
        yield (*root, "roles"), "co-évaluation : identifiant de rôle en double"
    if coev.panel_role not in roles:
        yield (*root, "panel_role"), f"co-évaluation : rôle inconnu « {coev.panel_role} »"
    if coev.min_group < 1 or coev.panel_min < 1:
        yield root, "co-évaluation : « min_group » et « panel_min » doivent être ≥ 1"
    if coev.divergence_gap <= 0 or coev.divergence_sd <= 0:
        yield root, "co-évaluation : les seuils de divergence doivent être > 0"
    for at, item in enumerate(coev.panel):
        path = (*root, "panel", at)
        if item.question not in questions:
            yield path, f"panel : question inconnue « {item.question} »"
        elif len(item.levels) != questions[item.question] + 1:
            yield path, f"panel « {item.question} » : un libellé par niveau de réponse attendu"
    known = set(dimensions)
    for at, rule in enumerate(coev.perception):
        path = (*root, "perception", at)
        for name in rule.dimensions:
            if name not in known:
                yield path, f"écart de perception « {rule.id} » : dimension inconnue « {name} »"
        for name in (*rule.high, *rule.low):
            if name not in roles:
                yield path, f"écart de perception « {rule.id} » : rôle inconnu « {name} »"
        if not rule.dimensions or not rule.high or not rule.low or set(rule.high) & set(rule.low):
            yield (
                path,
                f"écart de perception « {rule.id} » : dimensions, high et low requis et distincts",
            )
