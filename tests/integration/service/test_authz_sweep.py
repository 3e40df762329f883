"""Authorization sweep: every operation of the OpenAPI schema, called by an anonymous caller,
a member of another territory and an analyst, against the data of one territory. Only the
operations the README's rights table opens to them may answer 2xx, and nothing they get back
carries that territory's answers or comments."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.integration.service.conftest import People

Client = TestClient[Litestar]

PUBLIC = {
    ("GET", "/api/v1/model"),
    ("POST", "/api/v1/score"),
    ("GET", "/api/v1/territories"),
    ("GET", "/api/v1/territories/{code}"),
    ("GET", "/api/v1/profiles"),
    ("GET", "/api/v1/campaigns"),
    ("GET", "/api/v1/benchmarks/aggregates"),
    ("GET", "/api/v1/barometer"),  # the published editions (none until one is published)
    ("GET", "/api/v1/practices"),  # published cards only, without the moderation comment
    ("GET", "/api/v1/knowledge/search"),
    ("GET", "/api/v1/knowledge/documents"),
    ("GET", "/api/v1/knowledge/passages/{passage_id}"),
    ("POST", "/api/v1/assistant/ask"),
    ("POST", "/api/v1/assistant/stream"),
    ("POST", "/api/v1/assistant/feedback"),
    ("POST", "/api/v1/invitations/accept"),
    ("POST", "/api/v1/password-reset"),  # same answer for every address, throttled
    ("POST", "/api/v1/password-reset/confirm"),  # needs the e-mailed token
    ("GET", "/health"),
    ("GET", "/ready"),
}
"""Open to anyone (README, « Rôles et droits »)."""

SIGNED_IN = {
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/api-keys"),
    ("POST", "/api/v1/api-keys"),
    ("GET", "/api/v1/assessments"),  # lists only what the caller may see: checked below
    ("GET", "/api/v1/me/voices"),  # the invitations claimed by or sent to the caller only
}
"""Open to any signed-in caller, about the caller itself."""

MEMBER = {
    ("POST", "/api/v1/assessments"),
    ("GET", "/api/v1/practices/mine"),  # its own territory's cards: checked below
}
"""A member starts the assessment of its own territory (never another's: body is empty) and
lists its own territory's good-practice cards (an analyst has none: 403)."""

ANALYST = {("GET", "/api/v1/assistant/feedback")}
"""Aggregated, non-individual reading reserved to analysts (and admins)."""

SECRET = "Délibération confidentielle 4521"


@pytest.fixture(scope="module")
def target(api: Client, people: People) -> dict[str, Any]:
    """A territory with a saved assessment carrying a comment, a draft good-practice card and
    a published one whose moderation comment is for its author, and the ids of its things."""
    code = people.territory()
    owner = people.member(code)
    created = api.post("/api/v1/assessments", json={}, headers=owner)
    assert created.status_code == 201, created.text
    assessment = created.json()["id"]
    model = api.get("/api/v1/model").json()
    first = model["dimensions"][0]["questions"][0]["id"]
    saved = api.put(
        f"/api/v1/assessments/{assessment}/answers",
        json={"answers": {first: 3}, "comments": {first: SECRET}},
        headers=owner,
    )
    assert saved.status_code == 200, saved.text
    card = {
        "title": "Un comité citoyen",
        "context": SECRET,
        "action": "Un comité d'habitants tirés au sort.",
        "partners": "Le centre social.",
        "results": "Trois services revus.",
        "contact": "numerique@mairie.example",
        "dimensions": [model["dimensions"][0]["id"]],
    }
    draft = api.post("/api/v1/practices", json=card, headers=owner)
    assert draft.status_code == 201, draft.text
    public = api.post("/api/v1/practices", json=card | {"context": "Public."}, headers=owner)
    assert public.status_code == 201, public.text
    public_url = f"/api/v1/practices/{public.json()['id']}"
    assert api.post(f"{public_url}/submit", headers=owner).status_code == 200
    published = api.post(
        f"{public_url}/moderation",
        json={"action": "publish", "comment": SECRET},
        headers=people.admin,
    )
    assert published.status_code == 200, published.text
    keys = api.get("/api/v1/api-keys", headers=owner).json()["items"]
    me = api.get("/api/v1/me", headers=owner).json()
    return {
        "code": code,
        "assessment_id": assessment,
        "key_id": keys[0]["id"],
        "user_id": me["id"],
        "number": 1,
        "year": 2026,
        "passage_id": "inexistant",
        "invitation_id": "00000000-0000-0000-0000-000000000000",
        "card_id": draft.json()["id"],
    }


def operations(api: Client) -> list[tuple[str, str]]:
    schema = api.get("/schema/openapi.json").json()
    return sorted(
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    )


def fill(path: str, values: dict[str, Any]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        return str(values.get(name, values.get("assessment_id")))

    return re.sub(r"\{([^}]+)\}", one, path)


@pytest.mark.parametrize("caller", ["anonymous", "other_member", "analyst"])
def test_only_documented_operations_open_up(
    api: Client, people: People, target: dict[str, Any], caller: str
) -> None:
    headers = {
        "anonymous": {},
        "other_member": people.member(people.territory()),
        "analyst": people.user("analyst"),
    }[caller]
    allowed = PUBLIC | (SIGNED_IN if caller != "anonymous" else set())
    allowed |= ANALYST if caller == "analyst" else set()
    allowed |= MEMBER if caller == "other_member" else set()
    leaks = []
    for method, path in operations(api):
        url = fill(path, target)
        body = {} if method in {"POST", "PUT", "PATCH"} else None
        response = api.request(method, url, json=body, headers=headers)
        assert response.status_code < 500, (method, url, response.text)
        if 200 <= response.status_code < 300:
            template = re.sub(r"\{([^}:]+)(:[^}]*)?\}", r"{\1}", path)
            if (method, template) not in allowed:
                leaks.append((method, url, response.status_code))
            assert SECRET not in response.text, (method, url)
            if template == "/api/v1/assessments":
                assert target["assessment_id"] not in response.text
    assert leaks == []
