"""The typed objects of a maturity model: frozen msgspec Structs, one per item of a model file.

Apart from `maturity.model`, which reads and validates a model file into them, because most of
the engine only needs the shapes (and `Model`'s lookups), not the TOML reading or the rules a
file must obey. Import them from `maturity.model`, which re-exports them.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

import msgspec

from maturity.coevaluation import CoEvaluation
from maturity.texts import Text

__all__ = [
    "INDEX",
    "Diagnostic",
    "Dimension",
    "GapRule",
    "Grounding",
    "Level",
    "Model",
    "ModelInfo",
    "Pillar",
    "Question",
    "Rule",
    "Text",
    "ThresholdRule",
]

INDEX = "index"
"""Name under which rules and results refer to the global index."""


class Grounding(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What a question rests on: a document of the corpus (``source``, as cited) and, for the
    reference article, the ``section`` it draws on; ``note`` says what is the network's own
    reading or choice rather than the source's."""

    source: str
    section: str | None = None
    note: Text | None = None


class Question(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One question. Either five-level (``levels`` holds one descriptor per level 0..max)
    or a points question (``max`` points, no descriptors). ``grounding`` lists its sources
    (shown on the model page; no effect on scores)."""

    id: str
    label: Text
    help: Text | None = None
    weight: float = 1.0
    allows_na: bool = False
    levels: tuple[Text, ...] = ()
    max: int | None = None
    grounding: tuple[Grounding, ...] = ()

    @property
    def top(self) -> int:
        """Top of the answer scale (``max_q`` in the formulas)."""
        return self.max if self.max is not None else len(self.levels) - 1


class Dimension(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A dimension of the model, in one pillar, with its questions."""

    id: str
    label: Text
    pillar: str
    questions: tuple[Question, ...]
    description: Text | None = None
    weight: float = 1.0


class Pillar(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A group of dimensions scored together."""

    id: str
    label: Text
    description: Text | None = None
    weight: float = 1.0


class Level(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A maturity level: reached when the index is at least ``min``."""

    level: int
    min: float
    label: Text
    description: Text | None = None


class GapRule(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="gap", tag_field="kind"):
    """Triggers when mean(left) − mean(right) ≥ ``min_gap`` (or |…| when ``absolute``).

    ``left`` and ``right`` name dimensions, pillars, ``index`` or questions: a question's
    score is its answer on 0–100, none when unanswered, « je ne sais pas » or « non
    concerné » (a rule on a missing score never triggers)."""

    left: tuple[str, ...]
    right: tuple[str, ...]
    min_gap: float
    absolute: bool = False
    index_at_least: float | None = None


class ThresholdRule(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="threshold", tag_field="kind"
):
    """Triggers when ``target`` is below ``below`` (and/or at least ``at_least``),
    optionally only when the index is at least ``index_at_least``."""

    target: str
    below: float | None = None
    at_least: float | None = None
    index_at_least: float | None = None


Rule = GapRule | ThresholdRule


class Diagnostic(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A rule of the model file with the explanation shown when it triggers."""

    id: str
    label: Text
    message: Text
    rule: Rule
    source: str | None = None


class ModelInfo(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Header of a model file."""

    id: str
    version: str
    title: Text
    description: Text | None = None
    sources: tuple[str, ...] = ()


class Model(msgspec.Struct, frozen=True, forbid_unknown_fields=True, dict=True):
    """A whole maturity model. Build it with `load_model` or `parse_model`, which validate it."""

    model: ModelInfo
    pillars: tuple[Pillar, ...]
    dimensions: tuple[Dimension, ...]
    levels: tuple[Level, ...] = ()
    cap_levels: bool = True
    diagnostics: tuple[Diagnostic, ...] = ()
    coevaluation: CoEvaluation | None = None
    """Roles, citizens' panel and divergence rules of co-évaluation (`maturity.coevaluation`)."""

    @property
    def version(self) -> str:
        """The model version answers are recorded against."""
        return self.model.version

    @cached_property
    def questions(self) -> dict[str, tuple[Dimension, Question]]:
        """Every question by id, with its dimension, in model order."""
        return {q.id: (d, q) for d in self.dimensions for q in d.questions}

    @cached_property
    def dimension_by_id(self) -> dict[str, Dimension]:
        """Dimensions by id."""
        return {d.id: d for d in self.dimensions}

    def iter_questions(self) -> Iterator[tuple[Dimension, Question]]:
        """Every (dimension, question) pair in model order."""
        return iter(self.questions.values())

    def level_for(self, score: float) -> Level | None:
        """The level whose band holds `score`, or None when the model defines no levels."""
        found = None
        for level in self.levels:
            if score >= level.min:
                found = level
        return found

    def level_label(self, level: int, lang: str = "fr") -> str:
        """Label of maturity level number `level`."""
        for item in self.levels:
            if item.level == level:
                return item.label.get(lang)
        raise KeyError(level)
