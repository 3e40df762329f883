"""The good-practice library in Chromium, on the demo data: the demo member (Biarritz) writes a
card and submits it; an admin first tries to return it without a comment (a French message
next to the field), then publishes it; a visitor without an account finds it in the library,
reads it, and sees it on Biarritz's public profile. Every page at 1366 and 390 px, checked
with axe (no violation of any impact); screenshots in tests/artifacts/."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.support import ACCOUNTS, assert_accessible, console_errors, log_in, screenshot

pytestmark = pytest.mark.browser
BIARRITZ = "64122"
TITLE = "Une permanence numérique au marché couvert"


def _shots(page: Any, name: str, axe_source: str) -> None:
    """axe at both widths, then screenshots at 1366 and 390 px."""
    assert_accessible(page, axe_source)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.fixture
def public_biarritz(member_page: Any) -> Iterator[None]:
    """Biarritz's profile made public through the API for the test, then private again (the
    other tests' peer groups count non-public territories)."""
    email, password = ACCOUNTS["member"]
    basic = base64.b64encode(f"{email}:{password}".encode()).decode()
    made = member_page.request.post(
        "/api/v1/api-keys", data={"name": "pratiques"}, headers={"Authorization": f"Basic {basic}"}
    )
    assert made.status == 201, made.text()
    bearer = {"Authorization": f"Bearer {made.json()['secret']}"}
    url = f"/api/v1/territories/{BIARRITZ}/profile"
    assert member_page.request.put(url, data={"public": True}, headers=bearer).status == 200
    try:
        yield
    finally:
        member_page.request.put(url, data={"public": False}, headers=bearer)


def test_a_card_written_moderated_published_and_shown(
    member_page: Any, browser: Any, live_server: str, axe_source: str, public_biarritz: None
) -> None:
    page = member_page
    errors = console_errors(page)
    page.goto("/pratiques/nouvelle")
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Contexte").fill(
        "Les habitants âgés venaient en mairie pour leurs démarches."
    )
    page.get_by_label("Ce qui a été fait").fill(
        "Une conseillère numérique tient une permanence au marché couvert chaque mardi matin."
    )
    page.get_by_label("Avec qui").fill("Le centre communal d'action sociale et les commerçants.")
    page.get_by_label("Résultats et preuves").fill("Trois cents démarches accompagnées en un an.")
    page.get_by_label("Contact").fill("numerique@biarritz.example")
    page.locator('input[name="dimensions"]').first.check()
    _shots(page, "pratique-formulaire", axe_source)
    page.get_by_role("button", name="Soumettre à la modération").click()
    page.wait_for_url("**/pratiques/*-*")
    card_path = "/" + page.url.split("/", 3)[3]
    assert "soumise" in page.locator("#etat").inner_text()

    admin_ctx = browser.new_context(
        base_url=live_server, locale="fr-FR", viewport={"width": 1366, "height": 900}
    )
    try:
        admin = admin_ctx.new_page()
        log_in(admin, "admin")
        admin.goto("/admin/pratiques")
        card = admin.locator("section.practice-card").filter(
            has=admin.locator(f'a[href="{card_path}"]')
        )
        card.get_by_role("button", name="Renvoyer avec le commentaire").click()
        admin.wait_for_load_state()
        field = admin.locator("section.practice-card textarea[aria-invalid='true']")
        assert field.count() == 1
        assert "Dites à l'auteur" in admin.locator(".error-message").first.inner_text()
        _shots(admin, "pratique-moderation-erreur", axe_source)
        card = admin.locator("section.practice-card").filter(
            has=admin.locator(f'a[href="{card_path}"]')
        )
        card.get_by_role("button", name="Publier").click()
        # publishing also indexes the card in the knowledge base (the model loads once)
        admin.wait_for_url("**/admin/pratiques?fait=publish", timeout=120_000)
        assert "Fiche publiée." in admin.locator("main").inner_text()
    finally:
        admin_ctx.close()

    visitor_ctx = browser.new_context(
        base_url=live_server, locale="fr-FR", viewport={"width": 1366, "height": 900}
    )
    try:
        visitor = visitor_ctx.new_page()
        visitor.goto("/pratiques")
        visitor.locator(f'a[href="{card_path}"]').click()
        visitor.wait_for_url(f"**{card_path}")
        assert TITLE in visitor.locator("h1").inner_text()
        assert "Trois cents démarches" in visitor.locator("main").inner_text()
        _shots(visitor, "pratique-publiee", axe_source)
        visitor.goto(f"/territoires/{BIARRITZ}")
        assert visitor.locator(f'#retours ~ ul a[href="{card_path}"]').count() == 1
        _shots(visitor, "pratique-profil", axe_source)
    finally:
        visitor_ctx.close()
    assert not errors, errors
