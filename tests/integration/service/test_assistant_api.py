"""The assistant through the application: JSON and Server-Sent Events, conversations,
feedback stored for the network, the rate limit, the chat page, and a member's own results as
a source (never another territory's)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from bs4 import BeautifulSoup
from litestar import Litestar
from litestar.testing import TestClient

from maturity.model import Model
from service.app import create_app
from tests.integration.service.conftest import basic, bearer
from tests.knowledge_fixtures import corpus_kb
from tests.prepared import DemoDatabases

Client = TestClient[Litestar]
ANGERS = "Comment Angers utilise-t-elle un jumeau numérique ?"
BIARRITZ = ("biarritz.demo@territoires-connectes.example", "demo-biarritz-2026")


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, model: Model, demo_databases: DemoDatabases
) -> Iterator[Client]:
    """The app over the indexed corpus and a SQLite database holding the demo data."""
    _, config = corpus_kb(tmp_path_factory)
    with demo_databases.copy("sqlite", config.data_dir, model) as demo:
        settings = msgspec.structs.replace(demo, assistant_rate_limit=1000)
        with TestClient(create_app(settings, model)) as c:
            yield c


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
    assert follow["query"] == "Comment Mulhouse utilise-t-elle un jumeau numérique ?"


def test_nobody_picks_or_borrows_a_conversation(client: Client, biarritz: dict[str, str]) -> None:
    chosen = client.post(
        "/api/v1/assistant/ask", json={"question": ANGERS, "conversation_id": "partage"}
    ).json()
    assert chosen["conversation_id"] != "partage"  # the service issues ids, nobody picks one
    other = client.post(
        "/api/v1/assistant/ask", json={"question": "et Mulhouse ?", "conversation_id": "partage"}
    ).json()
    assert other["conversation_id"] not in ("partage", chosen["conversation_id"])
    assert "Angers" not in other["query"]  # no history shared through a chosen id
    borrowed = client.post(
        "/api/v1/assistant/ask",
        json={"question": "et Mulhouse ?", "conversation_id": chosen["conversation_id"]},
        headers=biarritz,  # another owner: the anonymous conversation is not theirs
    ).json()
    assert borrowed["conversation_id"] != chosen["conversation_id"]
    assert "Angers" not in borrowed["query"]


def _private_figures(answer: dict[str, Any]) -> list[str]:
    """The texts of the territory source an answer cited (the member's own results)."""
    return [c["text"] for c in answer["citations"] if c["kind"] == "territory"]


def test_feedback_never_keeps_a_members_private_results(
    client: Client, biarritz: dict[str, str], people_admin: dict[str, str]
) -> None:
    question = "Où en sommes-nous en gouvernance ouverte ?"
    answer = client.post(
        "/api/v1/assistant/ask", json={"question": question}, headers=biarritz
    ).json()
    own = [c for c in answer["citations"] if c["kind"] == "territory"]
    assert own and any(f"[{c['number']}]" in answer["answer"] for c in own)
    matched = client.post(
        "/api/v1/assistant/feedback",
        json={
            "useful": True,
            "question": question,
            "answer": answer["answer"],
            "sources": [f"[{c['number']}] {c['title']}" for c in answer["citations"]],
            "conversation_id": answer["conversation_id"],
        },
        headers=biarritz,
    )
    assert matched.status_code == 201, matched.text
    unmatched = client.post(
        "/api/v1/assistant/feedback",
        json={"useful": False, "question": question, "answer": answer["answer"]},
        headers=biarritz,
    )
    assert unmatched.status_code == 201, unmatched.text
    analyst = client.post(
        "/api/v1/api-keys",
        json={"name": "a"},
        headers=basic("analyste.demo@territoires-connectes.example", "demo-analyste-2026"),
    ).json()["secret"]
    for reader in (bearer(analyst), people_admin):
        items = client.get("/api/v1/assistant/feedback", headers=reader).json()["items"][:2]
        for item in items:
            stored = item["answer"] + " ".join(item["sources"])
            assert "Résultats de Biarritz" not in stored
            for number in (c["number"] for c in own):
                assert f"[{number}]" not in item["answer"]
        assert items[0]["answer"].startswith("(réponse non conservée")
        kept = [line for line in items[1]["answer"].splitlines() if line]
        assert kept and all(line in answer["answer"] for line in kept), items[1]["answer"]
        assert (items[0]["user_id"] is None) == (reader != people_admin)


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


def _work_count(client: Client, operation: str) -> float:
    """How many times `operation` was timed, from ``/metrics``."""
    pattern = rf'^territoires_work_duration_seconds_count\{{operation="{operation}"\}} (\S+)$'
    found = re.search(pattern, client.get("/metrics").text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def _page_form(client: Client) -> tuple[str, BeautifulSoup]:
    page = client.get("/assistant")
    return str(client.cookies.get("tc_csrf")), BeautifulSoup(page.text, "html.parser")


def test_the_page_and_the_api_share_the_question_limits(client: Client) -> None:
    too_long = "Comment les territoires utilisent-ils les données ? " * 40  # 2,080 characters
    api = client.post("/api/v1/assistant/ask", json={"question": too_long})
    assert api.status_code == 422
    assert api.json()["detail"] == "La question dépasse 2000 caractères."
    token, before = _page_form(client)
    shown = client.post("/assistant", data={"question": too_long, "_csrf_token": token})
    assert shown.status_code == 422
    page = BeautifulSoup(shown.text, "html.parser")
    error = page.select_one("#ask-form #question-error")
    assert error is not None and "La question dépasse 2000 caractères." in error.text
    field = page.select_one("#ask-form textarea#question")
    assert field is not None and field["aria-describedby"] == "question-error"
    assert field.text == too_long  # nothing lost, nothing cut
    assert len(page.select("article.exchange")) == len(before.select("article.exchange"))
    empty = client.post("/assistant", data={"question": "   ", "_csrf_token": token})
    assert empty.status_code == 422 and "La question est vide." in empty.text
    streamed = client.post("/assistant/flux", data={"question": too_long, "_csrf_token": token})
    assert streamed.status_code == 422  # an error before any event: the script posts the form


def test_every_way_of_asking_is_timed(client: Client) -> None:
    token, _ = _page_form(client)
    asked, streamed = _work_count(client, "assistant"), _work_count(client, "assistant_stream")
    page = client.post(
        "/assistant", data={"question": ANGERS, "_csrf_token": token}, follow_redirects=False
    )
    assert page.status_code == 303
    assert _work_count(client, "assistant") == asked + 1
    flux = client.post("/assistant/flux", data={"question": ANGERS, "_csrf_token": token})
    assert flux.status_code == 200 and _events(flux.text)[-1][0] == "done"
    client.post("/api/v1/assistant/stream", json={"question": ANGERS})
    assert _work_count(client, "assistant_stream") == streamed + 2
    assert _work_count(client, "assistant") == asked + 1


def test_page_feedback_is_stored_like_the_apis(
    client: Client, people_admin: dict[str, str]
) -> None:
    client.post("/assistant/nouvelle", data={"_csrf_token": _page_form(client)[0]})
    token, _ = _page_form(client)
    client.post("/assistant", data={"question": ANGERS, "_csrf_token": token})
    page = BeautifulSoup(client.get("/assistant").text, "html.parser")
    cited = [s.text.split(" — ")[0].strip() for s in page.select("#r1 .sources summary")]
    too_long = client.post(
        "/assistant/avis",
        data={"index": "0", "useful": "oui", "comment": "x" * 4001, "_csrf_token": token},
    )
    assert too_long.status_code == 422
    error = BeautifulSoup(too_long.text, "html.parser").select_one("#r1-comment-error")
    assert error is not None and "4000 caractères" in error.text
    sent = client.post(
        "/assistant/avis",
        data={"index": "0", "useful": "oui", "comment": "Clair.", "_csrf_token": token},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/assistant?avis=merci#r1"
    stored = client.get("/api/v1/assistant/feedback", headers=people_admin).json()["items"][0]
    assert stored["comment"] == "Clair." and stored["question"] == ANGERS
    assert stored["sources"] == cited and stored["useful"] is True


def test_three_questions_about_us_get_three_different_answers(
    client: Client, biarritz: dict[str, str]
) -> None:
    """Weak points, position among peers, priorities: each answered from other parts of the
    member's results; the priorities with the next steps; the demo-data notice each time."""
    answers = {}
    for question in (
        "Quels sont nos points faibles ?",
        "Comment nous situons-nous par rapport à nos pairs ?",
        "Que devrions-nous faire en priorité ?",
    ):
        body = client.post(
            "/api/v1/assistant/ask", json={"question": question}, headers=biarritz
        ).json()
        assert body["territory"] == "64122" and not body["refused"]
        answers[question] = body["answer"]
    openings = {a.split("\n\n")[0] for a in answers.values()}
    assert len(openings) == 3, answers
    assert (
        "Les dimensions les plus faibles de Biarritz" in answers["Quels sont nos points faibles ?"]
    )
    assert "Prochaine étape en" in answers["Que devrions-nous faire en priorité ?"]
    peers = answers["Comment nous situons-nous par rapport à nos pairs ?"]
    assert "pairs" in peers.split("\n\n")[0]
    assert all("synthétiques" in a or "démonstration" in a for a in answers.values())


def test_citations_open_the_passage_on_a_public_page(client: Client) -> None:
    """Every cited passage links to its document's public page, anchored on it; the page
    lists what the base covers; no citation shows a server path."""
    body = client.post("/api/v1/assistant/ask", json={"question": ANGERS}).json()
    passages = [c for c in body["citations"] if c["kind"] == "passage"]
    assert passages
    for citation in passages:
        page, _, anchor = citation["href"].partition("#")
        assert page.startswith("/sources/") and anchor.startswith("passage-")
        html = BeautifulSoup(client.get(page).text, "html.parser")
        assert html.select_one(f"section#{anchor}") is not None
        assert citation["text"].split("\n")[0][:40] in html.get_text()
    assert "/work/" not in body["answer"] and "(/sources/" in body["answer"]
    listing = BeautifulSoup(client.get("/sources").text, "html.parser")
    links = [a["href"] for a in listing.select("ul.sources-list a")]
    assert "/sources/glossaire" in links and len(links) >= 10
    assert client.get("/sources/inconnu").status_code == 404


def test_a_source_page_reads_as_paragraphs_and_lists(client: Client) -> None:
    """A card wrapped at 100 columns: one paragraph per paragraph, its list as a list, every
    passage anchored, no server path."""
    html = BeautifulSoup(client.get("/sources/contexte-national").text, "html.parser")
    sections = html.select("section.passage")
    assert sections and all(str(s["id"]).startswith("passage-") for s in sections)
    paragraphs = [p.get_text() for s in sections for p in s.select("p")]
    assert any(
        p.startswith("Les politiques de territoires connectés ne naissent pas")
        and "rassemble les repères utiles" in p
        for p in paragraphs
    )
    assert any("Plan France Très Haut Débit" in li.get_text() for li in html.select("li"))
    assert "/work/" not in html.get_text() and "knowledge/corpus" not in html.get_text()
