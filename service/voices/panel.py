"""The citizens' panel: a short set of questions of the model, reworded in plain language,
open to residents through one panel link the lead opens (and may close).

Each visit of the panel form carries a response token signed with the service's key; a
response is stored under that token's SHA-256, so that one token gives one response (a second
one is refused). Responses are rate-limited per address, hold nothing personal beyond an
optional postcode, and the lead sees their distribution only from ``panel_min`` responses."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any, Final

import msgspec
from litestar import Request
from msgspec import Meta
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.coevaluation import CoEvaluation
from maturity.model import Model
from service.accounts.auth import Principal, client_address, new_secret, secret_hash, utcnow
from service.assessments.editions import editions_for
from service.platform.db.tables import Assessment, Territory, VoicePanel, VoiceRespondent
from service.platform.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    TooManyRequestsError,
)
from service.platform.i18n import N_
from service.platform.settings import Settings
from service.territories.directory import TerritoryRef
from service.voices.respondents import coevaluation_of, lead_assessment

__all__ = [
    "PANEL_PREFIX",
    "PANEL_STORE",
    "PANEL_WINDOW",
    "PanelForm",
    "PanelLink",
    "PanelQuestionView",
    "PanelResponse",
    "PanelSummary",
    "answer_panel",
    "close_panel",
    "open_panel",
    "panel_form",
    "panel_summary",
]

PANEL_STORE: Final = "voices_panel"
"""The application store counting panel responses per address (Redis when configured)."""
PANEL_PREFIX: Final = "/panel/"
PANEL_WINDOW: Final = timedelta(hours=1)
"""The window of the per-address rate limit of panel responses."""


class PanelLink(msgspec.Struct):
    """The panel link, shown once when opened: share it with residents."""

    token: str
    path: str
    opened_at: datetime


class PanelQuestionView(msgspec.Struct):
    """A panel question in plain language, with its answers (0 to top)."""

    question: str
    label: str
    levels: list[str]
    help: str | None = None


class PanelForm(msgspec.Struct):
    """What a resident sees: the questions and a one-time response token."""

    territory: TerritoryRef
    campaign: int
    questions: list[PanelQuestionView]
    response_token: str


class PanelResponse(msgspec.Struct, forbid_unknown_fields=True):
    """One resident's response: the form's token, the answers, an optional postcode."""

    response_token: Annotated[str, Meta(max_length=200)]
    answers: Annotated[dict[str, int | str], Meta(max_length=50)]
    postcode: Annotated[str, Meta(pattern=r"^(\d{5})?$")] | None = None


class PanelQuestionSummary(msgspec.Struct):
    """A panel question's distribution (None below the threshold)."""

    question: str
    distribution: list[int] | None


class PanelSummary(msgspec.Struct):
    """The panel as the lead sees it."""

    open: bool
    responses: int
    min_responses: int
    questions: list[PanelQuestionSummary]


def _sign(secret: str, panel: uuid.UUID, nonce: str) -> str:
    return hmac.new(secret.encode(), f"{panel}:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def _response_token(secret: str, panel: uuid.UUID) -> str:
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_sign(secret, panel, nonce)}"


def _valid_response_token(secret: str, panel: uuid.UUID, token: str) -> bool:
    nonce, _, signature = token.partition(".")
    return bool(nonce) and hmac.compare_digest(signature, _sign(secret, panel, nonce))


async def open_panel(
    session: AsyncSession, principal: Principal | None, model: Model, assessment_id: uuid.UUID
) -> PanelLink:
    """Open (or reopen, with a new link) the assessment's citizens' panel."""
    assessment, _ = await lead_assessment(session, principal, assessment_id)
    if not coevaluation_of(editions_for(model).get(assessment.model_version)).panel:
        raise ConflictError(N_("Ce modèle ne prévoit pas de panel citoyen."))
    token, now = new_secret("panel"), utcnow()
    panel = await session.scalar(
        select(VoicePanel).where(VoicePanel.assessment_id == assessment.id)
    )
    if panel is None:
        panel = VoicePanel(
            id=uuid.uuid4(), assessment_id=assessment.id, token_hash="", opened_at=now
        )
        session.add(panel)
    panel.token_hash, panel.opened_at, panel.closed_at = secret_hash(token), now, None
    await session.flush()
    return PanelLink(token, f"{PANEL_PREFIX}{token}", now)


async def close_panel(
    session: AsyncSession, principal: Principal | None, model: Model, assessment_id: uuid.UUID
) -> PanelSummary:
    """Close the panel: its link stops taking responses; those received stay."""
    assessment, _ = await lead_assessment(session, principal, assessment_id)
    panel = await session.scalar(
        select(VoicePanel).where(VoicePanel.assessment_id == assessment.id)
    )
    if panel is not None and panel.closed_at is None:
        panel.closed_at = utcnow()
        await session.flush()
    return await panel_summary(session, principal, model, assessment_id)


async def _open(session: AsyncSession, token: str) -> tuple[VoicePanel, Assessment, Territory]:
    row = (
        await session.execute(
            select(VoicePanel, Assessment, Territory)
            .join(Assessment, Assessment.id == VoicePanel.assessment_id)
            .join(Territory, Territory.code == Assessment.territory_code)
            .where(VoicePanel.token_hash == secret_hash(token))
        )
    ).first()
    if row is None or row[0].closed_at is not None:
        raise NotFoundError(N_("Panel citoyen inconnu ou clos."))
    return row[0], row[1], row[2]


def _questions(model: Model, coev: CoEvaluation, lang: str) -> list[PanelQuestionView]:
    return [
        PanelQuestionView(
            item.question,
            item.label.get(lang),
            [level.get(lang) for level in item.levels],
            item.help.get(lang) if item.help else None,
        )
        for item in coev.panel
        if item.question in model.questions
    ]


async def panel_form(
    session: AsyncSession, model: Model, token: str, secret: str, lang: str = "fr"
) -> PanelForm:
    """The panel's questions in plain language and a fresh one-time response token."""
    panel, assessment, territory = await _open(session, token)
    edition = editions_for(model).get(assessment.model_version)
    return PanelForm(
        TerritoryRef(territory.code, territory.name, territory.kind),
        assessment.campaign_year,
        _questions(edition, coevaluation_of(edition), lang),
        _response_token(secret, panel.id),
    )


def _clean(model: Model, coev: CoEvaluation, answers: dict[str, int | str]) -> dict[str, int | str]:
    """The answers to the panel's questions: a level 0..top or ``"unknown"``."""
    allowed = {item.question for item in coev.panel}
    clean: dict[str, int | str] = {}
    for qid, value in answers.items():
        top = model.questions[qid][1].top if qid in allowed and qid in model.questions else None
        if top is None or not (
            value == "unknown" or (isinstance(value, int) and 0 <= value <= top)
        ):
            raise InvalidInputError(N_("Réponse invalide à la question « %(id)s »."), id=qid)
        clean[qid] = value
    if not any(isinstance(v, int) for v in clean.values()):
        raise InvalidInputError(N_("Aucune réponse : rien à envoyer."))
    return clean


async def answer_panel(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    model: Model,
    settings: Settings,
    token: str,
    data: PanelResponse,
) -> None:
    """Record one resident's response, sent by `request` (the API's and the form's alike):
    once per response token, at most ``voice_panel_rate_limit`` per address and hour (in the
    app's `PANEL_STORE`)."""
    panel, assessment, _ = await _open(session, token)
    if data.postcode and not (len(data.postcode) == 5 and data.postcode.isdigit()):
        raise InvalidInputError(N_("Le code postal compte cinq chiffres."))
    if not _valid_response_token(settings.secret_key, panel.id, data.response_token):
        raise InvalidInputError(N_("Formulaire du panel expiré : rechargez la page."))
    throttle = request.app.stores.get(PANEL_STORE)
    key = f"panel:{hashlib.sha256(client_address(request).encode()).hexdigest()[:32]}"
    count = int(await throttle.get(key) or 0)
    limit = settings.voice_panel_rate_limit
    if limit and count >= limit:
        raise TooManyRequestsError(
            N_("Trop de réponses depuis cette adresse : réessayez plus tard."),
            retry_after=int(PANEL_WINDOW.total_seconds()),
        )
    edition = editions_for(model).get(assessment.model_version)
    coev = coevaluation_of(edition)
    answers = _clean(edition, coev, data.answers)
    hashed = secret_hash(data.response_token)
    if await session.scalar(select(VoiceRespondent.id).where(VoiceRespondent.token_hash == hashed)):
        raise ConflictError(N_("Cette réponse au panel est déjà enregistrée."))
    now = utcnow()
    session.add(
        VoiceRespondent(
            id=uuid.uuid4(),
            assessment_id=assessment.id,
            kind="panel",
            role=coev.panel_role,
            label="",
            postcode=data.postcode or None,
            token_hash=hashed,
            created_at=now,
            expires_at=now,
            submitted_at=now,
            answers=answers,
            synthetic=False,
        )
    )
    try:
        await session.flush()
    except IntegrityError as exc:  # the same token sent twice at once
        raise ConflictError(N_("Cette réponse au panel est déjà enregistrée.")) from exc
    await throttle.set(key, str(count + 1), expires_in=PANEL_WINDOW)


async def panel_summary(
    session: AsyncSession, principal: Principal | None, model: Model, assessment_id: uuid.UUID
) -> PanelSummary:
    """The panel's responses for the lead: the distributions only from ``panel_min`` on."""
    assessment, _ = await lead_assessment(session, principal, assessment_id)
    edition = editions_for(model).get(assessment.model_version)
    coev = coevaluation_of(edition)
    panel = await session.scalar(
        select(VoicePanel).where(VoicePanel.assessment_id == assessment.id)
    )
    where = (VoiceRespondent.assessment_id == assessment.id, VoiceRespondent.kind == "panel")
    total = (
        await session.scalar(select(func.count()).select_from(VoiceRespondent).where(*where)) or 0
    )
    shown = total >= coev.panel_min
    counts: dict[str, list[int]] = {
        item.question: [0] * (edition.questions[item.question][1].top + 1)
        for item in coev.panel
        if item.question in edition.questions
    }
    if shown:
        for answers in await session.scalars(select(VoiceRespondent.answers).where(*where)):
            for qid, value in answers.items():
                if isinstance(value, int) and qid in counts and value < len(counts[qid]):
                    counts[qid][value] += 1
    return PanelSummary(
        open=panel is not None and panel.closed_at is None,
        responses=int(total),
        min_responses=coev.panel_min,
        questions=[PanelQuestionSummary(q, c if shown else None) for q, c in counts.items()],
    )
