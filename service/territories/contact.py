"""The contact a territory may show on its public profile (name, role and e-mail address of its
digital lead), by the territory's own choice: its members (or an admin) fill it in and opt in;
the public profile ``/territoires/{code}`` shows it only when the territory is public AND the
contact is opted in. Withdrawing the opt-in hides it at once; clearing it deletes it."""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.auth import Principal, require_principal, utcnow
from service.accounts.members import is_email
from service.platform.db.tables import Territory, TerritoryContact
from service.platform.errors import InvalidInputError
from service.platform.i18n import N_
from service.territories.directory import owned_territory

__all__ = ["ContactView", "contact_of", "public_contact", "save_contact"]


class ContactView(msgspec.Struct):
    """The digital lead's contact and whether the public profile shows it."""

    name: str
    role: str
    email: str
    shown: bool = False


async def _owned(session: AsyncSession, principal: Principal | None, code: str) -> Territory:
    refusal = N_("Seuls les membres du territoire (ou un administrateur) choisissent son contact.")
    return await owned_territory(session, principal, code, refusal)


def _view(row: TerritoryContact | None) -> ContactView | None:
    return None if row is None else ContactView(row.name, row.role, row.email, row.shown)


async def contact_of(
    session: AsyncSession, principal: Principal | None, code: str
) -> ContactView | None:
    """The territory's contact as its members see it (shown or not)."""
    await _owned(session, principal, code)
    return _view(await session.get(TerritoryContact, code))


async def save_contact(
    session: AsyncSession, principal: Principal | None, code: str, data: ContactView | None
) -> ContactView | None:
    """Record the contact and the opt-in (None, or every field empty: delete it)."""
    caller = require_principal(principal)
    await _owned(session, caller, code)
    row = await session.get(TerritoryContact, code)
    cleaned = None
    if data is not None:
        cleaned = ContactView(
            data.name.strip(), data.role.strip(), data.email.strip().lower(), data.shown
        )
    if cleaned is None or not (cleaned.name or cleaned.role or cleaned.email):
        if row is not None:
            await session.delete(row)
            await session.flush()
        return None
    if not cleaned.name or not is_email(cleaned.email):
        raise InvalidInputError(N_("Indiquez au moins un nom et une adresse électronique valide."))
    if len(cleaned.name) > 200 or len(cleaned.role) > 200 or len(cleaned.email) > 254:
        raise InvalidInputError(N_("Nom et fonction : 200 caractères au plus."))
    if row is None:
        row = TerritoryContact(territory_code=code)
        session.add(row)
    row.name, row.role, row.email, row.shown = (
        cleaned.name,
        cleaned.role,
        cleaned.email,
        cleaned.shown,
    )
    row.updated_by, row.updated_at = caller.user_id, utcnow()
    await session.flush()
    return cleaned


async def public_contact(session: AsyncSession, code: str) -> ContactView | None:
    """The contact anyone may read: only for a public territory that opted in to show it."""
    territory = await session.get(Territory, code)
    if territory is None or not territory.public_profile:
        return None
    row = await session.get(TerritoryContact, code)
    return _view(row) if row is not None and row.shown else None
