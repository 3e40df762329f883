"""The results page, public profiles and the public-service pages in Chromium, on the demo data.

The demo member (Biarritz) reads its submitted results: chooses whom to compare with (the
choice stays in the address), follows a peer to learn from to its public profile, and reads
the page on a phone (390 px) where charts become labelled HTML bars and tables stack instead
of scrolling sideways. The footer's public-service pages are on every page. Every page is
checked with axe-core at 390 and 1366 px, and photographed at both widths."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.support import assert_accessible, console_errors, screenshot

pytestmark = pytest.mark.browser

SERVICE_PAGES = [
    ("/accessibilite", "Déclaration d'accessibilité"),
    ("/mentions-legales", "Mentions légales"),
    ("/donnees-personnelles", "Données personnelles"),
    ("/aide", "Aide et contact"),
]


def both_widths(page: Any, name: str) -> None:
    """Screenshots of the current page at 1366 and 390 px, under tests/artifacts/; at 390 px
    nothing may be wider than the screen (no sideways scrolling, no clipped caption)."""
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"{name}-{width}")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, page.url


def submitted_results(page: Any) -> str:
    """The address of the demo member's latest submitted results (from its space)."""
    page.goto("/espace")
    links = page.locator('a[href$="/resultats"]')
    assert links.count() >= 1
    return str(links.first.get_attribute("href"))


@pytest.mark.parametrize(("path", "title"), SERVICE_PAGES)
def test_service_pages_are_reachable_from_the_footer(
    page: Any, axe_source: str, path: str, title: str
) -> None:
    page.goto("/modele")
    page.locator(f'footer a[href="{path}"]').click()
    page.wait_for_url(f"**{path}")
    assert page.locator("h1").inner_text() == title
    assert page.locator('a[href^="mailto:"]').count() >= (0 if path == "/mentions-legales" else 1)
    both_widths(page, "page" + path.replace("/", "-"))
    assert_accessible(page, axe_source)


def test_personal_data_page_describes_the_tables(page: Any) -> None:
    from service.web.service_pages import PERSONAL_TABLES

    page.goto("/donnees-personnelles")
    described = page.locator("tr[data-table]").evaluate_all(
        "rows => rows.map(r => r.dataset.table)"
    )
    assert sorted(described) == sorted(PERSONAL_TABLES)


def test_comparison_chooser_keeps_the_choice_in_the_address(
    member_page: Any, axe_source: str
) -> None:
    page = member_page
    errors = console_errors(page)
    page.goto(submitted_results(page))
    assert page.locator("#comparer-auto").is_checked()
    assert page.get_by_text(re.compile(r"Groupe de pairs : .*autres territoires")).count() == 1
    page.get_by_label("Territoires au profil public de la même région").check()
    page.get_by_role("button", name="Comparer").click()
    page.wait_for_url(re.compile(r"comparer=region"))
    assert parse_qs(urlparse(page.url).query)["comparer"] == ["region"]
    assert page.locator("#comparer-region").is_checked()
    sentence = page.get_by_text(re.compile("Groupe comparé : Territoires au profil public"))
    assert sentence.count() == 1
    assert_accessible(page, axe_source)

    # a list with too few public territories: the API's k ≥ 5 wording, nothing published
    url = urlparse(page.url)
    page.goto(f"{url.path}?comparer=liste&pairs=49007,ZZ")
    assert page.locator("#pairs-codes").input_value() == "49007, ZZ"
    assert page.get_by_text("Codes ignorés").count() == 1
    notice = page.get_by_text(re.compile("moins de 5 autres territoires"))
    assert notice.count() >= 1
    assert page.locator("#bars-title").count() == 1  # own scores still drawn

    # last year's self: the charts compare with the previous campaign, not with peers
    page.goto(f"{url.path}?comparer=annee")
    assert page.get_by_text(re.compile(r"Comparaison avec vos propres résultats de \d{4}")).count()
    assert page.locator("figure.chart .legend").first.inner_text().count("Vous en") == 1
    assert not errors


def test_peers_to_learn_from_link_to_public_profiles(member_page: Any, axe_source: str) -> None:
    page = member_page
    page.goto(submitted_results(page))
    section = page.locator("section[aria-labelledby=pairs]")
    named = section.locator('a[href^="/territoires/"]')
    assert named.count() >= 1, section.inner_text()
    # profil proche: population within an order of magnitude of Biarritz's 26,206
    nearest = section.locator("h3:has-text('profil proche') + p + ul li")
    for text in nearest.all_inner_texts():
        population = int(re.sub(r"\D", "", text.split(",")[-1]))
        assert 2_600 <= population <= 262_060, text
    both_widths(page, "resultats-comparaison")
    named.first.click()
    page.wait_for_url(re.compile(r"/territoires/\w+$"))
    assert page.locator("dl.facts").get_by_text("Population", exact=True).count() == 1
    assert page.locator("ul.hbars li").count() == 8
    both_widths(page, "profil-public")
    assert_accessible(page, axe_source)


def test_the_public_profile_and_contact_form_from_the_space(
    member_page: Any, axe_source: str
) -> None:
    page = member_page
    page.goto("/espace")
    page.get_by_role("link", name="Choisir le profil public et le contact affiché").click()
    page.wait_for_url("**/espace/profil-public")
    assert not page.get_by_label("Rendre public le profil du territoire").is_checked()
    for label in ("Nom", "Adresse électronique", "Afficher ce contact sur le profil public"):
        assert page.get_by_label(label, exact=True).count() == 1, label
    both_widths(page, "profil-public-contact")
    assert_accessible(page, axe_source)


def test_a_territory_without_public_profile_has_no_public_page(page: Any) -> None:
    response = page.goto("/territoires/64122")  # Biarritz: its profile is not public
    assert response is not None and response.status == 404


def test_results_on_a_phone(member_page: Any, axe_source: str) -> None:
    page = member_page
    page.goto(submitted_results(page))
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.locator(".chart-wide").first.is_hidden()
    bars = page.locator("ul.hbars").first
    assert bars.is_visible()
    assert bars.locator("li").count() == 8
    # nothing wider than the screen: no sideways scrolling, no clipped caption
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    # no visible text under 10 px
    smallest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('main *')]
            .filter(e => e.offsetParent !== null && e.childNodes.length
                    && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
            .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
    )
    assert smallest >= 10
    # positive changes carry their sign
    changes = page.locator("#evolution ~ div td[data-label='Évolution']").all_inner_texts()
    assert all(not re.match(r"^\d", c.strip()) or c.strip().startswith("0") for c in changes)
    screenshot(page, "resultats-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    screenshot(page, "resultats-1366")
    assert_accessible(page, axe_source)
