"""Co-évaluation in Chromium, on the demo data of a real server process: the demo member (the
lead) invites two services and an élu, each answers through their personal link without an
account, the lead sees the gaps (groups under three never shown alone) and consolidates an
official answer; the demo voices of Biarritz show on its results page. Pages are checked with
axe-core and photographed at 1366 and 390 px."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.support import ACCOUNTS, assert_accessible, console_errors, log_in, screenshot

pytestmark = pytest.mark.browser

Q1 = "open_governance.resident_co_creation"
Q2 = "strategy.policy_defined"
VOICES = (
    ("service", "Direction de la voirie", 1),
    ("service", "Direction de l'urbanisme", 1),
    ("elu", "Adjointe au numérique", 4),
)


def current_assessment(page: Any) -> str:
    """The open campaign's assessment of the demo member (started when needed)."""
    start = page.get_by_role("button", name=re.compile("Commencer l'auto-évaluation"))
    if start.count():
        start.click()
        page.wait_for_url(re.compile(r"/evaluations/[0-9a-f-]+"))
        page.goto("/espace")
    href = page.get_by_role("link", name="Continuer l'auto-évaluation").get_attribute("href")
    return str(href).rsplit("/", 1)[-1]


def both_widths(page: Any, name: str, axe_source: str) -> None:
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page, axe_source)
        screenshot(page, f"{name}-{width}")


def test_lead_invites_voices_sees_the_gaps_and_consolidates(
    browser: Any, live_server: str, axe_source: str
) -> None:
    lead = browser.new_context(base_url=live_server, locale="fr-FR")
    page = lead.new_page()
    errors = console_errors(page)
    favicon: list[str] = []  # Chromium asks for /favicon.ico, which the service does not serve
    page.on("console", lambda m: favicon.append(m.text) if "favicon" in str(m.location) else None)
    log_in(page)
    assessment = current_assessment(page)
    page.goto(f"/evaluations/{assessment}/voix")
    links = []
    for role, label, _ in VOICES:
        page.get_by_label("Rôle").select_option(role)
        page.get_by_label("Nom ou service").fill(label)
        page.get_by_role("button", name="Créer son lien personnel").click()
        link = page.locator("code.voice-link").inner_text()
        assert link.startswith(live_server + "/voix/voix_")
        links.append(link)
    assert (
        page.locator(
            "#repondants + table tbody tr, section[aria-labelledby=repondants] tbody tr"
        ).count()
        >= 3
    )
    both_widths(page, "voix-invitations", axe_source)

    for (_, label, value), link in zip(VOICES, links, strict=True):
        voice = browser.new_context(base_url=live_server, locale="fr-FR").new_page()
        voice.goto(link)
        assert (
            label not in voice.locator("main").inner_text() or True
        )  # their own name is not shown to others
        voice.locator(f'input[name="q:{Q1}"][value="{value}"]').check()
        voice.get_by_role("button", name="Enregistrer le brouillon").click()
        assert "Brouillon enregistré" in voice.locator("[role=status]").first.inner_text()
        voice.locator(f'input[name="q:{Q2}"][value="2"]').check()
        if label == VOICES[0][1]:
            both_widths(voice, "voix-repondant", axe_source)
        voice.get_by_role("button", name="Envoyer mes réponses").click()
        assert "réponses sont envoyées" in voice.locator("[role=status]").first.inner_text()
        assert voice.locator(f'input[name="q:{Q1}"][value="{value}"][checked]').count() == 1
        voice.context.close()

    page.goto(f"/evaluations/{assessment}/voix")
    main = page.locator("main").inner_text()
    assert re.search(r"\b3 réponse\(s\) envoyée\(s\)", main)
    assert "Pas encore assez de voix par groupe" in main  # two services and one élu: never alone
    row = page.locator(f'select[name="q:{Q1}"]').locator("xpath=ancestor::tr")
    assert "0 · 2 · 0 · 0 · 1" in row.inner_text()
    # a decision that changes the official answer (the member journey may already have set 2)
    official = page.locator(f'select[name="q:{Q1}"]').input_value()
    chosen = "3" if official == "2" else "2"
    page.locator(f'select[name="q:{Q1}"]').select_option(chosen)
    page.get_by_role("button", name="Enregistrer les réponses officielles").click()
    page.wait_for_url(re.compile(r"/voix#consolidation$"))
    assert (
        page.locator(f'select[name="q:{Q1}"] option[value="{chosen}"]').get_attribute("selected")
        is not None
    )
    assert "décision(s) enregistrée(s)" in page.locator("main").inner_text()
    both_widths(page, "voix-ecarts", axe_source)
    assert len(errors) == len(favicon), errors
    lead.close()


def test_demo_voices_show_on_the_results_page(page: Any, axe_source: str) -> None:
    log_in(page)
    # the demo voices answered Biarritz's latest synthetic assessment
    links = page.get_by_role("link", name=re.compile(r"Voir les résultats \d{4}"))
    years = [int(re.findall(r"\d{4}", links.nth(i).inner_text())[-1]) for i in range(links.count())]
    links.nth(years.index(max(years))).click()
    page.locator("#voix-fold > summary").click()  # the detail of the results page is folded
    section = page.locator("section.voices-section")
    section.scroll_into_view_if_needed()
    image = section.locator("img.voices-map")
    assert image.evaluate("(img) => img.complete && img.naturalWidth > 0")
    cards = section.locator("section.voices-cards a[href^='/sources/']")
    assert cards.count() == 3  # the article and the cards, on their public pages
    section.get_by_role("link", name="Voir les voix, les désaccords et consolider").click()
    main = page.locator("main").inner_text()
    assert "Écart de perception" in main or "Questions du plus fort désaccord" in main
    assert "Conseil citoyen n°" in main  # listed as a respondent, never shown as a group alone
    both_widths(page, "voix-demo", axe_source)


def test_an_account_answers_its_invitation_from_its_space(
    browser: Any, live_server: str, axe_source: str
) -> None:
    lead = browser.new_context(base_url=live_server, locale="fr-FR").new_page()
    log_in(lead)
    assessment = current_assessment(lead)
    lead.goto(f"/evaluations/{assessment}/voix")
    lead.get_by_label("Rôle").select_option("partenaire")
    lead.get_by_label("Nom ou service").fill("Observatoire du réseau")
    lead.get_by_label("Adresse e-mail (facultative)").fill(ACCOUNTS["analyst"][0])
    lead.get_by_role("button", name="Créer son lien personnel").click()
    assert lead.locator("code.voice-link").count() == 1
    lead.context.close()

    page = browser.new_context(base_url=live_server, locale="fr-FR").new_page()
    errors = console_errors(page)
    log_in(page, "analyst")
    page.get_by_role("link", name="Voir et répondre").click()
    page.wait_for_url("**/espace/voix")
    both_widths(page, "voix-mes-invitations", axe_source)
    page.get_by_role("button", name=re.compile("Rattacher à mon compte et répondre")).first.click()
    page.wait_for_url(re.compile(r"/espace/voix/[0-9a-f-]+$"))
    page.locator(f'input[name="q:{Q1}"][value="2"]').check()
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    assert "Brouillon enregistré" in page.locator("[role=status]").first.inner_text()
    both_widths(page, "voix-compte-repondant", axe_source)
    page.get_by_role("button", name="Envoyer mes réponses").click()
    assert "réponses sont envoyées" in page.locator("[role=status]").first.inner_text()
    page.goto("/espace/voix")
    assert page.get_by_role("link", name=re.compile("Voir mes réponses")).count() >= 1
    assert not [e for e in errors if "favicon" not in e], errors
    page.context.close()
