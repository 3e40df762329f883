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
    "next_steps",
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
    """One row per question (``qidx`` = its position in the model): its dimension, pillar,
    weight and scale top."""
    rows = [
        (i, q.id, d.id, d.pillar, q.weight, q.top)
        for i, (d, q) in enumerate(model.iter_questions())
    ]
    return pl.DataFrame(
        rows,
        schema={
            "qidx": pl.UInt32,
            "question": pl.String,
            "dimension": pl.Enum([d.id for d in model.dimensions]),
            "pillar": pl.String,
            "weight": pl.Float64,
            "top": pl.Int32,
        },
        orient="row",
    )


class Scores(msgspec.Struct, frozen=True):
    """Everything the engine computes for a batch of assessments, as frames.

    - ``dimensions``: assessment, dimension, score, completeness, incomplete, level
    - ``summary``: assessment, index, level, one column per pillar (``pillar:<id>``)
    - ``diagnostics``: assessment, diagnostic (model order)

    ``dimensions`` has no row for a dimension without any answer (score null, completeness 0).
    """

    dimensions: pl.DataFrame
    summary: pl.DataFrame
    diagnostics: pl.DataFrame


def score(model: Model, answers: pl.DataFrame | pl.LazyFrame) -> Scores:
    """Score every assessment present in `answers` (long format, see `ANSWER_SCHEMA`; the
    assessment key may be of any dtype). Questions absent for an assessment count as unknown."""
    questions = question_frame(model)
    answers = answers.lazy()
    dimensions_plan = (
        answers.pipe(_grade, questions).pipe(_aggregate).pipe(_dimension_scores, model, questions)
    )
    summary_plan = (
        answers.select("assessment")
        .unique()
        .join(dimensions_plan.pipe(_summary, model), on="assessment", how="left")
        .sort("assessment")
    )
    # one query: the shared part of both plans (grading and aggregation) runs once
    dimensions, summary = pl.collect_all([dimensions_plan, summary_plan])
    return Scores(
        dimensions=dimensions.with_columns(pl.col("dimension").cast(pl.String)),
        summary=summary.drop(_wide_names(model)),
        diagnostics=_diagnostics(model, summary),
    )


def _grade(answers: pl.LazyFrame, questions: pl.DataFrame) -> pl.LazyFrame:
    """The answers that carry a value or "na", with their question's attributes and the
    terms of the formulas precomputed (null where a term does not apply).

    Unknown and absent answers need no row: they only lower completeness, which is derived
    from the number of questions per dimension."""
    ids = pl.Enum(questions["question"])
    valued = pl.col("status") == "value"
    ratio = pl.col("value") / pl.col("top")

    def attribute(name: str) -> pl.Expr:  # a gather by position: cheaper than a join
        return pl.lit(questions[name]).gather(pl.col("qidx")).alias(name)

    return (
        answers.filter(pl.col("status") != UNKNOWN, pl.col("question").is_not_null())
        .with_columns(qidx=pl.col("question").cast(pl.String).cast(ids).to_physical())
        .with_columns(attribute("dimension"), attribute("weight"), attribute("top"))
        .with_columns(
            weighted=pl.when(valued).then(pl.col("weight") * ratio),
            answered_weight=pl.when(valued).then(pl.col("weight")),
            open_ratio=pl.when(valued & (pl.col("value") < pl.col("top"))).then(ratio),
            valued=valued,
            na=pl.col("status") == NA,
        )
    )


def _aggregate(graded: pl.LazyFrame) -> pl.LazyFrame:
    """One pass per (assessment, dimension): the sums of the score formula, the counts of
    completeness."""
    return graded.group_by("assessment", "dimension").agg(
        num=pl.col("weighted").sum(),
        den=pl.col("answered_weight").sum(),
        answered=pl.col("valued").sum(),
        na=pl.col("na").sum(),
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


def _dimension_scores(sums: pl.LazyFrame, model: Model, questions: pl.DataFrame) -> pl.LazyFrame:
    """Score, completeness, incomplete flag and level per assessment and dimension.

    A dimension with no answer at all (every question unknown) has no row: read it as
    score null, completeness 0, incomplete."""
    per_dimension = questions.group_by("dimension").agg(total=pl.len()).lazy()
    return (
        sums.join(per_dimension, on="dimension", how="left")
        .with_columns(
            score=pl.when(pl.col("den") > 0).then(100 * pl.col("num") / pl.col("den")),
            completeness=pl.when(pl.col("total") > pl.col("na")).then(
                pl.col("answered") / (pl.col("total") - pl.col("na"))
            ),
        )
        .with_columns(
            incomplete=(pl.col("completeness") < INCOMPLETE_BELOW - TOLERANCE).fill_null(False),
            level=_level_expr(pl.col("score"), model),
        )
        .select("assessment", "dimension", "score", "completeness", "incomplete", "level")
    )


def _wide_names(model: Model) -> list[str]:
    return [f"dimension:{d.id}" for d in model.dimensions]


def _summary(dimensions: pl.LazyFrame, model: Model) -> pl.LazyFrame:
    """Index, pillar scores, capped maturity level and (for the diagnostics) every dimension's
    score as a ``dimension:<id>`` column, per assessment, in one aggregation.

    The terms are spread into one column per pillar and per dimension first, so that the
    aggregation is plain sums and maxima (polars' fast path) rather than filters per group."""
    position = {d.id: i for i, d in enumerate(model.dimensions)}
    dimension = pl.col("dimension").to_physical()  # the Enum's codes: integer comparisons
    weight = dimension.replace_strict(
        {i: d.weight for i, d in enumerate(model.dimensions)}, return_dtype=pl.Float64
    )
    w = pl.when(pl.col("score").is_not_null()).then(weight)
    groups = {INDEX: list(position.values())} | {
        f"pillar:{p.id}": [position[d.id] for d in model.dimensions if d.pillar == p.id]
        for p in model.pillars
    }
    terms: dict[str, pl.Expr] = {}
    for name, members in groups.items():
        inside = dimension.is_in(members)
        terms[f"{name}/num"] = pl.when(inside).then(w * pl.col("score"))
        terms[f"{name}/den"] = pl.when(inside).then(w)
    wide = {
        f"dimension:{d.id}": pl.when(dimension == position[d.id]).then(pl.col("score"))
        for d in model.dimensions
    }
    summary = (
        dimensions.with_columns(**terms, **wide)
        .group_by("assessment")
        .agg(pl.col(*terms).sum(), pl.col(*wide).max(), lowest=pl.col("level").min())
        .with_columns(
            pl.when(pl.col(f"{name}/den") > 0)
            .then(pl.col(f"{name}/num") / pl.col(f"{name}/den"))
            .alias(name)
            for name in groups
        )
    )
    level = _level_expr(pl.col(INDEX), model)
    if model.levels and model.cap_levels:
        level = pl.min_horizontal(level, pl.col("lowest") + 1)
    return summary.with_columns(level=level).select("assessment", *groups, "level", *wide)


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


def _diagnostics(model: Model, summary: pl.DataFrame) -> pl.DataFrame:
    """Triggered diagnostics, one row per (assessment, diagnostic), in model order."""
    schema = pl.Schema([("assessment", summary.schema["assessment"]), ("diagnostic", pl.String())])
    if not model.diagnostics or summary.is_empty():
        return pl.DataFrame(schema=schema)
    wide = summary.rename({c: c.split(":", 1)[1] for c in summary.columns if ":" in c}).lazy()
    hits = [
        wide.filter(_rule_expr(diag.rule)).select(
            "assessment", diagnostic=pl.lit(diag.id), order=pl.lit(i, dtype=pl.Int32)
        )
        for i, diag in enumerate(model.diagnostics)
    ]
    return pl.concat(hits).sort("assessment", "order").drop("order").collect()


def next_steps(model: Model, answers: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Per dimension, its weakest answered questions not yet at the top, with the level that
    comes next (``order`` = position in the model). Separate from `score` because only the
    assessments being shown need it."""
    questions = question_frame(model)
    graded = answers.lazy().pipe(_grade, questions)
    return (
        graded.filter(
            pl.col("open_ratio") == pl.col("open_ratio").min().over("assessment", "dimension")
        )
        .join(questions.lazy().select("qidx", "question"), on="qidx", how="left")
        .select(
            "assessment",
            pl.col("dimension").cast(pl.String),
            "question",
            current=pl.col("value"),
            next_level=pl.col("value") + 1,
            order=pl.col("qidx"),
        )
        .collect()
    )
