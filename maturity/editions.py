"""What the mapping between two editions does: answers carried over, and what is comparable.

Pure functions over `maturity.mapping.EditionMapping` and two `Model`s (format and rules in
``maturity/mappings/README.md``): `migrate` pre-fills an answer set of the new edition,
`comparability` says which questions, dimensions and scores can be compared across the two
editions, and `compare` gives the change of each score on that comparable basis.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Literal

import msgspec

from maturity.grid import NA, UNKNOWN
from maturity.mapping import EditionMapping, Step
from maturity.model import INDEX, Dimension, Model, Question
from maturity.scoring import Scores, answers_frame, score

__all__ = [
    "AnswerSet",
    "Comparability",
    "DimensionBasis",
    "Migration",
    "ScoreChange",
    "Status",
    "Trend",
    "comparability",
    "compare",
    "convert",
    "migrate",
]

Answer = int | str
Status = Literal["full", "partial", "none"]
"""``full``: the same score on both sides; ``partial``: recomputed on the comparable questions
only; ``none``: nothing comparable."""


def _half_up(value: float) -> int:
    return math.floor(value + 0.5 + 1e-9)


def convert(value: int, before: int, after: int, values: tuple[int, ...] | None = None) -> int:
    """A value on scale 0..`before` on scale 0..`after`: `values[value]` or proportionally,
    rounded half up (0 stays 0, the top stays the top)."""
    if values is not None:
        return values[value]
    if before == after:
        return value
    return _half_up(value * after / before)


class AnswerSet(msgspec.Struct, frozen=True):
    """What an assessment holds: answers, comments and evidence by question, targets by
    dimension."""

    answers: dict[str, Answer] = {}
    comments: dict[str, str] = {}
    evidence: dict[str, str] = {}
    targets: dict[str, int] = {}


class Migration(msgspec.Struct, frozen=True):
    """An answer set carried to the new edition, and what the respondent must look at."""

    result: AnswerSet
    to_confirm: tuple[str, ...]
    """Questions of the new edition that received an answer: to confirm, in model order."""
    lost: tuple[str, ...]
    """Questions of the old edition whose answer could not be carried."""


def migrate(mapping: EditionMapping, source: Model, target: Model, answers: AnswerSet) -> Migration:
    """Carry `answers` (valid for `source`) to `target` through `mapping` (valid for both)."""
    new_answers: dict[str, Answer] = {}
    comments: dict[str, str] = {}
    evidence: dict[str, str] = {}
    for qid, (_, question) in target.questions.items():
        step = mapping.steps.get(qid)
        if step is None:
            continue
        olds = [source.questions[s][1] for s in step.sources]
        carried = _answer(step, olds, question, answers.answers)
        if carried is not None:
            new_answers[qid] = carried
        texts = [answers.comments[s] for s in step.sources if answers.comments.get(s)]
        links = [answers.evidence[s] for s in step.sources if answers.evidence.get(s)]
        if links[1:]:
            texts.extend(f"Autre preuve : {link}" for link in links[1:])
        if texts:
            comments[qid] = "\n\n".join(texts)
        if links:
            evidence[qid] = links[0]
    used = {
        s for step in mapping.steps.values() if step.target in new_answers for s in step.sources
    }
    lost = tuple(qid for qid in source.questions if qid in answers.answers and qid not in used)
    top = len(target.levels)
    targets = {
        mapping.dimension_for(dim): min(max(level, 1), top) if top else level
        for dim, level in answers.targets.items()
        if mapping.dimension_for(dim) in target.dimension_by_id
    }
    return Migration(AnswerSet(new_answers, comments, evidence, targets), tuple(new_answers), lost)


def _answer(
    step: Step, olds: list[Question], new: Question, answers: Mapping[str, Answer]
) -> Answer | None:
    """The answer `step` gives the new question, or None when it stays unanswered."""
    found = [(q, answers[q.id]) for q in olds if q.id in answers]
    values = [(q, a) for q, a in found if isinstance(a, int)]
    if step.kind != "merged":
        if not found:
            return None
        ((question, answer),) = found
        if isinstance(answer, int):
            return convert(answer, question.top, new.top, step.values)
        return _status(answer, new)
    if values:
        shares = [a / q.top for q, a in values]
        match step.combine:
            case "min":
                share = min(shares)
            case "max":
                share = max(shares)
            case "mean":
                share = sum(shares) / len(shares)
        return _half_up(share * new.top)
    if found and all(a == NA for _, a in found):
        return _status(NA, new)
    return UNKNOWN if found else None


def _status(answer: str, new: Question) -> Answer | None:
    if answer == NA:
        return NA if new.allows_na else None
    return UNKNOWN


# --- what is comparable -----------------------------------------------------------------------


class DimensionBasis(msgspec.Struct, frozen=True):
    """How a dimension of the new edition compares with the old one."""

    dimension: str
    previous: str | None
    """Its id in the old edition (the same, or the one it was renamed from); None if new."""
    status: Status
    questions: tuple[str, ...]
    """Its comparable questions (new ids), in model order."""
    total: int
    """Its questions in the new edition."""


class Comparability(msgspec.Struct, frozen=True, dict=True):
    """What can be compared between answers of edition `source` and of edition `target`."""

    source: str
    target: str
    pairs: dict[str, str]
    """Comparable questions: new id → old id."""
    dimensions: tuple[DimensionBasis, ...]
    index: Status
    pillars: dict[str, Status]
    before: Model | None = None
    """The new edition cut down to its comparable questions, on the old questions' scales:
    scores the old answers on the comparable basis (None when nothing is comparable)."""
    after: Model | None = None
    """The same cut on the new questions' scales: scores the new answers."""


def comparability(mapping: EditionMapping, source: Model, target: Model) -> Comparability:
    """Which questions, dimensions, pillars and index can be compared across the editions."""
    pairs = {t: step.sources[0] for t, step in mapping.steps.items() if step.comparable}
    previous = {mapping.dimension_for(d.id): d for d in source.dimensions}
    bases = tuple(_basis(d, previous.get(d.id), pairs, source) for d in target.dimensions)
    full = {b.dimension for b in bases if b.status == "full"}
    any_pair = bool(pairs)

    def same_dimensions(dims: list[Dimension], olds: list[Dimension]) -> bool:
        mapped = {mapping.dimension_for(d.id): d for d in olds}
        return set(mapped) == {d.id for d in dims} and all(
            d.id in full and mapped[d.id].weight == d.weight and mapped[d.id].pillar == d.pillar
            for d in dims
        )

    def status(dims: list[Dimension], olds: list[Dimension]) -> Status:
        if same_dimensions(dims, olds):
            return "full"
        used = {d.id for d in dims}
        return "partial" if any(b.questions for b in bases if b.dimension in used) else "none"

    pillars = {
        p.id: status(
            [d for d in target.dimensions if d.pillar == p.id],
            [d for d in source.dimensions if d.pillar == p.id],
        )
        for p in target.pillars
    }
    index = status(list(target.dimensions), list(source.dimensions))
    before = after = None
    if any_pair:
        before = _cut(target, pairs, lambda qid: source.questions[pairs[qid]][1].top)
        after = _cut(target, pairs, lambda qid: target.questions[qid][1].top)
    return Comparability(
        source.version, target.version, pairs, bases, index, pillars, before, after
    )


def _basis(
    dim: Dimension, old: Dimension | None, pairs: Mapping[str, str], source: Model
) -> DimensionBasis:
    questions = tuple(q.id for q in dim.questions if q.id in pairs)
    full = (
        old is not None
        and len(questions) == len(dim.questions)
        and sorted(pairs[q] for q in questions) == sorted(q.id for q in old.questions)
        and all(source.questions[pairs[q.id]][1].weight == q.weight for q in dim.questions)
    )
    status: Status = "full" if full else "partial" if questions else "none"
    return DimensionBasis(dim.id, old.id if old else None, status, questions, len(dim.questions))


def _cut(model: Model, pairs: Mapping[str, str], scale: Callable[[str], int]) -> Model:
    """`model` with only the questions in `pairs`, each a points question of scale
    `scale(id)`, without diagnostics nor level cap: only scores are computed on it."""
    dimensions = []
    for d in model.dimensions:
        kept = tuple(
            Question(
                id=q.id, label=q.label, weight=q.weight, allows_na=q.allows_na, max=scale(q.id)
            )
            for q in d.questions
            if q.id in pairs
        )
        if kept:
            dimensions.append(msgspec.structs.replace(d, questions=kept))
    used = {d.pillar for d in dimensions}
    return Model(
        model=model.model,
        pillars=tuple(p for p in model.pillars if p.id in used),
        dimensions=tuple(dimensions),
        levels=model.levels,
        cap_levels=False,
    )


# --- score changes across editions ------------------------------------------------------------


class ScoreChange(msgspec.Struct, frozen=True):
    """One score of two campaigns: ``before`` and ``after`` on the basis ``status`` says."""

    id: str
    """``index``, a pillar id or a dimension id of the new edition."""
    status: Status
    before: float | None
    after: float | None
    questions: int
    """Comparable questions the two scores rest on."""


class Trend(msgspec.Struct, frozen=True):
    """Every score's change between a campaign of edition `source` and one of `target`."""

    source: str
    target: str
    index: ScoreChange
    pillars: list[ScoreChange]
    dimensions: list[ScoreChange]


def _round(value: float | None) -> float | None:
    return None if value is None or value != value else round(value, 2)


def compare(
    basis: Comparability,
    mapping: EditionMapping,
    before: tuple[Model, Mapping[str, Answer]],
    after: tuple[Model, Mapping[str, Answer]],
) -> Trend:
    """The change of every score of the new edition from the old answers to the new ones (both
    valid for their edition): a fully comparable score is each edition's own score, a partly
    comparable one is recomputed on the comparable questions only, on both sides."""
    (old_model, old_answers), (new_model, new_answers) = before, after
    plain = (
        score(old_model, answers_frame({"_": dict(old_answers)}, old_model)),
        score(new_model, answers_frame({"_": dict(new_answers)}, new_model)),
    )
    cut: tuple[dict[str, float | None], dict[str, float | None]] = ({}, {})
    if basis.before is not None and basis.after is not None:
        old_cut = {new: old_answers[old] for new, old in basis.pairs.items() if old in old_answers}
        new_cut = {q: a for q, a in new_answers.items() if q in basis.pairs}
        cut = (_named(basis.before, old_cut), _named(basis.after, new_cut))
    own = (_named_scores(plain[0], old_model, mapping), _named_scores(plain[1], new_model, None))
    count = {b.dimension: len(b.questions) for b in basis.dimensions}
    by_pillar = {
        p.id: sum(count[d.id] for d in new_model.dimensions if d.pillar == p.id)
        for p in new_model.pillars
    }

    def change(name: str, status: Status, questions: int) -> ScoreChange:
        source = own if status == "full" else cut
        if status == "none":
            return ScoreChange(name, status, None, None, 0)
        return ScoreChange(
            name,
            status,
            _round(source[0].get(name)),
            _round(source[1].get(name)),
            questions,
        )

    return Trend(
        source=basis.source,
        target=basis.target,
        index=change(INDEX, basis.index, len(basis.pairs)),
        pillars=[change(p.id, basis.pillars[p.id], by_pillar[p.id]) for p in new_model.pillars],
        dimensions=[change(b.dimension, b.status, len(b.questions)) for b in basis.dimensions],
    )


def _named(model: Model, answers: Mapping[str, Answer]) -> dict[str, float | None]:
    """Index, pillar and dimension scores of one answer set, by name."""
    return _named_scores(score(model, answers_frame({"_": dict(answers)}, model)), model, None)


def _named_scores(
    scores: Scores, model: Model, mapping: EditionMapping | None
) -> dict[str, float | None]:
    """Index, pillar and dimension scores of a one-assessment `Scores`; with `mapping`, the
    old edition's dimensions go by their new ids."""
    found: dict[str, float | None] = {}
    summary = scores.summary.to_dicts()[0]
    found[INDEX] = summary.get(INDEX)
    for p in model.pillars:
        found[p.id] = summary.get(f"pillar:{p.id}")
    for row in scores.dimensions.iter_rows(named=True):
        name = mapping.dimension_for(row["dimension"]) if mapping else row["dimension"]
        found[name] = row["score"]
    return found
