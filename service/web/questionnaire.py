"""The questionnaire's pages as plain data: the form of one dimension, read and written.

Pure functions between the model, an assessment's content (the `AssessmentView` the API
returns) and the HTML form's fields, so that the page handlers stay thin and the rules
(what a field is called, where to resume, what is still unanswered) are tested directly.

A page is checked field by field, with the API's own rules (`validate_payload` on a payload of
that one field): a refused field keeps its saved value and is reported, every other field of
the page is saved, so that one mistyped link never costs the rest of the page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

import msgspec

from maturity.model import Model
from maturity.scoring import NA, UNKNOWN, AnswerError
from service.assessments.answers import (
    COMMENT_MAX,
    LINK_MAX,
    AnswersPayload,
    Snapshot,
    validate_payload,
)
from service.assessments.carryover import CarryOverRecap
from service.platform.i18n import N_, MessageId, translate

__all__ = [
    "ANSWER_FIELD",
    "COMMENT_FIELD",
    "EVIDENCE_FIELD",
    "TARGET_FIELD",
    "DimensionSave",
    "QuestionForm",
    "carry_over_view",
    "dimension_fields",
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
CONFIRM_FIELD: Final = "confirm-{}"
"""Ticked to confirm an answer carried over from a previous campaign."""


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
    errors: dict[str, str] = {}
    """Messages by field kind (``answer``, ``comment``, ``evidence``) of the fields refused."""

    @property
    def error(self) -> bool:
        """Whether one of the question's fields was refused."""
        return bool(self.errors)


class DimensionSave(msgspec.Struct):
    """What saving a dimension's form stores, and what it refused."""

    payload: AnswersPayload
    """The whole content to save: every valid field; a refused one keeps its saved value."""
    errors: dict[str, str]
    """Why each refused field was refused, by field name, in the order of the form."""
    refused: dict[str, str]
    """What was typed in each refused field, by field name, to show it again."""


Outcome = Snapshot | Literal["long", "invalid"]

_MESSAGES: Final[dict[tuple[str, str], MessageId]] = {
    ("answer", "invalid"): N_("Réponse non reconnue : choisissez l'un des niveaux proposés."),
    ("comment", "long"): N_("Commentaire trop long : %(max)s caractères au plus."),
    ("comment", "invalid"): N_(
        "Le commentaire contient un caractère non permis (caractère de contrôle) : retirez-le."
    ),
    ("evidence", "long"): N_("Lien trop long : %(max)s caractères au plus."),
    ("evidence", "invalid"): N_(
        "Ce lien n'est pas une adresse web : saisissez par exemple "
        "www.exemple.fr/deliberation ou https://www.exemple.fr/deliberation."
    ),
    ("target", "invalid"): N_("Niveau visé non reconnu : choisissez un niveau de la liste."),
}
_LIMITS: Final = {"comment": COMMENT_MAX, "evidence": LINK_MAX}


def _answer_text(value: object) -> str:
    return "" if value is None else str(value)


def dimension_fields(model: Model, dimension_id: str, form: Mapping[str, str]) -> dict[str, str]:
    """Every field of a dimension's form with what `form` holds ("" when absent: a question
    left without a choice), to show a form again exactly as it was sent."""
    names = [
        field.format(q.id)
        for q in model.dimension_by_id[dimension_id].questions
        for field in (ANSWER_FIELD, COMMENT_FIELD, EVIDENCE_FIELD)
    ]
    return {name: form.get(name, "") for name in (*names, TARGET_FIELD)}


def question_forms(
    model: Model,
    dimension_id: str,
    lang: str,
    saved: Mapping[str, Any],
    typed: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[QuestionForm]:
    """The questions of a dimension with their values: a field of `typed` (what was just
    posted and not saved) wins over `saved` (``answers``/``comments``/``evidence`` of the
    assessment); `errors` are by field name."""
    dimension = model.dimension_by_id[dimension_id]
    answers, comments, evidence = (saved.get(k, {}) for k in ("answers", "comments", "evidence"))
    typed, errors = typed or {}, errors or {}
    forms = []
    for number, q in enumerate(dimension.questions, start=1):
        names = {
            "answer": ANSWER_FIELD.format(q.id),
            "comment": COMMENT_FIELD.format(q.id),
            "evidence": EVIDENCE_FIELD.format(q.id),
        }
        values = {
            "answer": _answer_text(answers.get(q.id)),
            "comment": comments.get(q.id, ""),
            "evidence": evidence.get(q.id, ""),
        }
        answer, comment, link = (typed.get(names[k], values[k]) for k in values)
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
                errors={k: errors[name] for k, name in names.items() if name in errors},
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


def _number(text: str) -> int | None:
    """A small whole number typed in a form (``²`` is a digit to `str.isdigit`, and a
    5,000-digit number is too long for `int`: neither may reach them)."""
    text = text.strip()
    return int(text) if text.isdecimal() and text.isascii() and len(text) <= 9 else None


def _check(model: Model, part: str, key: str, value: object) -> Outcome:
    """One field checked alone by the API's rules: its validated snapshot, or why not."""
    try:
        payload = msgspec.convert({"answers": {}, part: {key: value}}, AnswersPayload)
        return validate_payload(model, payload)
    except msgspec.ValidationError:  # only the lengths can fail here: the types are right
        return "long"
    except AnswerError:
        return "invalid"


def dimension_payload(
    model: Model,
    dimension_id: str,
    form: Mapping[str, str],
    saved: Mapping[str, Any],
    lang: str = "fr",
) -> DimensionSave:
    """The whole content to save: the saved one, with this dimension's questions (and its
    target) replaced by what the form says. An emptied comment or link is thus removed, and a
    question left without a choice goes back to unanswered. Each field is checked alone: a
    refused one keeps its saved value, and its message (in `lang`) and typed text come back."""
    questions = model.dimension_by_id[dimension_id].questions
    ids = {q.id for q in questions}
    old = {k: dict(saved.get(k, {})) for k in ("answers", "comments", "evidence", "targets")}
    kept = {k: {q: v for q, v in old[k].items() if q not in ids} for k in old}
    kept["targets"].pop(dimension_id, None)
    errors: dict[str, str] = {}
    refused: dict[str, str] = {}

    def take(kind: str, part: str, key: str, name: str, raw: str, value: object) -> None:
        outcome = _check(model, part, key, value)
        if isinstance(outcome, Snapshot):
            kept[part][key] = getattr(outcome, part)[key]
            return
        if outcome == "long" and kind in _LIMITS:
            errors[name] = translate(lang, _MESSAGES[(kind, "long")], max=_LIMITS[kind])
        else:
            errors[name] = translate(lang, _MESSAGES[(kind, "invalid")])
        refused[name] = raw
        if key in old[part]:
            kept[part][key] = old[part][key]

    for q in questions:
        name = ANSWER_FIELD.format(q.id)
        raw = form.get(name, "")
        answer = _parse_answer(raw)
        if answer is not None:
            take("answer", "answers", q.id, name, raw, answer)
        for kind, part, field in (
            ("comment", "comments", COMMENT_FIELD),
            ("evidence", "evidence", EVIDENCE_FIELD),
        ):
            name = field.format(q.id)
            raw = form.get(name, "")
            if raw.strip():
                take(kind, part, q.id, name, raw, raw.strip())
    raw = form.get(TARGET_FIELD, "")
    if raw.strip():
        target = _number(raw)
        take(
            "target", "targets", dimension_id, TARGET_FIELD, raw, raw if target is None else target
        )
    expected = _number(form.get("revision", ""))
    # a carried-over answer of this page is confirmed when ticked so, or when changed
    to_confirm = [
        q
        for q in saved.get("to_confirm", [])
        if q not in ids
        or (
            form.get(CONFIRM_FIELD.format(q)) != "1"
            and kept["answers"].get(q) == old["answers"].get(q)
        )
    ]
    payload = AnswersPayload(
        answers=kept["answers"],
        comments=kept["comments"],
        evidence=kept["evidence"],
        targets=kept["targets"],
        expected_revision=expected,
        to_confirm=to_confirm,
    )
    return DimensionSave(payload=payload, errors=errors, refused=refused)


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


def _answer_shown(model: Model, qid: str, answer: object, lang: str) -> dict[str, Any]:
    """An answer as the recap shows it: its value and, for a level, the level's descriptor."""
    question = model.questions[qid][1]
    text = None
    if isinstance(answer, int) and question.levels and answer < len(question.levels):
        text = question.levels[answer].get(lang)
    return {"value": answer, "top": question.top, "text": text}


def carry_over_view(model: Model, recap: CarryOverRecap | None, lang: str) -> dict[str, Any] | None:
    """The recap of the pre-filled answers (`carry_over_recap`) with question labels and
    answers as the submit page shows them; None without a recap."""
    if recap is None:
        return None

    def where(qid: str) -> dict[str, Any]:
        dimension, question = model.questions[qid]
        return {"id": qid, "dimension": dimension.id, "label": question.label.get(lang)}

    return {
        "campaign": recap.campaign,
        "model_version": recap.model_version,
        "carried": recap.carried,
        "kept": recap.kept,
        "changed": [
            where(c.question)
            | {
                "carried": _answer_shown(model, c.question, c.carried, lang),
                "now": _answer_shown(model, c.question, c.now, lang),
            }
            for c in recap.changed
        ],
        "to_confirm": [where(q) for q in recap.to_confirm],
    }


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
