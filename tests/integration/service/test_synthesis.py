"""The élus' synthesis (page, PDF, API), its share links and the spreadsheet exports, on
SQLite and PostgreSQL: what a member sees, and what an anonymous holder of a link can reach."""

from __future__ import annotations

import csv
import io
import secrets
import uuid
import zipfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from pypdf import PdfReader
from sqlalchemy import update

from maturity.model import Model
from service.accounts.auth import utcnow
from service.accounts.members import create_user
from service.app import create_app
from service.platform.db import run_blocking, session_scope
from service.platform.db.tables import ShareLink
from service.platform.settings import Settings
from tests.catalogue import french_in
from tests.integration.service.conftest import (
    HTML,
    PASSWORD,
    Client,
    People,
    csrf,
    log_in,
    soup,
    start,
)


@pytest.fixture(scope="module")
def unbalanced(people: People, model: Model) -> dict[str, Any]:
    """A submitted assessment with weak proactive and strong open governance, and the
    headers of a member of its territory."""
    code = people.territory()
    member = people.member(code)
    created = start(people.client, member)
    answers = {
        q.id: 1 if d.id == "proactive_governance" else 4 if d.id == "open_governance" else 2
        for d in model.dimensions
        for q in d.questions
    }
    comments = {"strategy.policy_defined": "Délibération confidentielle du 3 mars."}
    put = people.client.put(
        f"/api/v1/assessments/{created['id']}/answers",
        json={"answers": answers, "comments": comments},
        headers=member,
    )
    assert put.status_code == 200, put.text
    done = people.client.post(f"/api/v1/assessments/{created['id']}/submit", headers=member)
    assert done.status_code == 200, done.text
    return {"id": created["id"], "code": code, "member": member}


def test_the_api_synthesis_names_level_weaker_side_and_three_priorities(
    people: People, unbalanced: dict[str, Any]
) -> None:
    got = people.client.get(
        f"/api/v1/assessments/{unbalanced['id']}/synthesis", headers=unbalanced["member"]
    )
    assert got.status_code == 200, got.text
    s = got.json()
    assert s["level"]["label"] and s["level"]["description"]
    assert [p["rank"] for p in s["priorities"]] == [1, 2, 3]
    priorities = [p["priority"] for p in s["priorities"]]
    assert priorities == sorted(priorities, reverse=True)
    assert len(s["strengths"]) == 3 and len(s["weaknesses"]) == 3
    assert s["strengths"][0]["id"] == "open_governance"
    assert s["weaknesses"][0]["id"] == "proactive_governance"
    message = {d["id"]: d["message"] for d in s["diagnostics"]}["gouvernance_desequilibree"]
    assert "le versant le plus faible est « Gouvernance proactive »" in message
    other = people.member(people.territory())
    refused = people.client.get(f"/api/v1/assessments/{unbalanced['id']}/synthesis", headers=other)
    assert refused.status_code == 404


@pytest.fixture(scope="module")
def member_web(db_settings: Settings, model: Model, unbalanced: dict[str, Any]) -> Iterator[Client]:
    """A client of its own, logged in on the pages as a member of the assessment's territory."""
    email = f"membre.{unbalanced['code']}.{secrets.token_hex(3)}@exemple.fr"

    async def make() -> None:
        async with session_scope(db_settings) as session:
            await create_user(
                session, email, "member", territory_code=unbalanced["code"], password=PASSWORD
            )

    run_blocking(make)
    with TestClient(create_app(db_settings, model)) as client:
        assert log_in(client, email).status_code == 303
        yield client


def test_the_page_shows_the_synthesis_and_links_pdf_and_sharing(
    member_web: Client, unbalanced: Any
) -> None:
    client = member_web
    page = soup(client.get(f"/evaluations/{unbalanced['id']}/synthese", headers=HTML))
    assert len(page.select(".synthese-steps > li")) == 3
    assert page.select_one("svg.synthesis-chart title") is not None
    assert len(page.select("svg.synthesis-chart .dim-row")) == 8
    links = {a["href"] for a in page.select("a[href]")}
    assert f"/evaluations/{unbalanced['id']}/synthese.pdf" in links
    assert f"/evaluations/{unbalanced['id']}/partages" in links
    text = page.get_text(" ")
    assert "Gouvernance proactive" in text and "Niveau" in text


def test_the_pdf_has_at_most_two_pages_and_the_same_content(
    member_web: Client, unbalanced: Any
) -> None:
    client = member_web
    got = client.get(f"/evaluations/{unbalanced['id']}/synthese.pdf")
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/pdf"
    assert "attachment" in got.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(got.content))
    assert 1 <= len(reader.pages) <= 2
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Trois prochaines étapes prioritaires" in text
    assert "Gouvernance proactive" in text
    assert (
        client.get("/evaluations/00000000-0000-0000-0000-000000000000/synthese.pdf").status_code
        == 404
    )


def _link(people: People, unbalanced: Any, **body: Any) -> dict[str, Any]:
    made = people.client.post(
        f"/api/v1/assessments/{unbalanced['id']}/share-links",
        json={"label": "Conseil municipal", **body},
        headers=unbalanced["member"],
    )
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


def test_a_link_opens_the_synthesis_without_answers_unless_chosen(
    api: Client, people: People, unbalanced: Any
) -> None:
    plain = _link(people, unbalanced)
    token = plain["path"].removeprefix("/partage/")
    api.cookies.clear()
    shared = api.get(f"/api/v1/shared/{token}")
    assert shared.status_code == 200, shared.text
    body = shared.json()
    assert body["synthesis"]["priorities"] == [] and body["answers"] is None
    assert body["dimensions"] is None
    assert "Délibération confidentielle" not in shared.text
    page = api.get(plain["path"], headers=HTML)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "Délibération confidentielle" not in page.text
    assert "ne sont pas partagées" in page.text
    pdf = api.get(f"{plain['path']}/synthese.pdf")
    assert pdf.status_code == 200 and len(PdfReader(io.BytesIO(pdf.content)).pages) <= 2

    full = _link(people, unbalanced, scope="results", include_answers=True)
    body = api.get(f"/api/v1/shared/{full['path'].removeprefix('/partage/')}").json()
    assert len(body["synthesis"]["priorities"]) == 3
    assert len(body["dimensions"]) == 8
    assert any(a["comment"] == "Délibération confidentielle du 3 mars." for a in body["answers"])
    assert "Délibération confidentielle" in api.get(full["path"], headers=HTML).text


def test_a_holder_reaches_nothing_else(api: Client, people: People, unbalanced: Any) -> None:
    link = _link(people, unbalanced, scope="results", include_answers=True)
    api.cookies.clear()
    assert api.get(link["path"], headers=HTML).status_code == 200
    for path in (
        f"/api/v1/assessments/{unbalanced['id']}",
        f"/api/v1/assessments/{unbalanced['id']}/synthesis",
        f"/api/v1/assessments/{unbalanced['id']}/share-links",
    ):
        assert api.get(path).status_code == 401, path
    for path in (f"/evaluations/{unbalanced['id']}/synthese", f"/evaluations/{unbalanced['id']}"):
        got = api.get(path, headers=HTML, follow_redirects=False)
        assert got.status_code in (302, 303, 401), path
    revoke = api.delete(f"/api/v1/share-links/{link['id']}")
    assert revoke.status_code == 401


@pytest.mark.parametrize(
    "change",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        lambda token: "f" + token[1:] if token[0] != "f" else "e" + token[1:],  # id changed
        lambda token: token.split(".")[0],  # no signature
        lambda token: "pas-un-jeton",
    ],
)
def test_a_tampered_token_opens_nothing(
    api: Client, people: People, unbalanced: Any, change: Callable[[str], str]
) -> None:
    token = _link(people, unbalanced)["path"].removeprefix("/partage/")
    assert api.get(f"/api/v1/shared/{change(token)}").status_code == 404
    assert api.get(f"/partage/{change(token)}", headers=HTML).status_code == 404


def test_revoked_and_expired_links_open_nothing(
    api: Client, people: People, unbalanced: Any, db_settings: Settings
) -> None:
    revoked, expired = _link(people, unbalanced), _link(people, unbalanced, days=1)
    other = people.member(people.territory())
    assert api.delete(f"/api/v1/share-links/{revoked['id']}", headers=other).status_code == 404
    done = api.delete(f"/api/v1/share-links/{revoked['id']}", headers=unbalanced["member"])
    assert done.status_code == 200 and done.json()["status"] == "revoked"

    async def age() -> None:
        async with session_scope(db_settings) as session:
            await session.execute(
                update(ShareLink)
                .where(ShareLink.id == uuid.UUID(expired["id"]))
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )

    run_blocking(age)
    for link in (revoked, expired):
        token = link["path"].removeprefix("/partage/")
        got = api.get(f"/api/v1/shared/{token}")
        assert got.status_code == 404 and "expiré ou a été révoqué" in got.text
        assert api.get(link["path"], headers=HTML).status_code == 404
    listed = api.get(
        f"/api/v1/assessments/{unbalanced['id']}/share-links", headers=unbalanced["member"]
    ).json()
    states = {item["id"]: item["status"] for item in listed}
    assert states[revoked["id"]] == "revoked" and states[expired["id"]] == "expired"


def test_a_link_lasts_at_most_the_setting(people: People, unbalanced: Any) -> None:
    made = people.client.post(
        f"/api/v1/assessments/{unbalanced['id']}/share-links",
        json={"label": "Trop long", "days": 10_000},
        headers=unbalanced["member"],
    )
    assert made.status_code == 422


def test_the_share_page_creates_lists_and_revokes(member_web: Client, unbalanced: Any) -> None:
    client = member_web
    url = f"/evaluations/{unbalanced['id']}/partages"
    token = csrf(client, url)
    made = client.post(
        url,
        data={"_csrf_token": token, "label": "Élus de la commission", "days": "7"},
        headers=HTML,
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    page = soup(client.get(made.headers["location"], headers=HTML))
    row = page.select_one("tr.share-created")
    assert row is not None and "Élus de la commission" in row.get_text()
    shared_url = str(row.select_one("input.share-url")["value"])  # type: ignore[index]
    assert "/partage/" in shared_url
    revoke = str(row.select_one("form")["action"])  # type: ignore[index]
    client.post(revoke, data={"_csrf_token": token}, headers=HTML)
    assert client.get(shared_url[shared_url.index("/partage/") :], headers=HTML).status_code == 404
    refused = client.post(url, data={"_csrf_token": token, "label": "", "days": "0"}, headers=HTML)
    assert refused.status_code == 422
    assert soup(refused).select_one(".notice-error") is not None


def test_csv_is_french_by_default_and_plain_for_machines(
    member_web: Client, unbalanced: Any
) -> None:
    client = member_web
    french = client.get(f"/evaluations/{unbalanced['id']}/resultats.csv")
    assert french.status_code == 200
    assert french.headers["content-type"] == "text/csv; charset=utf-8"
    assert french.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(french.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["territoire", "campagne", "type"]
    assert all(len(row) == len(rows[0]) for row in rows)
    index = rows[1][rows[0].index("score")]
    assert "," in index and "." not in index
    machine = client.get(f"/evaluations/{unbalanced['id']}/resultats.csv?format=machine")
    assert not machine.content.startswith("\ufeff".encode())
    plain = list(csv.reader(io.StringIO(machine.text)))
    assert float(plain[1][plain[0].index("score")]) == float(index.replace(",", "."))
    assert client.get(f"/evaluations/{unbalanced['id']}/resultats.csv?format=x").status_code == 400


def test_xlsx_holds_the_same_table(member_web: Client, unbalanced: Any) -> None:
    client = member_web
    got = client.get(f"/evaluations/{unbalanced['id']}/resultats.xlsx")
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(got.content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "Gouvernance proactive" in strings and "pairs_mediane" in strings
    assert sheet.count("<row ") == 1 + 1 + 2 + 8  # header, index, pillars, dimensions


def test_the_synthesis_and_share_pages_show_no_french_in_english(
    member_web: Client, unbalanced: Any
) -> None:
    for path in (
        f"/evaluations/{unbalanced['id']}/synthese",
        f"/evaluations/{unbalanced['id']}/partages",
    ):
        main = soup(member_web.get(path, params={"lang": "en"}, headers=HTML)).select_one("main")
        assert main is not None
        assert french_in(main.get_text(" ")) == [], path


def test_two_pages_hold_even_the_most_diagnostics(
    api: Client, people: People, model: Model
) -> None:
    """Answers found to trigger seven diagnostics at once: the PDF still fits on two pages."""
    levels = {
        "strategy": 1, "use_cases": 4, "foundations": 4, "evaluation": 0,
        "proactive_governance": 1, "organisation": 0, "partnerships": 1, "open_governance": 3,
    }  # fmt: skip
    member = people.member(people.territory())
    created = start(people.client, member)
    answers = {q.id: levels[d.id] for d in model.dimensions for q in d.questions}
    url = f"/api/v1/assessments/{created['id']}"
    assert api.put(f"{url}/answers", json={"answers": answers}, headers=member).status_code == 200
    assert api.post(f"{url}/submit", headers=member).status_code == 200
    link = api.post(
        f"{url}/share-links", json={"label": "Pire cas", "include_answers": True}, headers=member
    ).json()
    token = link["path"].removeprefix("/partage/")
    synthesis = api.get(f"/api/v1/shared/{token}").json()["synthesis"]
    assert len(synthesis["diagnostics"]) >= 6
    assert len(synthesis["priorities"]) == 3
    pdf = api.get(f"{link['path']}/synthese.pdf")
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) <= 2
