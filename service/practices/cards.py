"""Good-practice cards (retours d'expérience): a member writes a short structured card tied to
dimensions or questions of the model in force, keeps it as a draft, submits it; an admin
publishes it or returns it with a comment (`service.practices.moderation`); the author edits a
returned card and submits it again.

Rights: a member reads and writes the cards of their own territory (an admin every card);
anyone reads a published card; a card the caller may not read is a 404, as if it did not
exist. A published or submitted card is not edited: returned or draft only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.builtin import is_web_url
from maturity.model import Model
from service.accounts.auth import Principal, require_role, utcnow
from service.platform.db.tables import PracticeCard, Territory
from service.platform.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from service.platform.i18n import N_

__all__ = [
    "EDITABLE",
    "PracticeInput",
    "PracticeView",
    "Status",
    "create_practice",
    "list_practices",
    "load_card",
    "practice_view",
    "practices_for_weakest",
    "published_practices",
    "read_practice",
    "submit_practice",
    "update_practice",
]

Status = Literal["draft", "submitted", "returned", "published"]
EDITABLE = frozenset({"draft", "returned"})
"""States in which the author may still change a card."""

Short = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Long = Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]


class PracticeInput(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """What a member writes: a title, the context, what was done, with whom, the results and
    their evidence, a contact, links (http(s) addresses) and the dimensions or questions of
    the model in force the practice answers (at least one)."""

    title: Short
    context: Long
    action: Long
    partners: Long
    results: Long
    contact: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    links: Annotated[list[str], msgspec.Meta(max_length=10)] = msgspec.field(default_factory=list)
    dimensions: Annotated[list[str], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    questions: Annotated[list[str], msgspec.Meta(max_length=40)] = msgspec.field(
        default_factory=list
    )
    language: Literal["fr", "en"] = "fr"


class PracticeView(msgspec.Struct):
    """A card as its readers see it (``moderation_comment`` is for its author and admins)."""

    id: uuid.UUID
    territory_code: str
    territory_name: str
    status: Status
    language: str
    model_version: str
    title: str
    context: str
    action: str
    partners: str
    results: str
    contact: str
    links: list[str]
    dimensions: list[str]
    questions: list[str]
    moderation_comment: str | None
    synthetic: bool
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    published_at: datetime | None
    path: str


def _clean(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _checked(data: PracticeInput, model: Model) -> PracticeInput:
    """The input with its texts trimmed, or a 400 naming every wrong field."""
    errors: list[FieldError] = []
    texts = {
        name: _clean(getattr(data, name))
        for name in ("title", "context", "action", "partners", "results", "contact")
    }
    for name, value in texts.items():
        if not value:
            errors.append(FieldError(name, N_("Ce champ est obligatoire.")))
    links = [link.strip() for link in data.links if link.strip()]
    for link in links:
        if not is_web_url(link):
            errors.append(
                FieldError("links", N_("« %(link)s » n'est pas une adresse web."), {"link": link})
            )
    known_dimensions = model.dimension_by_id
    known_questions = model.questions
    unknown = [d for d in data.dimensions if d not in known_dimensions]
    unknown += [q for q in data.questions if q not in known_questions]
    for item in unknown:
        errors.append(
            FieldError("dimensions", N_("« %(id)s » n'est pas dans le modèle."), {"id": item})
        )
    if not data.dimensions and not data.questions:
        errors.append(FieldError("dimensions", N_("Choisissez au moins une dimension.")))
    if errors:
        raise InvalidInputError(N_("La fiche n'est pas valide."), errors=errors)
    return msgspec.structs.replace(
        data,
        **texts,
        links=links,
        dimensions=list(
            dict.fromkeys([*data.dimensions, *(known_questions[q][0].id for q in data.questions)])
        ),
        questions=list(dict.fromkeys(data.questions)),
    )


def practice_view(card: PracticeCard, territory_name: str) -> PracticeView:
    """The view of a stored card."""
    return PracticeView(
        id=card.id,
        territory_code=card.territory_code,
        territory_name=territory_name,
        status=card.status,  # type: ignore[arg-type]
        language=card.language,
        model_version=card.model_version,
        title=card.title,
        context=card.context,
        action=card.action,
        partners=card.partners,
        results=card.results,
        contact=card.contact,
        links=list(card.links),
        dimensions=list(card.dimensions),
        questions=list(card.questions),
        moderation_comment=card.moderation_comment,
        synthetic=card.synthetic,
        created_at=card.created_at,
        updated_at=card.updated_at,
        submitted_at=card.submitted_at,
        published_at=card.published_at,
        path=f"/pratiques/{card.id}",
    )


async def _names(session: AsyncSession, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = await session.execute(
        select(Territory.code, Territory.name).where(Territory.code.in_(codes))
    )
    return {code: name for code, name in rows}


async def views(session: AsyncSession, cards: list[PracticeCard]) -> list[PracticeView]:
    """Views of `cards`, with their territory's name."""
    names = await _names(session, {c.territory_code for c in cards})
    return [practice_view(c, names.get(c.territory_code, c.territory_code)) for c in cards]


def _may_write(principal: Principal | None, card: PracticeCard) -> bool:
    return principal is not None and principal.owns(card.territory_code)


async def load_card(
    session: AsyncSession, principal: Principal | None, card_id: uuid.UUID
) -> PracticeCard:
    """The card if the caller may read it (published, or of their territory): 404 otherwise."""
    card = await session.get(PracticeCard, card_id)
    if card is None or (card.status != "published" and not _may_write(principal, card)):
        raise NotFoundError(N_("Aucune fiche de pratique « %(id)s »."), id=str(card_id))
    return card


async def read_practice(
    session: AsyncSession, principal: Principal | None, card_id: uuid.UUID
) -> PracticeView:
    """One card, as the caller may see it."""
    card = await load_card(session, principal, card_id)
    view = (await views(session, [card]))[0]
    if not _may_write(principal, card):
        view.moderation_comment = None
    return view


async def _writable(
    session: AsyncSession, principal: Principal | None, card_id: uuid.UUID
) -> PracticeCard:
    caller = require_role(principal, "member", "admin")
    card = await load_card(session, caller, card_id)
    if not _may_write(caller, card):
        raise NotFoundError(N_("Aucune fiche de pratique « %(id)s »."), id=str(card_id))
    return card


async def create_practice(
    session: AsyncSession, principal: Principal | None, model: Model, data: PracticeInput
) -> PracticeView:
    """A new draft card of the caller's territory (members only: an admin has no territory)."""
    caller = require_role(principal, "member")
    if caller.territory_code is None:
        raise InvalidInputError(N_("Votre compte n'est rattaché à aucun territoire."))
    data = _checked(data, model)
    now = utcnow()
    card = PracticeCard(
        id=uuid.uuid4(),
        territory_code=caller.territory_code,
        author_id=caller.user_id,
        status="draft",
        model_version=model.version,
        moderation_comment=None,
        moderated_by=None,
        synthetic=False,
        created_at=now,
        updated_at=now,
        submitted_at=None,
        published_at=None,
        **msgspec.structs.asdict(data),
    )
    session.add(card)
    await session.flush()
    return (await views(session, [card]))[0]


async def update_practice(
    session: AsyncSession,
    principal: Principal | None,
    model: Model,
    card_id: uuid.UUID,
    data: PracticeInput,
) -> PracticeView:
    """Change a draft or returned card (409 once submitted or published)."""
    card = await _writable(session, principal, card_id)
    if card.status not in EDITABLE:
        raise ConflictError(N_("Une fiche soumise ou publiée ne se modifie plus."))
    for name, value in msgspec.structs.asdict(_checked(data, model)).items():
        setattr(card, name, value)
    card.model_version = model.version
    card.updated_at = utcnow()
    await session.flush()
    return (await views(session, [card]))[0]


async def submit_practice(
    session: AsyncSession, principal: Principal | None, card_id: uuid.UUID
) -> PracticeView:
    """Send a draft or returned card to moderation."""
    card = await _writable(session, principal, card_id)
    if card.status not in EDITABLE:
        raise ConflictError(N_("Cette fiche est déjà soumise ou publiée."))
    card.status = "submitted"
    card.submitted_at = card.updated_at = utcnow()
    await session.flush()
    return (await views(session, [card]))[0]


async def list_practices(
    session: AsyncSession, principal: Principal | None, status: Status | None = None
) -> list[PracticeView]:
    """The caller's cards: a member's territory's, every card for an admin; newest first."""
    caller = require_role(principal, "member", "admin")
    query = select(PracticeCard).order_by(PracticeCard.updated_at.desc())
    if not caller.is_admin:
        query = query.where(PracticeCard.territory_code == caller.territory_code)
    if status is not None:
        query = query.where(PracticeCard.status == status)
    return await views(session, list((await session.scalars(query)).all()))


async def published_practices(
    session: AsyncSession,
    *,
    territory_code: str | None = None,
    dimensions: list[str] | None = None,
    limit: int | None = 50,
) -> list[PracticeView]:
    """Published cards, newest first: of one territory, or touching one of `dimensions` (a
    card tied to a question also records that question's dimension); every one with no
    `limit`. Public views: without the moderation comment, which is for the author."""
    query = select(PracticeCard).where(PracticeCard.status == "published")
    if territory_code is not None:
        query = query.where(PracticeCard.territory_code == territory_code)
    query = query.order_by(PracticeCard.published_at.desc())
    cards = list((await session.scalars(query)).all())
    if dimensions is not None:
        wanted = set(dimensions)
        cards = [c for c in cards if wanted & set(c.dimensions)]
    shown = await views(session, cards[:limit])
    for view in shown:
        view.moderation_comment = None
    return shown


async def practices_for_weakest(
    session: AsyncSession, scores: dict[str, float | None], count: int = 2, limit: int = 3
) -> dict[str, list[PracticeView]]:
    """Published cards for the `count` weakest dimensions of `scores` (id → score), at most
    `limit` each, weakest dimension first; dimensions without a card are left out."""
    weakest = sorted((s, d) for d, s in scores.items() if s is not None)[:count]
    found: dict[str, list[PracticeView]] = {}
    for _, dimension in weakest:
        cards = await published_practices(session, dimensions=[dimension], limit=limit)
        if cards:
            found[dimension] = cards
    return found
