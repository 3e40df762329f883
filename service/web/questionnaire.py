"""The questionnaire's pages as plain data: the form of one dimension, read and written.

Pure functions between the model, an assessment's content (the `AssessmentView` the API
returns) and the HTML form's fields, so that the page handlers stay thin and the rules
(what a field is called, where to resume, what is still unanswered) are tested directly."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import msgspec

from maturity.model import Model
from maturity.scoring import NA, UNKNOWN
from service.assessments.answers import AnswersPayload

__all__ = [
    "ANSWER_FIELD",
    "COMMENT_FIELD",
    "EVIDENCE_FIELD",
    "TARGET_FIELD",
    "QuestionForm",
    "dimension_payload",
    "last_changed_dimension",
    "question_forms",
    "resume_point",
    "unanswered",
]

ANSWER_FIELD: Final = "answer-{}"
COMMENT_FIELD: Final = "comment-{}"
EVIDENCE_FIELD: Final = "evidence-{}"
TARGET_FIELD: Final = "target"


class QuestionForm(msgspec.Struct):
    """What the page shows for one question: its labels, and the value to pre-fill (typed
    value after an error, else the saved one)."""

    id: str
    number: int
    label: str
    help: str | None
    allows_na: bool
    levels: list[str]
    max: int
    answer: str
    comment: str
    evidence: str
    error: str | None = None


def _answer_text(value: object) -> str:
    return "" if value is None else str(value)


def question_forms(
    model: Model,
    dimension_id: str,
    lang: str,
    saved: Mapping[str, Any],
    typed: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[QuestionForm]:
    """The questions of a dimension with their values: `typed` (the form just posted) wins
    over `saved` (``answers``/``comments``/``evidence`` of the assessment)."""
    dimension = model.dimension_by_id[dimension_id]
    answers, comments, evidence = (saved.get(k, {}) for k in ("answers", "comments", "evidence"))
    forms = []
    for number, q in enumerate(dimension.questions, start=1):
        if typed is not None:
            answer = typed.get(ANSWER_FIELD.format(q.id), "")
            comment = typed.get(COMMENT_FIELD.format(q.id), "")
            link = typed.get(EVIDENCE_FIELD.format(q.id), "")
        else:
            answer = _answer_text(answers.get(q.id))
            comment, link = comments.get(q.id, ""), evidence.get(q.id, "")
        forms.append(
            QuestionForm(
                id=q.id,
                number=number,
                label=q.label.get(lang),
                help=q.help.get(lang) if q.help else None,
                allows_na=q.allows_na,
                levels=[lv.get(lang) for lv in q.levels],
                max=q.top,
                answer=answer,
                comment=comment,
                evidence=link,
                error=(errors or {}).get(q.id),
            )
        )
    return forms


def _parse_answer(raw: str) -> int | str | None:
    raw = raw.strip()
    if not raw:
        return None
    if raw in (NA, UNKNOWN):
        return raw
    try:
        return int(raw)
    except ValueError:
        return raw  # the engine's validation names it next to the question


def dimension_payload(
    model: Model, dimension_id: str, form: Mapping[str, str], saved: Mapping[str, Any]
) -> AnswersPayload:
    """The whole content to save: the saved one, with this dimension's questions (and its
    target) replaced by what the form says. An emptied comment or link is thus removed, and a
    question left without a choice goes back to unanswered."""
    questions = {q.id for q in model.dimension_by_id[dimension_id].questions}
    answers = {k: v for k, v in saved.get("answers", {}).items() if k not in questions}
    comments = {k: v for k, v in saved.get("comments", {}).items() if k not in questions}
    evidence = {k: v for k, v in saved.get("evidence", {}).items() if k not in questions}
    targets = {k: v for k, v in saved.get("targets", {}).items() if k != dimension_id}
    for qid in questions:
        answer = _parse_answer(form.get(ANSWER_FIELD.format(qid), ""))
        if answer is not None:
            answers[qid] = answer
        if comment := form.get(COMMENT_FIELD.format(qid), "").strip():
            comments[qid] = comment
        if link := form.get(EVIDENCE_FIELD.format(qid), "").strip():
            evidence[qid] = link
    target = form.get(TARGET_FIELD, "").strip()
    if target.isdigit():
        targets[dimension_id] = int(target)
    expected = form.get("revision", "").strip()
    return AnswersPayload(
        answers=answers,
        comments=comments,
        evidence=evidence,
        targets=targets,
        expected_revision=int(expected) if expected.isdigit() else None,
    )


def unanswered(model: Model, answers: Mapping[str, object], lang: str) -> list[dict[str, Any]]:
    """Per dimension (in model order), the questions still without an answer (absent or
    « je ne sais pas »), for the summary before submitting."""
    summary = []
    for d in model.dimensions:
        missing = [
            {"id": q.id, "label": q.label.get(lang), "unknown": answers.get(q.id) == UNKNOWN}
            for q in d.questions
            if answers.get(q.id, UNKNOWN) == UNKNOWN
        ]
        if missing:
            summary.append({"id": d.id, "label": d.label.get(lang), "questions": missing})
    return summary


def last_changed_dimension(
    model: Model, before: Mapping[str, Any] | None, after: Mapping[str, Any]
) -> str | None:
    """The dimension whose answers, comments or links differ between two snapshots (the last
    one in model order): where the latest save was made, since a page saves one dimension."""
    changed: set[str] = set()
    for part in ("answers", "comments", "evidence"):
        old, new = (before or {}).get(part, {}), after.get(part, {})
        changed |= {q for q in old.keys() | new.keys() if old.get(q) != new.get(q)}
    found = None
    for d in model.dimensions:
        if any(q.id in changed for q in d.questions):
            found = d.id
    return found


def resume_point(
    model: Model, answers: Mapping[str, object], last: str | None = None
) -> tuple[str, str | None]:
    """Where to pick up, as (dimension, question): the first question never answered (a « je
    ne sais pas » counts as a choice made) in the dimension saved last, else in the ones after
    it, then from the start; the dimension saved last when every question is answered."""
    ids = [d.id for d in model.dimensions]
    start = ids.index(last) if last in ids else 0
    for d in (*model.dimensions[start:], *model.dimensions[:start]):
        for q in d.questions:
            if q.id not in answers:
                return d.id, q.id
    return (last or ids[-1]), None
