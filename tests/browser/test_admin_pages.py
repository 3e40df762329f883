"""The administration pages of issue 14 in Chromium: the assessment filter with empty fields and
a name typed without accents, and the confirmation pages of closing a campaign and
deactivating an account (left with "Annuler": the demo server is shared by the suite)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.support import (
    OPEN_YEAR,
    assert_accessible,
    console_errors,
    log_in,
    screenshot,
)

pytestmark = pytest.mark.browser


def test_admin_filter_and_confirmation_pages(page: Any, axe_source: str) -> None:
    errors = console_errors(page)
    log_in(page, "admin")

    # the filter: empty fields are "all", a name is found without its accents
    page.goto("/admin/evaluations")
    page.get_by_label(re.compile("^Territoire")).fill("angers")
    page.get_by_label(re.compile("^Campagne")).fill("")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"territoire=angers&campagne=$"))
    rows = page.locator("tbody th[scope=row]").all_inner_texts()
    assert rows and all("Angers" in row or "angers" in row.lower() for row in rows), rows
    assert any(row.startswith("Angers (49007)") for row in rows), rows
    assert_accessible(page, axe_source)
    page.get_by_label(re.compile("^Territoire")).fill("Saint-Étienne-du-Nulle-Part")
    page.get_by_role("button", name="Filtrer").click()
    assert "Aucun territoire ne correspond" in page.locator("#aucun-resultat").inner_text()
    page.get_by_label(re.compile("^Campagne")).fill("20x6")
    page.get_by_role("button", name="Filtrer").click()
    page.locator("#erreurs").wait_for()
    assert page.evaluate("document.activeElement.id") == "erreurs"
    assert_accessible(page, axe_source)
    screenshot(page, "admin-filtre-erreur")

    # closing the open campaign: a page that says what happens, then "Annuler"
    page.goto("/admin")
    row = page.locator("tbody tr", has=page.locator("th", has_text=str(OPEN_YEAR)))
    assert row.locator("td").first.inner_text() == "Ouverte"
    row.get_by_role("link", name=f"Clore la campagne {OPEN_YEAR}…").click()
    page.wait_for_url(f"**/admin/campagnes/{OPEN_YEAR}/clore")
    assert page.locator("h1").inner_text() == f"Clore la campagne {OPEN_YEAR} ?"
    assert "ne pourront plus modifier" in page.locator("main").inner_text()
    assert_accessible(page, axe_source)
    screenshot(page, "admin-clore-campagne")
    page.get_by_role("link", name="Annuler et revenir aux campagnes").click()
    page.wait_for_url("**/admin")
    assert row.locator("td").first.inner_text() == "Ouverte"

    # deactivating an account: the same, and the territory is named
    page.goto("/admin/membres")
    member = page.locator("tbody tr", has=page.locator("th", has_text="biarritz.demo@"))
    assert "Biarritz" in member.inner_text()
    member.get_by_role("link", name=re.compile("Désactiver")).click()
    page.wait_for_url(re.compile(r"/admin/membres/[0-9a-f-]+/desactiver$"))
    assert "Biarritz" in page.locator("main").inner_text()
    assert_accessible(page, axe_source)
    screenshot(page, "admin-desactiver-compte")
    page.get_by_role("link", name="Annuler et revenir aux comptes").click()
    page.wait_for_url("**/admin/membres")
    assert "Actif" in member.inner_text()
    assert [e for e in errors if "Content Security Policy" in e] == []
