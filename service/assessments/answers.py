"""The answers payload of an assessment and its validation against the model.

Same shape as ``POST /api/v1/score`` (``{"answers": {...}}``) plus optional per-question
comments and evidence links and per-dimension target levels (DESIGN §3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlsplit

import msgspec
from msgspec import Meta

from maturity.model import Model
from maturity.scoring import NA, UNKNOWN, AnswerError, AnswerProblem, AnswerValue, validate_answers
from service.platform.text import CONTROL

__all__ = [
    "AnswersPayload",
    "Progress",
    "Snapshot",
    "progress",
    "validate_payload",
]

MAX_ITEMS = 500
Comment = Annotated[str, Meta(max_length=4000)]
Link = Annotated[str, Meta(max_length=2000)]


class AnswersPayload(msgspec.Struct, forbid_unknown_fields=True):
    """Answers by question id (a level 0..max, ``"na"`` or ``"unknown"``), plus optional
    ``comments`` and ``evidence`` (an http(s) link) by question id, and ``targets``: the level
    aimed at for the next campaign by dimension id. ``expected_revision``, when given, makes the
    save fail with a 409 if someone saved in between."""

    answers: Annotated[dict[str, int | str], Meta(max_length=MAX_ITEMS)]
    comments: Annotated[dict[str, Comment], Meta(max_length=MAX_ITEMS)] = {}
    evidence: Annotated[dict[str, Link], Meta(max_length=MAX_ITEMS)] = {}
    targets: Annotated[dict[str, int], Meta(max_length=100)] = {}
    expected_revision: int | None = None


class Snapshot(msgspec.Struct, frozen=True):
    """The content of one revision, validated."""

    answers: dict[str, AnswerValue] = {}
    comments: dict[str, str] = {}
    evidence: dict[str, str] = {}
    targets: dict[str, int] = {}

    @classmethod
    def from_revision(cls, revision: Any) -> Snapshot:
        """The snapshot stored in a revision row."""
        return cls(
            answers=dict(revision.answers),
            comments=dict(revision.comments),
            evidence=dict(revision.evidence),
            targets=dict(revision.targets),
        )

    def merged(self, other: Snapshot) -> Snapshot:
        """This snapshot updated with every entry of `other`."""
        return Snapshot(
            answers=self.answers | other.answers,
            comments=self.comments | other.comments,
            evidence=self.evidence | other.evidence,
            targets=self.targets | other.targets,
        )

    def columns(self) -> dict[str, Any]:
        """Column values of a revision row."""
        return msgspec.structs.asdict(self)


def _valid_link(link: str) -> bool:
    parts = urlsplit(link)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in link


def validate_payload(model: Model, payload: AnswersPayload) -> Snapshot:
    """Check the whole payload against `model`; every offending item named in one `AnswerError`.

    Empty comments and links are dropped; ``targets`` keys are reported as ``targets.<id>``."""
    problems: list[AnswerProblem] = []
    try:
        answers = validate_answers(model, payload.answers)
    except AnswerError as exc:
        problems.extend(exc.problems)
        answers = {}
    comments = {q: c.strip() for q, c in payload.comments.items() if c.strip()}
    evidence = {q: e.strip() for q, e in payload.evidence.items() if e.strip()}
    for qid in (*comments, *evidence):
        if qid not in model.questions:
            problems.append(AnswerProblem(qid, "commentaire ou preuve sur une question inconnue"))
    for qid, text in (*comments.items(), *evidence.items()):
        if CONTROL.search(text):
            problems.append(AnswerProblem(qid, "caractère de contrôle interdit dans le texte"))
    for qid, link in evidence.items():
        if qid in model.questions and not _valid_link(link):
            problems.append(
                AnswerProblem(qid, f"lien de preuve invalide « {link[:80]} » (http ou https)")
            )
    top = len(model.levels)
    for dim, level in payload.targets.items():
        if dim not in model.dimension_by_id:
            problems.append(AnswerProblem(f"targets.{dim}", "dimension inconnue"))
        elif not 1 <= level <= top:
            problems.append(
                AnswerProblem(f"targets.{dim}", f"niveau cible {level} hors de 1 à {top}")
            )
    if problems:
        raise AnswerError(problems)
    return Snapshot(
        answers=answers, comments=comments, evidence=evidence, targets=dict(payload.targets)
    )


class DimensionProgress(msgspec.Struct):
    """Questions of one dimension answered (a level or « non concerné »), out of all."""

    answered: int
    total: int


class Progress(msgspec.Struct):
    """How far an assessment has gone: overall and per dimension."""

    answered: int
    total: int
    not_applicable: int
    dimensions: dict[str, DimensionProgress]


def progress(model: Model, answers: Mapping[str, AnswerValue]) -> Progress:
    """Questions answered (a level or « non concerné ») overall and per dimension."""
    by_dimension = {
        d.id: DimensionProgress(
            answered=sum(1 for q in d.questions if answers.get(q.id, UNKNOWN) != UNKNOWN),
            total=len(d.questions),
        )
        for d in model.dimensions
    }
    return Progress(
        answered=sum(p.answered for p in by_dimension.values()),
        total=len(model.questions),
        not_applicable=sum(1 for v in answers.values() if v == NA),
        dimensions=by_dimension,
    )
