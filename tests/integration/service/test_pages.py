"""The pages without a browser: HTML checked by CSS selector, on SQLite and PostgreSQL.

The browser suite (tests/browser) drives the same pages in Chromium; these tests cover the
server side quickly: rendering, sessions and cookies, CSRF, validation errors next to their
field, authorization, and that a page and the API show the same data."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from bs4 import BeautifulSoup
from litestar import Litestar
from litestar.testing import TestClient

from maturity.model import Model
from service.accounts.auth import Principal
from service.accounts.members import InvitationCreate, create_user, invite
from service.app import create_app
from service.platform.db import run_blocking, session_scope
from service.platform.settings import Settings
from tests.integration.service.conftest import People, start

Client = TestClient[Litestar]
HTML = {"accept": "text/html"}
PASSWORD = "un mot de passe solide"


def soup(response: Any) -> BeautifulSoup:
    """The parsed HTML of a response."""
    assert "text/html" in response.headers["content-type"], response.text[:300]
    return BeautifulSoup(response.text, "html.parser")


def csrf(client: Client, path: str = "/connexion") -> str:
    """A CSRF token for the client's cookie, read from a form of `path`."""
    field = soup(client.get(path, headers=HTML)).select_one("input[name=_csrf_token]")
    assert field is not None
    return str(field["value"])


@pytest.fixture(scope="module")
def web(db_settings: Settings, model: Model, people: People) -> Iterator[Client]:
    """A client of its own (its own cookies) on an application over the suite's database."""
    with TestClient(create_app(db_settings, model)) as client:
        yield client


@pytest.fixture
def browser(web: Client) -> Iterator[Client]:
    """The web client with no cookie at the start and the end of a test."""
    web.cookies.clear()
    yield web
    web.cookies.clear()


@pytest.fixture(scope="module")
def member_account(db_settings: Settings) -> Callable[[str], str]:
    """Make a member of a territory with a password; returns the email."""

    def make(territory: str) -> str:
        email = f"membre.{territory}.{secrets.token_hex(3)}@exemple.fr"

        async def run() -> None:
            async with session_scope(db_settings) as session:
                await create_user(
                    session, email, "member", territory_code=territory, password=PASSWORD
                )

        run_blocking(run)
        return email

    return make


def log_in(client: Client, email: str, password: str = PASSWORD) -> Any:
    """Post the login form."""
    token = csrf(client)
    return client.post(
        "/connexion",
        data={"_csrf_token": token, "email": email, "password": password},
        headers=HTML,
        follow_redirects=False,
    )


def test_home_and_model_pages(browser: Client, model: Model) -> None:
    home = soup(browser.get("/", headers=HTML))
    assert home.html is not None and home.html["lang"] == "fr"
    assert home.select_one("a.skip-link[href='#contenu']") is not None
    assert len(home.select("h1")) == 1
    assert len(home.select("main .cards a[href^='/modele/']")) == len(model.dimensions)
    page = soup(browser.get("/modele/foundations", headers=HTML))
    questions = model.dimension_by_id["foundations"].questions
    assert len(page.select("main section.question")) == len(questions)
    assert all(len(ol.select("li")) == 5 for ol in page.select("ol.levels"))
    english = soup(browser.get("/modele?lang=en", headers=HTML))
    assert english.html is not None and english.html["lang"] == "en"
    assert english.select_one("h1").get_text() == model.model.title.get("en")  # type: ignore[union-attr]
    css = browser.get("/static/css/site.css")
    assert css.status_code == 200 and ":focus-visible" in css.text


def test_language_switch_sets_a_cookie_and_returns(browser: Client) -> None:
    response = browser.get("/langue/en", params={"next": "/modele?lang=fr"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/modele"
    assert soup(browser.get("/", headers=HTML)).html["lang"] == "en"  # type: ignore[index]
    away = browser.get("/langue/fr", params={"next": "//ailleurs.example"}, follow_redirects=False)
    assert away.headers["location"] == "/"  # never another site


def test_errors_are_pages_for_browsers_and_problems_for_the_api(browser: Client) -> None:
    page = browser.get("/nulle-part", headers=HTML)
    assert page.status_code == 404
    assert soup(page).select_one("h1").get_text() == "Page introuvable"  # type: ignore[union-attr]
    api = browser.get("/api/v1/nulle-part", headers=HTML)
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["status"] == 404
    anonymous = browser.get("/espace", headers=HTML, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/connexion?next=%2Fespace"


def test_login_session_cookie_and_logout(
    browser: Client, people: People, member_account: Callable[[str], str]
) -> None:
    email = member_account(people.territory())
    wrong = log_in(browser, email, "pas le bon")
    assert wrong.status_code == 422
    page = soup(wrong)
    assert "incorrect" in page.select_one("[role=alert]").get_text()  # type: ignore[union-attr]
    assert page.select_one("input[name=email]")["value"] == email  # type: ignore[index]
    assert page.select_one("input[name=password]").get("value") is None  # type: ignore[union-attr]
    right = log_in(browser, email)
    assert right.status_code == 303 and right.headers["location"] == "/espace"
    cookie = right.headers["set-cookie"]
    assert cookie.startswith("tc_session=") and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie and "Secure" not in cookie  # Secure in production only
    space = browser.get("/espace", headers=HTML)
    assert space.headers["cache-control"] == "no-store"
    assert soup(space).select_one("h1").get_text() == "Mon espace"  # type: ignore[union-attr]
    assert browser.get("/api/v1/assessments").status_code == 401  # the API ignores the cookie
    out = browser.post(
        "/deconnexion", data={"_csrf_token": csrf(browser, "/espace")}, follow_redirects=False
    )
    assert out.status_code == 303
    assert browser.get("/espace", headers=HTML, follow_redirects=False).status_code == 303


def test_forms_need_their_csrf_token(browser: Client) -> None:
    response = browser.post("/connexion", data={"email": "a@b.fr", "password": "x"}, headers=HTML)
    assert response.status_code == 403
    assert "formulaire a expiré" in soup(response).select_one("main").get_text()  # type: ignore[union-attr]


def test_invitation_sets_the_password_and_signs_in(
    browser: Client, db_settings: Settings, people: People
) -> None:
    email = f"invitee.{secrets.token_hex(3)}@exemple.fr"
    territory = people.territory()

    async def make() -> str:
        async with session_scope(db_settings) as session:
            admin = await create_user(session, f"adm.{secrets.token_hex(3)}@exemple.fr", "admin")
            who = Principal(admin.id, admin.email, "", "admin", None, "session")
            created = await invite(
                session, who, InvitationCreate(email=email, territory_code=territory)
            )
        return created.accept_path

    path = run_blocking(make)
    welcome = soup(browser.get(path, headers=HTML))
    assert email in welcome.select_one("main").get_text()  # type: ignore[union-attr]
    token = str(welcome.select_one("input[name=_csrf_token]")["value"])  # type: ignore[index]
    mismatch = browser.post(
        path,
        data={"_csrf_token": token, "name": "Léa", "password": PASSWORD, "confirm": "autre"},
        headers=HTML,
    )
    assert mismatch.status_code == 422
    page = soup(mismatch)
    assert page.select_one("#f-confirm-error") is not None
    assert page.select_one("#f-confirm")["aria-invalid"] == "true"  # type: ignore[index]
    assert page.select_one("#f-name")["value"] == "Léa"  # type: ignore[index]
    short = browser.post(
        path, data={"_csrf_token": token, "password": "court", "confirm": "court"}, headers=HTML
    )
    assert short.status_code == 422 and soup(short).select_one("#f-password-error") is not None
    done = browser.post(
        path,
        data={"_csrf_token": token, "password": PASSWORD, "confirm": PASSWORD},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/espace?message=welcome"
    assert "Bienvenue" in browser.get("/espace?message=welcome", headers=HTML).text
    assert browser.get(path, headers=HTML).status_code == 404  # used up


def test_questionnaire_page_and_api_show_the_same_answers(
    browser: Client, people: People, member_account: Callable[[str], str], model: Model
) -> None:
    email = member_account(people.territory())
    assert log_in(browser, email).status_code == 303
    token = csrf(browser, "/espace")
    started = browser.post("/evaluations", data={"_csrf_token": token}, follow_redirects=False)
    assert started.status_code == 303
    url = started.headers["location"]
    form = soup(browser.get(url + "/strategy", headers=HTML))
    questions = model.dimension_by_id["strategy"].questions
    for q in questions:
        radios = form.select(f'input[type=radio][name="answer-{q.id}"]')
        assert [r["value"] for r in radios] == [
            *map(str, range(5)), *(["na"] if q.allows_na else []), "unknown"
        ]  # fmt: skip
        assert all(r.find_parent("label") is not None for r in radios)  # every choice labelled
    first, second = questions[0].id, questions[1].id
    revision = str(form.select_one("input[name=revision]")["value"])  # type: ignore[index]
    typed = {
        "_csrf_token": token,
        "revision": revision,
        f"answer-{first}": "3",
        f"answer-{second}": "unknown",
        f"comment-{first}": "Délibération de 2024",
        f"evidence-{first}": "pas un lien",
        "action": "save",
    }
    invalid = browser.post(url + "/strategy", data=typed, headers=HTML)
    assert invalid.status_code == 422
    page = soup(invalid)
    assert page.select_one(f'[id="q-{first}"] .error-message') is not None
    assert page.select_one(f'[id="q-{first}"] input[value="3"]').has_attr("checked")  # type: ignore[union-attr]
    assert page.select_one(f'[name="comment-{first}"]').get_text() == "Délibération de 2024"  # type: ignore[union-attr]
    assert page.select_one(f'[name="evidence-{first}"]')["value"] == "pas un lien"  # type: ignore[index]
    typed[f"evidence-{first}"] = "https://www.example.fr/deliberation"
    saved = browser.post(url + "/strategy", data=typed, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?message=saved")

    assessment_id = url.rsplit("/", 1)[1]
    api = people.client.get(f"/api/v1/assessments/{assessment_id}", headers=people.admin)
    assert api.status_code == 200
    body = api.json()
    assert body["answers"] == {first: 3, second: "unknown"}
    assert body["comments"] == {first: "Délibération de 2024"}
    assert body["progress"]["dimensions"]["strategy"]["answered"] == 1
    shown = soup(browser.get(url + "/strategy", headers=HTML))
    assert shown.select_one(f'[id="q-{first}"] input[value="3"]').has_attr("checked")  # type: ignore[union-attr]
    assert shown.select_one("#progress-dimension")["value"] == "1"  # type: ignore[index]


def test_another_territorys_assessment_is_a_404_page(
    browser: Client, people: People, member_account: Callable[[str], str]
) -> None:
    other = start(people.client, people.member(people.territory()))
    assert log_in(browser, member_account(people.territory())).status_code == 303
    for suffix in ("", "/strategy", "/soumettre", "/resultats", "/resultats.csv"):
        response = browser.get(f"/evaluations/{other['id']}{suffix}", headers=HTML)
        assert response.status_code == 404, suffix
        assert re.search("Page introuvable", response.text)
    assert browser.get("/admin", headers=HTML).status_code == 403
