"""Assessments through the API, from the outside: create, save, reload, submit, score,
history (no revision ever lost), reopen and resubmit, campaigns, validation."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from maturity.model import Model
from tests.integration.service.conftest import Client, People, start

API = "/api/v1/assessments"


def full_answers(model: Model, value: int = 3) -> dict[str, Any]:
    return {qid: value for qid in model.questions}


def test_create_save_reload_submit_score(api: Client, people: People, model: Model) -> None:
    code = people.territory()
    member = people.member(code)
    created = start(api, member)
    assert (created["territory"]["code"], created["campaign"]) == (code, 2026)
    assert (created["status"], created["revision"], created["answers"]) == ("draft", 0, {})
    assert created["model_version"] == model.version
    first, second = list(model.questions)[:2]
    payload = {
        "answers": {first: 3, second: "unknown"},
        "comments": {first: "Délibération du conseil de mars 2024"},
        "evidence": {first: "https://www.mulhouse.fr/deliberations"},
        "targets": {"strategy": 4},
    }
    saved = api.put(f"{API}/{created['id']}/answers", json=payload, headers=member)
    assert saved.status_code == 200, saved.text
    assert saved.json()["revision"] == 1
    reloaded = api.get(f"{API}/{created['id']}", headers=member).json()
    for key in ("answers", "comments", "evidence", "targets"):
        assert reloaded[key] == payload[key]
    assert reloaded["progress"]["answered"] == 1
    assert reloaded["progress"]["total"] == len(model.questions)

    complete = api.put(
        f"{API}/{created['id']}/answers", json={"answers": full_answers(model)}, headers=member
    )
    assert complete.json()["progress"]["answered"] == len(model.questions)
    submitted = api.post(f"{API}/{created['id']}/submit", headers=member)
    assert submitted.status_code == 200, submitted.text
    assert (submitted.json()["status"], submitted.json()["revision"]) == ("submitted", 3)

    scored = api.get(f"{API}/{created['id']}/score", headers=member).json()
    direct = api.post("/api/v1/score", json={"answers": full_answers(model)}).json()
    assert scored["result"] == direct  # the same engine, on the stored answers
    assert (scored["status"], scored["synthetic"], scored["notice"]) == ("submitted", False, None)

    again = api.put(f"{API}/{created['id']}/answers", json={"answers": {}}, headers=member)
    assert again.status_code == 409
    results = api.get(f"/api/v1/territories/{code}/results", headers=member).json()
    assert results["visibility"] == "own"
    assert [c["campaign"] for c in results["campaigns"]] == [2026]
    assert results["campaigns"][0]["result"]["index"] == direct["index"]


def test_one_assessment_per_territory_and_campaign(api: Client, people: People) -> None:
    code = people.territory()
    member = people.member(code)
    start(api, member)
    again = api.post(API, json={}, headers=member)
    assert again.status_code == 409
    assert "déjà une évaluation pour 2026" in again.json()["detail"]


def test_no_revision_is_ever_lost(api: Client, people: People, model: Model) -> None:
    code = people.territory()
    member = people.member(code)
    assessment = start(api, member)
    rng = random.Random(2026)
    questions = list(model.questions)
    sent: list[dict[str, Any]] = []
    for _ in range(25):
        chosen = rng.sample(questions, rng.randrange(1, len(questions)))
        answers = {q: rng.choice([0, 1, 2, 3, 4, "unknown"]) for q in chosen}
        comments = {chosen[0]: f"note {len(sent)}"}
        body = {"answers": answers, "comments": comments}
        response = api.put(f"{API}/{assessment['id']}/answers", json=body, headers=member)
        assert response.status_code == 200, response.text
        sent.append(body)
    history = api.get(
        f"{API}/{assessment['id']}/revisions", params={"per_page": 100}, headers=member
    ).json()
    assert history["total"] == 25
    assert [r["number"] for r in history["items"]] == list(range(25, 0, -1))
    assert all(r["author"].startswith("member.") for r in history["items"])
    for number, body in enumerate(sent, start=1):
        revision = api.get(f"{API}/{assessment['id']}/revisions/{number}", headers=member).json()
        assert revision["answers"] == body["answers"]
        assert revision["comments"] == body["comments"]
        assert revision["kind"] == "draft"
    page = api.get(
        f"{API}/{assessment['id']}/revisions", params={"per_page": 10, "page": 3}, headers=member
    ).json()
    assert [r["number"] for r in page["items"]] == [5, 4, 3, 2, 1]
    assert page["pages"] == 3


def test_saves_that_change_nothing_add_no_revision(api: Client, people: People) -> None:
    code = people.territory()
    member = people.member(code)
    assessment = start(api, member)
    body = {"answers": {"strategy.policy_defined": 2}}
    for _ in range(3):
        api.put(f"{API}/{assessment['id']}/answers", json=body, headers=member)
    assert api.get(f"{API}/{assessment['id']}", headers=member).json()["revision"] == 1


def test_stale_save_is_refused(api: Client, people: People) -> None:
    code = people.territory()
    member = people.member(code)
    assessment = start(api, member)
    url = f"{API}/{assessment['id']}/answers"
    api.put(url, json={"answers": {"strategy.policy_defined": 1}}, headers=member)
    stale = {"answers": {"strategy.policy_defined": 2}, "expected_revision": 0}
    response = api.put(url, json=stale, headers=member)
    assert response.status_code == 409
    assert "rechargez" in response.json()["detail"]
    fresh = stale | {"expected_revision": 1}
    assert api.put(url, json=fresh, headers=member).json()["revision"] == 2


def test_patch_merges_and_put_replaces(api: Client, people: People, model: Model) -> None:
    code = people.territory()
    member = people.member(code)
    assessment = start(api, member)
    url = f"{API}/{assessment['id']}/answers"
    first, second, third = list(model.questions)[:3]
    api.put(url, json={"answers": {first: 1}, "comments": {first: "a"}}, headers=member)
    merged = api.patch(url, json={"answers": {second: 2}}, headers=member).json()
    assert merged["answers"] == {first: 1, second: 2} and merged["comments"] == {first: "a"}
    replaced = api.put(url, json={"answers": {third: 4}}, headers=member).json()
    assert replaced["answers"] == {third: 4} and replaced["comments"] == {}
    assert replaced["revision"] == 3


def test_score_reports_target_gaps(api: Client, people: People, model: Model) -> None:
    code = people.territory()
    member = people.member(code)
    assessment = start(api, member)
    body = {"answers": full_answers(model, 2), "targets": {"strategy": 5, "evaluation": 3}}
    api.put(f"{API}/{assessment['id']}/answers", json=body, headers=member)
    score = api.get(f"{API}/{assessment['id']}/score", headers=member).json()
    gaps = {t["dimension"]: t for t in score["targets"]}
    assert gaps["strategy"] == {
        "dimension": "strategy",
        "target_level": 5,
        "current_level": 3,
        "gap": 2,
    }
    assert gaps["evaluation"]["gap"] == 0


def test_reopen_and_resubmit_make_new_revisions(api: Client, people: People, model: Model) -> None:
    code = people.territory()
    member = people.member(code)
    assessment = start(api, member)
    url = f"{API}/{assessment['id']}"
    api.put(f"{url}/answers", json={"answers": full_answers(model, 1)}, headers=member)
    api.post(f"{url}/submit", headers=member)
    assert api.post(f"{url}/submit", headers=member).status_code == 409
    assert api.post(f"{url}/reopen", headers=member).status_code == 403
    reopened = api.post(
        f"{url}/reopen", json={"reason": "erreur de saisie"}, headers=people.admin
    ).json()
    assert (reopened["status"], reopened["revision"]) == ("draft", 3)
    api.put(f"{url}/answers", json={"answers": full_answers(model, 4)}, headers=member)
    final = api.post(f"{url}/submit", headers=member).json()
    assert (final["status"], final["revision"], final["submitted_revision"]) == (
        "submitted",
        5,
        5,
    )
    kinds = [
        (r["number"], r["kind"], r["note"])
        for r in api.get(f"{url}/revisions", headers=member).json()["items"]
    ]
    assert kinds == [
        (5, "submission", None),
        (4, "draft", None),
        (3, "reopening", "erreur de saisie"),
        (2, "submission", None),
        (1, "draft", None),
    ]
    first_submission = api.get(f"{url}/revisions/2", headers=member).json()
    assert set(first_submission["answers"].values()) == {1}
    assert api.get(f"{url}/score", headers=member).json()["result"]["index"] == 100.0


def test_closed_campaigns_accept_no_changes(api: Client, people: People) -> None:
    code = people.territory()
    admin, member = people.admin, people.member(code)
    closed = api.post(API, json={"campaign": 2025}, headers=member)
    assert closed.status_code == 409 and "close" in closed.json()["detail"]
    assert api.post(API, json={"campaign": 2099}, headers=member).status_code == 404
    assessment = start(api, member)
    try:
        assert (
            api.patch("/api/v1/campaigns/2026", json={"status": "closed"}, headers=admin).json()[
                "status"
            ]
            == "closed"
        )
        saved = api.put(f"{API}/{assessment['id']}/answers", json={"answers": {}}, headers=member)
        assert saved.status_code == 409 and "close" in saved.json()["detail"]
        assert api.post(API, json={}, headers=people.member(code)).status_code == 409
    finally:
        api.patch("/api/v1/campaigns/2026", json={"status": "open"}, headers=admin)
    two_open = api.patch("/api/v1/campaigns/2025", json={"status": "open"}, headers=admin)
    assert two_open.status_code == 409 and "2026 est encore ouverte" in two_open.json()["detail"]
    listed = api.get("/api/v1/campaigns").json()
    assert [(c["year"], c["status"]) for c in listed["items"]][:2] == [
        (2026, "open"),
        (2025, "closed"),
    ]


def test_every_invalid_item_is_named_in_one_422(api: Client, people: People, model: Model) -> None:
    code = people.territory()
    member = people.member(code)
    assessment = start(api, member)
    first, *others = model.questions
    no_na = next(q for q in others if not model.questions[q][1].allows_na)
    body = {
        "answers": {first: 7, no_na: "na", "inconnue": 1},
        "comments": {"autre.inconnue": "x"},
        "evidence": {first: "ftp://exemple.fr/preuve"},
        "targets": {"strategy": 9, "nulle_part": 2},
    }
    response = api.put(f"{API}/{assessment['id']}/answers", json=body, headers=member)
    assert response.status_code == 422
    named = sorted(e["question"] for e in response.json()["errors"])
    assert named == sorted(
        [
            first,
            no_na,
            "inconnue",
            "autre.inconnue",
            first,
            "targets.strategy",
            "targets.nulle_part",
        ]
    )
    assert api.get(f"{API}/{assessment['id']}", headers=member).json()["revision"] == 0
    empty = api.post(f"{API}/{assessment['id']}/submit", headers=member)
    assert empty.status_code == 422 and "rien à soumettre" in empty.json()["detail"]


def test_admin_lists_and_filters_assessments(api: Client, people: People) -> None:
    code = people.territory()
    member = people.member(code)
    mine = start(api, member)
    listed = api.get(API, params={"territory": code}, headers=people.admin).json()
    assert [a["id"] for a in listed["items"]] == [mine["id"]]
    own = api.get(API, headers=member).json()
    assert {a["territory"]["code"] for a in own["items"]} == {code}
    drafts = api.get(API, params={"status": "draft", "per_page": 100}, headers=people.admin)
    assert all(a["status"] == "draft" for a in drafts.json()["items"])


def test_concurrent_saves_never_lose_a_revision(api: Client, people: People, model: Model) -> None:
    """Eight clients saving at once: each save either wins a new revision or gets a 409."""
    code = people.territory()
    member = people.member(code)
    assessment = start(api, member)
    url = f"{API}/{assessment['id']}/answers"
    questions = list(model.questions)

    def save(i: int) -> tuple[int, int | None]:
        body = {"answers": {questions[i % len(questions)]: i % 5}, "comments": {}}
        response = api.put(url, json=body, headers=member)
        return response.status_code, response.json().get("revision")

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(save, range(40)))
    assert {status for status, _ in outcomes} <= {200, 409}
    won = sorted(revision for status, revision in outcomes if status == 200)
    stored = api.get(
        f"{API}/{assessment['id']}/revisions", params={"per_page": 100}, headers=member
    )
    numbers = sorted(r["number"] for r in stored.json()["items"])
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(won) == len(numbers) and won == numbers  # every success is a kept revision
