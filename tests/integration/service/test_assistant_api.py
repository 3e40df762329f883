"""The assistant through the application: JSON and Server-Sent Events, conversations,
feedback stored for the network, the rate limit, the chat page, and a member's own results as
a source (never another territory's)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from maturity.model import Model
from service.app import create_app
from service.demo.synthetic import load_demo_data
from service.platform.db import run_blocking, session_scope
from tests.integration.service.conftest import basic, bearer, load_reference_territories, provision
from tests.knowledge_fixtures import corpus_kb

Client = TestClient[Litestar]
ANGERS = "Comment Angers utilise-t-elle un jumeau numérique ?"
BIARRITZ = ("biarritz.demo@territoires-connectes.example", "demo-biarritz-2026")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, model: Model) -> Iterator[Client]:
    """The app over the indexed corpus and a SQLite database holding the demo data."""
    _, config = corpus_kb(tmp_path_factory)
    settings, cleanup = provision("sqlite", config.data_dir)
    settings = msgspec.structs.replace(settings, assistant_rate_limit=1000)
    load_reference_territories(settings)

    async def load() -> None:
        async with session_scope(settings) as session:
            await load_demo_data(session, model)

    run_blocking(load)
    with TestClient(create_app(settings, model)) as c:
        yield c
    cleanup()


@pytest.fixture(scope="module")
def biarritz(client: Client) -> dict[str, str]:
    """API key headers of the demo member of Biarritz."""
    secret = client.post("/api/v1/api-keys", json={"name": "t"}, headers=basic(*BIARRITZ))
    return bearer(secret.json()["secret"])


def _events(text: str) -> list[tuple[str, Any]]:
    out = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = block.strip().splitlines()
        event = next((line[7:] for line in lines if line.startswith("event: ")), None)
        data = "\n".join(line[6:] for line in lines if line.startswith("data: "))
        if event:
            out.append((event, json.loads(data)))
    return out


def test_ask_returns_a_cited_french_answer(client: Client) -> None:
    response = client.post("/api/v1/assistant/ask", json={"question": ANGERS})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["mode"] == "extractive" and body["refused"] is False
    assert "îlots de chaleur" in body["answer"]
    for citation in body["citations"]:
        assert {"number", "text", "title", "source"} <= set(citation)
        assert f"[{citation['number']}]" in body["answer"]
    assert body["timings"]["total"] > 0 and body["conversation_id"]


def test_off_topic_question_is_refused(client: Client) -> None:
    body = client.post(
        "/api/v1/assistant/ask", json={"question": "Qui a gagné la coupe du monde de football ?"}
    ).json()
    assert body["refused"] is True and body["citations"] == []
    assert body["answer"].startswith("Je ne peux pas répondre")


@pytest.mark.parametrize("path", ["/api/v1/assistant/stream", "/api/v1/assistant/ask?stream=true"])
def test_stream_sends_sources_then_tokens_then_done(client: Client, path: str) -> None:
    response = client.post(path, json={"question": ANGERS})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _events(response.text)
    kinds = [e for e, _ in events]
    assert kinds[0] == "sources" and kinds[-1] == "done" and "token" in kinds
    assert events[0][1]["sources"] and events[0][1]["conversation_id"]
    assert events[-1][1]["answer"] == "".join(d["text"] for e, d in events if e == "token")


def test_invalid_questions_get_french_problems(client: Client) -> None:
    assert client.post("/api/v1/assistant/ask", json={"question": "  "}).status_code == 422
    response = client.post("/api/v1/assistant/ask", json={"question": "x", "extra": 1})
    assert response.status_code == 400


def test_feedback_is_stored_for_the_network(client: Client, people_admin: dict[str, str]) -> None:
    created = client.post(
        "/api/v1/assistant/feedback",
        json={"useful": False, "question": ANGERS, "answer": "…", "comment": "Trop long."},
    )
    assert created.status_code == 201, created.text
    assert client.get("/api/v1/assistant/feedback").status_code == 401
    listed = client.get("/api/v1/assistant/feedback", headers=people_admin).json()
    assert listed["total"] >= 1 and listed["items"][0]["comment"] == "Trop long."


@pytest.fixture(scope="module")
def people_admin(client: Client) -> dict[str, str]:
    secret = client.post(
        "/api/v1/api-keys",
        json={"name": "admin"},
        headers=basic("admin.demo@territoires-connectes.example", "demo-admin-2026"),
    ).json()["secret"]
    return bearer(secret)


def test_a_member_gets_its_own_results_and_never_another_territorys(
    client: Client, biarritz: dict[str, str]
) -> None:
    body = client.post(
        "/api/v1/assistant/ask",
        json={"question": "Où en sommes-nous en gouvernance ouverte ?"},
        headers=biarritz,
    ).json()
    assert body["territory"] == "64122" and not body["refused"]
    own = [c for c in body["citations"] if c["kind"] == "territory"]
    assert own and own[0]["title"].startswith("Résultats de Biarritz")
    assert any(c["kind"] == "passage" for c in body["citations"])
    other = client.post(
        "/api/v1/assistant/ask",
        json={
            "question": "Quels sont nos scores comparés à ceux d'Anglet (64024) ? Que prioriser ?"
        },
        headers=biarritz,
    ).json()
    assert "Anglet" not in " ".join(c["title"] + c["text"] for c in other["citations"])
    anonymous = client.post("/api/v1/assistant/ask", json={"question": "Que prioriser ?"}).json()
    assert anonymous["territory"] is None
    assert not any(c["kind"] == "territory" for c in anonymous["citations"])


def test_conversation_continues_with_its_id(client: Client) -> None:
    first = client.post("/api/v1/assistant/ask", json={"question": ANGERS}).json()
    follow = client.post(
        "/api/v1/assistant/ask",
        json={"question": "et Mulhouse ?", "conversation_id": first["conversation_id"]},
    ).json()
    assert follow["conversation_id"] == first["conversation_id"]
    assert follow["query"] != "et Mulhouse ?" and "Angers" in follow["query"]


def test_chat_page_works_without_javascript(client: Client) -> None:
    page = client.get("/assistant")
    assert page.status_code == 200 and 'action="/assistant"' in page.text
    token = client.cookies.get("tc_csrf")
    answered = client.post(
        "/assistant", data={"question": ANGERS, "_csrf_token": token}, follow_redirects=True
    )
    assert answered.status_code == 200
    assert 'class="citation" href="#r1-source-' in answered.text
    assert 'id="r1-source-' in answered.text and "<blockquote>" in answered.text


def test_rate_limit(tmp_path_factory: pytest.TempPathFactory, model: Model) -> None:
    from service.platform.settings import load_settings

    settings = load_settings({}, data_dir=tmp_path_factory.mktemp("limit"), assistant_rate_limit=2)
    with TestClient(create_app(settings, model, check_db=False)) as c:
        codes = [
            c.post("/api/v1/assistant/ask", json={"question": ""}).status_code for _ in range(3)
        ]
    assert codes[:2] == [422, 422] and codes[2] == 429
