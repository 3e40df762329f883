"""Public pages in a real browser: home, model, language switch, errors, keyboard access."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.support import assert_accessible, screenshot

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    ("/", "accueil"),
    ("/modele", "modele"),
    ("/modele/use_cases", "modele-dimension"),
    ("/connexion", "connexion"),
    ("/page-qui-n-existe-pas", "erreur-404"),
]


@pytest.mark.parametrize(("path", "name"), PUBLIC_PAGES)
def test_public_page_is_accessible(page: Any, axe_source: str, path: str, name: str) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == (404 if "existe" in path else 200)
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").count() == 1
    assert page.locator("main#contenu").count() == 1
    screenshot(page, name)
    assert_accessible(page, axe_source)


def test_skip_link_is_first_and_visible_on_focus(page: Any) -> None:
    page.goto("/modele")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Aller au contenu"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0  # moved on screen when focused
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#contenu"


def test_language_switch_to_english_and_back(page: Any) -> None:
    page.goto("/modele/strategy")
    assert page.locator("h1").inner_text() == "Stratégie et portage politique"
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/modele/strategy")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Strategy and political sponsorship"
    page.goto("/")  # the choice is remembered
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Français").click()
    assert page.locator("html").get_attribute("lang") == "fr"


def test_model_page_lists_every_dimension_and_descriptors(page: Any) -> None:
    page.goto("/modele")
    links = page.locator("main section li a")
    assert links.count() == 8
    links.first.click()
    assert page.locator("ol.levels").first.locator("li").count() == 5
