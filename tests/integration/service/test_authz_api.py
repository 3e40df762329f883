"""Authorization sweep, from the outside: who may read or write what.

- a member of another territory gets a 404 on every assessment endpoint (the same answer as
  for an assessment that does not exist: existence is never confirmed);
- an analyst sees no individual assessment (404) and cannot create one (403);
- anonymous callers get a 401 everywhere but the model, territories, campaigns, public
  profiles and the invitation acceptance;
- admin endpoints answer 403 to members and analysts."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from maturity.model import Model
from tests.integration.service.conftest import Client, People, start

API = "/api/v1/assessments"
ASSESSMENT_CALLS = [
    ("GET", ""),
    ("PUT", "/answers"),
    ("PATCH", "/answers"),
    ("POST", "/submit"),
    ("POST", "/reopen"),
    ("GET", "/score"),
    ("GET", "/revisions"),
    ("GET", "/revisions/1"),
]


@pytest.fixture(scope="module")
def owner(people: People) -> str:
    """The territory whose assessment the other callers try to reach."""
    return people.territory()


@pytest.fixture(scope="module")
def outsider(people: People) -> dict[str, str]:
    """Headers of a member of another territory."""
    return people.member(people.territory())


@pytest.fixture(scope="module")
def submitted(api: Client, people: People, model: Model, owner: str) -> dict[str, Any]:
    """The owner territory's submitted assessment, with a comment."""
    member = people.member(owner)
    assessment = start(api, member)
    answers = {qid: 2 for qid in model.questions}
    first = next(iter(answers))
    body = {"answers": answers, "comments": {first: "commentaire confidentiel"}}
    api.put(f"{API}/{assessment['id']}/answers", json=body, headers=member)
    assert api.post(f"{API}/{assessment['id']}/submit", headers=member).status_code == 200
    return assessment


def call(client: Client, method: str, url: str, headers: dict[str, str]) -> Any:
    body = {"answers": {}} if method in ("PUT", "PATCH") else None
    return client.request(method, url, json=body, headers=headers)


@pytest.mark.parametrize(("method", "suffix"), ASSESSMENT_CALLS)
def test_member_of_another_territory_gets_404(
    api: Client,
    people: People,
    submitted: dict[str, Any],
    method: str,
    suffix: str,
    outsider: dict[str, str],
) -> None:
    response = call(api, method, f"{API}/{submitted['id']}{suffix}", outsider)
    expected = 403 if suffix == "/reopen" else 404  # reopening is an admin action anyway
    assert response.status_code == expected, response.text
    unknown = call(api, method, f"{API}/{uuid.uuid4()}{suffix}", outsider)
    assert unknown.status_code == expected
    if expected == 404:
        assert response.json()["detail"] == unknown.json()["detail"]  # nothing tells them apart


@pytest.mark.parametrize(("method", "suffix"), ASSESSMENT_CALLS)
def test_analyst_sees_no_individual_assessment(
    api: Client, people: People, submitted: dict[str, Any], method: str, suffix: str
) -> None:
    response = call(api, method, f"{API}/{submitted['id']}{suffix}", people.user("analyst"))
    assert response.status_code == (403 if suffix == "/reopen" else 404)


@pytest.mark.parametrize(("method", "suffix"), ASSESSMENT_CALLS)
def test_anonymous_gets_401(
    api: Client, submitted: dict[str, Any], method: str, suffix: str
) -> None:
    response = call(api, method, f"{API}/{submitted['id']}{suffix}", {})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"].startswith("application/problem+json")


def test_owner_and_admin_see_the_assessment(
    api: Client, people: People, submitted: dict[str, Any], owner: str
) -> None:
    for headers in (people.member(owner), people.admin):
        body = api.get(f"{API}/{submitted['id']}", headers=headers).json()
        assert body["status"] == "submitted"
        assert "commentaire confidentiel" in body["comments"].values()


def test_creating_for_another_territory_is_forbidden(
    api: Client, people: People, owner: str, outsider: dict[str, str]
) -> None:
    response = api.post(API, json={"territory_code": owner}, headers=outsider)
    assert response.status_code == 403
    assert api.post(API, json={}, headers=people.user("analyst")).status_code == 403
    assert api.post(API, json={}).status_code == 401
    assert api.get(API, headers=people.user("analyst")).status_code == 403


def test_results_follow_the_public_profile(
    api: Client, people: People, submitted: dict[str, Any], owner: str, outsider: dict[str, str]
) -> None:
    url = f"/api/v1/territories/{owner}/results"
    analyst, other = people.user("analyst"), outsider
    for headers in ({}, analyst, other):
        assert api.get(url, headers=headers).status_code == 404
    own = api.get(url, headers=people.member(owner)).json()
    assert own["visibility"] == "own" and own["campaigns"][0]["result"]["next_steps"]
    assert api.put(f"/api/v1/territories/{owner}/profile", json={"public": True}).status_code == 401
    forbidden = api.put(
        f"/api/v1/territories/{owner}/profile", json={"public": True}, headers=other
    )
    assert forbidden.status_code == 403
    published = api.put(
        f"/api/v1/territories/{owner}/profile",
        json={"public": True},
        headers=people.member(owner),
    )
    assert published.json()["public_profile"] is True
    try:
        public = api.get(url).json()
        assert public["visibility"] == "public"
        result = public["campaigns"][0]["result"]
        assert result["index"] == own["campaigns"][0]["result"]["index"]
        assert result["next_steps"] == []  # they would reveal individual answers
        assert "commentaire confidentiel" not in str(public)
        listed: dict[str, Any] = {}
        page, pages = 1, 1
        while page <= pages and owner not in listed:
            found = api.get("/api/v1/profiles", params={"per_page": 100, "page": page}).json()
            listed |= {p["territory"]["code"]: p for p in found["items"]}
            page, pages = page + 1, found["pages"]
        assert listed[owner]["index"] == result["index"]
        assert api.get(url, headers=analyst).json()["visibility"] == "public"
    finally:
        api.put(
            f"/api/v1/territories/{owner}/profile", json={"public": False}, headers=people.admin
        )
    assert api.get(url).status_code == 404


# A fixed identifier: the parameters name the tests, and every worker must collect the same.
NOBODY = uuid.UUID("00000000-0000-4000-8000-000000000000")


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/api/v1/users"),
        ("PATCH", f"/api/v1/users/{NOBODY}"),
        ("GET", "/api/v1/invitations"),
        ("POST", "/api/v1/invitations"),
        ("DELETE", f"/api/v1/invitations/{NOBODY}"),
        ("POST", "/api/v1/campaigns"),
        ("PATCH", "/api/v1/campaigns/2026"),
    ],
)
def test_admin_endpoints_are_forbidden_to_others(
    api: Client, people: People, method: str, url: str, owner: str
) -> None:
    bodies = {
        "/api/v1/invitations": {"email": "x@exemple.fr"},
        "/api/v1/campaigns": {"year": 2030},
        "/api/v1/campaigns/2026": {"status": "closed"},
    }
    body = bodies.get(url, {} if method in ("POST", "PATCH") else None)
    for headers, status in (
        (people.member(owner), 403),
        (people.user("analyst"), 403),
        ({}, 401),
    ):
        response = api.request(method, url, json=body, headers=headers)
        assert response.status_code == status, (headers, response.text)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/model",
        "/api/v1/territories?q=submitted",
        "/api/v1/territories/64122",
        "/api/v1/campaigns",
        "/api/v1/profiles",
        "/health",
    ],
)
def test_public_endpoints_need_no_credentials(api: Client, url: str) -> None:
    assert api.get(url).status_code == 200
