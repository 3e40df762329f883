"""Languages at the edge: the API's problem details in French by default and in English on
request, and pages (forms, errors, a draft's questionnaire) with no French text in English."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from bs4 import BeautifulSoup
from litestar import Litestar
from litestar.testing import TestClient

from maturity.model import Model
from service.accounts.members import create_user
from service.app import create_app
from service.platform.db import run_blocking, session_scope
from service.platform.settings import Settings
from tests.catalogue import french_in
from tests.integration.service.conftest import Client, People, start

API = "/api/v1/assessments"
HTML = {"accept": "text/html"}
PASSWORD = "un mot de passe solide"
ENGLISH = {"accept-language": "en-GB,en;q=0.9"}


def visible_text(response: Any) -> str:
    """What a reader of an HTML response sees, parts marked as French left out."""
    assert "text/html" in response.headers["content-type"], response.text[:300]
    page = BeautifulSoup(response.text, "html.parser")
    assert page.html is not None and page.html["lang"] == "en"
    for element in page.select("script, style, body [lang]"):
        if element.name in ("script", "style") or not str(element["lang"]).startswith("en"):
            element.decompose()
    labels = [str(e.get("aria-label") or "") for e in page.select("[aria-label]")]
    words = [str(e.get(k)) for e in page.select("[data-saving]") for k in e.attrs if "data-" in k]
    return " ".join([page.get_text(" "), *labels, *words])


def test_problems_are_french_by_default(api: Client, people: People) -> None:
    member = people.member(people.territory())
    missing = api.get(f"{API}/{uuid.uuid4()}", headers=member)
    assert missing.status_code == 404
    assert missing.json()["title"] == "Introuvable"
    assert missing.json()["detail"] == "Évaluation introuvable."
    assert missing.headers["content-language"] == "fr"
    german = api.get(f"{API}/{uuid.uuid4()}", headers=member | {"accept-language": "de"})
    assert german.json()["detail"] == "Évaluation introuvable."


@pytest.mark.parametrize("how", ["header", "query"])
def test_problems_are_english_on_request(api: Client, people: People, how: str) -> None:
    member = people.member(people.territory())
    headers, params = (member | ENGLISH, {}) if how == "header" else (member, {"lang": "en"})
    missing = api.get(f"{API}/{uuid.uuid4()}", headers=headers, params=params)
    assert missing.status_code == 404
    assert missing.json()["title"] == "Not found"
    assert missing.json()["detail"] == "Assessment not found."
    assert missing.headers["content-language"] == "en"
    anonymous = api.get(API, headers=ENGLISH if how == "header" else {}, params=params)
    assert anonymous.status_code == 401
    assert anonymous.json()["title"] == "Authentication required"
    assert "Authentification" not in anonymous.json()["detail"]
    nowhere = api.get("/api/v1/nulle-part", headers=ENGLISH, params=params)
    assert nowhere.json()["detail"] == "The requested resource does not exist."


def test_validation_and_field_errors_in_both_languages(api: Client, people: People) -> None:
    member = people.member(people.territory())
    draft = start(api, member)["id"]
    body: dict[str, Any] = {"answers": {}, "commentaires": {}}
    french = api.put(f"{API}/{draft}/answers", json=body, headers=member)
    english = api.put(f"{API}/{draft}/answers", json=body, headers=member | ENGLISH)
    assert french.status_code == english.status_code == 400
    assert "champ inconnu « commentaires »" in french.json()["detail"]
    assert "unknown field “commentaires”" in english.json()["detail"]
    assert english.json()["title"] == "Bad request"
    stale = {"name": "x", "expires_at": "2020-01-01T00:00:00Z"}
    refused = api.post("/api/v1/api-keys", json=stale, headers=member | ENGLISH)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"champ": "expires_at", "message": "a future date with a time zone is expected"}
    ]
    assert refused.json()["detail"].startswith("The expiry date must be in the future")


@pytest.fixture(scope="module")
def web(db_settings: Settings, model: Model, people: People) -> Iterator[Client]:
    """A client of its own (its own cookies) on an application over the suite's database."""
    client: TestClient[Litestar]
    with TestClient(create_app(db_settings, model)) as client:
        yield client


def log_in(client: Client, db_settings: Settings, territory: str) -> None:
    """Make a member of `territory` with a password and log in through the English form."""
    email = f"membre.{territory}.{secrets.token_hex(3)}@exemple.fr"

    async def make() -> None:
        async with session_scope(db_settings) as session:
            await create_user(session, email, "member", territory_code=territory, password=PASSWORD)

    run_blocking(make)
    form = BeautifulSoup(client.get("/connexion?lang=en", headers=HTML).text, "html.parser")
    token = form.select_one("input[name=_csrf_token]")
    assert token is not None
    done = client.post(
        "/connexion",
        data={"_csrf_token": str(token["value"]), "email": email, "password": PASSWORD},
        headers=HTML,
        follow_redirects=False,
    )
    assert done.status_code == 303


def test_english_pages_show_no_french(
    web: Client, db_settings: Settings, people: People, model: Model
) -> None:
    web.cookies.clear()
    error = web.get("/nulle-part?lang=en", headers=HTML)
    assert error.status_code == 404
    assert french_in(visible_text(error)) == []
    assert "Page not found" in visible_text(error)
    empty = web.get("/connexion?lang=en", headers=HTML)
    token = BeautifulSoup(empty.text, "html.parser").select_one("input[name=_csrf_token]")
    assert token is not None
    refused = web.post(
        "/connexion?lang=en", data={"_csrf_token": str(token["value"])}, headers=HTML
    )
    assert refused.status_code == 422
    assert "Enter your email address." in visible_text(refused)
    assert french_in(visible_text(refused)) == []
    territory = people.territory()
    log_in(web, db_settings, territory)
    draft = start(people.client, people.member(territory))["id"]
    for dimension in model.dimensions[:2]:
        form = web.get(f"/evaluations/{draft}/{dimension.id}?lang=en", headers=HTML)
        assert form.status_code == 200
        assert french_in(visible_text(form)) == [], dimension.id
    for path in ("/espace", f"/evaluations/{draft}", f"/evaluations/{draft}/soumettre"):
        page = web.get(f"{path}?lang=en", headers=HTML)
        assert page.status_code == 200
        assert french_in(visible_text(page)) == [], path
    missing = web.get(f"/evaluations/{uuid.uuid4()}?lang=en", headers=HTML)
    assert missing.status_code == 404 and french_in(visible_text(missing)) == []
    web.cookies.clear()
