"""The citizens' panel through the API: one response per form token, only the panel's
questions, an optional postcode and nothing else, the per-address rate limit, and the lead
seeing the distribution only from five responses."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from service.api.voices_panel import PANEL_STORE
from service.platform.db import run_blocking
from tests.integration.service.conftest import People, start

Client = TestClient[Litestar]
Q1 = "open_governance.resident_co_creation"


def _respond(api: Client, path: str, answers: dict[str, Any], **extra: Any) -> Any:
    form = api.get(f"/api/v1{path}").json()
    body = {"response_token": form["response_token"], "answers": answers, **extra}
    return api.post(f"/api/v1{path}/responses", json=body), form


def test_panel_one_response_per_token_and_threshold(api: Client, people: People) -> None:
    lead = people.member(people.territory())
    assessment = start(api, lead)["id"]
    base = f"/api/v1/assessments/{assessment}/voices/panel"
    link = api.post(base, headers=lead)
    assert link.status_code == 201, link.text
    path = link.json()["path"]
    sent, form = _respond(api, path, {Q1: 1}, postcode="64200")
    assert sent.status_code == 201, sent.text
    assert {q["question"] for q in form["questions"]} >= {Q1} and len(
        form["questions"][0]["levels"]
    ) == 5
    again = api.post(
        f"/api/v1{path}/responses",
        json={"response_token": form["response_token"], "answers": {Q1: 3}},
    )
    assert again.status_code == 409  # the same form token twice
    forged = api.post(
        f"/api/v1{path}/responses", json={"response_token": "abc.def", "answers": {Q1: 3}}
    )
    assert forged.status_code == 422
    outside, _ = _respond(api, path, {"strategy.policy_defined": 3})
    assert outside.status_code == 422  # not a panel question
    named, _ = _respond(api, path, {Q1: 2}, email="x@exemple.fr")
    assert named.status_code == 400  # nothing personal beyond the postcode
    for value in (2, 2, 3):
        assert _respond(api, path, {Q1: value})[0].status_code == 201
    four = api.get(base, headers=lead).json()
    assert four["responses"] == 4 and all(q["distribution"] is None for q in four["questions"])
    assert _respond(api, path, {Q1: 4})[0].status_code == 201
    five = api.get(base, headers=lead).json()
    assert next(q for q in five["questions"] if q["question"] == Q1)["distribution"] == [
        0,
        1,
        2,
        1,
        1,
    ]
    other = people.member(people.territory())
    assert api.get(base, headers=other).status_code == 404
    closed = api.delete(base, headers=lead)
    assert closed.status_code == 200 and closed.json()["open"] is False
    assert api.get(f"/api/v1{path}").status_code == 404
    # panel responses are not invited voices: the main report does not count them
    assert (
        api.get(f"/api/v1/assessments/{assessment}/voices", headers=lead).json()["respondents"] == 0
    )


def test_panel_responses_are_rate_limited(api: Client, people: People) -> None:
    lead = people.member(people.territory())
    assessment = start(api, lead)["id"]
    path = api.post(f"/api/v1/assessments/{assessment}/voices/panel", headers=lead).json()["path"]
    codes = [_respond(api, path, {Q1: 1})[0].status_code for _ in range(25)]
    assert 201 in codes and codes[-1] == 429
    run_blocking(api.app.stores.get(PANEL_STORE).delete_all)  # later tests start afresh
