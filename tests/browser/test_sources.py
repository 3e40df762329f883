"""The assistant's sources in a real browser: the list of what the knowledge base covers, a
document page read passage by passage, and a citation of an answer opening its passage;
axe-core finds no violation of any impact at 390 and 1366 px."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.support import WIDTHS, assert_accessible, screenshot

pytestmark = pytest.mark.browser

DEFINITION = "Qu'est-ce que la souveraineté numérique ?"


def _screenshots(page: Any, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"{name}-{width}")


def test_sources_list_what_the_base_covers(page: Any, axe_source: str) -> None:
    response = page.goto("/sources")
    assert response is not None and response.status == 200
    assert page.locator("h1").inner_text() == "Sources de l'assistant"
    links = page.locator(".sources-list a")
    assert links.count() > 3
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert all(h and h.startswith("/sources/") for h in hrefs)
    # never a server file path
    assert "/knowledge/corpus" not in page.content() and ".md<" not in page.content()
    _screenshots(page, "sources")
    assert_accessible(page, axe_source)


def test_a_document_page_anchors_each_passage(page: Any, axe_source: str) -> None:
    page.goto("/sources")
    glossary = page.locator(".sources-list a", has_text="Glossaire")
    href = glossary.first.get_attribute("href")
    assert href is not None
    page.goto(f"{href}#passage-2")
    passages = page.locator("section.passage")
    assert passages.count() > 2
    ids = [passages.nth(i).get_attribute("id") for i in range(passages.count())]
    assert all(i and re.fullmatch(r"passage-\d+", i) for i in ids)
    assert page.locator("section.passage:target").get_attribute("id") == "passage-2"
    assert page.locator("h1").count() == 1
    _screenshots(page, "source-document")
    assert_accessible(page, axe_source)


def test_a_citation_opens_the_passage_it_quotes(page: Any, axe_source: str) -> None:
    page.goto("/assistant")
    assert "il le dit. Ce que couvre" in page.locator("main p").first.inner_text()
    page.locator("#question").fill(DEFINITION)
    page.locator("#ask-form").get_by_role("button").first.click()
    exchange = page.locator("article.exchange").last
    exchange.locator(".answer").filter(has_text="Souveraineté numérique").wait_for()
    first = exchange.locator("ol.sources details").first
    first.locator("summary").click()
    quoted = first.locator("blockquote").inner_text()
    assert "maîtrise par la collectivité" in quoted.casefold()
    _screenshots(page, "assistant-citation")
    assert_accessible(page, axe_source)
    first.get_by_role("link", name="Lire le passage dans son document").click()
    page.wait_for_url(re.compile(r"/sources/[^#]+#passage-\d+$"))
    target = page.locator("section.passage:target")
    assert target.count() == 1
    assert quoted.strip() in " ".join(target.inner_text().split())
    assert target.is_visible()
    _screenshots(page, "source-cited-passage")
