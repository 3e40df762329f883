"""Good-practice cards through the API, on SQLite and PostgreSQL: the workflow (draft →
submitted → returned → resubmitted → published → unpublished) and who may do what."""

from __future__ import annotations

from typing import Any

import pytest

from maturity.model import Model
from tests.integration.service.conftest import People

URL = "/api/v1/practices"


def card_input(model: Model, **changes: Any) -> dict[str, Any]:
    """A valid card tied to the model's first dimension."""
    values: dict[str, Any] = {
        "title": "Un comité citoyen du numérique",
        "context": "Peu d'habitants connaissaient les services en ligne.",
        "action": "Un comité d'habitants tirés au sort revoit un service par trimestre.",
        "partners": "Le centre social et la médiathèque.",
        "results": "Trois services revus, la fréquentation du guichet en ligne doublée.",
        "contact": "numerique@mairie.example",
        "links": ["https://www.example.org/comite"],
        "dimensions": [model.dimensions[0].id],
    }
    return values | changes


@pytest.fixture(scope="module")
def author(people: People) -> dict[str, Any]:
    """A member of a territory of their own, and its code."""
    code = people.territory()
    return {"code": code, "headers": people.member(code)}


def test_the_whole_workflow_with_the_moderators_comment(
    people: People, author: dict[str, Any], model: Model
) -> None:
    client, member = people.client, author["headers"]
    made = client.post(URL, json=card_input(model), headers=member)
    assert made.status_code == 201, made.text
    card = made.json()
    assert (card["status"], card["territory_code"]) == ("draft", author["code"])
    card_url = f"{URL}/{card['id']}"
    # a draft is nobody else's business, and not in the queue
    assert client.get(card_url).status_code == 404
    queue = client.get(f"{URL}/moderation", headers=people.admin).json()
    assert card["id"] not in [c["id"] for c in queue]
    assert client.post(f"{card_url}/submit", headers=member).json()["status"] == "submitted"
    # submitted: no more edits, in the queue
    again = client.put(card_url, json=card_input(model, title="Autre"), headers=member)
    assert again.status_code == 409
    queue = client.get(f"{URL}/moderation", headers=people.admin).json()
    assert card["id"] in [c["id"] for c in queue]
    # returning needs a comment; the author reads it
    bare = client.post(f"{card_url}/moderation", json={"action": "return"}, headers=people.admin)
    assert bare.status_code in (400, 422)
    returned = client.post(
        f"{card_url}/moderation",
        json={"action": "return", "comment": "Chiffrez les résultats."},
        headers=people.admin,
    )
    assert returned.json()["status"] == "returned"
    seen = client.get(card_url, headers=member).json()
    assert (seen["status"], seen["moderation_comment"]) == ("returned", "Chiffrez les résultats.")
    fixed = client.put(
        card_url, json=card_input(model, results="42 % d'usagers en plus en un an."), headers=member
    )
    assert fixed.status_code == 200, fixed.text
    assert client.post(f"{card_url}/submit", headers=member).json()["status"] == "submitted"
    published = client.post(
        f"{card_url}/moderation", json={"action": "publish"}, headers=people.admin
    )
    assert published.json()["status"] == "published"
    # now public, without the moderator's comment
    public = client.get(card_url)
    assert public.status_code == 200
    assert public.json()["results"] == "42 % d'usagers en plus en un an."
    assert public.json()["moderation_comment"] is None
    listed = client.get(URL, params={"territory": author["code"]}).json()
    assert [c["id"] for c in listed] == [card["id"]]
    by_dimension = client.get(URL, params={"dimension": model.dimensions[0].id}).json()
    assert card["id"] in [c["id"] for c in by_dimension]
    unpublished = client.post(
        f"{card_url}/moderation",
        json={"action": "unpublish", "comment": "Contact à mettre à jour."},
        headers=people.admin,
    )
    assert unpublished.json()["status"] == "returned"
    assert client.get(card_url).status_code == 404
    assert client.get(URL, params={"territory": author["code"]}).json() == []


def test_rights_another_member_anonymous_and_admin(
    people: People, author: dict[str, Any], model: Model
) -> None:
    client, member = people.client, author["headers"]
    card = client.post(URL, json=card_input(model), headers=member).json()
    card_url = f"{URL}/{card['id']}"
    other = people.member(people.territory())
    assert client.get(card_url, headers=other).status_code == 404
    changed = client.put(card_url, json=card_input(model, title="Pris"), headers=other)
    assert changed.status_code == 404
    assert client.post(f"{card_url}/submit", headers=other).status_code == 404
    assert card["id"] not in [c["id"] for c in client.get(f"{URL}/mine", headers=other).json()]
    assert client.post(URL, json=card_input(model)).status_code == 401
    assert client.get(f"{URL}/moderation", headers=member).status_code == 403
    self_publish = client.post(f"{card_url}/moderation", json={"action": "publish"}, headers=member)
    assert self_publish.status_code == 403
    # publishing a draft that was never submitted is refused
    early = client.post(f"{card_url}/moderation", json={"action": "publish"}, headers=people.admin)
    assert early.status_code == 409


def test_a_card_is_checked_field_by_field(
    people: People, author: dict[str, Any], model: Model
) -> None:
    bad = card_input(model, links=["javascript:alert(1)"], dimensions=["nulle_part"], contact="   ")
    got = people.client.post(URL, json=bad, headers=author["headers"])
    assert got.status_code in (400, 422), got.text
    fields = {e["champ"] for e in got.json()["errors"]}
    assert {"links", "dimensions", "contact"} <= fields
    question = next(iter(model.questions))
    by_question = card_input(model, dimensions=[], questions=[question])
    made = people.client.post(URL, json=by_question, headers=author["headers"])
    assert made.status_code == 201, made.text
    assert made.json()["dimensions"] == [model.questions[question][0].id]
