"""Named peers on the demo population (Biarritz, the demo member): the synthesis (page, PDF,
API) names peers to learn from in its two weakest dimensions, each linking to a public profile,
and the API's "profil proche" and peers to learn from are the same as the pages'."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from service.demo.synthetic import DEMO_ACCOUNTS, DEMO_TERRITORY
from tests.integration.service.conftest import HTML, Client, People, log_in, soup, start
from tests.integration.service.test_peers_api import demo

__all__ = ["demo"]  # the module-scoped demo population, built once for this module


@pytest.fixture(scope="module")
def biarritz(demo: tuple[Client, People]) -> dict[str, Any]:
    """The demo member's latest submitted assessment, and the client logged in on the pages
    with the demo member's account (as `make run` offers it)."""
    client, people = demo
    member = people.member(DEMO_TERRITORY)
    listed = client.get(
        "/api/v1/assessments",
        params={"territory": DEMO_TERRITORY, "status": "submitted"},
        headers=member,
    ).json()["items"]
    latest = max(listed, key=lambda a: a["campaign"])
    email, password = next((e, p) for e, p, _, t in DEMO_ACCOUNTS if t == DEMO_TERRITORY)
    assert log_in(client, email, password).status_code == 303
    return {"id": latest["id"], "campaign": latest["campaign"], "member": member}


def _synthesis(client: Client, biarritz: dict[str, Any]) -> Any:
    got = client.get(f"/api/v1/assessments/{biarritz['id']}/synthesis", headers=biarritz["member"])
    assert got.status_code == 200, got.text
    return got.json()


def _public(client: Client) -> set[str]:
    profiles = client.get("/api/v1/profiles", params={"per_page": 100}).json()
    return {p["territory"]["code"] for p in profiles["items"]}


def test_the_synthesis_names_peers_to_learn_from_with_public_profiles(
    demo: tuple[Client, People], biarritz: dict[str, Any]
) -> None:
    client, _ = demo
    s = _synthesis(client, biarritz)
    learn = s["learn_from"]
    assert learn["reason"] is None and len(learn["dimensions"]) == 2
    named = [p for d in learn["dimensions"] for p in d["peers"]]
    assert named, "the demo population names at least one peer to learn from"
    assert {p["code"] for p in named} <= _public(client)
    for d in learn["dimensions"]:
        assert all(p["score"] > d["own"] for p in d["peers"])
        assert d["peers"] or d["reason"]  # nobody named: the sentence says why
    page = soup(client.get(f"/evaluations/{biarritz['id']}/synthese", headers=HTML))
    links = {str(a["href"]) for a in page.select(".synthese-pairs a[href]")}
    assert links == {f"/territoires/{p['code']}" for p in named}
    for href in links:  # every named peer's profile opens without an account
        assert client.get(href, headers={**HTML, "Cookie": ""}).status_code == 200


def test_the_pdf_names_them_on_two_pages_at_most(
    demo: tuple[Client, People], biarritz: dict[str, Any]
) -> None:
    client, _ = demo
    s = _synthesis(client, biarritz)
    got = client.get(f"/evaluations/{biarritz['id']}/synthese.pdf")
    reader = PdfReader(io.BytesIO(got.content))
    assert 1 <= len(reader.pages) <= 2
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Des pairs dont s'inspirer" in text
    first = next(p for d in s["learn_from"]["dimensions"] for p in d["peers"])
    assert first["name"].split()[0] in text
    uris = {
        str(a["/A"]["/URI"])
        for page in reader.pages
        for a in (o.get_object() for o in page.get("/Annots", []))
        if "/A" in a and "/URI" in a["/A"]
    }
    assert any(u.endswith(f"/territoires/{first['code']}") for u in uris)


def test_a_draft_synthesis_says_why_nobody_is_named(demo: tuple[Client, People]) -> None:
    client, people = demo
    code = people.territory()
    member = people.member(code)
    drafts = client.get(
        "/api/v1/assessments", params={"territory": code, "status": "draft"}, headers=member
    ).json()["items"]
    draft = drafts[0]["id"] if drafts else start(client, member)["id"]
    s = client.get(f"/api/v1/assessments/{draft}/synthesis", headers=member).json()
    assert s["learn_from"]["dimensions"] == []
    assert "une fois l'auto-évaluation soumise" in s["learn_from"]["reason"]


def _peers(client: Client, biarritz: dict[str, Any]) -> Any:
    """The API's peers of Biarritz in the campaign of its submitted assessment."""
    return client.get(
        f"/api/v1/territories/{DEMO_TERRITORY}/peers",
        params={"campaign": biarritz["campaign"]},
        headers=biarritz["member"],
    ).json()


def test_api_nearest_and_the_results_page_name_the_same_territories(
    demo: tuple[Client, People], biarritz: dict[str, Any]
) -> None:
    client, _ = demo
    body = _peers(client, biarritz)
    api = [p["code"] for p in body["nearest"]]
    page = soup(client.get(f"/evaluations/{biarritz['id']}/resultats", headers=HTML))
    heading = next(h for h in page.select("#pairs ~ h3, section h3") if "profil proche" in h.text)
    listed = heading.find_next("ul")
    assert listed is not None
    shown = [str(a["href"]).rsplit("/", 1)[-1] for a in listed.select("a[href]")]
    assert api and api == shown


def test_api_and_synthesis_name_the_same_peers_to_learn_from(
    demo: tuple[Client, People], biarritz: dict[str, Any]
) -> None:
    client, _ = demo
    body = _peers(client, biarritz)
    api = [(item["dimension"], [p["code"] for p in item["peers"]]) for item in body["learn_from"]]
    learn = _synthesis(client, biarritz)["learn_from"]["dimensions"]
    synthesis = [(d["dimension"], [p["code"] for p in d["peers"]]) for d in learn]
    assert api and api == synthesis
