"""Scoring engine: from a long frame of answers to scores, levels, diagnostics and next steps.

Pure functions on polars frames, vectorised over any number of assessments (DESIGN §3). The
long answers are first laid out as a grid of small integers, one row per question
(`maturity.grid`); every formula is then a numpy sum over a dimension's contiguous rows, for
all assessments at once, and the results go back out as polars frames. On this dense,
fixed-width work numpy's whole-array operations cost a fraction of a polars expression each.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Final, NamedTuple

import msgspec
import numpy as np
import polars as pl

from maturity.grid import (
    NA,
    NA_CELL,
    STATUS,
    UNKNOWN,
    AnswerCells,
    answer_cells,
    answer_grid,
    answer_schema,
    question_dtype,
)
from maturity.model import INDEX, GapRule, Model, ThresholdRule

__all__ = [
    "ANSWER_SCHEMA",
    "INCOMPLETE_BELOW",
    "NA",
    "STATUS",
    "UNKNOWN",
    "AnswerError",
    "AnswerProblem",
    "AnswerValue",
    "Scores",
    "answer_grid",
    "answer_schema",
    "answers_frame",
    "metric_scores",
    "next_steps",
    "question_dtype",
    "score",
    "score_grid",
    "validate_answers",
]

TOLERANCE: Final = 1e-9
"""Slack on every threshold comparison (levels, diagnostics), so that a score that equals a
threshold mathematically reaches it whatever the order of the floating-point sums."""
INCOMPLETE_BELOW: Final = 0.8
"""A dimension whose completeness is below this is flagged incomplete (its score still shows)."""

AnswerValue = int | str
"""An answer as it arrives: a level/number of points, ``"na"`` or ``"unknown"``."""

ANSWER_SCHEMA: Final = pl.Schema(
    [
        ("assessment", pl.String()),
        ("question", pl.String()),
        ("value", pl.Int32()),
        ("status", STATUS),
    ]
)
"""Long format of answers when no model is at hand (question ids as strings); see
`answer_schema` for the model's own, with question ids as its Enum."""


class AnswerProblem(msgspec.Struct, frozen=True):
    """One invalid answer, with the reason in French."""

    question: str
    message: str


class AnswerError(ValueError):
    """An answer set that does not fit the model; lists every offending question."""

    def __init__(self, problems: list[AnswerProblem]) -> None:
        self.problems = problems
        detail = "; ".join(f"{p.question} : {p.message}" for p in problems)
        super().__init__(f"{len(problems)} réponse(s) invalide(s) : {detail}")


def validate_answers(model: Model, answers: Mapping[str, object]) -> dict[str, AnswerValue]:
    """Check an answer set against `model`; return it normalised or raise `AnswerError`."""
    problems: list[AnswerProblem] = []
    clean: dict[str, AnswerValue] = {}
    for qid, raw in answers.items():
        found = model.questions.get(qid)
        if found is None:
            problems.append(AnswerProblem(qid, "question inconnue dans le modèle " + model.version))
            continue
        question = found[1]
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            problems.append(AnswerProblem(qid, f"réponse de type inattendu ({raw!r})"))
        elif isinstance(raw, int):
            if 0 <= raw <= question.top:
                clean[qid] = raw
            else:
                problems.append(
                    AnswerProblem(qid, f"valeur {raw} hors de l'échelle 0 à {question.top}")
                )
        elif raw == NA:
            if question.allows_na:
                clean[qid] = NA
            else:
                problems.append(AnswerProblem(qid, "« non concerné » n'est pas permis ici"))
        elif raw == UNKNOWN:
            clean[qid] = UNKNOWN
        else:
            problems.append(
                AnswerProblem(
                    qid, f"réponse « {raw} » non reconnue (0 à {question.top}, na, unknown)"
                )
            )
    if problems:
        raise AnswerError(problems)
    return clean


def answers_frame(
    answer_sets: Mapping[str, Mapping[str, AnswerValue]], model: Model | None = None
) -> pl.DataFrame:
    """Long answer frame from ``{assessment: {question: answer}}`` (answers already validated);
    with `model`, question ids come as its Enum, the engine's native input."""
    assessments: list[str] = []
    questions: list[str | None] = []
    values: list[int | None] = []
    statuses: list[str] = []
    for assessment, answers in answer_sets.items():
        if not answers:  # keep the assessment: every question then counts as unknown
            answers = {None: UNKNOWN}  # type: ignore[dict-item]
        for qid, answer in answers.items():
            assessments.append(assessment)
            questions.append(qid)
            if isinstance(answer, int):
                values.append(answer)
                statuses.append("value")
            else:
                values.append(None)
                statuses.append(answer)
    return pl.DataFrame(
        {"assessment": assessments, "question": questions, "value": values, "status": statuses},
        schema=ANSWER_SCHEMA if model is None else answer_schema(model),
    )


class Scores(msgspec.Struct, frozen=True):
    """Everything the engine computes for a batch of assessments, as frames.

    - ``dimensions``: assessment, dimension, score, completeness, incomplete, level
    - ``summary``: assessment (sorted), index, level, one column per pillar (``pillar:<id>``)
    - ``diagnostics``: assessment, diagnostic (model order)
    - ``next_steps``: see `next_steps`; only when asked for (``with_next_steps``)

    ``dimensions`` has no row for a dimension without any answer (score null, completeness 0).
    """

    dimensions: pl.DataFrame
    summary: pl.DataFrame
    diagnostics: pl.DataFrame
    next_steps: pl.DataFrame | None = None


def score(
    model: Model, answers: pl.DataFrame | pl.LazyFrame, *, with_next_steps: bool = False
) -> Scores:
    """Score every assessment present in `answers` (long format, see `answer_schema`; the
    assessment key may be of any sortable dtype). Questions absent for an assessment count as
    unknown. Next steps are computed too when asked, from the same grid."""
    return score_grid(model, answer_cells(model, answers), with_next_steps=with_next_steps)


def score_grid(model: Model, grid: AnswerCells, *, with_next_steps: bool = False) -> Scores:
    """`score` of an answer grid already built (`maturity.grid.answer_cells`), for a caller
    that reads the grid too (the co-évaluation's statistics): the grid is built once."""
    plan = _plan(model)
    scores, completeness, present = _dimension_scores(plan, grid.cells)
    levels = _levels(plan, scores)
    overall = _weighted(plan.overall, scores)
    level = _levels(plan, overall[INDEX])
    if plan.thresholds.size and model.cap_levels:
        # capped at one above the lowest level among the dimensions that have a score
        lowest = np.where(np.isnan(scores), np.inf, levels).min(axis=0, initial=np.inf)
        level = np.minimum(level, lowest + 1)
    named = dict(zip(plan.names, scores, strict=True)) | overall
    with np.errstate(invalid="ignore", divide="ignore"):  # questions a rule names: 0–100
        for qid, (row, top) in plan.questions.items():
            cell = grid.cells[row].astype(np.float64)  # the grid holds int8
            named[qid] = np.where(cell >= 0, 100 * cell / top, np.nan)
    hits = np.array([rule(named) for rule in plan.rules], dtype=bool)
    hits = hits.reshape(len(plan.rules), len(grid.keys))
    return Scores(
        dimensions=_dimension_rows(plan, grid.keys, scores, completeness, present, levels),
        summary=pl.DataFrame(
            [
                grid.keys,
                pl.Series(INDEX, overall[INDEX], nan_to_null=True),
                *(
                    pl.Series(f"pillar:{p.id}", overall[p.id], nan_to_null=True)
                    for p in model.pillars
                ),
                pl.Series("level", level, nan_to_null=True, dtype=pl.Int32),
            ]
        ),
        diagnostics=_diagnostic_rows(model, grid.keys, hits),
        next_steps=_next_steps(model, grid) if with_next_steps else None,
    )


def metric_scores(model: Model, grid: AnswerCells) -> dict[str, np.ndarray]:
    """Every metric's score per assessment of `grid` (in ``grid.keys`` order, NaN where it
    has none): the index, ``pillar:<id>`` and each dimension, as `maturity.peers.long_scores`
    reads them off `score`'s frames. For a caller that wants the scores as a matrix
    (`maturity.score_matrix.scored_matrix`): no frame is built, no metric name matched."""
    plan = _plan(model)
    scores = _dimension_scores(plan, grid.cells)[0]
    overall = _weighted(plan.overall, scores)
    return {
        INDEX: overall[INDEX],
        **{f"pillar:{p.id}": overall[p.id] for p in model.pillars},
        **dict(zip(plan.names, scores, strict=True)),
    }


class _Plan(NamedTuple):
    """What the engine needs of one model, as index ranges and weight vectors, built once."""

    names: list[str]
    """Dimension ids, in model order."""
    rows: list[slice]
    """Each dimension's questions: a range of the grid's rows."""
    groups: list[list[tuple[slice | np.ndarray, float, float]]]
    """Per dimension, its questions of equal weight and scale: rows, weight / top, weight."""
    overall: dict[str, np.ndarray]
    """Dimension weights of the index and of each pillar (zero outside the pillar)."""
    thresholds: np.ndarray
    """Lower bound of each maturity level, less the tolerance."""
    rules: list[Callable[[Mapping[str, np.ndarray]], np.ndarray]]
    """Each diagnostic's test over the named scores (``index``, pillars, dimensions, and
    the questions of `questions`)."""
    questions: dict[str, tuple[int, int]]
    """The questions a rule names: their grid row and the top of their scale."""


@functools.lru_cache(maxsize=16)
def _plan(model: Model) -> _Plan:
    """The `_Plan` of `model` (cheap to build, but one request scores one assessment)."""
    rows, groups, start = [], [], 0
    for d in model.dimensions:
        alike: dict[tuple[float, int], list[int]] = {}
        for i, q in enumerate(d.questions, start):
            alike.setdefault((q.weight, q.top), []).append(i)
        rows.append(slice(start, start + len(d.questions)))
        groups.append([(_rows(at), w / top, w) for (w, top), at in alike.items()])
        start += len(d.questions)
    weights = np.array([d.weight for d in model.dimensions])
    return _Plan(
        names=[d.id for d in model.dimensions],
        rows=rows,
        groups=groups,
        overall={
            INDEX: weights,
            **{
                p.id: np.where([d.pillar == p.id for d in model.dimensions], weights, 0.0)
                for p in model.pillars
            },
        },
        thresholds=np.array([lv.min - TOLERANCE for lv in model.levels]),
        rules=[_rule(diag.rule) for diag in model.diagnostics],
        questions=_rule_questions(model),
    )


def _rule_questions(model: Model) -> dict[str, tuple[int, int]]:
    """The questions the diagnostics' gap rules name, with their grid row and scale top."""
    gaps = [d.rule for d in model.diagnostics if isinstance(d.rule, GapRule)]
    named = {name for rule in gaps for name in rule.left + rule.right}
    rows = {q.id: (row, q.top) for row, (_, q) in enumerate(model.iter_questions())}
    return {qid: rows[qid] for qid in sorted(named) if qid in rows}


def _rows(at: list[int]) -> slice | np.ndarray:
    """Grid rows `at` as a slice when they are contiguous (a view, no copy), else an index."""
    return slice(at[0], at[-1] + 1) if at == list(range(at[0], at[-1] + 1)) else np.array(at)


def _dimension_scores(plan: _Plan, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Score, completeness (NaN when undefined) and whether anything was answered or marked
    "non concerné", each as a (dimension, assessment) matrix."""
    shape = (len(plan.names), cells.shape[1])
    scores, completeness, present = np.empty(shape), np.empty(shape), np.empty(shape, bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        for d, (rows, groups) in enumerate(zip(plan.rows, plan.groups, strict=True)):
            num, den, answered = 0.0, 0.0, 0
            # a cell below 0 (na, unknown) adds nothing and counts for no weight; questions of
            # equal weight and scale are summed as integers first, then scaled once
            for at, scale, weight in groups:
                block = cells[at]
                count = (block >= 0).sum(axis=0, dtype=np.int32)
                num = num + np.maximum(block, 0).sum(axis=0, dtype=np.int32) * scale
                den, answered = den + count * weight, answered + count
            na = (cells[rows] == NA_CELL).sum(axis=0, dtype=np.int32)
            total = rows.stop - rows.start
            scores[d] = np.where(den > 0, 100 * num / den, np.nan)
            completeness[d] = np.where(na < total, answered / (total - na), np.nan)
            present[d] = answered + na > 0
    return scores, completeness, present


def _levels(plan: _Plan, scores: np.ndarray) -> np.ndarray:
    """Maturity level of 0–100 scores: how many thresholds each reaches (NaN → NaN)."""
    if not plan.thresholds.size:
        return np.full(scores.shape, np.nan)
    reached = sum(scores >= threshold for threshold in plan.thresholds.tolist())
    return np.where(np.isnan(scores), np.nan, reached)


def _weighted(overall: Mapping[str, np.ndarray], scores: np.ndarray) -> dict[str, np.ndarray]:
    """Each weighting's mean of the dimensions' scores over those that have one (NaN if
    none): the index and every pillar from one product, the missing scores masked once."""
    scored = ~np.isnan(scores)
    weights = np.stack(list(overall.values()))
    den = weights @ scored.astype(np.float64)  # a float matrix: BLAS, not a casting loop
    num = weights @ np.where(scored, scores, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(den > 0, num / den, np.nan)
    return dict(zip(overall, means, strict=True))


def _rule(rule: GapRule | ThresholdRule) -> Callable[[Mapping[str, np.ndarray]], np.ndarray]:
    """A diagnostic rule as a test over the named scores; a missing score never triggers it
    (every comparison with NaN is false)."""

    def mean(values: Mapping[str, np.ndarray], names: Iterable[str]) -> np.ndarray:
        chosen = [values[n] for n in names]
        return sum(chosen[1:], chosen[0]) / len(chosen)

    def hit(values: Mapping[str, np.ndarray]) -> np.ndarray:
        found: np.ndarray
        match rule:
            case GapRule(left=left, right=right, min_gap=gap, absolute=absolute):
                diff = mean(values, left) - mean(values, right)
                found = (np.abs(diff) if absolute else diff) >= gap - TOLERANCE
            case ThresholdRule(target=target, below=below, at_least=at_least):
                found = ~np.isnan(values[target])
                if below is not None:
                    found &= values[target] < below - TOLERANCE
                if at_least is not None:
                    found &= values[target] >= at_least - TOLERANCE
        if rule.index_at_least is not None:
            found &= values[INDEX] >= rule.index_at_least - TOLERANCE
        return found

    return hit


def _dimension_rows(
    plan: _Plan,
    keys: pl.Series,
    scores: np.ndarray,
    completeness: np.ndarray,
    present: np.ndarray,
    levels: np.ndarray,
) -> pl.DataFrame:
    """The long ``dimensions`` frame: dimension after dimension, a row per assessment that
    answered anything in it."""
    at = np.flatnonzero(present)
    n = len(keys)
    kept = completeness.ravel()[at]
    with np.errstate(invalid="ignore"):
        incomplete = kept < INCOMPLETE_BELOW - TOLERANCE
    return pl.DataFrame(
        [
            keys.gather(at % n),
            pl.Series("dimension", plan.names, dtype=pl.String).gather(at // n),
            pl.Series("score", scores.ravel()[at], nan_to_null=True),
            pl.Series("completeness", kept, nan_to_null=True),
            pl.Series("incomplete", incomplete),
            pl.Series("level", levels.ravel()[at], nan_to_null=True, dtype=pl.Int32),
        ]
    )


def _diagnostic_rows(model: Model, keys: pl.Series, hits: np.ndarray) -> pl.DataFrame:
    """The long ``diagnostics`` frame from a (rule, assessment) matrix: by assessment, then
    in model order."""
    at = np.flatnonzero(hits.T)
    ids = pl.Series("diagnostic", [d.id for d in model.diagnostics], dtype=pl.String)
    count = len(model.diagnostics)
    return pl.DataFrame([keys.gather(at // max(count, 1)), ids.gather(at % max(count, 1))])


def next_steps(model: Model, answers: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Per dimension, its weakest answered questions not yet at the top, with the level that
    comes next (``order`` = position in the model), grouped by question in model order;
    ``dimension`` and ``question`` as Enums of the model's ids.
    Not part of `score` by default: pages need them for one assessment, not for a batch."""
    return _next_steps(model, answer_cells(model, answers))


def _next_steps(model: Model, grid: AnswerCells) -> pl.DataFrame:
    """`next_steps` from an answer grid."""
    cells, questions = grid.cells, list(model.iter_questions())
    weakest = np.zeros(cells.shape, dtype=bool)
    for rows, dimension in zip(_plan(model).rows, model.dimensions, strict=True):
        block, tops = cells[rows], {q.top for q in dimension.questions}
        if len(tops) == 1:
            # one scale: compare the cells themselves, an unanswered one counting as the top
            (top,) = tops
            reach = np.where(block >= 0, block, top)
            steps: float = top
        else:
            scale = np.array([q.top for q in dimension.questions], dtype=float)[:, np.newaxis]
            reach = np.where((block >= 0) & (block < scale), block / scale, np.inf)
            steps = np.inf
        lowest = reach.min(axis=0)
        weakest[rows] = (reach == lowest) & (lowest < steps)
    # question after question, as in the grid: a step's row gives its question, its column
    # its assessment
    at = np.flatnonzero(weakest)
    n = len(grid.keys)
    order = pl.Series("order", at // n, dtype=pl.UInt32)
    current = pl.Series("current", cells.ravel()[at], dtype=pl.Int32)
    dimensions = pl.Enum([d.id for d in model.dimensions])
    return pl.DataFrame(
        [
            grid.keys.gather(at % n),
            pl.Series("dimension", [d.id for d, _ in questions], dtype=dimensions).gather(order),
            pl.Series("question", [q.id for _, q in questions], dtype=question_dtype(model)).gather(
                order
            ),
            current,
            (current + 1).alias("next_level"),
            order,
        ]
    )
