"""Bad input never gets a 500: malformed JSON, wrong types, unknown fields, oversized bodies,
out-of-range values and odd characters all get a French problem body with a 4xx status."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.service.conftest import Client, People, start

API = "/api/v1/assessments"


@pytest.fixture(scope="module")
def draft(api: Client, people: People) -> tuple[str, dict[str, str]]:
    member = people.member(people.territory())
    return start(api, member)["id"], member


@pytest.mark.parametrize(
    ("content", "status", "expected"),
    [
        (b"{pas du json", 400, "JSON mal formé"),
        (b'{"answers": []}', 400, "type attendu"),
        (b'{"answers": {"strategy.policy_defined": true}}', 400, "type attendu"),
        (b'{"answers": {"strategy.policy_defined": 1.5}}', 400, "type attendu"),
        (b'{"answers": {}, "commentaires": {}}', 400, "champ inconnu « commentaires »"),
        (b'{"comments": {}}', 400, "champ obligatoire « answers » manquant"),
        (b"null", 400, "type attendu"),
        (b'{"answers": {}, "comments": {"a": "' + b"x" * 5000 + b'"}}', 400, ""),
        (b'{"answers": {"strategy.policy_defined": 100000000000000000000000}}', 422, "hors"),
        (b'{"answers": {}, "expected_revision": "deux"}', 400, "type attendu"),
        (b'{"answers": {}, "targets": {"strategy": 1e400}}', 400, ""),
    ],
)
def test_malformed_saves_get_a_4xx(
    api: Client, draft: tuple[str, dict[str, str]], content: bytes, status: int, expected: str
) -> None:
    assessment, member = draft
    response = api.put(
        f"{API}/{assessment}/answers",
        content=content,
        headers=member | {"content-type": "application/json"},
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert expected in response.json()["detail"]


def test_oversized_body_is_a_413(api: Client, draft: tuple[str, dict[str, str]]) -> None:
    assessment, member = draft
    body = b'{"answers": {}, "comments": {"x": "' + b"a" * 2_000_000 + b'"}}'
    response = api.put(
        f"{API}/{assessment}/answers",
        content=body,
        headers=member | {"content-type": "application/json"},
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", f"{API}/pas-un-uuid", None),
        ("GET", f"{API}/00000000-0000-0000-0000-000000000000/revisions/abc", None),
        ("GET", f"{API}/00000000-0000-0000-0000-000000000000/revisions/0", None),
        ("POST", API, {"campaign": 10**20}),
        ("POST", API, {"territory_code": "x" * 50}),
        ("POST", API, {"territory_code": "\x00"}),
        ("GET", "/api/v1/territories/%00", None),
        ("GET", "/api/v1/territories?region=%00", None),
        ("GET", "/api/v1/territories/64122/results?campaign=abc", None),
        ("POST", "/api/v1/api-keys", {"name": "x", "expires_at": "2030-01-01T00:00:00"}),
        ("POST", "/api/v1/api-keys", {"name": "\x00"}),
        ("POST", "/api/v1/api-keys", {"name": ""}),
        ("GET", "/api/v1/api-keys?user_id=abc", None),
        ("DELETE", "/api/v1/api-keys/abc", None),
        ("PATCH", "/api/v1/campaigns/abc", {"status": "closed"}),
        ("POST", "/api/v1/invitations/accept", {"token": "\x00", "password": "a" * 12}),
        ("POST", "/api/v1/invitations/accept", {"token": "x", "password": "a" * 1000}),
        ("POST", "/api/v1/invitations/accept", {"jeton": "x"}),
        ("GET", "/api/v1/inexistant", None),
        ("DELETE", "/api/v1/territories/64122", None),
    ],
)
def test_odd_requests_get_a_french_4xx(
    api: Client, draft: tuple[str, dict[str, str]], method: str, url: str, body: Any
) -> None:
    headers = draft[1]
    response = api.request(method, url, json=body, headers=headers)
    assert 400 <= response.status_code < 500, response.text
    problem = response.json()
    assert problem["status"] == response.status_code
    assert problem["title"] and problem["detail"]


def test_control_characters_in_a_search_are_ignored(api: Client) -> None:
    response = api.get("/api/v1/territories", params={"q": "biar\x00ritz"})
    assert response.status_code == 200


def test_odd_characters_in_saved_text(api: Client, draft: tuple[str, dict[str, str]]) -> None:
    assessment, member = draft
    body = {
        "answers": {"strategy.policy_defined": 1},
        "comments": {"strategy.policy_defined": "a\x00b"},
    }
    response = api.put(f"{API}/{assessment}/answers", json=body, headers=member)
    assert response.status_code == 400  # refused before any handler reads it
    assert "NUL" in response.json()["detail"]
    emoji = {"answers": {}, "comments": {"strategy.policy_defined": "Très bien 👍 « ok »"}}
    saved = api.put(f"{API}/{assessment}/answers", json=emoji, headers=member)
    assert saved.status_code == 200
    assert saved.json()["comments"]["strategy.policy_defined"] == "Très bien 👍 « ok »"
