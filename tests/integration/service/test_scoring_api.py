"""``GET /api/v1/model`` and ``POST /api/v1/score`` through Litestar's test client."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from maturity.model import Model

Client = TestClient[Litestar]


def test_model_endpoint_serves_the_whole_model(client: Client, model: Model) -> None:
    body = client.get("/api/v1/model").json()
    assert body["version"] == model.version
    assert [lv["label"] for lv in body["levels"]][:2] == ["Initial", "Émergent"]
    assert len(body["dimensions"]) == 8
    question = body["dimensions"][0]["questions"][0]
    assert set(question) == {
        "id",
        "label",
        "help",
        "weight",
        "allows_na",
        "max",
        "levels",
        "grounding",
    }
    assert question["max"] == 4 and len(question["levels"]) == 5


def test_model_endpoint_in_english(client: Client, model: Model) -> None:
    body = client.get("/api/v1/model", params={"lang": "en"}).json()
    first = model.dimensions[0]
    assert body["dimensions"][0]["label"] == first.label.en
    assert body["levels"][1]["label"] == "Emerging"


def test_unknown_language_is_a_400(client: Client) -> None:
    response = client.get("/api/v1/model", params={"lang": "de"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


def all_answers(model: Model, value: int) -> dict[str, int]:
    return {qid: value for qid in model.questions}


def test_score_everything_at_level_two(client: Client, model: Model) -> None:
    response = client.post("/api/v1/score", json={"answers": all_answers(model, 2)})
    assert response.status_code == 200
    body = response.json()
    assert body["model_version"] == model.version
    assert (body["index"], body["level"], body["level_label"]) == (50.0, 3, "Structuré")
    assert {d["score"] for d in body["dimensions"]} == {50.0}
    assert [p["id"] for p in body["pillars"]] == ["usages", "gouvernance"]
    assert body["diagnostics"] == []
    assert len(body["next_steps"]) == len(model.questions)  # all tied at the weakest


def test_absent_questions_count_as_unknown(client: Client, model: Model) -> None:
    first = model.dimensions[0]
    answers = {q.id: 4 for q in first.questions}
    body = client.post("/api/v1/score", json={"answers": answers}).json()
    dims = {d["id"]: d for d in body["dimensions"]}
    assert dims[first.id] | {} == dims[first.id]
    assert (dims[first.id]["score"], dims[first.id]["completeness"]) == (100.0, 1.0)
    others = [d for d in body["dimensions"] if d["id"] != first.id]
    assert all(d["score"] is None and d["incomplete"] for d in others)


def test_techno_solutionism_is_diagnosed(client: Client, model: Model) -> None:
    answers: dict[str, Any] = all_answers(model, 2)
    answers |= {q.id: 4 for q in model.dimension_by_id["foundations"].questions}
    answers |= {q.id: 1 for q in model.dimension_by_id["use_cases"].questions}
    answers |= {q.id: 1 for q in model.dimension_by_id["evaluation"].questions}
    body = client.post("/api/v1/score", json={"answers": answers}).json()
    assert "techno_solutionnisme" in [d["id"] for d in body["diagnostics"]]
    message = next(d for d in body["diagnostics"] if d["id"] == "techno_solutionnisme")
    assert message["message"]


def test_invalid_answers_are_all_named_in_one_422(client: Client, model: Model) -> None:
    first, *others = model.questions
    no_na = next(qid for qid in others if not model.questions[qid][1].allows_na)
    answers = {"inconnue.question": 1, no_na: "na", first: 9}
    response = client.post("/api/v1/score", json={"answers": answers})
    assert response.status_code == 422
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] == "Données invalides"
    assert sorted(e["question"] for e in problem["errors"]) == sorted(answers)
    assert "non concerné" in problem["detail"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{pas du json", "JSON mal formé"),
        (b'{"answers": {"x": [1]}}', "type attendu"),
        (b'{"answers": {}, "extra": 1}', "champ inconnu « extra »"),
        (b"{}", "champ obligatoire « answers » manquant"),
        (b'{"reponses": {}}', "champ inconnu « reponses »"),
        (b"[]", "type attendu"),
    ],
)
def test_malformed_bodies_get_a_french_4xx(client: Client, content: bytes, expected: str) -> None:
    response = client.post(
        "/api/v1/score", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert expected in response.json()["detail"]


def test_oversized_body_is_refused(client: Client) -> None:
    response = client.post("/api/v1/score", content=b" " * 2_000_000)
    assert response.status_code == 413
    assert response.json()["detail"].startswith("Le corps de la requête dépasse")


def test_openapi_documents_the_scoring_endpoints(client: Client) -> None:
    schema = client.get("/schema/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert {"/api/v1/model", "/api/v1/score"} <= set(schema["paths"])


def test_another_edition_is_served_and_scores_with_its_own_questions(
    client: Client, model: Model, current_model: Model
) -> None:
    """The shared app runs 2026.1; ``version`` asks for another packaged edition."""
    body = client.get("/api/v1/model", params={"version": current_model.version}).json()
    assert body["version"] == "2027.1"
    assert sum(len(d["questions"]) for d in body["dimensions"]) == len(current_model.questions)
    answers = {"open_governance.internal_openness": 1, "open_governance.ecosystem_openness": 4}
    answers |= {"open_governance.resident_co_creation": 4}
    scored = client.post(
        "/api/v1/score", params={"version": "2027.1"}, json={"answers": answers}
    ).json()
    assert "ouverture_interne_avant_externe" in [d["id"] for d in scored["diagnostics"]]
    # the same answers on the edition in force here (2026.1), which has no such rule
    plain = client.post("/api/v1/score", json={"answers": answers}).json()
    assert plain["model_version"] == model.version == "2026.1"
    assert "ouverture_interne_avant_externe" not in [d["id"] for d in plain["diagnostics"]]
    unknown = client.get("/api/v1/model", params={"version": "1999.9"})
    assert unknown.status_code == 422 and "2026.1, 2027.1" in unknown.text
