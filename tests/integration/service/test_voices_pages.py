"""The co-évaluation pages without a browser: the lead invites from the « Voix » page, a
respondent answers through the personal link only, the small-group threshold holds on the page,
the map and the CSV, and the results page carries the « Voix » section."""

from __future__ import annotations

import re
from collections.abc import Callable

from litestar import Litestar
from litestar.testing import TestClient

from knowledge.builtin import builtin_ids
from tests.integration.service.conftest import HTML, People, csrf, log_in, soup, start

Client = TestClient[Litestar]
Q1 = "open_governance.resident_co_creation"


def _invite(client: Client, assessment: str, role: str, label: str) -> str:
    page = client.post(
        f"/evaluations/{assessment}/voix/inviter",
        data={
            "_csrf_token": csrf(client, f"/evaluations/{assessment}/voix"),
            "role": role,
            "label": label,
        },
        headers=HTML,
    )
    assert page.status_code == 200, page.text[:500]
    link = soup(page).select_one("code.voice-link")
    assert link is not None
    return re.sub(r"^https?://[^/]+", "", link.get_text(strip=True))


def _respond(client: Client, path: str, value: int, action: str = "submit") -> str:
    token = csrf(client, path)
    answered = client.post(
        path, data={"_csrf_token": token, f"q:{Q1}": str(value), "action": action}, headers=HTML
    )
    assert answered.status_code == 200, answered.text[:500]
    return answered.text


def _signed_in_lead(client: Client, people: People, account: Callable[[str], str]) -> str:
    """A new territory's assessment, its member signed in on `client`: the lead."""
    code = people.territory()
    assessment = str(start(client, people.member(code))["id"])
    log_in(client, account(code))
    return assessment


def test_lead_invites_respondents_answer_and_thresholds_hold(
    browser: Client,
    people: People,
    member_account: Callable[[str], str],
) -> None:
    assessment = _signed_in_lead(browser, people, member_account)
    links = [
        _invite(browser, assessment, role, label)
        for role, label in (("service", "Voirie"), ("service", "Urbanisme"), ("elu", "Maire"))
    ]
    lead_cookies = dict(browser.cookies)
    browser.cookies.clear()
    first = _respond(browser, links[0], 1, "save")
    assert "Brouillon enregistré" in first
    again = soup(browser.get(links[0], headers=HTML))
    assert again.select_one(f"input[name='q:{Q1}'][value='1'][checked]") is not None
    assert "Maire" not in again.get_text() and "Urbanisme" not in again.get_text()
    assert "réponses sont envoyées" in _respond(browser, links[0], 1)
    for link, value in zip(links[1:], (1, 4), strict=True):
        _respond(browser, link, value)
    anonymous = browser.get(f"/evaluations/{assessment}/voix", headers=HTML)
    assert "Carte des écarts" not in anonymous.text  # the lead's page needs the lead
    browser.cookies.update(lead_cookies)
    lead = soup(browser.get(f"/evaluations/{assessment}/voix", headers=HTML))
    text = lead.get_text(" ")
    assert "3 réponse(s) envoyée(s)" in text
    assert "Pas encore assez de voix par groupe" in text  # groups of 2 and 1: never shown alone
    select = lead.select_one(f"select[name='q:{Q1}']")
    row = select.find_parent("tr") if select else None
    assert row is not None and "0 · 2 · 0 · 0 · 1" in row.get_text(" ")
    svg = browser.get(f"/evaluations/{assessment}/voix/carte.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and ">1<" not in svg.text
    consolidated = browser.post(
        f"/evaluations/{assessment}/voix/consolider",
        data={"_csrf_token": csrf(browser, f"/evaluations/{assessment}/voix"), f"q:{Q1}": "2"},
        headers=HTML,
        follow_redirects=False,
    )
    assert consolidated.status_code == 303
    csv = browser.get(f"/evaluations/{assessment}/voix/consolidation.csv").text
    assert f"{Q1},2,1," in csv and "service" not in csv  # the small group stays out
    results = soup(browser.get(f"/evaluations/{assessment}/resultats", headers=HTML))
    section = results.select_one("section.voices-section img.voices-map")
    assert section is not None and section["src"] == f"/evaluations/{assessment}/voix/carte.svg"
    for page in (lead, results):  # the article and the cards, on their public pages
        cards = [str(a["href"]) for a in page.select("section.voices-cards .card a[href]")]
        assert cards == [
            "/sources/frucquet-2023-constats",
            "/sources/open_governance",
            "/sources/evaluation",
        ]
        assert {c.removeprefix("/sources/") for c in cards} <= builtin_ids()
    heading = results.select_one("section.voices-section section.voices-cards h3")
    assert heading is not None  # nested in the « Voix » section of the results


def test_a_link_of_nobody_is_a_404(browser: Client) -> None:
    assert browser.get("/voix/voix_inconnu", headers=HTML).status_code == 404


def test_the_panel_page_takes_one_response_per_form(
    browser: Client,
    people: People,
    member_account: Callable[[str], str],
) -> None:
    assessment = _signed_in_lead(browser, people, member_account)
    opened = browser.post(
        f"/evaluations/{assessment}/voix/panel/ouvrir",
        data={"_csrf_token": csrf(browser, f"/evaluations/{assessment}/voix")},
        headers=HTML,
    )
    link = soup(opened).select_one("code.panel-link")
    assert link is not None
    path = re.sub(r"^https?://[^/]+", "", link.get_text(strip=True))
    browser.cookies.clear()
    form = soup(browser.get(path, headers=HTML))
    token = form.select_one("input[name=response_token]")["value"]  # type: ignore[index]
    fields = {
        "_csrf_token": csrf(browser, path),
        "response_token": token,
        f"q:{Q1}": "1",
        "postcode": "64200",
    }
    assert "réponse est enregistrée" in browser.post(path, data=fields, headers=HTML).text
    again = browser.post(path, data=fields, headers=HTML)
    assert again.status_code == 409 and "déjà enregistrée" in again.text
    bad = browser.post(
        path, data=fields | {"postcode": "12", "response_token": "x.y"}, headers=HTML
    )
    assert bad.status_code == 422


def test_refusals_come_back_on_the_page_with_their_status(
    browser: Client,
    people: People,
    member_account: Callable[[str], str],
) -> None:
    assessment = _signed_in_lead(browser, people, member_account)
    lead_path = f"/evaluations/{assessment}/voix"
    nameless = browser.post(
        f"{lead_path}/inviter",
        data={"_csrf_token": csrf(browser, lead_path), "role": "service", "label": " "},
        headers=HTML,
    )
    alert = soup(nameless).select_one("div.notice-error[role=alert]")
    assert nameless.status_code == 422 and alert is not None
    assert "Indiquez le nom" in alert.get_text()
    link = _invite(browser, assessment, "service", "Voirie")
    browser.cookies.clear()
    _respond(browser, link, 2)
    late = browser.post(
        link,
        data={"_csrf_token": csrf(browser, link), f"q:{Q1}": "3", "action": "save"},
        headers=HTML,
    )
    alert = soup(late).select_one("div.notice-error[role=alert]")
    assert late.status_code == 409 and alert is not None
    assert "déjà envoyées" in alert.get_text() and late.headers["cache-control"] == "no-store"
