"""The élus' synthesis in Chromium, on the demo data: the demo member (Biarritz, logged in by
`member_page` of conftest.py) reads it at 1366 and 390 px, downloads its PDF (two A4 pages at
most, counted with pypdf), makes a share link and opens it in a fresh browser context (no
cookie), then revokes it.

The screenshots of the README (docs/synthese-*.png) are taken here: the page at both widths
and the PDF's first page rendered with pypdfium2."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.browser.support import ROOT, assert_accessible, console_errors, screenshot

pytestmark = pytest.mark.browser
DOCS = ROOT / "docs"


def open_synthesis(page: Any) -> str:
    """Follow the member space's link to the latest submitted assessment's synthesis."""
    page.goto("/espace")
    link = page.locator('a[href$="/synthese"]').first
    href = str(link.get_attribute("href"))
    link.click()
    page.wait_for_url(f"**{href}")
    return href


def _docs_shot(page: Any, name: str) -> Path:
    DOCS.mkdir(exist_ok=True)
    path = DOCS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def test_the_synthesis_reads_in_two_minutes_at_both_widths(
    member_page: Any, axe_source: str
) -> None:
    page = member_page
    errors = console_errors(page)
    open_synthesis(page)
    assert "Synthèse" in page.locator("h1").inner_text()
    assert page.locator(".synthese-steps > li").count() == 3
    assert page.get_by_text("Mieux que").count() >= 1
    assert page.locator(".synthese-figures").get_by_text("Niveau").count() >= 1
    assert page.locator("svg.synthesis-chart .dim-row").count() == 8
    assert page.locator(".notice-synthetic").count() == 1  # demo data says so
    peer = page.locator(".synthese-pairs a[href^='/territoires/']").first  # a named peer
    assert peer.count() == 1
    assert_accessible(page, axe_source)
    screenshot(page, "synthese-1366")
    _docs_shot(page, "synthese-bureau.png")
    page.set_viewport_size({"width": 390, "height": 844})
    # on a phone nothing scrolls sideways and the chart's text stays legible
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    smallest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('svg.synthesis-chart text')]
                 .map(t => t.getBoundingClientRect().height))"""
    )
    assert smallest >= 10
    screenshot(page, "synthese-390")
    _docs_shot(page, "synthese-telephone.png")
    page.set_viewport_size({"width": 1366, "height": 900})
    name = peer.inner_text()
    peer.click()  # its public profile
    page.wait_for_url("**/territoires/*")
    assert page.locator("h1").inner_text() == name
    assert not errors, errors


def test_the_pdf_has_at_most_two_pages(member_page: Any) -> None:
    page = member_page
    href = open_synthesis(page)
    got = page.request.get(f"{href}.pdf")
    assert got.status == 200 and got.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(got.body()))
    assert 1 <= len(reader.pages) <= 2
    text = reader.pages[0].extract_text()
    assert "Biarritz" in text and "Mieux que" in text
    assert "Des pairs dont s'inspirer" in " ".join(p.extract_text() for p in reader.pages)
    import pypdfium2

    pdf = pypdfium2.PdfDocument(got.body())
    image = pdf[0].render(scale=1.6).to_pil()
    DOCS.mkdir(exist_ok=True)
    image.save(DOCS / "synthese-pdf-page1.png")
    pdf.close()


def test_a_share_link_opens_in_a_fresh_context_until_revoked(
    member_page: Any, browser: Any, live_server: str, axe_source: str
) -> None:
    page = member_page
    open_synthesis(page)
    page.get_by_role("link", name="Partager en lecture seule").click()
    page.get_by_label("Pour qui").fill("Bureau municipal")
    page.get_by_label("Valable (jours)").fill("14")
    page.get_by_role("button", name="Créer le lien").click()
    row = page.locator("tr.share-created")
    address = str(row.locator("input.share-url").input_value())
    assert "/partage/" in address
    assert_accessible(page, axe_source)
    screenshot(page, "synthese-partages-1366")

    stranger = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    try:
        other = stranger.new_page()
        shared = other.goto(live_server + address[address.index("/partage/") :])
        assert shared is not None and shared.status == 200
        assert "Bureau municipal" not in other.content()  # the label is for members only
        assert other.get_by_text("ne sont pas partagées").count() == 1
        assert other.locator(".synthese-steps").count() == 0
        assert other.get_by_role("link", name="Mon espace").count() == 0
        assert_accessible(other, axe_source)
        screenshot(other, "synthese-partagee-390")
        row.get_by_role("button", name="Révoquer").click()
        again = other.goto(live_server + address[address.index("/partage/") :])
        assert again is not None and again.status == 404
    finally:
        stranger.close()
