"""The dashboard and the national barometer in Chromium: the demo analyst opens the
dashboard from their space; the demo admin prepares and publishes the 2025 edition (closed
in the demo) and reaches its public page, PDF and open data. Screenshots at 1366 and 390 px."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import ACCOUNTS, check_widths, console_errors, screenshot, sign_in

pytestmark = pytest.mark.browser


def log_in(page: Any, role: str) -> None:
    """Sign in with the demo account of `role`. The first dashboard of a campaign computes
    its peer frames (cold cache): on a shared 2-core machine that may take more than the
    suite's 15 s default."""
    page.set_default_timeout(120_000)
    sign_in(page, *ACCOUNTS[role])


def failed_responses(page: Any) -> list[str]:
    """A list that collects the URLs the page failed to load from now on."""
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return failed


def test_analyst_opens_the_dashboard(page: Any, axe_source: str) -> None:
    errors, failed = console_errors(page), failed_responses(page)
    log_in(page, "analyst")
    page.get_by_role("link", name="Ouvrir le tableau de bord du réseau").click()
    page.wait_for_url("**/tableau-de-bord")
    assert page.locator("h1").inner_text() == "Tableau de bord du réseau"
    assert page.locator("#departements").count() == 0
    assert page.locator("#table-region tbody tr").count() >= 13
    assert page.locator("svg[aria-labelledby^='timeline']").count() == 1
    check_widths(page, axe_source, "tableau-de-bord-analyste")
    with page.expect_download() as download:
        page.get_by_role("link", name="Participation (CSV)").click()
    assert download.value.suggested_filename.endswith("-participation.csv")
    # the browser's own favicon request is not the page's: only the page's loads count
    assert failed == [] and not [e for e in errors if "Security Policy" in e], (failed, errors)


def test_admin_publishes_the_2025_barometer(page: Any, axe_source: str) -> None:
    errors, failed = console_errors(page), failed_responses(page)
    log_in(page, "admin")
    page.goto("/admin")
    page.get_by_role("link", name="Baromètre national : préparation et publication").click()
    page.wait_for_url("**/tableau-de-bord/barometre")
    row = page.locator("tbody tr", has=page.locator("th", has_text="2025"))
    if row.get_by_role("button", name="Préparer le brouillon 2025").count():
        row.get_by_role("button", name="Préparer le brouillon 2025").click()
        page.wait_for_url("**/tableau-de-bord/barometre?message=barometer_prepared")
        assert "brouillon en relecture" in row.inner_text()
        check_widths(page, axe_source, "barometre-preparation")
        row.get_by_role("button", name="Publier le baromètre 2025").click()
    else:  # published already by an earlier run on this server
        page.goto("/barometre/2025")
    page.wait_for_url("**/barometre/2025")
    assert "2025" in page.locator("h1").inner_text()
    assert page.get_by_role("link", name="Télécharger le PDF").get_attribute("href") == (
        "/barometre/2025/pdf"
    )
    assert page.get_by_role("link", name="datapackage.json").count() == 1
    check_widths(page, axe_source, "barometre-2025")
    page.goto("/barometre/2025?lang=en")
    assert "National barometer" in page.locator("h1").inner_text()
    screenshot(page, "barometre-2025-en-1366")
    # the browser's own favicon request is not the page's: only the page's loads count
    assert failed == [] and not [e for e in errors if "Security Policy" in e], (failed, errors)
