"""``/api/v1/knowledge``: search and documents over the indexed corpus, French problem details."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from litestar import Litestar
from litestar.di import Provide
from litestar.testing import TestClient

from service.api.knowledge import KnowledgeController
from service.documents.jobs import IngestJobs
from service.documents.provider import KnowledgeProvider
from service.platform.errors import exception_handlers
from service.platform.settings import load_settings
from tests.knowledge_fixtures import corpus_kb


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient[Litestar]]:
    """The knowledge controller over the indexed corpus, its base opened once by the provider."""
    _, config = corpus_kb(tmp_path_factory)
    settings = load_settings({}, data_dir=config.data_dir)
    provider = KnowledgeProvider(settings, config)
    jobs = IngestJobs(settings, provider)
    app = Litestar(
        route_handlers=[KnowledgeController],
        dependencies={
            "knowledge": Provide(provider.__call__, sync_to_thread=True),
            "principal": Provide(lambda: None, sync_to_thread=False),  # anonymous reader
            "settings": Provide(lambda: settings, sync_to_thread=False),
            "ingest_jobs": Provide(lambda: jobs, sync_to_thread=False),
        },
        exception_handlers=exception_handlers(),
    )
    with TestClient(app) as client:
        yield client
    assert provider() is provider()  # opened once, then reused


def test_search_returns_passages_with_their_sources(api: TestClient[Litestar]) -> None:
    response = api.get("/api/v1/knowledge/search", params={"q": "jumeau numérique", "k": 3})
    assert response.status_code == 200
    body = response.json()
    assert (body["query"], body["k"], body["method"]) == ("jumeau numérique", 3, "hybrid")
    assert [p["rank"] for p in body["passages"]] == [1, 2, 3]
    first = body["passages"][0]
    assert "jumeau numérique" in first["text"].lower()
    for key in ("id", "document_id", "title", "source", "section", "page", "score", "similarity"):
        assert key in first
    assert first["provenance"] in {"builtin", "upload"} and first["flagged"] == []


@pytest.mark.parametrize("method", ["dense", "lexical"])
def test_one_side_only_and_document_cap(api: TestClient[Litestar], method: str) -> None:
    params: dict[str, Any] = {
        "q": "gouvernance ouverte",
        "k": 6,
        "method": method,
        "per_document": 1,
    }
    passages = api.get("/api/v1/knowledge/search", params=params).json()["passages"]
    assert len({p["document_id"] for p in passages}) == len(passages) == 6


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"q": "eau", "k": 0}, "k"),
        ({"q": "eau", "k": 50}, "k"),
        ({"q": "eau", "method": "magique"}, "method"),
        ({}, "Le paramètre q (la question à chercher) est vide ou absent"),
        ({"q": "   "}, "Le paramètre q"),
        ({"q": "x" * 1001}, "q"),
    ],
)
def test_bad_parameters_give_french_problem_details(
    api: TestClient[Litestar], params: dict[str, Any], detail: str
) -> None:
    response = api.get("/api/v1/knowledge/search", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["title"] == "Requête invalide" and detail in body["detail"]


def test_documents_lists_what_is_indexed(api: TestClient[Litestar]) -> None:
    body = api.get("/api/v1/knowledge/documents").json()
    ids = {d["id"] for d in body["documents"]}
    assert {"strategy", "glossaire", "frucquet-2023-findings-en"} <= ids
    assert body["count"] == len(body["documents"])
    assert body["passages"] == sum(d["passages"] for d in body["documents"])
    cards = {d["id"]: d for d in body["documents"] if d["provenance"] == "builtin"}
    assert cards["strategy"]["source"] == "corpus/fr/strategy.md"
    assert all("path" not in d for d in body["documents"])


def test_a_passage_with_its_neighbours(api: TestClient[Litestar]) -> None:
    hit = api.get("/api/v1/knowledge/search", params={"q": "comitologie", "k": 1}).json()
    pid = hit["passages"][0]["id"]
    body = api.get(f"/api/v1/knowledge/passages/{quote(pid, safe='')}", params={"window": 1}).json()
    assert body["passage"]["id"] == pid
    assert pid in [p["id"] for p in body["context"]]
    missing = api.get(f"/api/v1/knowledge/passages/{quote('inconnu#0-0000', safe='')}")
    assert missing.status_code == 404
    assert "Aucun passage « inconnu#0-0000 »" in missing.json()["detail"]


def test_the_application_serves_the_knowledge_api(client: TestClient[Litestar]) -> None:
    """Wiring in `create_app`: public routes, documented, on an empty index."""
    documents = client.get("/api/v1/knowledge/documents")
    assert documents.status_code == 200 and documents.json()["count"] == 0
    search = client.get("/api/v1/knowledge/search", params={"q": "jumeau numérique"})
    assert search.status_code == 200 and search.json()["passages"] == []
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert {"/api/v1/knowledge/search", "/api/v1/knowledge/documents"} <= set(paths)
