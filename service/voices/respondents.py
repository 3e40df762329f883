"""The voices of a co-évaluation: the lead invites respondents with a role, each answers
through a personal link (no account needed), saves drafts, comes back and submits.

A link holds a random token of which only the SHA-256 is stored: a reminder therefore issues
a fresh link (the old one stops working). A respondent reaches their own answers only, by
their token; the lead (the territory's members, or an admin) sees who answered, by role, never
their answers (those show only as role groups, `service.voices.gaps`)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Annotated, Final, Literal

import msgspec
from msgspec import Meta
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.coevaluation import CoEvaluation
from maturity.model import Model
from maturity.scoring import validate_answers
from service.accounts.auth import Principal, new_secret, require_role, secret_hash, utcnow
from service.assessments.campaigns import get_campaign
from service.assessments.editions import editions_for
from service.assessments.workflow import load_assessment
from service.platform.db.tables import Assessment, Territory, VoiceRespondent
from service.platform.errors import ConflictError, InvalidInputError, NotFoundError
from service.platform.i18n import N_
from service.territories.directory import TerritoryRef

__all__ = [
    "LINK_PREFIX",
    "RespondentSummary",
    "VoiceAnswers",
    "VoiceInvite",
    "VoiceLink",
    "VoiceView",
    "coevaluation_of",
    "invite_respondent",
    "lead_assessment",
    "list_respondents",
    "open_by_token",
    "remind_respondent",
    "revoke_respondent",
    "save_own_answers",
    "submit_own_answers",
]

LINK_PREFIX: Final = "/voix/"
"""Where a personal link leads: ``/voix/<token>``."""
EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
"""The shape of an e-mail address (delivery is the real check)."""
Status = Literal["invited", "draft", "submitted", "revoked", "expired"]
Name = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]*$")]


class VoiceInvite(msgspec.Struct, forbid_unknown_fields=True):
    """Invite a respondent: a role of the model, a name or service as the lead knows it, and
    optionally an e-mail address (kept to remind them; never shown to other respondents)."""

    role: Annotated[str, Meta(max_length=32)]
    label: Name
    email: Annotated[str, Meta(max_length=254)] | None = None


class RespondentSummary(msgspec.Struct):
    """A respondent as the lead sees them: role, name, where they stand; never their answers."""

    id: uuid.UUID
    role: str
    label: str
    status: Status
    created_at: datetime
    expires_at: datetime
    submitted_at: datetime | None
    reminded_at: datetime | None
    synthetic: bool
    claimed: bool = False
    """Whether a signed-in account claimed the invitation (it then answers from that account's
    space; which account is not said)."""


class VoiceLink(msgspec.Struct):
    """A personal link, shown once: send it to the respondent."""

    respondent: RespondentSummary
    token: str
    path: str
    emailed: bool = False
    """Whether the link was also sent by e-mail (to the address given at invitation)."""


class VoiceAnswers(msgspec.Struct, forbid_unknown_fields=True):
    """A respondent's answers by question id (a level, ``"na"`` or ``"unknown"``)."""

    answers: Annotated[dict[str, int | str], Meta(max_length=500)]


class VoiceView(msgspec.Struct):
    """What a respondent sees through their link: their own answers only."""

    id: uuid.UUID
    role: str
    label: str
    territory: TerritoryRef
    campaign: int
    model_version: str
    status: Status
    answers: dict[str, int | str]
    expires_at: datetime
    submitted_at: datetime | None


def coevaluation_of(model: Model) -> CoEvaluation:
    """The model's co-évaluation settings (409 when its file defines none)."""
    if model.coevaluation is None:
        raise ConflictError(N_("Ce modèle ne prévoit pas de co-évaluation."))
    return model.coevaluation


Found = tuple[VoiceRespondent, Assessment, Territory]
"""A respondent with their assessment and territory, however reached (link or account)."""


def status_of(row: VoiceRespondent, now: datetime) -> Status:
    """Where a respondent stands."""
    if row.revoked_at is not None:
        return "revoked"
    if row.submitted_at is not None:
        return "submitted"
    if row.expires_at <= now:
        return "expired"
    return "draft" if row.answers else "invited"


def summary(row: VoiceRespondent, now: datetime | None = None) -> RespondentSummary:
    """The lead's view of a respondent."""
    return RespondentSummary(
        id=row.id,
        role=row.role,
        label=row.label,
        status=status_of(row, now or utcnow()),
        created_at=row.created_at,
        expires_at=row.expires_at,
        submitted_at=row.submitted_at,
        reminded_at=row.reminded_at,
        synthetic=row.synthetic,
        claimed=row.user_id is not None,
    )


async def lead_assessment(
    session: AsyncSession, principal: Principal | None, assessment_id: uuid.UUID
) -> tuple[Assessment, Territory]:
    """The assessment whose voices the caller leads: its territory's members and admins."""
    caller = require_role(principal, "member", "admin")
    return await load_assessment(session, caller, assessment_id)


async def _open_campaign(session: AsyncSession, assessment: Assessment) -> None:
    campaign = await get_campaign(session, assessment.campaign_year)
    if campaign.status != "open":
        raise ConflictError(N_("La campagne %(year)s est close."), year=campaign.year)


def _link(row: VoiceRespondent, token: str) -> VoiceLink:
    return VoiceLink(summary(row), token, f"{LINK_PREFIX}{token}")


async def invite_respondent(
    session: AsyncSession,
    principal: Principal | None,
    model: Model,
    assessment_id: uuid.UUID,
    data: VoiceInvite,
    *,
    valid_days: int,
) -> VoiceLink:
    """Invite a respondent to the assessment's co-évaluation; their link is shown once."""
    assessment, _ = await lead_assessment(session, principal, assessment_id)
    coev = coevaluation_of(editions_for(model).get(assessment.model_version))
    if data.role not in coev.role_index():
        known = ", ".join(coev.role_index())
        raise InvalidInputError(
            N_("Rôle inconnu « %(role)s » (rôles : %(known)s)."), role=data.role, known=known
        )
    email = (data.email or "").strip() or None
    if email is not None and not EMAIL.fullmatch(email):
        raise InvalidInputError(N_("Adresse e-mail invalide : %(email)s."), email=email)
    await _open_campaign(session, assessment)
    now, token = utcnow(), new_secret("voix")
    row = VoiceRespondent(
        id=uuid.uuid4(),
        assessment_id=assessment.id,
        kind="invited",
        role=data.role,
        label=data.label.strip(),
        email=email,
        token_hash=secret_hash(token),
        created_by=principal.user_id if principal else None,
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
        answers={},
        synthetic=False,
    )
    session.add(row)
    await session.flush()
    return _link(row, token)


async def list_respondents(
    session: AsyncSession, principal: Principal | None, assessment_id: uuid.UUID
) -> list[RespondentSummary]:
    """The invited respondents of an assessment, by role then name (the lead's view)."""
    assessment, _ = await lead_assessment(session, principal, assessment_id)
    rows = await session.scalars(
        select(VoiceRespondent)
        .where(VoiceRespondent.assessment_id == assessment.id, VoiceRespondent.kind == "invited")
        .order_by(VoiceRespondent.role, VoiceRespondent.label, VoiceRespondent.id)
    )
    now = utcnow()
    return [summary(row, now) for row in rows]


async def _respondent(
    session: AsyncSession,
    principal: Principal | None,
    assessment_id: uuid.UUID,
    respondent_id: uuid.UUID,
) -> VoiceRespondent:
    assessment, _ = await lead_assessment(session, principal, assessment_id)
    row = await session.get(VoiceRespondent, respondent_id)
    if row is None or row.assessment_id != assessment.id or row.kind != "invited":
        raise NotFoundError(N_("Répondant introuvable."))
    return row


async def revoke_respondent(
    session: AsyncSession,
    principal: Principal | None,
    assessment_id: uuid.UUID,
    respondent_id: uuid.UUID,
) -> RespondentSummary:
    """Revoke a respondent's link: it stops working, and their answers stop counting."""
    row = await _respondent(session, principal, assessment_id, respondent_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        await session.flush()
    return summary(row)


async def remind_respondent(
    session: AsyncSession,
    principal: Principal | None,
    assessment_id: uuid.UUID,
    respondent_id: uuid.UUID,
    *,
    valid_days: int,
) -> VoiceLink:
    """A fresh link for a respondent who has not submitted yet (the previous one stops
    working; their drafts are kept)."""
    row = await _respondent(session, principal, assessment_id, respondent_id)
    if row.revoked_at is not None or row.submitted_at is not None:
        raise ConflictError(N_("Ce répondant a déjà répondu ou son lien est révoqué."))
    now, token = utcnow(), new_secret("voix")
    row.token_hash, row.reminded_at = secret_hash(token), now
    row.expires_at = now + timedelta(days=valid_days)
    await session.flush()
    return _link(row, token)


def respondents_query() -> Select[VoiceRespondent, Assessment, Territory]:
    """Invited respondents with their assessment and territory (to narrow with ``where``)."""
    return (
        select(VoiceRespondent, Assessment, Territory)
        .join(Assessment, Assessment.id == VoiceRespondent.assessment_id)
        .join(Territory, Territory.code == Assessment.territory_code)
        .where(VoiceRespondent.kind == "invited")
    )


def live(found: Found) -> Found:
    """`found` if it may be opened: 404 once revoked, or expired before being sent."""
    if found[0].revoked_at is not None:
        raise NotFoundError(N_("Lien de réponse inconnu ou révoqué."))
    if found[0].submitted_at is None and found[0].expires_at <= utcnow():
        raise NotFoundError(N_("Ce lien de réponse a expiré : demandez-en un nouveau."))
    return found


async def _by_token(session: AsyncSession, token: str) -> Found:
    """The respondent a link stands for: 404 for an unknown, revoked or expired link."""
    query = respondents_query().where(VoiceRespondent.token_hash == secret_hash(token))
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFoundError(N_("Lien de réponse inconnu ou révoqué."))
    return live((row[0], row[1], row[2]))


def voice_view(row: VoiceRespondent, assessment: Assessment, territory: Territory) -> VoiceView:
    """What a respondent sees of their own voice."""
    return VoiceView(
        id=row.id,
        role=row.role,
        label=row.label,
        territory=TerritoryRef(territory.code, territory.name, territory.kind),
        campaign=assessment.campaign_year,
        model_version=assessment.model_version,
        status=status_of(row, utcnow()),
        answers=dict(row.answers),
        expires_at=row.expires_at,
        submitted_at=row.submitted_at,
    )


async def open_by_token(session: AsyncSession, token: str) -> VoiceView:
    """What the holder of a link sees: their own answers."""
    return voice_view(*await _by_token(session, token))


async def writable(session: AsyncSession, found: Found) -> Found:
    """`found` if its answers may still change: not sent yet, campaign open (409 otherwise)."""
    if found[0].submitted_at is not None:
        raise ConflictError(N_("Vos réponses sont déjà envoyées : elles ne peuvent plus changer."))
    await _open_campaign(session, found[1])
    return found


async def save_answers_of(
    session: AsyncSession, model: Model, found: Found, data: VoiceAnswers
) -> VoiceView:
    """Save a respondent's draft: the answers given update the saved ones."""
    row, assessment, territory = await writable(session, found)
    edition = editions_for(model).get(assessment.model_version)
    clean = validate_answers(edition, data.answers)  # an `AnswerError` names each bad answer
    row.answers = dict(row.answers) | clean
    row.updated_at = utcnow()
    await session.flush()
    return voice_view(row, assessment, territory)


async def submit_answers_of(session: AsyncSession, found: Found) -> VoiceView:
    """Send a respondent's answers: they count from now on and can no longer change."""
    row, assessment, territory = await writable(session, found)
    if not any(value != "unknown" for value in row.answers.values()):
        raise InvalidInputError(N_("Aucune réponse enregistrée : rien à envoyer."))
    row.submitted_at = row.updated_at = utcnow()
    await session.flush()
    return voice_view(row, assessment, territory)


async def save_own_answers(
    session: AsyncSession, model: Model, token: str, data: VoiceAnswers
) -> VoiceView:
    """Save the draft of a link's holder."""
    return await save_answers_of(session, model, await _by_token(session, token), data)


async def submit_own_answers(session: AsyncSession, token: str) -> VoiceView:
    """Send the answers of a link's holder."""
    return await submit_answers_of(session, await _by_token(session, token))
