"""Typed maturity model: frozen msgspec Structs decoded from a TOML model file, then validated.

The engine never hard-codes a question: everything it scores comes from a `Model` loaded here.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import Literal

import msgspec

__all__ = [
    "DEFAULT_MODEL_PATH",
    "Diagnostic",
    "Dimension",
    "GapRule",
    "Level",
    "Model",
    "ModelError",
    "Pillar",
    "Question",
    "Text",
    "ThresholdRule",
    "load_model",
    "parse_model",
]

DEFAULT_MODEL_PATH = Path(__file__).parent / "models" / "2026.1.toml"
INDEX = "index"
"""Name under which rules and results refer to the global index."""

Lang = Literal["fr", "en"]


class ModelError(ValueError):
    """A model file that cannot be used: says which file, which item and which rule is broken."""


class Text(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A label in French (required) and English (optional: falls back to French)."""

    fr: str
    en: str | None = None

    def get(self, lang: str = "fr") -> str:
        """The text in `lang`, or in French when that translation is missing."""
        return self.en if lang == "en" and self.en else self.fr


class Question(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One question. Either five-level (``levels`` holds one descriptor per level 0..max)
    or a points question (``max`` points, no descriptors)."""

    id: str
    label: Text
    help: Text | None = None
    weight: float = 1.0
    allows_na: bool = False
    levels: tuple[Text, ...] = ()
    max: int | None = None

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

    ``left`` and ``right`` name dimensions, pillars or ``index``."""

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


def parse_model(data: bytes | str, *, name: str = "<model>") -> Model:
    """Decode and validate a TOML model document; `name` is used in error messages."""
    try:
        raw = tomllib.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
    except UnicodeDecodeError as exc:
        raise ModelError(f"{name} : le fichier n'est pas en UTF-8 ({exc.reason}).") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"{name} : TOML invalide : {exc}") from exc
    try:
        model = msgspec.convert(raw, Model)
    except msgspec.ValidationError as exc:
        raise ModelError(f"{name} : structure invalide : {exc}") from exc
    problems = list(_problems(model))
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise ModelError(f"{name} : modèle invalide ({len(problems)} erreur(s)) :\n{listing}")
    return model


def load_model(path: str | Path = DEFAULT_MODEL_PATH) -> Model:
    """Read, decode and validate the model file at `path`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"{path} : lecture impossible ({exc.strerror}).") from exc
    return parse_model(data, name=str(path))


def _duplicates(ids: Iterable[str]) -> list[str]:
    return sorted(k for k, n in Counter(ids).items() if n > 1)


def _problems(model: Model) -> Iterator[str]:
    """Every rule the model breaks, each as a sentence naming the item."""
    if not model.dimensions:
        yield "le modèle ne définit aucune dimension"
    pillar_ids = {p.id for p in model.pillars}
    for dup in _duplicates(p.id for p in model.pillars):
        yield f"pilier « {dup} » : identifiant en double"
    for dup in _duplicates(d.id for d in model.dimensions):
        yield f"dimension « {dup} » : identifiant en double"
    all_q = [q.id for d in model.dimensions for q in d.questions]
    for dup in _duplicates(all_q):
        yield f"question « {dup} » : identifiant en double"
    score_names = {INDEX} | pillar_ids | {d.id for d in model.dimensions}
    if pillar_ids & {d.id for d in model.dimensions}:
        yield "un pilier et une dimension portent le même identifiant"
    for p in model.pillars:
        if p.weight <= 0:
            yield f"pilier « {p.id} » : le poids doit être > 0 (lu : {p.weight})"
        if not any(d.pillar == p.id for d in model.dimensions):
            yield f"pilier « {p.id} » : aucune dimension ne s'y rattache"
    for d in model.dimensions:
        if d.pillar not in pillar_ids:
            yield f"dimension « {d.id} » : pilier inconnu « {d.pillar} »"
        if d.weight <= 0:
            yield f"dimension « {d.id} » : le poids doit être > 0 (lu : {d.weight})"
        if not d.questions:
            yield f"dimension « {d.id} » : aucune question"
        for q in d.questions:
            yield from _question_problems(q)
    yield from _level_problems(model)
    for diag in model.diagnostics:
        rule = diag.rule
        names = (rule.left + rule.right) if isinstance(rule, GapRule) else (rule.target,)
        for name in names:
            if name not in score_names:
                yield f"diagnostic « {diag.id} » : dimension ou pilier inconnu « {name} »"
        if isinstance(rule, ThresholdRule) and rule.below is None and rule.at_least is None:
            yield f"diagnostic « {diag.id} » : la règle n'a ni « below » ni « at_least »"
        if isinstance(rule, GapRule) and (not rule.left or not rule.right):
            yield f"diagnostic « {diag.id} » : « left » et « right » ne peuvent être vides"
    for dup in _duplicates(d.id for d in model.diagnostics):
        yield f"diagnostic « {dup} » : identifiant en double"


def _question_problems(q: Question) -> Iterator[str]:
    if q.weight <= 0:
        yield f"question « {q.id} » : le poids doit être > 0 (lu : {q.weight})"
    if q.levels and q.max is not None:
        yield f"question « {q.id} » : « levels » et « max » sont exclusifs"
    elif not q.levels and q.max is None:
        yield f"question « {q.id} » : il faut des descripteurs « levels » ou un « max »"
    elif q.levels and len(q.levels) != 5:
        yield (
            f"question « {q.id} » : {len(q.levels)} descripteurs de niveau, "
            "il en faut 5 (niveaux 0 à 4)"
        )
    elif q.max is not None and q.max < 1:
        yield f"question « {q.id} » : « max » doit être ≥ 1 (lu : {q.max})"


def _level_problems(model: Model) -> Iterator[str]:
    if not model.levels:
        if model.cap_levels:
            yield "niveaux absents : définissez « levels » ou mettez « cap_levels = false »"
        return
    numbers = [lv.level for lv in model.levels]
    if numbers != list(range(1, len(numbers) + 1)):
        yield f"niveaux : numéros attendus 1..{len(numbers)} dans l'ordre (lus : {numbers})"
    mins = [lv.min for lv in model.levels]
    if mins[0] != 0:
        yield f"niveau {numbers[0]} : le premier seuil doit être 0 (lu : {mins[0]})"
    if any(b <= a for a, b in pairwise(mins)):
        yield f"niveaux : les seuils doivent être strictement croissants (lus : {mins})"
    if any(not 0 <= m <= 100 for m in mins):
        yield "niveaux : les seuils doivent être entre 0 et 100"
