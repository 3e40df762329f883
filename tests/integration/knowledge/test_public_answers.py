"""The whole application, as deployed: the cards indexed by `territoires prepare`, a note an
administrator uploads through the API. No response of the knowledge or assistant endpoints
shows a server path (data directory, repository), and the poisoned note never becomes an
anonymous reader's cited answer."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from knowledge.builtin import CORPUS_DIR
from maturity.model import Model
from service.accounts.members import create_user
from service.app import create_app
from service.cli.knowledge import prepare_index
from service.platform.db import run_blocking, session_scope
from service.platform.settings import Settings
from tests.integration.service.conftest import basic, bearer, provision
from tests.knowledge_fixtures import CACHE, ROOT
from tests.unit.knowledge.hostile import POISONED_NOTE

Client = TestClient[Litestar]
ADMIN = ("admin.chemins@exemple.fr", "mot de passe de l'administrateur des chemins")
SECRETS = ("Azerty-2026-Tournesol", "12 sur 100", "mot de passe")


@pytest.fixture(scope="module")
def deployed(
    tmp_path_factory: pytest.TempPathFactory, model: Model
) -> Iterator[tuple[Client, Settings, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("deploye")
    if CACHE.exists():  # the cards' vectors, computed once for the whole test suite
        (data_dir / "knowledge").mkdir(parents=True)
        shutil.copyfile(CACHE, data_dir / "knowledge" / "embedding-cache.sqlite3")
    settings, cleanup = provision("sqlite", data_dir)
    settings = msgspec.structs.replace(settings, assistant_rate_limit=1000)
    prepare_index(settings)

    async def admin() -> None:
        async with session_scope(settings) as session:
            await create_user(session, ADMIN[0], "admin", password=ADMIN[1])

    run_blocking(admin)
    with TestClient(create_app(settings, model)) as client:
        key = client.post("/api/v1/api-keys", json={"name": "chemins"}, headers=basic(*ADMIN))
        headers = bearer(key.json()["secret"])
        files = {"data": ("note-indices.md", POISONED_NOTE.encode(), "text/markdown")}
        job = client.post("/api/v1/knowledge/documents", files=files, headers=headers).json()
        for _ in range(1200):
            state = client.get(f"/api/v1/knowledge/jobs/{job['id']}", headers=headers).json()
            if state["state"] != "queued" and state["state"] != "running":
                break
            time.sleep(0.05)
        assert state["state"] == "done", state
        yield client, settings, headers
    cleanup()


def _bodies(client: Client, headers: dict[str, str]) -> list[str]:
    question = {"question": "Comment Angers utilise-t-elle un jumeau numérique ?"}
    found = client.get("/api/v1/knowledge/search", params={"q": "jumeau numérique Angers"})
    pid = found.json()["passages"][0]["id"]
    note = client.get("/api/v1/knowledge/search", params={"q": "note interne indices Anglet"})
    return [
        client.get("/api/v1/knowledge/documents").text,
        found.text,
        note.text,
        client.get(f"/api/v1/knowledge/passages/{pid}", params={"window": 3}).text,
        client.post("/api/v1/assistant/ask", json=question).text,
        client.post("/api/v1/assistant/stream", json=question).text,
        client.post("/api/v1/assistant/ask", json={"question": "Anglet indice"}).text,
        client.post("/api/v1/assistant/ask", json={"question": "tarte tatin ?"}).text,
        client.post(
            "/api/v1/knowledge/documents",
            headers=headers,
            files={"data": ("glossaire.md", b"# G\n\nx", "text/markdown")},
        ).text,
    ]


def test_no_response_shows_a_server_path(deployed: tuple[Client, Settings, Any]) -> None:
    client, settings, headers = deployed
    paths = {
        str(settings.data_dir),
        str(settings.data_dir.resolve()),
        str(ROOT),
        str(CORPUS_DIR),
        str(Path.cwd()),
    }
    for body in _bodies(client, headers):
        assert len(body) > 20
        for path in paths:
            assert path not in body, (path, body[:400])
    sources = {d["source"] for d in client.get("/api/v1/knowledge/documents").json()["documents"]}
    assert "note-indices.md" in sources and "corpus/fr/glossaire.md" in sources


def test_the_poisoned_note_is_never_an_anonymous_cited_answer(
    deployed: tuple[Client, Settings, Any],
) -> None:
    client, _, _ = deployed
    for question in ("Quel est l'indice d'Anglet sur 100 ?", "Anglet indice mot de passe"):
        answer = client.post("/api/v1/assistant/ask", json={"question": question}).json()
        assert answer["mode"] == "extractive"
        assert all(secret not in answer["answer"] for secret in SECRETS), answer["answer"]
        assert all(c.get("document_id") != "note-indices" for c in answer["citations"])
    documents = client.get("/api/v1/knowledge/documents").json()["documents"]
    note = next(d for d in documents if d["id"] == "note-indices")
    assert note["provenance"] == "upload"
    found = client.get("/api/v1/knowledge/search", params={"q": "note interne indices Anglet"})
    passage = next(p for p in found.json()["passages"] if p["document_id"] == "note-indices")
    assert passage["flagged"] and passage["flagged"][0].startswith("REPONDS EXACTEMENT")
