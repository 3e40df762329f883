"""The « Voix » part reaches every interface of the synthesis (the JSON API and the share link,
page, PDF and API) under the same small-group rule, and the lead's list of respondents says
which invitation an account claimed (API view and page)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from pypdf import PdfReader

from maturity.model import Model
from tests.integration.service.conftest import HTML, People, log_in, soup, start

Client = TestClient[Litestar]
GROUPS = (("elu", 4, 3), ("service", 0, 3), ("partenaire", 2, 1))
"""Role, level given to every open-governance question, number of voices."""


def _voices(api: Client, model: Model, lead: dict[str, str], assessment: str) -> None:
    questions = [q.id for q in model.dimension_by_id["open_governance"].questions]
    for role, level, count in GROUPS:
        for k in range(count):
            made = api.post(
                f"/api/v1/assessments/{assessment}/voices/respondents",
                json={"role": role, "label": f"Voix {role} n°{k}"},
                headers=lead,
            ).json()
            answers = {"answers": dict.fromkeys(questions, level)}
            api.patch(f"/api/v1/voices/{made['token']}/answers", json=answers)
            assert api.post(f"/api/v1/voices/{made['token']}/submit").status_code == 200


def _check_counts(voices: dict[str, Any], model: Model) -> None:
    """Seven voices; the groups of three named, the partner (alone) counted only in the total."""
    assert voices["respondents"] == 7 and voices["others"] == 1 and voices["min_group"] == 3
    assert {(r["role"], r["respondents"]) for r in voices["roles"]} == {("elu", 3), ("service", 3)}
    coev = model.coevaluation
    assert coev is not None
    partner = next(r.label.get("fr") for r in coev.roles if r.id == "partenaire")
    assert partner not in str(voices) and "Voix " not in str(voices)  # no group of one, no name
    assert "points d'écart" in voices["sentence"]


def test_the_api_and_a_share_link_carry_the_voices_brief(
    api: Client, people: People, model: Model
) -> None:
    lead = people.member(people.territory())
    assessment = str(start(api, lead)["id"])
    synthesis = f"/api/v1/assessments/{assessment}/synthesis"
    assert api.get(synthesis, headers=lead).json()["voices"] is None  # no voice sent yet
    _voices(api, model, lead, assessment)

    body = api.get(synthesis, headers=lead).json()
    _check_counts(body["voices"], model)
    assert body["voices"]["link"] == f"/evaluations/{assessment}/resultats#voix"

    made = api.post(
        f"/api/v1/assessments/{assessment}/share-links",
        json={"label": "Conseil municipal", "days": 7, "scope": "synthesis"},
        headers=lead,
    ).json()
    api.cookies.clear()
    shared = api.get(f"/api/v1/shared/{made['path'].removeprefix('/partage/')}")
    assert shared.status_code == 200, shared.text
    voices = shared.json()["synthesis"]["voices"]
    _check_counts(voices, model)
    assert voices["link"] is None  # the holder cannot open the lead's results page
    assert shared.json()["answers"] is None  # a link without answers still tells the voices

    page = soup(api.get(made["path"], headers=HTML))
    section = page.select_one("section.synthese-voix")
    assert section is not None and section.select_one("a[href]") is None
    text = " ".join(section.get_text(" ").split())
    assert "7 voix" in text and "1 dans des groupes de moins de 3" in text
    pdf = api.get(f"{made['path']}/synthese.pdf")
    assert pdf.status_code == 200
    printed = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    assert "7 voix" in printed and "Voir la carte des écarts" not in printed


def test_the_lead_sees_which_invitation_an_account_claimed(
    browser: Client, people: People, member_account: Callable[[str], str]
) -> None:
    code = people.territory()
    lead = people.member(code)
    assessment = str(start(browser, lead)["id"])
    respondent = people.member(people.territory())
    address = browser.get("/api/v1/me", headers=respondent).json()["email"]
    listing = f"/api/v1/assessments/{assessment}/voices/respondents"
    made = browser.post(
        listing, json={"role": "partenaire", "label": "Syndicat", "email": address}, headers=lead
    ).json()
    browser.post(listing, json={"role": "elu", "label": "Maire"}, headers=lead)

    def claimed() -> dict[str, bool]:
        return {r["label"]: r["claimed"] for r in browser.get(listing, headers=lead).json()}

    assert claimed() == {"Syndicat": False, "Maire": False}
    mine = f"/api/v1/me/voices/{made['respondent']['id']}/claim"
    assert browser.post(mine, headers=respondent).status_code == 200
    assert claimed() == {"Syndicat": True, "Maire": False}

    log_in(browser, member_account(code))
    page = soup(browser.get(f"/evaluations/{assessment}/voix", headers=HTML))
    rows = {
        row.select("td")[1].get_text(" ", strip=True): row
        for row in page.select("section[aria-labelledby=repondants] tbody tr")
    }
    assert set(rows) == {"Syndicat", "Maire"}
    assert rows["Syndicat"].select_one(".voice-claimed") is not None
    assert rows["Maire"].select_one(".voice-claimed") is None
    assert "invitation liée à un compte" in rows["Syndicat"].get_text(" ")
