"""Good-practice cards on the pages: written and submitted through the form, returned and
published from the moderation queue, then shown on the author's public profile and on the
results page of a territory weak in the card's dimension; never shown before publication."""

from __future__ import annotations

from typing import Any

from maturity.model import Model
from tests.integration.service.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    HTML,
    Client,
    People,
    csrf,
    log_in,
    soup,
    start,
)


def _weak_in(people: People, model: Model, code: str, weak: str) -> str:
    """A submitted assessment of `code`, weakest in dimension `weak`; its id."""
    member = people.member(code)
    created = start(people.client, member)
    answers = {q.id: 0 if d.id == weak else 3 for d in model.dimensions for q in d.questions}
    put = people.client.put(
        f"/api/v1/assessments/{created['id']}/answers", json={"answers": answers}, headers=member
    )
    assert put.status_code == 200, put.text
    done = people.client.post(f"/api/v1/assessments/{created['id']}/submit", headers=member)
    assert done.status_code == 200, done.text
    return str(created["id"])


def _post(client: Client, path: str, data: dict[str, Any]) -> Any:
    token = csrf(client, path if not path.startswith("/admin/pratiques/") else "/admin/pratiques")
    return client.post(
        path, data={"_csrf_token": token, **data}, headers=HTML, follow_redirects=False
    )


def test_written_moderated_then_shown_on_profile_and_results(
    browser: Client,
    people: People,
    model: Model,
    member_account: Any,
) -> None:
    author_code = people.territory()
    weak = model.dimensions[-1].id
    public = people.client.put(
        f"/api/v1/territories/{author_code}/profile",
        json={"public": True},
        headers=people.member(author_code),
    )
    assert public.status_code == 200, public.text
    reader_code = people.territory()
    assessment = _weak_in(people, model, reader_code, weak)

    assert log_in(browser, member_account(author_code)).status_code == 303
    form = {
        "title": "Des ateliers de quartier",
        "context": "Des habitants éloignés des démarches en ligne.",
        "action": "Six ateliers par an dans les maisons de quartier.",
        "partners": "Les centres sociaux.",
        "results": "Deux cents habitants accompagnés la première année.",
        "contact": "",
        "links": "https://www.example.org/ateliers\n",
        "dimensions": weak,
        "intent": "submit",
    }
    refused = _post(browser, "/pratiques/nouvelle", form)
    assert refused.status_code == 422
    assert soup(refused).select_one("#f-contact[aria-invalid='true']") is not None
    made = _post(browser, "/pratiques/nouvelle", form | {"contact": "quartiers@mairie.example"})
    assert made.status_code == 303, made.text
    card_path = made.headers["location"]
    shown = soup(browser.get(card_path, headers=HTML))
    assert "soumise" in shown.select_one("#etat").get_text()  # type: ignore[union-attr]
    # not public yet
    browser.cookies.clear()
    assert browser.get(card_path, headers=HTML).status_code == 404

    assert log_in(browser, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303
    queue = browser.get("/admin/pratiques", headers=HTML)
    assert card_path in queue.text
    card_id = card_path.rsplit("/", 1)[-1]
    # returning without a comment: the queue again, a French message next to the field
    bare = _post(browser, f"/admin/pratiques/{card_id}", {"action": "return", "comment": "  "})
    assert bare.status_code == 422
    assert soup(bare).select_one(f"#comment-{card_id}[aria-invalid='true']") is not None
    message = soup(bare).select_one(f"#comment-{card_id}-error")
    assert message is not None
    assert "Dites à l'auteur ce qu'il faut reprendre." in message.get_text()
    back = _post(
        browser,
        f"/admin/pratiques/{card_id}",
        {"action": "return", "comment": "Ajoutez un chiffre."},
    )
    assert back.status_code == 303
    browser.cookies.clear()

    assert log_in(browser, member_account(author_code)).status_code == 303
    mine = browser.get("/pratiques/mes-fiches", headers=HTML).text
    assert "Ajoutez un chiffre." in mine
    edit = _post(
        browser,
        f"{card_path}/modifier",
        form | {"contact": "quartiers@mairie.example", "results": "212 habitants."},
    )
    assert edit.status_code == 303, edit.text
    browser.cookies.clear()
    assert log_in(browser, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303
    assert _post(browser, f"/admin/pratiques/{card_id}", {"action": "publish"}).status_code == 303
    browser.cookies.clear()

    page = soup(browser.get(card_path, headers=HTML))
    assert "212 habitants." in page.get_text()
    assert "Ajoutez un chiffre." not in page.get_text()
    profile = soup(browser.get(f"/territoires/{author_code}", headers=HTML))
    assert profile.select_one(f"#retours ~ ul a[href='{card_path}']") is not None
    reader = people.member(reader_code)
    results = people.client.get(f"/evaluations/{assessment}/resultats", headers=HTML | reader)
    assert results.status_code == 200
    links = soup(results).select(f"ul.practice-links a[href='{card_path}']")
    assert len(links) == 1
