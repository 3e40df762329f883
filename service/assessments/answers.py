"""The answers payload of an assessment and its validation against the model.

Same shape as ``POST /api/v1/score`` (``{"answers": {...}}``) plus optional per-question
comments and evidence links and per-dimension target levels (DESIGN §3)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Final
from urllib.parse import urlsplit

import msgspec
from msgspec import Meta

from maturity.model import Model
from maturity.scoring import NA, UNKNOWN, AnswerError, AnswerProblem, AnswerValue, validate_answers
from service.platform.text import CONTROL, Count

__all__ = [
    "COMMENT_MAX",
    "LINK_MAX",
    "AnswersPayload",
    "Contents",
    "Progress",
    "Snapshot",
    "normalise_link",
    "progress",
    "validate_payload",
]

MAX_ITEMS = 500
COMMENT_MAX: Final = 4000
LINK_MAX: Final = 2000
Comment = Annotated[str, Meta(max_length=COMMENT_MAX)]
Link = Annotated[str, Meta(max_length=LINK_MAX)]


class AnswersPayload(msgspec.Struct, forbid_unknown_fields=True):
    """Answers by question id (a level 0..max, ``"na"`` or ``"unknown"``), plus optional
    ``comments`` and ``evidence`` (an http(s) link; a bare domain gets ``https://``) by
    question id, and ``targets``: the level aimed at for the next campaign by dimension id.
    ``expected_revision``, when given, makes the save fail with a 409 if someone saved in
    between."""

    answers: Annotated[dict[str, int | str], Meta(max_length=MAX_ITEMS)]
    comments: Annotated[dict[str, Comment], Meta(max_length=MAX_ITEMS)] = {}
    evidence: Annotated[dict[str, Link], Meta(max_length=MAX_ITEMS)] = {}
    targets: Annotated[dict[str, int], Meta(max_length=100)] = {}
    expected_revision: Count | None = None
    to_confirm: Annotated[list[str], Meta(max_length=MAX_ITEMS)] | None = None
    """Questions whose carried-over answer is still to confirm; when absent, those of the
    saved content whose answer this save leaves unchanged."""


class Contents(msgspec.Struct, kw_only=True):
    """What a revision holds, as responses show it (the assessment, one revision)."""

    answers: dict[str, int | str]
    comments: dict[str, str]
    evidence: dict[str, str]
    targets: dict[str, int]
    to_confirm: list[str] = []
    """Questions whose answer was carried over from a previous campaign (« à confirmer »)."""


class Snapshot(msgspec.Struct, frozen=True):
    """The content of one revision, validated."""

    answers: dict[str, AnswerValue] = {}
    comments: dict[str, str] = {}
    evidence: dict[str, str] = {}
    targets: dict[str, int] = {}
    to_confirm: list[str] = []

    @classmethod
    def from_revision(cls, revision: Any) -> Snapshot:
        """The snapshot stored in a revision row."""
        return cls(
            answers=dict(revision.answers),
            comments=dict(revision.comments),
            evidence=dict(revision.evidence),
            targets=dict(revision.targets),
            to_confirm=list(revision.to_confirm or []),
        )

    def merged(self, other: Snapshot) -> Snapshot:
        """This snapshot updated with every entry of `other`."""
        return Snapshot(
            answers=self.answers | other.answers,
            comments=self.comments | other.comments,
            evidence=self.evidence | other.evidence,
            targets=self.targets | other.targets,
            to_confirm=self.to_confirm,
        )

    def confirming(self, saved: Snapshot, listed: list[str] | None) -> Snapshot:
        """This new content with the questions still to confirm: `listed`, or else those of
        `saved` whose answer it leaves unchanged (only answered questions stay to confirm)."""
        if listed is None:
            listed = [q for q in saved.to_confirm if self.answers.get(q) == saved.answers.get(q)]
        kept = [q for q in dict.fromkeys(listed) if q in self.answers]
        return msgspec.structs.replace(self, to_confirm=kept)

    def contents(self) -> dict[str, Any]:
        """The snapshot as the keyword arguments of a `Contents` response."""
        return msgspec.structs.asdict(self)

    def columns(self) -> dict[str, Any]:
        """Column values of a revision row."""
        return msgspec.structs.asdict(self)


_SCHEME: Final = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_HOST: Final = re.compile(r"^(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,63}\.?$")
"""A domain name: dot-separated labels (letters of any script, digits, inner hyphens) and an
alphabetic top-level domain, so that ``biarritz.fr`` passes and ``pas-un-lien`` does not."""


def _host_and_port_ok(link: str, *, domain: bool) -> bool:
    parts = urlsplit(link)
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number in 0..65535
    except ValueError:
        return False
    host = parts.hostname or ""
    if domain:  # a bare domain: a real domain name, no user name or password before it
        return "@" not in parts.netloc and _HOST.fullmatch(host) is not None
    return parts.scheme in ("http", "https") and bool(host)


def normalise_link(text: str) -> str | None:
    """The evidence link to store for `text` (stripped), or None when it is no web address.

    ``http(s)://…`` is kept as typed; a bare domain (``www.biarritz.fr/deliberation``,
    ``biarritz.fr``, ``//biarritz.fr``) gets ``https://``, as a browser's address bar would
    do, rather than being refused. Any other scheme (``javascript:``, ``ftp://``, ``mailto:``),
    a space, or a text without a domain name (``pas un lien``) is not a link."""
    link = text.strip()
    if not link or any(c.isspace() for c in link) or CONTROL.search(link):
        return None
    if _SCHEME.match(link):
        return link if _host_and_port_ok(link, domain=False) else None
    candidate = "https:" + link if link.startswith("//") else "https://" + link
    return candidate if _host_and_port_ok(candidate, domain=True) else None


def validate_payload(model: Model, payload: AnswersPayload) -> Snapshot:
    """Check the whole payload against `model`; every offending item named in one `AnswerError`.

    Empty comments and links are dropped, a link given as a bare domain gets ``https://``
    (`normalise_link`); ``targets`` keys are reported as ``targets.<id>``."""
    problems: list[AnswerProblem] = []
    try:
        answers = validate_answers(model, payload.answers)
    except AnswerError as exc:
        problems.extend(exc.problems)
        answers = {}
    comments = {q: c.strip() for q, c in payload.comments.items() if c.strip()}
    typed = {q: e.strip() for q, e in payload.evidence.items() if e.strip()}
    evidence = {q: normalise_link(e) or e for q, e in typed.items()}
    for qid in (*comments, *evidence):
        if qid not in model.questions:
            problems.append(AnswerProblem(qid, "commentaire ou preuve sur une question inconnue"))
    for qid, text in (*comments.items(), *evidence.items()):
        if CONTROL.search(text):
            problems.append(AnswerProblem(qid, "caractère de contrôle interdit dans le texte"))
    for qid, link in typed.items():
        if qid in model.questions and normalise_link(link) is None:
            problems.append(
                AnswerProblem(
                    qid,
                    f"lien de preuve invalide « {link[:80]} » : adresse web attendue "
                    "(https://www.exemple.fr/page, ou www.exemple.fr/page)",
                )
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
