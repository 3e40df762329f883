"""The main pages in English (``?lang=en``), in Chromium: no French interface text may show.

What a reader sees (the page's visible text, its title, and the labels given to assistive
technology) is checked against the French texts of the gettext catalogue (`tests.catalogue`):
a text left out of the catalogue, a template that bypasses it, or a macro rendered without the
page's language would all show French here. Parts marked ``lang="fr"`` (the assistant's
answers and sources, the link to the French version) are French on purpose and left out."""

from __future__ import annotations

import re
from typing import Any

import pytest

from service.demo.synthetic import DEMO_ACCOUNTS
from tests.browser.support import assert_accessible, open_folds
from tests.catalogue import french_in, french_interface_texts

pytestmark = pytest.mark.browser

MEMBER = next((email, password) for email, password, role, _ in DEMO_ACCOUNTS if role == "member")
SEEN = """() => {
    for (const el of document.querySelectorAll("body [lang]")) {
        if (!el.lang.toLowerCase().startsWith("en")) el.remove();
    }
    const labels = [...document.querySelectorAll("[aria-label], [placeholder], [title]")]
        .map(el => [el.getAttribute("aria-label"), el.getAttribute("placeholder"),
                    el.getAttribute("title")].filter(Boolean).join(" "));
    const data = [...document.querySelectorAll("[data-saving], [data-saved], [data-failed]")]
        .map(el => [el.dataset.saving, el.dataset.saved, el.dataset.failed].join(" "));
    return [document.title, document.body.innerText, ...labels, ...data].join("\\n");
}"""


def english_page(page: Any, path: str) -> str:
    """Open `path` in English; its visible text, title and labels, French parts left out."""
    separator = "&" if "?" in path else "?"
    response = page.goto(f"{path}{separator}lang=en")
    assert response is not None and response.status == 200, path
    assert page.locator("html").get_attribute("lang") == "en"
    return str(page.evaluate(SEEN))


def test_the_catalogue_gives_french_texts_to_look_for() -> None:
    texts = french_interface_texts()
    assert len(texts) > 200
    assert "Voir les données du graphique" in texts
    assert french_in("Intro. Voir les données du graphique !") == ["Voir les données du graphique"]


@pytest.mark.parametrize("path", ["/", "/modele", "/modele/strategy", "/connexion", "/assistant"])
def test_public_pages_in_english_show_no_french(page: Any, axe_source: str, path: str) -> None:
    seen = english_page(page, path)
    assert french_in(seen) == [], path
    page.goto(f"{path}?lang=en")
    assert_accessible(page, axe_source)


def test_member_pages_in_english_show_no_french(page: Any) -> None:
    email, password = MEMBER
    page.goto("/connexion?lang=en")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_url("**/espace")
    space = english_page(page, "/espace")
    assert "My space" in space
    assert french_in(space) == []
    results = page.locator("a[href$='/resultats']").first.get_attribute("href")
    assert results is not None
    assessment = results.removesuffix("/resultats")
    english_page(page, results)
    open_folds(page)  # the results' detail is folded
    shown = str(page.evaluate(SEEN))
    assert "Show the chart's data" in shown  # the charts' macro gets the page's language
    assert re.search(r"\b\d{1,3}%", shown)  # completeness as an English percentage
    assert french_in(shown) == []
    dimension = english_page(page, f"{assessment}/strategy")
    assert "Dimension 1 of" in dimension
    assert french_in(dimension) == []
    overview = english_page(page, assessment)
    assert re.search(r"Submitted on [A-Z][a-z]{2} \d{1,2}, \d{4}\.", overview)  # a Babel date
    assert french_in(overview) == []
