"""The contact opt-in, on SQLite and PostgreSQL: a member records its digital lead's contact
in its space; the public profile shows it only when the territory is public and chose to show
it; a member of another territory changes nothing."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from maturity.model import Model
from service.accounts.auth import Principal
from service.accounts.members import create_user
from service.app import create_app
from service.platform.db import run_blocking, session_scope
from service.platform.errors import PermissionDeniedError
from service.platform.settings import Settings
from service.territories.contact import ContactView, save_contact
from tests.integration.service.conftest import HTML, PASSWORD, Client, People, csrf, log_in, soup

PATH = "/espace/profil-public"
CONTACT = {"name": "Camille Exemple", "role": "Référente numérique", "email": "c@exemple.fr"}


@pytest.fixture(scope="module")
def member(db_settings: Settings, model: Model, people: People) -> Iterator[tuple[Client, str]]:
    """A client logged in on the pages as a member of a territory of its own."""
    code = people.territory()
    email = f"contact.{code}.{secrets.token_hex(3)}@exemple.fr"

    async def make() -> None:
        async with session_scope(db_settings) as session:
            await create_user(session, email, "member", territory_code=code, password=PASSWORD)

    run_blocking(make)
    with TestClient(create_app(db_settings, model)) as client:
        assert log_in(client, email).status_code == 303
        yield client, code


def _save(client: Client, **fields: str) -> Any:
    data = {"_csrf_token": csrf(client, PATH), **fields}
    return client.post(PATH, data=data, headers=HTML, follow_redirects=False)


def _public_contact(api: Client, code: str) -> str | None:
    got = api.get(f"/territoires/{code}", headers=HTML)
    if got.status_code == 404:
        return None
    found = soup(got).select_one(".territory-contact")
    return None if found is None else found.get_text(" ", strip=True)


def test_the_contact_shows_only_when_public_and_opted_in(
    member: tuple[Client, str], api: Client
) -> None:
    client, code = member
    assert soup(client.get(PATH, headers=HTML)).select_one("input#shown") is not None
    assert _save(client, **CONTACT).status_code == 303  # recorded, neither public nor shown
    assert _public_contact(api, code) is None
    assert _save(client, public="on", **CONTACT).status_code == 303  # public, contact not shown
    assert api.get(f"/territoires/{code}", headers=HTML).status_code == 200
    assert _public_contact(api, code) is None
    assert _save(client, public="on", shown="on", **CONTACT).status_code == 303
    shown = _public_contact(api, code)
    assert shown is not None and "Camille Exemple" in shown and "c@exemple.fr" in shown
    form = soup(client.get(PATH, headers=HTML))
    assert form.select_one("input#shown[checked]") is not None
    assert form.select_one("input#email")["value"] == "c@exemple.fr"  # type: ignore[index]
    assert _save(client, public="on", **CONTACT).status_code == 303  # withdrawn: hidden at once
    assert _public_contact(api, code) is None
    assert _save(client, public="on", shown="on").status_code == 303  # cleared: deleted
    assert _public_contact(api, code) is None
    assert soup(client.get(PATH, headers=HTML)).select_one("input#name")["value"] == ""  # type: ignore[index]


def test_an_invalid_address_is_refused_next_to_the_form(member: tuple[Client, str]) -> None:
    client, _ = member
    got = _save(client, name="Camille Exemple", email="pas-une-adresse", shown="on")
    assert got.status_code == 422
    page = soup(got)
    assert page.select_one("[role=alert]") is not None
    assert page.select_one("input#name")["value"] == "Camille Exemple"  # type: ignore[index]


def test_another_territorys_member_cannot_set_the_contact(
    db_settings: Settings, people: People
) -> None:
    code, other = people.territory(), people.territory()

    async def attempt() -> None:
        async with session_scope(db_settings) as session:
            user = await create_user(
                session, f"x.{other}@exemple.fr", "member", territory_code=other
            )
            intruder = Principal(user.id, user.email, "", "member", other, "session")
            with pytest.raises(PermissionDeniedError):
                await save_contact(session, intruder, code, ContactView(**CONTACT, shown=True))

    run_blocking(attempt)
