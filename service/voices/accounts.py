"""A respondent who has an account answers with it: an invitation sent to the e-mail address
of a signed-in account can be claimed by that account, then answered from the member's space
without the personal link (which keeps working until it expires).

Once claimed, an invitation belongs to that account alone: another account never sees it, even
with the same address later. The respondent still sees only their own answers."""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.model import Model
from service.accounts.auth import Principal, require_principal
from service.platform.db.tables import VoiceRespondent
from service.platform.errors import NotFoundError
from service.platform.i18n import N_
from service.voices.respondents import (
    Found,
    VoiceAnswers,
    VoiceView,
    live,
    respondents_query,
    save_answers_of,
    submit_answers_of,
    voice_view,
)

__all__ = [
    "AccountVoice",
    "claim_voice",
    "my_voices",
    "open_own_voice",
    "save_own_voice",
    "submit_own_voice",
]


class AccountVoice(msgspec.Struct):
    """An invitation addressed to the caller's account: claimed already, or claimable."""

    voice: VoiceView
    claimed: bool


def _mine(principal: Principal) -> tuple[ColumnElement[bool], ...]:
    """Invitations the caller may see: claimed by them, or unclaimed and sent to their
    address (compared without case)."""
    address = principal.email.strip().lower()
    return (
        VoiceRespondent.revoked_at.is_(None),
        or_(
            VoiceRespondent.user_id == principal.user_id,
            (VoiceRespondent.user_id.is_(None)) & (func.lower(VoiceRespondent.email) == address),
        ),
    )


async def my_voices(session: AsyncSession, principal: Principal | None) -> list[AccountVoice]:
    """The invitations of the signed-in account, newest first (revoked ones left out)."""
    who = require_principal(principal)
    rows = await session.execute(
        respondents_query().where(*_mine(who)).order_by(VoiceRespondent.created_at.desc())
    )
    return [
        AccountVoice(voice_view(row, assessment, territory), row.user_id == who.user_id)
        for row, assessment, territory in rows
    ]


async def _found(
    session: AsyncSession, principal: Principal | None, respondent_id: uuid.UUID, *, claim: bool
) -> Found:
    """The caller's invitation `respondent_id` (404 for anyone else's, unknown or revoked)."""
    who = require_principal(principal)
    query = respondents_query().where(VoiceRespondent.id == respondent_id, *_mine(who))
    row = (await session.execute(query)).first()
    if row is None or (not claim and row[0].user_id != who.user_id):
        raise NotFoundError(N_("Invitation introuvable pour ce compte."))
    return live((row[0], row[1], row[2]))


async def claim_voice(
    session: AsyncSession, principal: Principal | None, respondent_id: uuid.UUID
) -> VoiceView:
    """Attach an invitation sent to the caller's address to their account (idempotent)."""
    row, assessment, territory = await _found(session, principal, respondent_id, claim=True)
    row.user_id = require_principal(principal).user_id
    await session.flush()
    return voice_view(row, assessment, territory)


async def open_own_voice(
    session: AsyncSession, principal: Principal | None, respondent_id: uuid.UUID
) -> VoiceView:
    """The caller's own answers to an invitation they claimed."""
    return voice_view(*await _found(session, principal, respondent_id, claim=False))


async def save_own_voice(
    session: AsyncSession,
    principal: Principal | None,
    model: Model,
    respondent_id: uuid.UUID,
    data: VoiceAnswers,
) -> VoiceView:
    """Save the draft of an invitation the caller claimed."""
    found = await _found(session, principal, respondent_id, claim=False)
    return await save_answers_of(session, model, found, data)


async def submit_own_voice(
    session: AsyncSession, principal: Principal | None, respondent_id: uuid.UUID
) -> VoiceView:
    """Send the answers of an invitation the caller claimed."""
    found = await _found(session, principal, respondent_id, claim=False)
    return await submit_answers_of(session, found)
