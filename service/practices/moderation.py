"""Moderation of good-practice cards by the network's admins: the queue of submitted cards,
then a decision: ``publish`` (the card appears on the author's public profile, on results
pages, in the knowledge search and the assistant's corpus), ``return`` with a comment the author
reads (the author edits and submits again), or ``unpublish`` a published card (it leaves every
public place and goes back to its author as returned)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.auth import Principal, require_role, utcnow
from service.platform.db.tables import PracticeCard
from service.platform.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from service.platform.i18n import N_
from service.practices.cards import PracticeView, views
from service.practices.corpus import PracticeCorpus

__all__ = ["Decision", "moderate_practice", "moderation_queue"]


class Decision(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """An admin's decision on a card; a comment is required to return or unpublish it."""

    action: Literal["publish", "return", "unpublish"]
    comment: Annotated[str, msgspec.Meta(max_length=2000)] = ""


async def moderation_queue(
    session: AsyncSession, principal: Principal | None
) -> list[PracticeView]:
    """Submitted cards, oldest first (admins only)."""
    require_role(principal, "admin")
    query = (
        select(PracticeCard)
        .where(PracticeCard.status == "submitted")
        .order_by(PracticeCard.submitted_at)
    )
    return await views(session, list((await session.scalars(query)).all()))


_FROM: dict[str, str] = {"publish": "submitted", "return": "submitted", "unpublish": "published"}


async def moderate_practice(
    session: AsyncSession,
    principal: Principal | None,
    card_id: uuid.UUID,
    decision: Decision,
    corpus: PracticeCorpus | None = None,
) -> PracticeView:
    """Apply `decision` to a card (admins only); the knowledge base follows through `corpus`."""
    admin = require_role(principal, "admin")
    card = await session.get(PracticeCard, card_id)
    if card is None:
        raise NotFoundError(N_("Aucune fiche de pratique « %(id)s »."), id=str(card_id))
    if card.status != _FROM[decision.action]:
        raise ConflictError(N_("Cette décision ne s'applique pas à une fiche dans cet état."))
    comment = decision.comment.strip()
    if decision.action != "publish" and not comment:
        raise InvalidInputError(
            N_("Dites à l'auteur ce qu'il faut reprendre."),
            errors=[FieldError("comment", N_("Ce champ est obligatoire."))],
        )
    now = utcnow()
    card.status = "published" if decision.action == "publish" else "returned"
    card.published_at = now if decision.action == "publish" else None
    card.moderation_comment = comment or None
    card.moderated_by = admin.user_id
    card.updated_at = now
    await session.flush()
    view = (await views(session, [card]))[0]
    if corpus is not None:
        if decision.action == "publish":
            await corpus.publish(view)
        else:
            await corpus.withdraw(card.id)
    return view
