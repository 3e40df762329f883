"""Per-assessment results as Structs: what the API, the pages, the CLI and the assistant show."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
import polars as pl

from maturity.imbalance import side_sentence, weaker_side
from maturity.model import INDEX, Diagnostic, GapRule, Model
from maturity.scoring import (
    Scores,
    answers_frame,
    score,
    validate_answers,
)

__all__ = [
    "DiagnosticResult",
    "DimensionResult",
    "NextStep",
    "PillarResult",
    "ScoreResult",
    "result_for",
    "results_from",
    "score_answers",
]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


class DimensionResult(msgspec.Struct, frozen=True):
    """Score of one dimension (null when no question of it has a value)."""

    id: str
    label: str
    pillar: str
    score: float | None
    completeness: float | None
    incomplete: bool
    level: int | None


class PillarResult(msgspec.Struct, frozen=True):
    """Score of one pillar."""

    id: str
    label: str
    score: float | None


class DiagnosticResult(msgspec.Struct, frozen=True):
    """A triggered diagnostic with its explanation."""

    id: str
    label: str
    message: str


class NextStep(msgspec.Struct, frozen=True):
    """What the next level of one of a dimension's weakest questions looks like."""

    dimension: str
    question: str
    question_label: str
    current: int
    next_level: int
    descriptor: str


class ScoreResult(msgspec.Struct, frozen=True):
    """The whole result of one assessment (DESIGN §3)."""

    model_version: str
    index: float | None
    level: int | None
    level_label: str | None
    pillars: list[PillarResult]
    dimensions: list[DimensionResult]
    diagnostics: list[DiagnosticResult]
    next_steps: list[NextStep]


def _next_step(model: Model, row: Mapping[str, object], lang: str) -> NextStep:
    dimension, question = model.questions[str(row["question"])]
    current, nxt = int(str(row["current"])), int(str(row["next_level"]))
    if question.levels:
        descriptor = question.levels[nxt].get(lang)
    elif lang == "en":
        descriptor = f"Move from {current} to {nxt} points out of {question.top}."
    else:
        descriptor = f"Passer de {current} à {nxt} points sur {question.top}."
    return NextStep(
        dimension=dimension.id,
        question=question.id,
        question_label=question.label.get(lang),
        current=current,
        next_level=nxt,
        descriptor=descriptor,
    )


def _message(model: Model, diagnostic: Diagnostic, scores: Mapping[str, Any], lang: str) -> str:
    """The diagnostic's explanation; a two-sided imbalance also names its weaker side."""
    message = diagnostic.message.get(lang)
    if isinstance(diagnostic.rule, GapRule) and diagnostic.rule.absolute:
        side = weaker_side(diagnostic.rule, scores)
        if side is not None:
            message = f"{message} {side_sentence(model, side, lang)}"
    return message


def result_for(model: Model, scores: Scores, assessment: object, lang: str = "fr") -> ScoreResult:
    """Assemble the `ScoreResult` of one assessment out of a batch's frames (next steps only
    when `scores` has them)."""
    key = pl.col("assessment") == assessment
    dims = {r["dimension"]: r for r in scores.dimensions.filter(key).iter_rows(named=True)}
    summary_rows = scores.summary.filter(key).to_dicts()
    summary = summary_rows[0] if summary_rows else {}
    level = summary.get("level")
    diag_ids = set(scores.diagnostics.filter(key)["diagnostic"].to_list())
    steps = (
        [] if scores.next_steps is None else scores.next_steps.filter(key).sort("order").to_dicts()
    )
    named = {d: row.get("score") for d, row in dims.items()} | {
        name.removeprefix("pillar:"): value for name, value in summary.items()
    }
    return ScoreResult(
        model_version=model.version,
        index=_round(summary.get(INDEX)),
        level=level,
        level_label=model.level_label(level, lang) if level is not None else None,
        pillars=[
            PillarResult(p.id, p.label.get(lang), _round(summary.get(f"pillar:{p.id}")))
            for p in model.pillars
        ],
        dimensions=[
            DimensionResult(
                id=d.id,
                label=d.label.get(lang),
                pillar=d.pillar,
                score=_round(dims.get(d.id, {}).get("score")),
                # no row: nothing answered nor marked "non concerné", so 0 out of every question
                completeness=_round(dims.get(d.id, {}).get("completeness", 0.0)),
                incomplete=bool(dims.get(d.id, {}).get("incomplete", True)),
                level=dims.get(d.id, {}).get("level"),
            )
            for d in model.dimensions
        ],
        diagnostics=[
            DiagnosticResult(d.id, d.label.get(lang), _message(model, d, named, lang))
            for d in model.diagnostics
            if d.id in diag_ids
        ],
        next_steps=[_next_step(model, row, lang) for row in steps],
    )


def results_from(
    model: Model, answer_sets: Mapping[str, Mapping[str, object]], lang: str = "fr"
) -> dict[str, ScoreResult]:
    """Validate and score several answer sets at once; results by assessment key."""
    clean = {key: validate_answers(model, answers) for key, answers in answer_sets.items()}
    scores = score(model, answers_frame(clean, model), with_next_steps=True)
    return {key: result_for(model, scores, key, lang) for key in clean}


def score_answers(model: Model, answers: Mapping[str, object], lang: str = "fr") -> ScoreResult:
    """Validate and score one answer set (raises `AnswerError` naming every bad answer)."""
    return results_from(model, {"_": answers}, lang)["_"]
