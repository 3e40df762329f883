"""The results page, public profiles and the public-service pages in Chromium, on the demo data.

The demo member (Biarritz) reads its submitted results top-down: a short head, then the
detail in native <details> folds that open with the keyboard and without JavaScript, and all
open when printed (the PDF Chromium prints is counted with pypdf). It chooses whom to compare
with (the choice stays in the address), follows a peer to learn from to its public profile,
and reads the page on a phone (390 px) where charts become labelled HTML bars and tables stack
instead of scrolling sideways. The footer's public-service pages are on every page. Every page
is checked with axe-core at 390 and 1366 px, and photographed at both widths."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from pypdf import PdfReader

from tests.browser.support import assert_accessible, console_errors, open_folds, screenshot

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
    assert page.locator("#comparer-region").is_hidden()  # folded until asked for
    page.get_by_text("Choisir le groupe de comparaison").click()
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
    open_folds(page)
    assert page.get_by_text(re.compile(r"Comparaison avec vos propres résultats de \d{4}")).count()
    assert page.locator("figure.chart .legend").first.inner_text().count("Vous en") == 1
    assert not errors


def test_peers_to_learn_from_link_to_public_profiles(member_page: Any, axe_source: str) -> None:
    page = member_page
    page.goto(submitted_results(page))
    section = page.locator("section[aria-labelledby=pairs]")
    section.get_by_text("Afficher les territoires").click()
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
    open_folds(page)
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
    evolution = page.locator("section[aria-labelledby=evolution] td[data-label='Évolution']")
    changes = evolution.all_inner_texts()
    assert changes
    assert all(not re.match(r"^\d", c.strip()) or c.strip().startswith("0") for c in changes)
    screenshot(page, "resultats-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    screenshot(page, "resultats-1366")
    assert_accessible(page, axe_source)


def test_results_read_top_down_with_one_peer_count(member_page: Any, axe_source: str) -> None:
    page = member_page
    errors = console_errors(page)
    href = submitted_results(page)
    page.goto(href)
    head = page.locator("section.results-head")
    assert re.search(r"Niveau \d sur 5", head.inner_text())
    assert head.locator(f'a[href="{href.removesuffix("/resultats")}/synthese"]').count() == 1
    position = re.search(r"Mieux que \d+\s%\sdes (\d+)\sautres", head.inner_text())
    assert position is not None, head.inner_text()
    # every fold starts closed (the chooser too, on the automatic group): the head comes first
    folds = page.locator("details.fold")
    assert folds.count() >= 6
    assert page.locator("details.fold[open]").count() == 0
    # the keyboard opens a fold: focus its summary, press Enter
    profile = page.locator("section[aria-labelledby=profil] details.fold")
    profile.locator("summary").focus()
    page.keyboard.press("Enter")
    assert profile.get_attribute("open") is not None
    assert profile.locator("table").count() == 1  # one table per dimension, not two
    assert profile.locator("tbody tr").count() == 8
    # the same peer count in the text, the distribution chart and the CSV
    open_folds(page)
    texts = page.locator("#repartition ~ details svg text")
    counts: list[str] = texts.evaluate_all("nodes => nodes.map(n => n.textContent.trim())")
    strips = {int(c.split()[0].replace("\u202f", "")) for c in counts if c.endswith("autres")}
    exported = page.request.get(f"{href}.csv?format=machine").text()
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert strips == {int(r["pairs_n"]) for r in rows} == {int(position.group(1))}
    page.keyboard.press("Home")
    both_widths(page, "resultats-detail")
    assert_accessible(page, axe_source)
    assert not errors


def test_folds_open_without_javascript(browser: Any, live_server: str) -> None:
    from tests.browser.support import log_in

    context = browser.new_context(base_url=live_server, locale="fr-FR", java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, "member")
        page.goto(submitted_results(page))
        steps = page.locator("section[aria-labelledby=etapes] details.fold")
        assert steps.locator("li").first.is_hidden()
        steps.locator("summary").click()
        assert steps.locator("li").first.is_visible()
    finally:
        context.close()


def test_printed_results_open_every_fold(member_page: Any) -> None:
    page = member_page
    page.goto(submitted_results(page))
    folded = page.locator("section[aria-labelledby=etapes] details.fold li").last
    hidden_step = folded.text_content() or ""
    assert hidden_step and folded.is_hidden()
    page.emulate_media(media="print")
    reader = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    text = " ".join(p.extract_text() for p in reader.pages)
    printed = " ".join(unicodedata.normalize("NFKC", text).split())  # ligatures as letters
    assert " ".join(hidden_step.split())[:60] in printed  # the folded steps are printed
    assert "Télécharger les résultats" not in printed and "Comparer avec" not in printed
    print(f"results page printed by Chromium: {len(reader.pages)} A4 pages")


def test_a_link_with_details_opens_the_results_read_only_in_a_fresh_context(
    member_page: Any, browser: Any, live_server: str, axe_source: str
) -> None:
    page = member_page
    href = submitted_results(page)
    page.goto(f"{href.removesuffix('/resultats')}/partages")
    page.get_by_label("Pour qui").fill("Commission numérique")
    page.get_by_label("La synthèse et les résultats détaillés").check()
    page.get_by_role("button", name="Créer le lien").click()
    address = str(page.locator("tr.share-created input.share-url").input_value())
    shared = address[address.index("/partage/") :]

    stranger = browser.new_context(base_url=live_server, locale="fr-FR")
    try:
        other = stranger.new_page()
        errors = console_errors(other)
        other.goto(shared)
        other.get_by_role("link", name="Voir les résultats détaillés").click()
        other.wait_for_url(f"**{shared}/resultats")
        main = other.locator("main")
        assert main.get_by_text("Page en lecture seule").count() == 1
        assert main.locator("form").count() == 0  # no chooser, no action
        assert main.locator("a[href^='/evaluations'], a[href='/espace']").count() == 0
        assert main.get_by_text("ne sont pas partagées").count() == 1  # answers stay private
        open_folds(other)
        assert main.locator("section[aria-labelledby=profil] tbody tr").count() == 8
        both_widths(other, "resultats-partages")
        assert_accessible(other, axe_source)
        assert not errors
    finally:
        stranger.close()
