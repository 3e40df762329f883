"""The e-mail pages on SQLite and PostgreSQL, with a real SMTP server on loopback: password
reset (same answer for every address, single use, throttled), invitations imported from a
CSV file (report first, then one transaction and their e-mails), the admins' log of sends,
reminders and the opt-out; and the campaign labels of the admin page."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from maturity.model import Model
from service.platform.db import run_blocking, session_scope
from service.platform.db.tables import Invitation, OutboxMessage, User
from service.platform.settings import Settings
from tests.integration.service.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    HTML,
    PASSWORD,
    People,
    csrf,
    log_in,
    soup,
    without_cookies,
)
from tests.integration.service.smtp_server import Recorder, link_in, received

Client = TestClient[Litestar]


@pytest.fixture
def browser(mailing: Client) -> Iterator[Client]:
    """The mailing client with no cookie at the start and the end of a test."""
    yield from without_cookies(mailing)


def member(people: People, settings: Settings) -> str:
    """A member with a password, of a territory of their own; returns the address."""
    from service.accounts.members import create_user

    email = f"membre.{secrets.token_hex(4)}@example.org"
    territory = people.territory()

    async def run() -> None:
        async with session_scope(settings) as session:
            await create_user(session, email, "member", territory_code=territory, password=PASSWORD)

    run_blocking(run)
    return email


def forgot(client: Client, email: str) -> Any:
    return client.post(
        "/mot-de-passe/oubli",
        data={"_csrf_token": csrf(client, "/mot-de-passe/oubli"), "email": email},
        headers=HTML,
    )


def test_a_password_reset_link_works_once_and_the_answer_says_nothing(
    browser: Client, people: People, db_settings: Settings, recorder: tuple[Recorder, int]
) -> None:
    email = member(people, db_settings)
    unknown = f"personne.{secrets.token_hex(4)}@example.org"
    known_page, unknown_page = forgot(browser, email), forgot(browser, unknown)
    assert known_page.status_code == unknown_page.status_code == 200
    notice = soup(known_page).select_one("[role=status]").get_text(" ", strip=True)  # type: ignore[union-attr]
    other = soup(unknown_page).select_one("[role=status]").get_text(" ", strip=True)  # type: ignore[union-attr]
    assert notice.replace(email, "@") == other.replace(unknown, "@")
    [message] = received(recorder[0], email)
    path = link_in(message, "/mot-de-passe/nouveau/")
    token_form = browser.get(path, headers=HTML)
    assert token_form.status_code == 200 and email in token_form.text
    assert token_form.headers["referrer-policy"] == "no-referrer"
    new = "un nouveau mot de passe"
    form = {"_csrf_token": csrf(browser, path), "password": new, "confirm": new}
    short = browser.post(path, data=form | {"password": "court", "confirm": "court"}, headers=HTML)
    assert short.status_code == 422 and soup(short).select_one(".error-message")
    done = browser.post(path, data=form, headers=HTML, follow_redirects=False)
    assert done.status_code == 303 and "password_changed" in done.headers["location"]
    assert browser.post(path, data=form, headers=HTML).status_code == 404  # single use
    assert log_in(browser, email, new).status_code == 303
    assert not [m for m in recorder[0].received if m["To"] == unknown]

    async def logged() -> list[str]:
        async with session_scope(db_settings) as session:
            rows = await session.execute(
                select(OutboxMessage.body).where(OutboxMessage.recipient == email)
            )
            return list(rows.scalars())

    assert run_blocking(logged) == [""]  # the link does not stay in the log


def test_password_reset_requests_are_throttled(browser: Client) -> None:
    email = f"cible.{secrets.token_hex(4)}@example.org"
    answers = [forgot(browser, email).status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]


def test_an_unknown_reset_link_is_a_404_page(browser: Client) -> None:
    response = browser.get("/mot-de-passe/nouveau/mdp_inconnu", headers=HTML)
    assert response.status_code == 404 and "text/html" in response.headers["content-type"]


def _admin(client: Client) -> None:
    assert log_in(client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303


def _upload(client: Client, text: str) -> Any:
    token = csrf(client, "/admin/invitations/import")
    return client.post(
        "/admin/invitations/import/verifier",
        data={"_csrf_token": token},
        files={"file": ("invitations.csv", text.encode(), "text/csv")},
        headers=HTML,
    )


def test_importing_invitations_reports_first_then_creates_and_sends(
    browser: Client, people: People, db_settings: Settings, recorder: tuple[Recorder, int]
) -> None:
    covered_member = member(people, db_settings)
    covered = run_blocking(lambda: _territory_of(db_settings, covered_member))
    fresh = [people.territory() for _ in range(3)]
    tag = secrets.token_hex(3)
    good = [f"invite.{tag}.{n}@example.org" for n in range(3)]
    text = "\n".join(
        [
            "code_territoire;courriel;role",
            f"{fresh[0]};{good[0]};member",
            f"{fresh[1]};{good[1]};",
            f"{fresh[2]};{good[2]};membre",
            f"99999;inconnu.{tag}@example.org;member",
            f"{fresh[0]};pas-une-adresse;member",
            f"{fresh[1]};{good[0]};member",
            f"{covered};deja.{tag}@example.org;member",
            f"{people.territory()};{covered_member};member",
            f";analyste.{tag}@example.org;analyst",
        ]
    )
    _admin(browser)
    report = _upload(browser, text)
    assert report.status_code == 200, report.text[:500]
    page = soup(report)
    status = page.select_one("[role=status]").get_text(" ", strip=True)  # type: ignore[union-attr]
    assert "4 invitation(s) prête(s)" in status and "5 ligne(s) écartée(s)" in status
    reasons = {
        row.select_one("td.num").get_text(strip=True): row.get_text(" ", strip=True)  # type: ignore[union-attr]
        for row in page.select("table")[0].select("tbody tr")
    }
    assert "code de territoire inconnu" in reasons["5"]  # numbered as in the file
    assert "mal formée" in reasons["6"]
    assert "plus haut dans le fichier" in reasons["7"]
    assert "déjà couvert" in reasons["8"]
    assert "déjà un compte" in reasons["9"]
    names = run_blocking(lambda: _names(db_settings, fresh))
    ready = page.select("table")[1].get_text(" ", strip=True)
    assert all(names[code] in ready for code in fresh)  # names, not bare codes
    assert run_blocking(lambda: _count_users(db_settings, good)) == 0  # nothing made yet
    send = page.select_one("form[action='/admin/invitations/import/envoyer']")
    assert send is not None
    fields = {str(i["name"]): str(i["value"]) for i in send.select("input[type=hidden]")}
    sent = browser.post("/admin/invitations/import/envoyer", data=fields, headers=HTML)
    assert sent.status_code == 201
    result = soup(sent)
    links = [str(i["value"]) for i in result.select("input[readonly]")]
    assert len(links) == 4 and all("/invitation/inv_" in link for link in links)
    assert len(result.select("button[data-copy][hidden]")) == 4  # shown by JS only
    assert names[fresh[0]] in result.get_text()
    assert run_blocking(lambda: _count_users(db_settings, good)) == 3
    for address in good:
        [message] = received(recorder[0], address)
        path = link_in(message, "/invitation/")
        assert any(link.endswith(path) for link in links)
    assert names[fresh[0]] in str(received(recorder[0], good[0])[0]["Subject"])


def test_the_demo_file_is_offered_to_admins(browser: Client) -> None:
    _admin(browser)
    response = browser.get("/admin/invitations/import/exemple.csv")
    assert response.status_code == 200 and response.text.startswith("# Données fictives")


async def _territory_of(settings: Settings, email: str) -> str:
    async with session_scope(settings) as session:
        code = (
            await session.execute(select(User.territory_code).where(User.email == email))
        ).scalar_one()
        return str(code)


async def _names(settings: Settings, codes: list[str]) -> dict[str, str]:
    from service.territories.directory import territory_names

    async with session_scope(settings) as session:
        return await territory_names(session, codes)


async def _count_users(settings: Settings, emails: list[str]) -> int:
    async with session_scope(settings) as session:
        statement = (
            select(func.count())
            .select_from(Invitation)
            .join(User, User.id == Invitation.user_id)
            .where(User.email.in_(emails))
        )
        return int((await session.execute(statement)).scalar_one())


def test_the_mail_log_shows_each_send_to_admins_only(
    browser: Client, people: People, db_settings: Settings
) -> None:
    email = member(people, db_settings)
    forgot(browser, email)
    browser.cookies.clear()
    anonymous = browser.get("/admin/courriels", headers=HTML, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/connexion")
    assert log_in(browser, email).status_code == 303
    assert browser.get("/admin/courriels", headers=HTML).status_code == 403
    browser.cookies.clear()
    _admin(browser)
    page = soup(browser.get("/admin/courriels", headers=HTML))
    rows = [r.get_text(" ", strip=True) for r in page.select("tbody tr")]
    mine = [r for r in rows if email in r]
    assert mine and ("Envoyé" in mine[0] or "En file" in mine[0])
    assert "nouveau mot de passe" in mine[0]


def test_reminders_go_to_late_members_once_and_the_opt_out_is_honoured(
    browser: Client,
    people: People,
    db_settings: Settings,
    recorder: tuple[Recorder, int],
    model: Model,
) -> None:
    from datetime import UTC, datetime, timedelta

    late, early = member(people, db_settings), member(people, db_settings)
    submitted = people.member(run_blocking(lambda: _territory_of(db_settings, early)))
    _submit(people, submitted, model)
    _admin(browser)
    closes = (datetime.now(UTC).date() + timedelta(days=10)).isoformat()
    token = csrf(browser, "/admin/courriels")
    saved = browser.post(
        "/admin/courriels/calendrier/2026",
        data={"_csrf_token": token, "closes_on": closes, "days": "14, 3"},
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303
    for _ in range(2):  # the second time sends nothing new
        browser.post("/admin/courriels/rappels", data={"_csrf_token": token}, headers=HTML)
    [reminder] = received(recorder[0], late)
    assert "2026" in str(reminder["Subject"])
    assert not [m for m in recorder[0].received if m["To"] == early]
    path = link_in(reminder, "/courriels/desinscription/")
    browser.cookies.clear()
    confirm = browser.get(path, headers=HTML)
    assert confirm.status_code == 200 and late in confirm.text
    done = browser.post(path, data={"_csrf_token": csrf(browser, path)}, headers=HTML)
    assert done.status_code == 200
    tampered = path[:-2] + ("00" if not path.endswith("00") else "11")
    assert browser.get(tampered, headers=HTML).status_code == 404
    _admin(browser)
    token = csrf(browser, "/admin/courriels")
    browser.post(
        "/admin/courriels/annonce/2026",
        data={"_csrf_token": token, "text": "Bienvenue"},
        headers=HTML,
    )
    other = member(people, db_settings)
    browser.post(
        "/admin/courriels/annonce/2026", data={"_csrf_token": token, "text": "Encore"}, headers=HTML
    )
    assert received(recorder[0], other)  # the notice reaches the others
    assert len([m for m in recorder[0].received if m["To"] == late]) == 1  # not the opted-out


def _submit(people: People, headers: dict[str, str], model: Model) -> None:
    from tests.integration.service.conftest import start

    created = start(people.client, headers)
    answers = {"answers": {qid: 2 for qid in model.questions}}
    put = people.client.put(
        f"/api/v1/assessments/{created['id']}/answers", json=answers, headers=headers
    )
    assert put.status_code == 200, put.text
    response = people.client.post(f"/api/v1/assessments/{created['id']}/submit", headers=headers)
    assert response.status_code == 200, response.text


def test_campaign_actions_are_labelled_with_their_year(browser: Client) -> None:
    _admin(browser)
    page = soup(browser.get("/admin", headers=HTML))
    rows = {
        r.th.get_text(strip=True): r.get_text(" ", strip=True)
        for r in page.select("tbody tr")
        if r.th
    }
    assert "Clore la campagne 2026" in rows["2026"] and "Rouvrir" not in rows["2026"]
    assert "Rouvrir la campagne 2025" in rows["2025"]
    assert "{" not in page.select_one("main").get_text() and "%(" not in page.get_text()  # type: ignore[union-attr]


def test_the_api_resets_a_password_and_imports_invitations(
    mailing: Client, people: People, db_settings: Settings, recorder: tuple[Recorder, int]
) -> None:
    email = member(people, db_settings)
    unknown = f"personne.{secrets.token_hex(4)}@example.org"
    answers = [mailing.post("/api/v1/password-reset", json={"email": e}) for e in (email, unknown)]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json() == answers[1].json()
    token = link_in(received(recorder[0], email)[0], "/mot-de-passe/nouveau/").rsplit("/", 1)[1]
    confirm = {"token": token, "password": "encore un autre mot de passe"}
    assert mailing.post("/api/v1/password-reset/confirm", json=confirm).status_code == 200
    assert mailing.post("/api/v1/password-reset/confirm", json=confirm).status_code == 404

    code, address = people.territory(), f"api.{secrets.token_hex(4)}@example.org"
    csv = f"code,courriel,role\n{code},{address},member\n99999,x@example.org,member\n"
    member_headers = people.member(people.territory())
    refused = mailing.post("/api/v1/invitations/import", json={"csv": csv}, headers=member_headers)
    assert refused.status_code == 403
    checked = mailing.post("/api/v1/invitations/import", json={"csv": csv}, headers=people.admin)
    assert checked.status_code == 200, checked.text
    report = checked.json()["report"]
    assert (report["valid"], report["rejected"], checked.json()["created"]) == (1, 1, [])
    sent = mailing.post(
        "/api/v1/invitations/import", json={"csv": csv, "send": True}, headers=people.admin
    )
    assert [c["invitation"]["user"]["email"] for c in sent.json()["created"]] == [address]
    assert received(recorder[0], address)
    log = mailing.get("/api/v1/mail/outbox", params={"per_page": 100}, headers=people.admin)
    assert address in [m["recipient"] for m in log.json()["items"]]
    assert mailing.get("/api/v1/mail/outbox", headers=member_headers).status_code == 403
