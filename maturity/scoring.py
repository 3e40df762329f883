"""Scoring engine: from a long frame of answers to scores, levels, diagnostics and next steps.

Pure functions on polars frames, vectorised over any number of assessments (DESIGN §3). The
long answers are first laid out as a wide grid (`maturity.grid`); every formula is then a
horizontal expression over a dimension's question columns, evaluated for all assessments at
once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Final, NamedTuple

import msgspec
import numpy as np
import polars as pl

from maturity.grid import NA, NA_CELL, STATUS, UNKNOWN, answer_grid, answer_schema, question_dtype
from maturity.model import INDEX, Dimension, GapRule, Model, ThresholdRule

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
    "next_steps",
    "question_dtype",
    "score",
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
    grid = answer_grid(model, answers)
    stages = _stages(model)
    wide = (
        grid.lazy()
        .select("assessment", *stages.dimensions)
        .with_columns(*stages.levels, *stages.overall)
        .with_columns(stages.level)
        .collect()
        .lazy()
    )
    summary, *parts = pl.collect_all(
        [
            wide.select("assessment", INDEX, *(p.id for p in model.pillars), "level"),
            *(wide.filter(present).select("assessment", *row) for present, row in stages.rows),
            *(
                wide.filter(rule).select(
                    "assessment", diagnostic=pl.lit(diag.id), order=pl.lit(i, pl.Int32)
                )
                for i, (diag, rule) in enumerate(zip(model.diagnostics, stages.rules, strict=True))
            ),
        ]
    )
    dimensions, diagnostics = parts[: len(model.dimensions)], parts[len(model.dimensions) :]
    key = pl.Schema([("assessment", summary.schema["assessment"]), ("diagnostic", pl.String())])
    return Scores(
        dimensions=pl.concat(dimensions),
        summary=summary.rename({p.id: f"pillar:{p.id}" for p in model.pillars}),
        diagnostics=(
            pl.concat(diagnostics).sort("assessment", "order").drop("order")
            if diagnostics
            else pl.DataFrame(schema=key)
        ),
        next_steps=_next_steps(model, grid) if with_next_steps else None,
    )


class _Stages(NamedTuple):
    """The engine's expressions for one model, built once: each stage reads the columns the
    previous one made (the grid's questions, then ``<dimension>`` scores and their flags)."""

    dimensions: list[pl.Expr]
    levels: list[pl.Expr]
    overall: list[pl.Expr]
    level: pl.Expr
    rows: list[tuple[pl.Expr, list[pl.Expr]]]
    rules: list[pl.Expr]


@functools.lru_cache(maxsize=16)
def _stages(model: Model) -> _Stages:
    """The expressions of `score` for `model` (building them costs more than running them on
    a few assessments, so they are kept)."""
    return _Stages(
        dimensions=[e for d in model.dimensions for e in _dimension_exprs(d)],
        levels=[_level_expr(pl.col(d.id), model).alias(f"{d.id}/level") for d in model.dimensions],
        overall=[
            _weighted(model.dimensions).alias(INDEX),
            *(
                _weighted([d for d in model.dimensions if d.pillar == p.id]).alias(p.id)
                for p in model.pillars
            ),
        ],
        level=_capped_level(model),
        rows=[(pl.col(f"{d.id}/present"), _row_exprs(d)) for d in model.dimensions],
        rules=[_rule_expr(diag.rule) for diag in model.diagnostics],
    )


def _dimension_exprs(dimension: Dimension) -> list[pl.Expr]:
    """Score (``<id>``), completeness, and whether any question was answered or marked na,
    from the dimension's question columns."""
    # A cell below 0 (na, unknown, absent) is raised to 0 in the numerator and counts for
    # neither the weights nor the answered questions. Questions of equal weight and scale are
    # summed as integers first, then scaled once: fewer float operations, no rounding added.
    alike: dict[tuple[float, int], list[pl.Expr]] = {}
    for q in dimension.questions:
        alike.setdefault((q.weight, q.top), []).append(pl.col(q.id))
    num = pl.sum_horizontal(
        pl.sum_horizontal(pl.max_horizontal(c, 0) for c in cells) * (weight / top)
        for (weight, top), cells in alike.items()
    )
    counts = {key: pl.sum_horizontal(c >= 0 for c in cells) for key, cells in alike.items()}
    den = pl.sum_horizontal(count * weight for (weight, _), count in counts.items())
    answered = pl.sum_horizontal(counts.values())
    na = pl.sum_horizontal(pl.col(q.id) == NA_CELL for q in dimension.questions)
    total, d = len(dimension.questions), dimension.id
    return [
        pl.when(den > 0).then(100 * num / den).alias(d),
        pl.when(na < total).then(answered / (total - na)).alias(f"{d}/completeness"),
        (answered + na > 0).alias(f"{d}/present"),
    ]


def _level_expr(col: pl.Expr, model: Model) -> pl.Expr:
    """Maturity level of a 0–100 score: how many thresholds it reaches (null score → null)."""
    if not model.levels:
        return pl.lit(None, dtype=pl.Int32)
    reached = [(col >= lv.min - TOLERANCE).cast(pl.Int32) for lv in model.levels]
    return pl.when(col.is_not_null()).then(pl.sum_horizontal(reached).cast(pl.Int32))


def _weighted(dimensions: Iterable[Dimension]) -> pl.Expr:
    """Weighted mean of the dimensions' scores over those that have one (null if none)."""
    chosen = list(dimensions)
    num = pl.sum_horizontal(pl.col(d.id).fill_null(0) * d.weight for d in chosen)
    den = pl.sum_horizontal(pl.col(d.id).is_not_null() * d.weight for d in chosen)
    return pl.when(den > 0).then(num / den)


def _capped_level(model: Model) -> pl.Expr:
    """The maturity level of the index, capped at one above the lowest dimension's level when
    the model says so."""
    level = _level_expr(pl.col(INDEX), model)
    if model.levels and model.cap_levels:
        lowest = pl.min_horizontal(pl.col(f"{d.id}/level") for d in model.dimensions)
        level = pl.min_horizontal(level, lowest + 1)
    return level.cast(pl.Int32).alias("level")


def _row_exprs(dimension: Dimension) -> list[pl.Expr]:
    """The long row of one dimension for one assessment (where it has any answer)."""
    d = dimension.id
    return [
        pl.lit(d).alias("dimension"),
        pl.col(d).alias("score"),
        pl.col(f"{d}/completeness").alias("completeness"),
        (pl.col(f"{d}/completeness") < INCOMPLETE_BELOW - TOLERANCE)
        .fill_null(False)
        .alias("incomplete"),
        pl.col(f"{d}/level").alias("level"),
    ]


def _rule_expr(rule: GapRule | ThresholdRule) -> pl.Expr:
    """Boolean expression for a diagnostic rule over the wide score frame (null → false)."""

    def mean(names: Iterable[str]) -> pl.Expr:
        cols = [pl.col(n) for n in names]
        return sum(cols[1:], cols[0]) / len(cols)

    match rule:
        case GapRule(left=left, right=right, min_gap=gap, absolute=absolute):
            diff = mean(left) - mean(right)
            hit = (diff.abs() if absolute else diff) >= gap - TOLERANCE
        case ThresholdRule(target=target, below=below, at_least=at_least):
            hit = pl.lit(True)
            if below is not None:
                hit = hit & (pl.col(target) < below - TOLERANCE)
            if at_least is not None:
                hit = hit & (pl.col(target) >= at_least - TOLERANCE)
    if rule.index_at_least is not None:
        hit = hit & (pl.col(INDEX) >= rule.index_at_least - TOLERANCE)
    return hit.fill_null(False)


def next_steps(model: Model, answers: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Per dimension, its weakest answered questions not yet at the top, with the level that
    comes next (``order`` = position in the model), grouped by question in model order;
    ``dimension`` and ``question`` as Enums of the model's ids.
    Not part of `score` by default: pages need them for one assessment, not for a batch."""
    return _next_steps(model, answer_grid(model, answers))


def _next_steps(model: Model, grid: pl.DataFrame) -> pl.DataFrame:
    """`next_steps` from an answer grid."""
    questions = list(model.iter_questions())
    # infinity rather than null for a question with no step to take: horizontal minima over
    # columns without nulls are several times faster
    ratios = grid.select(
        pl.when((pl.col(q.id) >= 0) & (pl.col(q.id) < q.top))
        .then(pl.col(q.id) / q.top)
        .otherwise(float("inf"))
        .alias(q.id)
        for _, q in questions
    )
    lowest = ratios.select(
        pl.min_horizontal(pl.col(q.id) for q in d.questions).alias(d.id) for d in model.dimensions
    )
    # the weakest questions' cells, question after question, as one column: a step is a
    # position in it, whose question and assessment its quotient and remainder give
    hits = pl.concat(
        [
            (ratios.get_column(q.id) == lowest.get_column(d.id))
            & lowest.get_column(d.id).is_finite()
            for d, q in questions
        ]
    )
    at = pl.Series(np.flatnonzero(hits.to_numpy()))  # several times polars' `arg_true`
    n = grid.height
    order = (at // n).cast(pl.UInt32)
    # the same layout for the cells: the grid's columns, end to end (one buffer already)
    cells = grid.drop("assessment").to_numpy(order="fortran").ravel(order="F")
    current = pl.Series(cells[at.to_numpy()])
    names = pl.Enum([d.id for d in model.dimensions])
    return pl.DataFrame(
        {
            "assessment": grid.get_column("assessment").gather(at % n),
            "dimension": pl.Series([d.id for d, _ in questions], dtype=names).gather(order),
            "question": pl.Series([q.id for _, q in questions], dtype=question_dtype(model)).gather(
                order
            ),
            "current": current,
            "next_level": current + 1,
            "order": order,
        }
    )
