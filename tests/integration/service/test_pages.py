"""The pages without a browser: HTML checked by CSS selector, on SQLite and PostgreSQL.

The browser suite (tests/browser) drives the same pages in Chromium; these tests cover the
server side quickly: rendering, sessions and cookies, CSRF, validation errors next to their
field, authorization, and that a page and the API show the same data."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from maturity.model import Model
from maturity.territories import fold
from service.accounts.auth import Principal
from service.accounts.members import InvitationCreate, create_user, invite
from service.platform.db import run_blocking, session_scope
from service.platform.settings import Settings
from tests.catalogue import french_in
from tests.integration.service.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    HTML,
    PASSWORD,
    People,
    csrf,
    log_in,
    soup,
    start,
)

Client = TestClient[Litestar]


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


def test_reading_pages_leaves_no_session_behind(browser: Client, db_settings: Settings) -> None:
    store = db_settings.data_dir / "sessions"

    def stored() -> int:
        return sum(1 for _ in store.glob("*")) if store.exists() else 0

    before = stored()
    for path in ("/", "/modele", "/modele/strategy", "/connexion", "/assistant") * 4:
        response = browser.get(path, headers=HTML)
        assert response.status_code == 200, path
        assert "tc_session" not in response.headers.get("set-cookie", ""), path
        browser.cookies.clear()
    assert stored() == before


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
    # the rest of the page was saved: the next save starts from the new revision
    typed["revision"] = str(page.select_one("input[name=revision]")["value"])  # type: ignore[index]
    assert typed["revision"] != revision
    typed[f"evidence-{first}"] = "www.example.fr/deliberation"
    saved = browser.post(url + "/strategy", data=typed, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?message=saved")

    assessment_id = url.rsplit("/", 1)[1]
    api = people.client.get(f"/api/v1/assessments/{assessment_id}", headers=people.admin)
    assert api.status_code == 200
    body = api.json()
    assert body["answers"] == {first: 3, second: "unknown"}
    assert body["comments"] == {first: "Délibération de 2024"}
    assert body["evidence"] == {first: "https://www.example.fr/deliberation"}
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


def _draft_page(
    browser: Client, people: People, member_account: Callable[[str], str]
) -> tuple[str, str]:
    """Log a new member in and start their territory's draft: (its URL, a CSRF token)."""
    assert log_in(browser, member_account(people.territory())).status_code == 303
    token = csrf(browser, "/espace")
    started = browser.post("/evaluations", data={"_csrf_token": token}, follow_redirects=False)
    assert started.status_code == 303
    return started.headers["location"], token


def _saved(people: People, url: str) -> dict[str, Any]:
    """The assessment as the API shows it to an admin."""
    response = people.client.get(
        f"/api/v1/assessments/{url.rsplit('/', 1)[1]}", headers=people.admin
    )
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_a_page_saves_every_valid_field_and_keeps_the_refused_one_as_typed(
    browser: Client, people: People, member_account: Callable[[str], str], model: Model
) -> None:
    url, token = _draft_page(browser, people, member_account)
    q = [question.id for question in model.dimension_by_id["strategy"].questions]
    first = {
        "_csrf_token": token,
        "revision": "0",
        f"evidence-{q[4]}": "https://www.biarritz.fr/ancien",
        "action": "save",
    }
    assert browser.post(url + "/strategy", data=first, follow_redirects=False).status_code == 303
    typed = {
        "_csrf_token": token,
        "revision": str(_saved(people, url)["revision"]),
        f"answer-{q[0]}": "3",
        f"answer-{q[1]}": "unknown",
        f"answer-{q[3]}": "2",
        f"comment-{q[0]}": "Délibération de 2024",
        f"evidence-{q[0]}": "www.biarritz.fr/deliberation",
        f"evidence-{q[1]}": "pas un lien",
        f"evidence-{q[2]}": "biarritz.fr",
        f"evidence-{q[4]}": "javascript:alert(1)",
        "target": "4",
        "action": "next",  # with an error the page stays, whatever the button
    }
    response = browser.post(url + "/strategy", data=typed, headers=HTML, follow_redirects=False)
    assert response.status_code == 422
    body = _saved(people, url)
    assert body["answers"] == {q[0]: 3, q[1]: "unknown", q[3]: 2}
    assert body["comments"] == {q[0]: "Délibération de 2024"}
    assert body["evidence"] == {
        q[0]: "https://www.biarritz.fr/deliberation",
        q[2]: "https://biarritz.fr",
        q[4]: "https://www.biarritz.fr/ancien",  # refused: the saved link stays
    }
    assert body["targets"] == {"strategy": 4}

    page = soup(response)
    summary = page.select_one("#erreurs")
    assert summary is not None and summary["tabindex"] == "-1"
    assert summary.select_one("h2").get_text() == "Le formulaire contient 2 erreur(s)"  # type: ignore[union-attr]
    links = [str(a["href"]) for a in summary.select("li a")]
    assert links == [f"#evidence-{q[1]}", f"#evidence-{q[4]}"]
    assert all(page.select_one(f'[id="{link[1:]}"]') is not None for link in links)
    assert "Question 2 :" in summary.get_text() and "Question 5 :" in summary.get_text()
    for number, value in ((1, "pas un lien"), (4, "javascript:alert(1)")):
        field = page.select_one(f'[id="evidence-{q[number]}"]')
        assert field is not None and field["value"] == value  # kept as typed
        assert field["aria-invalid"] == "true"
        error = page.select_one(f'[id="evidence-{q[number]}-error"]')
        assert error is not None and "adresse web" in error.get_text()
        assert f"evidence-{q[number]}-error" in str(field["aria-describedby"])
        assert error.find_parent("fieldset")["id"] == f"q-{q[number]}"  # type: ignore[index]
        assert error.find_parent("details").has_attr("open")  # type: ignore[union-attr]
    shown = page.select_one(f'[id="evidence-{q[0]}"]')
    assert shown is not None and shown["value"] == "https://www.biarritz.fr/deliberation"
    assert page.select_one(f'[id="evidence-{q[0]}-error"]') is None
    assert page.select_one(f'[id="answer-{q[3]}-2"]').has_attr("checked")  # type: ignore[union-attr]
    assert page.select_one("form[data-autosave]").has_attr("data-unsaved")  # type: ignore[union-attr]
    assert page.select_one("input[name=revision]")["value"] == str(body["revision"])  # type: ignore[index]
    assert page.select_one("script[src='/static/js/form-errors.js']") is not None

    # the autosave gets the same partial save as JSON, without a page
    typed["revision"] = str(body["revision"])
    typed[f"evidence-{q[1]}"] = "www.biarritz.fr/rapport"
    typed[f"comment-{q[2]}"] = "x" * 4001
    auto = browser.post(
        url + "/strategy", data=typed, headers={"x-autosave": "1", "x-csrftoken": token}
    )
    assert auto.status_code == 200
    result = auto.json()
    assert result["saved"] is True and result["revision"] == body["revision"] + 1
    assert list(result["errors"]) == [f"comment-{q[2]}", f"evidence-{q[4]}"]
    assert "4000" in result["errors"][f"comment-{q[2]}"]
    assert _saved(people, url)["evidence"][q[1]] == "https://www.biarritz.fr/rapport"

    # a stale revision saves nothing and shows the page as it was sent
    stale = browser.post(url + "/strategy", data=typed, headers=HTML)
    assert stale.status_code == 409
    assert _saved(people, url)["revision"] == result["revision"]
    page = soup(stale)
    assert page.select_one(f'[id="comment-{q[2]}"]').get_text() == "x" * 4001  # type: ignore[union-attr]
    assert page.select_one(f'[id="answer-{q[2]}-0"]').get("checked") is None  # type: ignore[union-attr]


def test_the_page_in_english_names_the_refused_field_in_english(
    browser: Client, people: People, member_account: Callable[[str], str], model: Model
) -> None:
    url, token = _draft_page(browser, people, member_account)
    qid = model.dimension_by_id["use_cases"].questions[0].id
    typed = {"_csrf_token": token, "revision": "0", f"evidence-{qid}": "pas un lien"}
    response = browser.post(url + "/use_cases?lang=en", data=typed, headers=HTML)
    assert response.status_code == 422
    summary = soup(response).select_one("#erreurs")
    assert summary is not None
    assert "Question 1: This link is not a web address" in summary.get_text()


def test_the_api_completes_a_bare_domain_and_refuses_what_is_no_link(
    people: People, model: Model
) -> None:
    member = people.member(people.territory())
    assessment = start(people.client, member)
    first, second = list(model.questions)[:2]
    url = f"/api/v1/assessments/{assessment['id']}/answers"
    put = people.client.put(
        url,
        json={"answers": {first: 2}, "evidence": {first: "www.biarritz.fr/deliberation"}},
        headers=member,
    )
    assert put.status_code == 200, put.text
    assert put.json()["evidence"] == {first: "https://www.biarritz.fr/deliberation"}
    patch = people.client.patch(
        url, json={"answers": {}, "evidence": {second: "biarritz.fr"}}, headers=member
    )
    assert patch.status_code == 200, patch.text
    assert patch.json()["evidence"] == {
        first: "https://www.biarritz.fr/deliberation",
        second: "https://biarritz.fr",
    }
    refused = people.client.put(
        url, json={"answers": {}, "evidence": {first: "pas un lien"}}, headers=member
    )
    assert refused.status_code == 422
    assert [e["question"] for e in refused.json()["errors"]] == [first]
    assert "adresse web attendue" in refused.json()["errors"][0]["message"]


@pytest.fixture(scope="module")
def submitted(people: People, model: Model) -> dict[str, str]:
    """Submitted 2026 assessments of Saint-Étienne, Angers and Biarritz: their ids by code."""
    ids = {}
    for code in ("42218", "49007", "64122"):
        member = people.member(code)
        created = start(people.client, member)
        answers = {qid: 2 for qid in model.questions}
        put = people.client.put(
            f"/api/v1/assessments/{created['id']}/answers",
            json={"answers": answers},
            headers=member,
        )
        assert put.status_code == 200, put.text
        done = people.client.post(f"/api/v1/assessments/{created['id']}/submit", headers=member)
        assert done.status_code == 200, done.text
        ids[code] = created["id"]
    return ids


def _admin(browser: Client) -> None:
    assert log_in(browser, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303


def _rows(response: Any) -> list[str]:
    return [th.get_text(" ", strip=True) for th in soup(response).select("tbody th[scope=row]")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"territoire": "", "campagne": ""}, {"Saint-Étienne", "Angers", "Biarritz"}),
        ({"territoire": "biarritz", "campagne": ""}, {"Biarritz"}),
        ({"territoire": "Angers", "campagne": "2026"}, {"Angers"}),
        ({"territoire": "saint-etienne"}, {"Saint-Étienne"}),
        ({"territoire": "  SAINT   ÉTIENNE "}, {"Saint-Étienne"}),
        ({"territoire": "64122", "campagne": "2026"}, {"Biarritz"}),
    ],
)
def test_the_admin_filter_takes_empty_fields_and_names_with_accents_folded(
    browser: Client, submitted: dict[str, str], query: dict[str, str], expected: set[str]
) -> None:
    _admin(browser)
    response = browser.get("/admin/evaluations", params=query, headers=HTML)
    assert response.status_code == 200, response.text[:500]
    rows = _rows(response)
    found = {name for name in expected if any(row.startswith(name + " (") for row in rows)}
    assert found == expected, rows
    words = fold(query.get("territoire", "")).split()  # every row matches, by name or code
    assert all(all(word in fold(row) for word in words) for row in rows), rows
    assert all(re.search(r"\(\w+\)", row) for row in rows)  # a name, then its code


def test_the_admin_filter_says_when_nothing_matches_and_why(
    browser: Client, submitted: dict[str, str]
) -> None:
    _admin(browser)
    unknown = browser.get("/admin/evaluations", params={"territoire": "xqzw"}, headers=HTML)
    assert unknown.status_code == 200
    notice = soup(unknown).select_one("#aucun-resultat")
    assert notice is not None and notice["role"] == "status"
    assert "Aucun territoire ne correspond à « xqzw »" in notice.get_text()
    assert soup(unknown).select_one("table") is None
    closed = browser.get(
        "/admin/evaluations", params={"territoire": "biarritz", "campagne": "2025"}, headers=HTML
    )
    text = soup(closed).select_one("#aucun-resultat").get_text()  # type: ignore[union-attr]
    assert "1 territoire(s) correspondent à « biarritz », sans évaluation soumise pour 2025" in text
    assert "Videz le champ « Campagne »" in text
    wrong = browser.get("/admin/evaluations", params={"campagne": "deux mille"}, headers=HTML)
    assert wrong.status_code == 422
    page = soup(wrong)
    assert page.select_one("#erreurs a[href='#f-campagne']") is not None
    assert page.select_one("#f-campagne")["value"] == "deux mille"  # type: ignore[index]
    assert page.select_one("#f-campagne-error") is not None


def _campaign_status(people: People, year: int) -> str:
    listing = people.client.get("/api/v1/campaigns", headers=people.admin).json()
    return str(next(c["status"] for c in listing["items"] if c["year"] == year))


def test_closing_a_campaign_asks_first_on_a_page_of_its_own(
    browser: Client, people: People, submitted: dict[str, str]
) -> None:
    _admin(browser)
    admin = soup(browser.get("/admin", headers=HTML))
    row = next(tr for tr in admin.select("tbody tr") if tr.th and tr.th.get_text() == "2026")
    assert row.select("td")[0].get_text() == "Ouverte"
    close = row.select_one("a[href='/admin/campagnes/2026/clore']")
    assert close is not None and close.get_text() == "Clore la campagne 2026…"
    assert "{" not in admin.get_text() and "%(" not in admin.get_text()
    assert row.select_one("form") is None  # no one-click close

    token = csrf(browser, "/admin")
    one_click = browser.post(
        "/admin/campagnes/2026", data={"_csrf_token": token, "status": "closed"},
        follow_redirects=False,
    )  # fmt: skip
    assert one_click.status_code == 303
    assert one_click.headers["location"] == "/admin/campagnes/2026/clore"
    assert _campaign_status(people, 2026) == "open"

    confirm = browser.get("/admin/campagnes/2026/clore", headers=HTML)
    assert confirm.status_code == 200
    page = soup(confirm)
    assert page.select_one("h1").get_text() == "Clore la campagne 2026 ?"  # type: ignore[union-attr]
    text = page.select_one("main").get_text(" ")  # type: ignore[union-attr]
    assert "ne pourront plus modifier ni soumettre" in text
    assert "Brouillons, qui restent en l'état" in text
    form = page.select_one("form[action='/admin/campagnes/2026'][method=post]")
    assert form is not None and form.select_one("input[name=_csrf_token]") is not None
    assert form.select_one("button[name=confirm][value=yes]") is not None
    assert page.select_one("a[href='/admin']") is not None  # the way back
    refused = browser.post(
        "/admin/campagnes/2026", data={"status": "closed", "confirm": "yes"}, headers=HTML
    )
    assert refused.status_code == 403  # the CSRF token is still required
    try:
        done = browser.post(
            "/admin/campagnes/2026",
            data={"_csrf_token": token, "status": "closed", "confirm": "yes"},
            follow_redirects=False,
        )
        assert done.status_code == 303
        assert done.headers["location"] == "/admin?message=campaign_closed"
        assert _campaign_status(people, 2026) == "closed"
        again = browser.get("/admin/campagnes/2026/clore", follow_redirects=False)
        assert again.status_code == 303  # nothing to confirm any more
    finally:  # the other tests need the open campaign: reopening is one click
        reopened = browser.post(
            "/admin/campagnes/2026",
            data={"_csrf_token": token, "status": "open"},
            follow_redirects=False,
        )
        assert reopened.headers["location"] == "/admin?message=campaign_opened"
    assert _campaign_status(people, 2026) == "open"


def _member_row(browser: Client, email: str) -> Any:
    """The row of `email` in the accounts list, on whichever page it falls (sorted by email,
    and the suite's database holds many accounts)."""
    for number in range(1, 100):
        members = soup(browser.get("/admin/membres", params={"page": number}, headers=HTML))
        rows = [tr for tr in members.select("tbody tr") if tr.th]
        found = [tr for tr in rows if tr.th is not None and email in tr.th.get_text()]
        if found:
            return found[0]
        if not rows:
            break
    raise AssertionError(f"{email} absent de /admin/membres")


def test_deactivating_an_account_asks_first_and_names_its_territory(
    browser: Client, people: People, member_account: Callable[[str], str], db_settings: Settings
) -> None:
    email = member_account("64122")
    _admin(browser)
    row = _member_row(browser, email)
    assert "Biarritz" in row.get_text() and "64122" in row.get_text()
    assert row.select_one("form") is None  # no one-click deactivation
    link = row.select_one("a[href$='/desactiver']")
    assert link is not None
    confirm = browser.get(str(link["href"]), headers=HTML)
    assert confirm.status_code == 200
    page = soup(confirm)
    assert email in page.select_one("h1").get_text()  # type: ignore[union-attr]
    assert "Biarritz" in page.select_one("main").get_text()  # type: ignore[union-attr]
    assert "Ses clés d'API cessent de fonctionner." in page.get_text()
    user_path = str(link["href"]).removesuffix("/desactiver")
    token = csrf(browser, "/admin/membres")
    one_click = browser.post(
        user_path, data={"_csrf_token": token, "active": "no"}, follow_redirects=False
    )
    assert one_click.headers["location"] == str(link["href"])
    browser.cookies.clear()
    assert log_in(browser, email).status_code == 303  # still active
    browser.cookies.clear()
    _admin(browser)
    token = csrf(browser, str(link["href"]))
    done = browser.post(
        user_path, data={"_csrf_token": token, "active": "no", "confirm": "yes"},
        follow_redirects=False,
    )  # fmt: skip
    assert done.headers["location"] == "/admin/membres?message=user_deactivated"
    browser.cookies.clear()
    assert log_in(browser, email).status_code == 422  # deactivated: can no longer sign in


def test_the_new_admin_pages_show_no_french_in_english(
    browser: Client, people: People, member_account: Callable[[str], str]
) -> None:
    email = member_account("64122")
    _admin(browser)
    row = _member_row(browser, email)
    link = str(row.select_one("a[href$='/desactiver']")["href"])
    paths = (
        "/admin/campagnes/2026/clore",
        link,
        "/admin/evaluations?territoire=xqzw&campagne=",
        "/admin/evaluations?territoire=&campagne=deux",
    )
    for path in paths:
        response = browser.get(path, params={"lang": "en"}, headers=HTML)
        main = soup(response).select_one("main")
        assert main is not None
        assert french_in(main.get_text(" ")) == [], path


def test_the_model_page_shows_another_edition_and_links_them(
    browser: Client, current_model: Model
) -> None:
    """The shared app runs 2026.1: the model page links 2027.1, which shows its own
    dimensions' questions, and keeps the edition from page to page."""
    index = soup(browser.get("/modele", headers=HTML))
    assert index.select_one("nav a[href='/modele?edition=2027.1']") is not None
    other = soup(browser.get("/modele?edition=2027.1", headers=HTML))
    assert other.select_one("nav strong[aria-current=page]").get_text() == "2027.1"  # type: ignore[union-attr]
    assert other.select_one("main a[href='/modele/strategy?edition=2027.1']") is not None
    page = soup(browser.get("/modele/open_governance?edition=2027.1", headers=HTML))
    questions = current_model.dimension_by_id["open_governance"].questions
    assert len(page.select("main section.question")) == len(questions)
    assert browser.get("/modele?edition=1999.9", headers=HTML).status_code == 404
