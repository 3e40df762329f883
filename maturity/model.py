"""Reading a maturity model: a TOML model file decoded into the typed objects of
`maturity.model_types` (re-exported here), then validated against the rules a model must obey.

The engine never hard-codes a question: everything it scores comes from a `Model` loaded here.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from itertools import pairwise
from pathlib import Path

import msgspec

from maturity.coevaluation import coevaluation_problems
from maturity.model_types import (
    INDEX,
    Diagnostic,
    Dimension,
    GapRule,
    Grounding,
    Level,
    Model,
    ModelInfo,
    Pillar,
    Question,
    Text,
    ThresholdRule,
)
from maturity.tomlfile import Path as TomlPath
from maturity.tomlfile import (
    Problem,
    TomlError,
    format_problems,
    read_toml,
    structure_problems,
)

__all__ = [
    "DEFAULT_MODEL_PATH",
    "FIRST_MODEL_PATH",
    "INDEX",
    "Diagnostic",
    "Dimension",
    "GapRule",
    "Grounding",
    "Level",
    "Model",
    "ModelError",
    "ModelInfo",
    "Pillar",
    "Question",
    "Text",
    "ThresholdRule",
    "load_model",
    "model_item_name",
    "parse_model",
]

DEFAULT_MODEL_PATH = Path(__file__).parent / "models" / "2027.1.toml"
"""The edition in force by default (``TERRITOIRES_MODEL_FILE`` overrides it): new campaigns
use it; a campaign keeps the edition it recorded."""
FIRST_MODEL_PATH = Path(__file__).parent / "models" / "2026.1.toml"
"""The first edition (2026.1): the published index and the oracle are checked against it."""


class ModelError(ValueError):
    """A model file that cannot be used: says which file, which item and which rule is broken;
    ``problems`` lists them one by one (empty when the file could not be read at all)."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


def parse_model(data: bytes | str, *, name: str = "<model>") -> Model:
    """Decode and validate a TOML model document; `name` is used in error messages.

    Every problem is listed at once, each with its line and the item it concerns."""
    try:
        document = read_toml(data, name)
    except TomlError as exc:
        raise ModelError(str(exc)) from exc
    problems = structure_problems(document, Model, model_item_name)
    if problems:
        raise ModelError(format_problems(name, "structure invalide", problems), problems)
    try:
        model = msgspec.convert(document.data, Model)
    except msgspec.ValidationError as exc:  # a constraint the walk above does not know
        raise ModelError(f"{name} : structure invalide : {exc}") from exc
    problems = [Problem(document.line(path), text) for path, text in _problems(model)]
    if problems:
        raise ModelError(format_problems(name, "modèle invalide", problems), problems)
    return model


def load_model(path: str | Path = DEFAULT_MODEL_PATH) -> Model:
    """Read, decode and validate the model file at `path`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"{path} : lecture impossible ({exc.strerror}).") from exc
    return parse_model(data, name=str(path))


_ITEMS: dict[tuple[str, ...], str] = {
    ("pillars",): "pilier",
    ("dimensions",): "dimension",
    ("dimensions", "questions"): "question",
    ("diagnostics",): "diagnostic",
}


def model_item_name(keys: tuple[str, ...], index: int, element: object, parent: str) -> str | None:
    """How errors name an element of a model file's arrays: by its id, else by its rank."""
    item = element if isinstance(element, dict) else {}
    if keys == ("levels",):
        number = item.get("level")
        return f"niveau {number}" if isinstance(number, int) else f"niveau n° {index + 1}"
    if keys == ("dimensions", "questions", "levels"):
        return f"{parent}, descripteur du niveau {index}"
    noun = _ITEMS.get(keys)
    if noun is None:
        return None
    ident = item.get("id")
    if isinstance(ident, str) and ident:
        return f"{noun} « {ident} »"
    rank = f"{noun} n° {index + 1}"
    return f"{parent}, {rank}" if noun == "question" else rank


def _duplicates(ids: Iterable[str]) -> list[int]:
    """Positions of the ids already seen before (the second and later occurrences)."""
    seen: set[str] = set()
    again = []
    for at, ident in enumerate(ids):
        if ident in seen:
            again.append(at)
        seen.add(ident)
    return again


Located = tuple[TomlPath, str]
"""A problem of a model and the path of the item it concerns, for its line."""


def _problems(model: Model) -> Iterator[Located]:
    """Every rule the model breaks, each as a sentence naming the item, with its path."""
    if not model.dimensions:
        yield (), "le modèle ne définit aucune dimension"
    pillar_ids = {p.id for p in model.pillars}
    for at in _duplicates(p.id for p in model.pillars):
        yield ("pillars", at, "id"), f"pilier « {model.pillars[at].id} » : identifiant en double"
    for at in _duplicates(d.id for d in model.dimensions):
        dim = model.dimensions[at]
        yield ("dimensions", at, "id"), f"dimension « {dim.id} » : identifiant en double"
    places = [(i, j) for i, dim in enumerate(model.dimensions) for j in range(len(dim.questions))]
    all_q = [model.dimensions[i].questions[j].id for i, j in places]
    for at in _duplicates(all_q):
        i, j = places[at]
        yield (
            ("dimensions", i, "questions", j, "id"),
            f"question « {all_q[at]} » : identifiant en double",
        )
    score_names = {INDEX} | pillar_ids | {d.id for d in model.dimensions}
    for at, dim in enumerate(model.dimensions):
        if dim.id in pillar_ids:
            yield (
                ("dimensions", at, "id"),
                (f"dimension « {dim.id} » : un pilier porte déjà cet identifiant"),
            )
    for at, p in enumerate(model.pillars):
        if p.weight <= 0:
            yield (
                ("pillars", at, "weight"),
                (f"pilier « {p.id} » : le poids doit être > 0 (lu : {p.weight})"),
            )
        if not any(d.pillar == p.id for d in model.dimensions):
            yield ("pillars", at), f"pilier « {p.id} » : aucune dimension ne s'y rattache"
    for at, d in enumerate(model.dimensions):
        if d.pillar not in pillar_ids:
            yield (
                ("dimensions", at, "pillar"),
                (
                    f"dimension « {d.id} » : pilier inconnu « {d.pillar} »"
                    + _did_you_mean(d.pillar, pillar_ids)
                ),
            )
        if d.weight <= 0:
            yield (
                ("dimensions", at, "weight"),
                (f"dimension « {d.id} » : le poids doit être > 0 (lu : {d.weight})"),
            )
        if not d.questions:
            yield ("dimensions", at), f"dimension « {d.id} » : aucune question"
        for q_at, q in enumerate(d.questions):
            for key, text in _question_problems(q):
                yield ("dimensions", at, "questions", q_at, *key), text
    yield from _level_problems(model)
    for at, diag in enumerate(model.diagnostics):
        rule_path = ("diagnostics", at, "rule")
        rule = diag.rule
        names = (rule.left + rule.right) if isinstance(rule, GapRule) else (rule.target,)
        # a gap rule may compare questions too (« ouverture interne avant externe »)
        known = score_names | set(model.questions) if isinstance(rule, GapRule) else score_names
        for name in names:
            if name not in known:
                gap = isinstance(rule, GapRule)
                what = "dimension, pilier ou question" if gap else "dimension ou pilier"
                yield (
                    rule_path,
                    (
                        f"diagnostic « {diag.id} » : {what} inconnu « {name} »"
                        + _did_you_mean(name, known)
                    ),
                )
        if isinstance(rule, ThresholdRule) and rule.below is None and rule.at_least is None:
            yield rule_path, f"diagnostic « {diag.id} » : la règle n'a ni « below » ni « at_least »"
        if isinstance(rule, GapRule) and (not rule.left or not rule.right):
            yield (
                rule_path,
                f"diagnostic « {diag.id} » : « left » et « right » ne peuvent être vides",
            )
    for at in _duplicates(d.id for d in model.diagnostics):
        yield (
            ("diagnostics", at, "id"),
            (f"diagnostic « {model.diagnostics[at].id} » : identifiant en double"),
        )
    if model.coevaluation is not None:
        tops = {q.id: q.top for _, q in model.iter_questions()}
        yield from coevaluation_problems(model.coevaluation, tops, model.dimension_by_id)


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f" (vouliez-vous dire « {close[0]} » ?)" if close else ""


def _question_problems(q: Question) -> Iterator[tuple[tuple[str, ...], str]]:
    if q.weight <= 0:
        yield ("weight",), f"question « {q.id} » : le poids doit être > 0 (lu : {q.weight})"
    if q.levels and q.max is not None:
        yield ("max",), f"question « {q.id} » : « levels » et « max » sont exclusifs"
    elif not q.levels and q.max is None:
        yield (), f"question « {q.id} » : il faut des descripteurs « levels » ou un « max »"
    elif q.levels and len(q.levels) != 5:
        yield (
            ("levels",),
            (
                f"question « {q.id} » : {len(q.levels)} descripteurs de niveau, "
                "il en faut 5 (niveaux 0 à 4)"
            ),
        )
    elif q.max is not None and q.max < 1:
        yield ("max",), f"question « {q.id} » : « max » doit être ≥ 1 (lu : {q.max})"


def _level_problems(model: Model) -> Iterator[Located]:
    if not model.levels:
        if model.cap_levels:
            yield (), "niveaux absents : définissez « levels » ou mettez « cap_levels = false »"
        return
    numbers = [lv.level for lv in model.levels]
    if numbers != list(range(1, len(numbers) + 1)):
        yield (
            ("levels",),
            (f"niveaux : numéros attendus 1..{len(numbers)} dans l'ordre (lus : {numbers})"),
        )
    mins = [lv.min for lv in model.levels]
    if mins[0] != 0:
        yield (
            ("levels", 0, "min"),
            (f"niveau {numbers[0]} : le premier seuil doit être 0 (lu : {mins[0]})"),
        )
    if any(b <= a for a, b in pairwise(mins)):
        at = next(i for i, (a, b) in enumerate(pairwise(mins), 1) if b <= a)
        yield (
            ("levels", at, "min"),
            (f"niveaux : les seuils doivent être strictement croissants (lus : {mins})"),
        )
    if any(not 0 <= m <= 100 for m in mins):
        yield ("levels",), "niveaux : les seuils doivent être entre 0 et 100"
