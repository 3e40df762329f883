"""Published good-practice cards in the knowledge base, through the real ingestion path and the
session's indexed corpus: `territoires prepare`'s step brings the demo cards in (idempotently);
a card a member writes and an admin publishes is found by the knowledge search under its public
page, labelled ``practice``, and cited by the assistant with that page (never a server path);
unpublished, it is gone from both. The demo member (Biarritz) sees demo cards next to its
weakest dimensions on its results page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from bs4 import BeautifulSoup
from litestar import Litestar
from litestar.testing import TestClient

from knowledge.retrieval import KnowledgeBase
from maturity.model import Model
from service.app import create_app
from service.cli.knowledge import sync_practices
from service.platform.settings import Settings
from service.practices.corpus import DOCUMENT_PREFIX, PracticeCorpus
from tests.integration.service.conftest import basic, bearer
from tests.knowledge_fixtures import corpus_kb
from tests.prepared import DemoDatabases

Client = TestClient[Litestar]
HTML = {"Accept": "text/html"}
PUBLIC = "https://territoires.example"
BIARRITZ = ("biarritz.demo@territoires-connectes.example", "demo-biarritz-2026")
ADMIN = ("admin.demo@territoires-connectes.example", "demo-admin-2026")
TITLE = "Un atelier de réparation d'ordinateurs à la médiathèque"
CARD = {
    "title": TITLE,
    "context": "Beaucoup d'habitants âgés n'avaient pas d'ordinateur en état de marche.",
    "action": (
        "Un atelier de réparation d'ordinateurs reconditionnés ouvre chaque samedi à la "
        "médiathèque ; les ordinateurs réparés sont prêtés aux habitants pour six mois."
    ),
    "partners": "La médiathèque, une ressourcerie et le centre communal d'action sociale.",
    "results": "Cent vingt ordinateurs reconditionnés prêtés en un an (données fictives).",
    "contact": "mediation@biarritz.example",
    "links": [],
    "language": "fr",
}
QUESTION = "Comment organiser un atelier de réparation d'ordinateurs à la médiathèque ?"


@pytest.fixture(scope="module")
def setting(
    tmp_path_factory: pytest.TempPathFactory, model: Model, demo_databases: DemoDatabases
) -> Iterator[tuple[Settings, KnowledgeBase]]:
    """Settings sharing the session's indexed corpus, over a database of their own holding the
    demo data; every practice card is taken out of the shared index at the end."""
    kb, config = corpus_kb(tmp_path_factory)
    with demo_databases.copy("sqlite", tmp_path_factory.mktemp("practices-db"), model) as own:
        settings = msgspec.structs.replace(
            own,
            data_dir=config.data_dir,
            database_url=own.effective_database_url,
            public_url=PUBLIC,
            assistant_rate_limit=1000,
        )
        yield settings, kb
        PracticeCorpus(settings.data_dir, PUBLIC, lambda: kb, isolate=False).sync_now([])


@pytest.fixture(scope="module")
def client(setting: tuple[Settings, KnowledgeBase], model: Model) -> Iterator[Client]:
    """The application over that database and index."""
    with TestClient(create_app(setting[0], model)) as c:
        yield c


def _key(client: Client, who: tuple[str, str]) -> dict[str, str]:
    made = client.post("/api/v1/api-keys", json={"name": "t"}, headers=basic(*who))
    assert made.status_code == 201, made.text
    return bearer(made.json()["secret"])


def _practice_docs(kb: KnowledgeBase) -> set[str]:
    return {d.id for d in kb.stored_documents() if d.id.startswith(DOCUMENT_PREFIX)}


def _search(client: Client, query: str) -> list[dict[str, Any]]:
    found = client.get("/api/v1/knowledge/search", params={"q": query, "k": 5})
    assert found.status_code == 200, found.text
    passages: list[dict[str, Any]] = found.json()["passages"]
    return passages


def test_prepare_brings_the_published_demo_cards_in_idempotently(
    setting: tuple[Settings, KnowledgeBase], client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    settings, kb = setting
    published = client.get("/api/v1/practices").json()
    assert len(published) == 3 and all(c["synthetic"] for c in published)
    sync_practices(settings, kb)
    assert "3 fiche(s) publiée(s)" in capsys.readouterr().out
    wanted = {f"{DOCUMENT_PREFIX}{c['id']}" for c in published}
    assert _practice_docs(kb) == wanted
    before = {d.id: (d.content_hash, d.ingested_at) for d in kb.stored_documents()}
    sync_practices(settings, kb)  # a second run changes nothing
    assert {d.id: (d.content_hash, d.ingested_at) for d in kb.stored_documents()} == before
    first = published[0]
    hits = _search(client, first["title"])
    hit = next(p for p in hits if p["document_id"] == f"{DOCUMENT_PREFIX}{first['id']}")
    assert hit["source"] == f"{PUBLIC}/pratiques/{first['id']}"
    assert hit["provenance"] == "practice"


def test_a_published_card_is_searched_and_cited_then_unpublished(
    setting: tuple[Settings, KnowledgeBase], client: Client, model: Model
) -> None:
    settings, kb = setting
    member, admin = _key(client, BIARRITZ), _key(client, ADMIN)
    made = client.post(
        "/api/v1/practices",
        json=CARD | {"dimensions": [model.dimensions[0].id]},
        headers=member,
    )
    assert made.status_code == 201, made.text
    card_id = made.json()["id"]
    doc_id, page = f"{DOCUMENT_PREFIX}{card_id}", f"{PUBLIC}/pratiques/{card_id}"
    assert client.post(f"/api/v1/practices/{card_id}/submit", headers=member).status_code == 200
    assert doc_id not in _practice_docs(kb)  # submitted is not published
    decided = client.post(
        f"/api/v1/practices/{card_id}/moderation", json={"action": "publish"}, headers=admin
    )
    assert decided.status_code == 200, decided.text
    # the knowledge search finds it first, under its public page, labelled as a practice
    hits = _search(client, "atelier de réparation d'ordinateurs reconditionnés")
    assert hits[0]["document_id"] == doc_id, [h["document_id"] for h in hits]
    assert (hits[0]["source"], hits[0]["provenance"]) == (page, "practice")
    assert hits[0]["title"] == TITLE
    # the assistant cites it with that page, never a file of the server
    asked = client.post("/api/v1/assistant/ask", json={"question": QUESTION})
    assert asked.status_code == 200, asked.text
    body = asked.json()
    assert body["refused"] is False, body["answer"]
    cited = [c for c in body["citations"] if c.get("document_id") == doc_id]
    assert cited, body["citations"]
    assert all((c["source"], c["href"], c["provenance"]) == (page, page, "practice") for c in cited)
    assert f"({page})" in body["answer"]  # the answer's list of sources links to the card
    server_paths = (str(settings.data_dir), str(Path(settings.data_dir).resolve()), ".md")
    for citation in body["citations"]:
        for value in (citation["source"], citation.get("href") or ""):
            assert not any(p in value for p in server_paths), value
    # unpublished: out of the search and the assistant's sources, its file removed
    withdrawn = client.post(
        f"/api/v1/practices/{card_id}/moderation",
        json={"action": "unpublish", "comment": "Contact à vérifier."},
        headers=admin,
    )
    assert withdrawn.json()["status"] == "returned"
    assert doc_id not in _practice_docs(kb)
    assert doc_id not in {h["document_id"] for h in _search(client, TITLE)}
    again = client.post("/api/v1/assistant/ask", json={"question": QUESTION}).json()
    assert doc_id not in {c.get("document_id") for c in again["citations"]}
    folder = Path(settings.data_dir) / "knowledge" / "practices"
    assert not (folder / f"{doc_id}.md").exists()


def test_biarritz_sees_demo_cards_next_to_its_weakest_dimensions(client: Client) -> None:
    member = _key(client, BIARRITZ)
    listed = client.get(
        "/api/v1/assessments", params={"status": "submitted"}, headers=member
    ).json()["items"]
    latest = max(listed, key=lambda a: a["campaign"])
    page = client.get(f"/evaluations/{latest['id']}/resultats", headers=member | HTML)
    assert page.status_code == 200
    html = BeautifulSoup(page.text, "html.parser")
    score = client.get(f"/api/v1/assessments/{latest['id']}/score", headers=member).json()
    weakest = sorted(
        (d["score"], d["id"]) for d in score["result"]["dimensions"] if d["score"] is not None
    )[:2]
    demo = {c["path"]: c for c in client.get("/api/v1/practices").json() if c["synthetic"]}
    shown = [a["href"] for a in html.select("ul.practice-links a")]
    assert shown and set(shown) <= set(demo), shown
    covered = {d for href in shown for d in demo[href]["dimensions"]}
    assert covered == {d for _, d in weakest}  # a card next to each of the two weakest
    assert all("données fictives" in ul.get_text() for ul in html.select("ul.practice-links"))
