"""Scoring engine: from a long frame of answers to scores, levels, diagnostics and next steps.

Pure functions on polars frames, vectorised over any number of assessments (DESIGN §3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import msgspec
import polars as pl

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
    "answers_frame",
    "question_frame",
    "score",
    "validate_answers",
]

NA: Final = "na"
UNKNOWN: Final = "unknown"
TOLERANCE: Final = 1e-9
"""Slack on every threshold comparison (levels, diagnostics), so that a score that equals a
threshold mathematically reaches it whatever the order of the floating-point sums."""
INCOMPLETE_BELOW: Final = 0.8
"""A dimension whose completeness is below this is flagged incomplete (its score still shows)."""

AnswerValue = int | str
"""An answer as it arrives: a level/number of points, ``"na"`` or ``"unknown"``."""

STATUS = pl.Enum(["value", NA, UNKNOWN])
ANSWER_SCHEMA: Final = pl.Schema(
    [
        ("assessment", pl.String()),
        ("question", pl.String()),
        ("value", pl.Int32()),
        ("status", STATUS),
    ]
)
"""Long format of answers: one row per assessment and answered question."""


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


def answers_frame(answer_sets: Mapping[str, Mapping[str, AnswerValue]]) -> pl.DataFrame:
    """Long answer frame from ``{assessment: {question: answer}}`` (answers already validated)."""
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
        schema=ANSWER_SCHEMA,
    )


def question_frame(model: Model) -> pl.DataFrame:
    """One row per question: its dimension, pillar, weight, scale top and order in the model."""
    rows = [
        (q.id, d.id, d.pillar, q.weight, q.top, len(q.levels) > 0, i)
        for i, (d, q) in enumerate(model.iter_questions())
    ]
    return pl.DataFrame(
        rows,
        schema={
            "question": pl.String,
            "dimension": pl.String,
            "pillar": pl.String,
            "weight": pl.Float64,
            "top": pl.Int32,
            "has_levels": pl.Boolean,
            "order": pl.Int32,
        },
        orient="row",
    )


class Scores(msgspec.Struct, frozen=True):
    """Everything the engine computes for a batch of assessments, as frames.

    - ``dimensions``: assessment, dimension, score, completeness, incomplete, level
    - ``summary``: assessment, index, level, one column per pillar (``pillar:<id>``)
    - ``diagnostics``: assessment, diagnostic (model order)
    - ``next_steps``: assessment, dimension, question, current, next_level
    """

    dimensions: pl.DataFrame
    summary: pl.DataFrame
    diagnostics: pl.DataFrame
    next_steps: pl.DataFrame


def score(model: Model, answers: pl.DataFrame | pl.LazyFrame) -> Scores:
    """Score every assessment present in `answers` (long format, see `ANSWER_SCHEMA`)."""
    questions = question_frame(model).lazy()
    graded = answers.lazy().pipe(_grade, questions)
    dimensions = graded.pipe(_dimension_scores, model).collect()
    summary = dimensions.lazy().pipe(_summary, model).collect()
    return Scores(
        dimensions=dimensions,
        summary=summary,
        diagnostics=_diagnostics(model, summary, dimensions),
        next_steps=graded.pipe(_next_steps).collect(),
    )


def _grade(answers: pl.LazyFrame, questions: pl.LazyFrame) -> pl.LazyFrame:
    """Every (assessment, question) of the model, absent answers counting as unknown."""
    ids = answers.select("assessment").unique()
    return (
        ids.join(questions, how="cross")
        .join(
            answers.select("assessment", "question", "value", "status"),
            on=["assessment", "question"],
            how="left",
        )
        .with_columns(pl.col("status").fill_null(UNKNOWN))
        .with_columns(
            answered=pl.col("status") == "value",
            applicable=pl.col("status") != NA,
        )
    )


def _level_expr(col: pl.Expr, model: Model) -> pl.Expr:
    """Maturity level of a 0–100 score: how many thresholds it reaches (null score → null)."""
    if not model.levels:
        return pl.lit(None, dtype=pl.Int32)
    reached = [(col >= lv.min - TOLERANCE).cast(pl.Int32) for lv in model.levels]
    return (
        pl.sum_horizontal(reached)
        .cast(pl.Int32)
        .alias("level")
        .pipe(lambda e: pl.when(col.is_null()).then(None).otherwise(e))
    )


def _dimension_scores(graded: pl.LazyFrame, model: Model) -> pl.LazyFrame:
    """Score, completeness, incomplete flag and level per assessment and dimension."""
    weighted = pl.col("weight") * pl.col("value") / pl.col("top")
    answered_weight = pl.when(pl.col("answered")).then(pl.col("weight")).otherwise(0.0)
    return (
        graded.group_by("assessment", "dimension")
        .agg(
            num=weighted.filter(pl.col("answered")).sum(),
            den=answered_weight.sum(),
            answered=pl.col("answered").sum(),
            applicable=pl.col("applicable").sum(),
        )
        .with_columns(
            score=pl.when(pl.col("den") > 0).then(100 * pl.col("num") / pl.col("den")),
            completeness=pl.when(pl.col("applicable") > 0).then(
                pl.col("answered") / pl.col("applicable")
            ),
        )
        .with_columns(
            incomplete=(pl.col("completeness") < INCOMPLETE_BELOW - TOLERANCE).fill_null(False),
            level=_level_expr(pl.col("score"), model),
        )
        .select("assessment", "dimension", "score", "completeness", "incomplete", "level")
        .sort("assessment", "dimension")
    )


def _weighted_mean(frame: pl.LazyFrame, weights: Mapping[str, float], name: str) -> pl.LazyFrame:
    """Per assessment, Σ(w·score)/Σw over the listed dimensions that have a score."""
    w = pl.col("dimension").replace_strict(weights, default=None, return_dtype=pl.Float64)
    return (
        frame.with_columns(w=w)
        .filter(pl.col("score").is_not_null() & pl.col("w").is_not_null())
        .group_by("assessment")
        .agg(((pl.col("w") * pl.col("score")).sum() / pl.col("w").sum()).alias(name))
    )


def _summary(dimensions: pl.LazyFrame, model: Model) -> pl.LazyFrame:
    """Index, pillar scores and capped maturity level per assessment."""
    summary = dimensions.select("assessment").unique()
    parts = [(INDEX, {d.id: d.weight for d in model.dimensions})] + [
        (f"pillar:{p.id}", {d.id: d.weight for d in model.dimensions if d.pillar == p.id})
        for p in model.pillars
    ]
    for name, weights in parts:
        summary = summary.join(
            dimensions.pipe(_weighted_mean, weights, name), on="assessment", how="left"
        )
    level = _level_expr(pl.col(INDEX), model)
    if model.levels and model.cap_levels:
        lowest = dimensions.group_by("assessment").agg(lowest=pl.col("level").min())
        summary = (
            summary.join(lowest, on="assessment", how="left")
            .with_columns(level=pl.min_horizontal(level, pl.col("lowest") + 1))
            .drop("lowest")
        )
    else:
        summary = summary.with_columns(level=level)
    return summary.sort("assessment")


def _wide_scores(summary: pl.DataFrame, dimensions: pl.DataFrame) -> pl.DataFrame:
    """One row per assessment, one column per score name (index, pillars, dimensions)."""
    wide = dimensions.pivot(on="dimension", index="assessment", values="score")
    renamed = summary.rename({c: c.removeprefix("pillar:") for c in summary.columns})
    return renamed.drop("level").join(wide, on="assessment", how="left")


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


def _diagnostics(model: Model, summary: pl.DataFrame, dimensions: pl.DataFrame) -> pl.DataFrame:
    """Triggered diagnostics, one row per (assessment, diagnostic), in model order."""
    schema = {"assessment": pl.String, "diagnostic": pl.String, "order": pl.Int32}
    if not model.diagnostics or summary.is_empty():
        return pl.DataFrame(schema=schema)
    wide = _wide_scores(summary, dimensions)
    hits = [
        wide.lazy()
        .filter(_rule_expr(diag.rule))
        .select("assessment", diagnostic=pl.lit(diag.id), order=pl.lit(i, dtype=pl.Int32))
        for i, diag in enumerate(model.diagnostics)
    ]
    return pl.concat(hits).sort("assessment", "order").collect().cast(schema)  # type: ignore[arg-type]


def _next_steps(graded: pl.LazyFrame) -> pl.LazyFrame:
    """Per dimension, its weakest answered questions not yet at the top, with the next level."""
    ratio = pl.col("value") / pl.col("top")
    return (
        graded.filter(pl.col("answered") & (pl.col("value") < pl.col("top")))
        .with_columns(ratio=ratio)
        .filter(pl.col("ratio") == pl.col("ratio").min().over("assessment", "dimension"))
        .select(
            "assessment",
            "dimension",
            "question",
            current=pl.col("value"),
            next_level=pl.col("value") + 1,
            order=pl.col("order"),
        )
        .sort("assessment", "order")
        .drop("order")
    )
