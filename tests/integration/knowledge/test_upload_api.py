"""``POST /api/v1/knowledge/documents``: an admin's upload is checked at once, then indexed in
the background (``202``, a job to follow or cancel); several at once; the hostile files of
issue 14 refused; built-in cards protected; nothing left on disk after a refusal, a failure,
a cancellation or an interrupted upload."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import msgspec
import numpy as np
import pytest
from litestar import Litestar
from litestar.di import Provide
from litestar.testing import TestClient

from knowledge.builtin import CORPUS_DIR
from knowledge.ingest import Ingester
from knowledge.retrieval import KnowledgeBase
from service.accounts.auth import Principal
from service.api.knowledge import KnowledgeController
from service.documents.jobs import IngestJobs
from service.platform.errors import exception_handlers
from service.platform.settings import Settings, load_settings
from tests.knowledge_fixtures import ROOT, fresh_kb
from tests.unit.knowledge.hostile import alias_bomb, big_html, text_bomb_pdf

DOCUMENTS = "/api/v1/knowledge/documents"
CARD = """---
title: Fiche ajoutée par l'API
language: fr
---
# Les bancs connectés de Villebrume

La commune de Villebrume a équipé ses bancs publics de capteurs de fréquentation pour décider
où planter des arbres d'ombrage, après une concertation avec les habitants du quartier.
"""
Client = TestClient[Litestar]


def caller(role: str | None) -> Principal | None:
    if role is None:
        return None
    return Principal(uuid.uuid4(), f"{role}@exemple.fr", role, role, None, "api_key")  # type: ignore[arg-type]


class SlowEmbedder:
    """Random unit vectors, `seconds` per batch: indexing that takes a while, on purpose."""

    def __init__(self, dimension: int, seconds: float) -> None:
        self.name, self.dimension, self.seconds = "lent", dimension, seconds

    def embed_queries(self, texts: Any) -> Any:
        return self.embed_passages(texts)

    def embed_passages(self, texts: Any) -> Any:
        time.sleep(self.seconds if len(texts) > 1 else 0)
        vectors = np.random.default_rng(len(texts)).normal(size=(len(texts), self.dimension))
        return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def client_for(kb: KnowledgeBase, data_dir: Path, role: str | None, workers: int = 2) -> Client:
    settings = load_settings({}, data_dir=data_dir, knowledge_ingest_workers=workers)
    jobs = IngestJobs(settings, lambda: kb)

    def provide_settings() -> Settings:
        return settings

    app = Litestar(
        route_handlers=[KnowledgeController],
        dependencies={
            "knowledge": Provide(lambda: kb, sync_to_thread=False),
            "principal": Provide(lambda: caller(role), sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "ingest_jobs": Provide(lambda: jobs, sync_to_thread=False),
        },
        exception_handlers=exception_handlers(),
        on_startup=[jobs.start],
        on_shutdown=[jobs.close],
    )
    return TestClient(app)


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """A base holding the glossary card (a built-in document to protect)."""
    base = fresh_kb(tmp_path_factory.mktemp("upload"))
    Ingester(base).ingest([CORPUS_DIR / "fr" / "glossaire.md"])
    return base


@pytest.fixture
def admin(kb: KnowledgeBase, tmp_path: Path) -> Iterator[Client]:
    with client_for(kb, tmp_path, "admin") as client:
        yield client


def upload(client: Client, name: str, content: bytes, **params: Any) -> Any:
    files = {"data": (name, content, "application/octet-stream")}
    return client.post(DOCUMENTS, files=files, params=params)


def finished(client: Client, job_id: str) -> dict[str, Any]:
    """The job once it is done, failed or cancelled (polled; bounded number of polls)."""
    for _ in range(3000):
        job: dict[str, Any] = client.get(f"/api/v1/knowledge/jobs/{job_id}").json()
        if job["state"] in {"done", "failed", "cancelled"}:
            return job
        time.sleep(0.05)
    raise AssertionError(f"tâche jamais terminée : {job}")


def leftovers(data_dir: Path) -> list[str]:
    """Files under the uploads and staging folders."""
    folders = [data_dir / "knowledge" / "uploads", data_dir / "knowledge" / "staging"]
    return sorted(str(p.relative_to(data_dir)) for f in folders if f.is_dir() for p in f.iterdir())


def test_an_upload_is_queued_then_indexed_and_searchable(
    admin: Client, kb: KnowledgeBase, tmp_path: Path
) -> None:
    response = upload(admin, "villebrume.md", CARD.encode())
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == f"/api/v1/knowledge/jobs/{job['id']}"
    assert job["state"] in {"queued", "running", "done"} and job["file"] == "villebrume.md"
    done = finished(admin, job["id"])
    assert done["state"] == "done", done
    assert done["report"]["outcome"] == "added" and done["report"]["passages"] >= 1
    hits = kb.search("bancs connectés Villebrume", 3)
    assert hits and "Villebrume" in hits[0].text and hits[0].provenance == "upload"
    assert hits[0].source == "villebrume.md"
    assert leftovers(tmp_path) == ["knowledge/uploads/villebrume.md"]
    again = finished(admin, upload(admin, "villebrume.md", CARD.encode()).json()["id"])
    assert again["report"]["outcome"] == "unchanged"
    docs = {d["id"]: d for d in admin.get(DOCUMENTS).json()["documents"]}
    assert docs["villebrume"]["provenance"] == "upload"
    assert docs["glossaire"]["provenance"] == "builtin"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("vide.md", b"   \n", "fichier vide"),
        ("programme.exe", b"MZ\x90\x00", "Type de fichier refusé"),
        ("n" * 300 + ".md", b"# Titre\n\nTexte.", "Nom de fichier trop long (303 caractères"),
        (".cache.md", b"# Titre\n\nTexte.", "Nom de fichier refusé"),
        ("bombe.md", alias_bomb(), "ancres (&) et alias (*) YAML"),
    ],
)
def test_what_can_be_checked_at_once_is_refused_at_once(
    admin: Client, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    response = upload(admin, name, content)
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("casse.pdf", b"%PDF-1.4 ceci n'est pas un PDF", "PDF illisible"),
        ("deux-mo.pdf", text_bomb_pdf(), "texte trop long"),
        ("grand.html", big_html(), "texte trop long"),
    ],
)
def test_hostile_files_fail_in_their_job_and_leave_nothing(
    admin: Client, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    response = upload(admin, name, content)
    assert response.status_code == 202
    job = finished(admin, response.json()["id"])
    assert job["state"] == "failed" and reason in job["reason"]
    assert job["report"] is None
    assert leftovers(tmp_path) == []


def test_built_in_cards_are_refused_unless_replaced_explicitly(
    admin: Client, kb: KnowledgeBase, tmp_path: Path
) -> None:
    short = b"# Glossaire\n\nUn seul terme : le capteur.\n"
    card = len(kb.store.ids(where={"document_id": "glossaire"}))
    assert card > 1
    refused = upload(admin, "glossaire.md", short)
    assert refused.status_code == 409 and "document intégré" in refused.json()["detail"]
    forged = b"---\nid: strategy\nsource: https://www.legifrance.gouv.fr/\n---\n\nFaux."
    assert upload(admin, "note.md", forged).status_code == 409
    assert len(kb.store.ids(where={"document_id": "glossaire"})) == card
    assert leftovers(tmp_path) == []

    replaced = finished(admin, upload(admin, "glossaire.md", short, replace="true").json()["id"])
    assert replaced["state"] == "done" and replaced["report"]["outcome"] == "updated"
    doc = next(d for d in admin.get(DOCUMENTS).json()["documents"] if d["id"] == "glossaire")
    assert doc["provenance"] == "upload" and doc["replaces"]
    kept = tmp_path / "knowledge" / "versions" / "glossaire" / f"{doc['replaces'][:12]}.md"
    assert kept.read_bytes() == (CORPUS_DIR / "fr" / "glossaire.md").read_bytes()
    Ingester(kb).ingest([CORPUS_DIR / "fr" / "glossaire.md"], replace=True)  # put it back


@pytest.fixture
def slow(kb: KnowledgeBase) -> Iterator[KnowledgeBase]:
    """The base with an embedding model that takes a second per batch."""
    model = kb.embedder
    kb.embedder = SlowEmbedder(model.dimension, 1.0)
    yield kb
    kb.embedder = model


def _long_document(passages: int) -> bytes:
    lines = [f"Le quartier {i} installe des capteurs de bruit près de l'école." for i in range(12)]
    sections = [f"## Partie {n}\n\n" + " ".join(lines) * 2 for n in range(passages)]
    return ("# Long rapport\n\n" + "\n\n".join(sections)).encode()


def test_a_long_upload_shows_progress_does_not_block_others_and_can_be_cancelled(
    admin: Client, slow: KnowledgeBase, tmp_path: Path
) -> None:
    long_job = upload(admin, "long.md", _long_document(120)).json()
    running: dict[str, Any] = {}
    for _ in range(600):
        running = admin.get(f"/api/v1/knowledge/jobs/{long_job['id']}").json()
        if running["state"] == "running" and (running["progress"] or {}).get("done"):
            break
        time.sleep(0.05)
    progress = running["progress"]
    assert progress["step"] == "embeddings" and 0 < progress["done"] < progress["total"]

    small = finished(
        admin,
        upload(admin, "court.md", CARD.replace("Villebrume", "Brumeville").encode()).json()["id"],
    )
    assert small["state"] == "done"  # indexed while the long one still runs
    assert admin.get(f"/api/v1/knowledge/jobs/{long_job['id']}").json()["state"] == "running"

    cancel = admin.delete(f"/api/v1/knowledge/jobs/{long_job['id']}")
    assert cancel.status_code == 202 and cancel.json()["cancel_requested"]
    cancelled = finished(admin, long_job["id"])
    assert cancelled["state"] == "cancelled"
    assert admin.delete(f"/api/v1/knowledge/jobs/{long_job['id']}").status_code == 409
    assert slow.store.ids(where={"document_id": "long"}) == []
    assert leftovers(tmp_path) == ["knowledge/uploads/court.md"]


def test_a_queued_upload_is_cancelled_at_once_and_shutdown_stops_the_rest(
    kb: KnowledgeBase, slow: KnowledgeBase, tmp_path: Path
) -> None:
    with client_for(kb, tmp_path, "admin", workers=1) as admin:
        first = upload(admin, "long.md", _long_document(60)).json()
        second = upload(admin, "court.md", CARD.encode()).json()
        third = upload(admin, "autre.md", CARD.replace("Villebrume", "Brumeville").encode()).json()
        assert admin.get(f"/api/v1/knowledge/jobs/{second['id']}").json()["state"] == "queued"
        cancelled = admin.delete(f"/api/v1/knowledge/jobs/{second['id']}")
        assert cancelled.status_code == 202 and cancelled.json()["state"] == "cancelled"
    # the application stopped: the running job was cancelled, the queued one too
    with client_for(kb, tmp_path, "admin") as admin:
        for job in (first, third):
            state = admin.get(f"/api/v1/knowledge/jobs/{job['id']}").json()
            assert state["state"] == "cancelled", state
    assert leftovers(tmp_path) == []
    assert kb.store.ids(where={"document_id": "long"}) == []


def test_unknown_jobs_and_other_roles(kb: KnowledgeBase, admin: Client, tmp_path: Path) -> None:
    assert admin.get(f"/api/v1/knowledge/jobs/{'0' * 32}").status_code == 404
    assert admin.get("/api/v1/knowledge/jobs/..%2F..%2Fetc").status_code == 404
    job = upload(admin, "villebrume.md", CARD.encode()).json()
    finished(admin, job["id"])
    for role, status in ((None, 401), ("member", 403), ("analyst", 403)):
        with client_for(kb, tmp_path, role) as other:
            assert upload(other, "x.md", CARD.encode()).status_code == status
            assert other.get(f"/api/v1/knowledge/jobs/{job['id']}").status_code == status
            assert other.delete(f"/api/v1/knowledge/jobs/{job['id']}").status_code == status


def test_a_form_without_the_file_is_a_french_400(admin: Client) -> None:
    response = admin.post(
        DOCUMENTS, data={"titre": "x"}, files={"autre": ("a.md", b"# Titre", "text/markdown")}
    )
    assert response.status_code == 400
    assert "champ obligatoire « data » manquant" in response.json()["detail"]


def test_an_interrupted_upload_leaves_nothing(admin: Client, tmp_path: Path) -> None:
    head = (
        b'--limite\r\nContent-Disposition: form-data; name="data"; filename="coupe.md"\r\n'
        b"Content-Type: text/markdown\r\n\r\n"
    )
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": head + b"# Coupe\n\n" + b"x" * 200_000, "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": DOCUMENTS,
        "raw_path": DOCUMENTS.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"multipart/form-data; boundary=limite"),
            (b"content-length", b"900000"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    app = admin.app

    async def call() -> None:
        await app(scope, receive, send)

    anyio.run(call)
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert not starts or starts[0]["status"] != 202
    assert leftovers(tmp_path) == []


def test_a_restart_fails_the_jobs_it_interrupted_and_removes_their_files(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    settings = load_settings({}, data_dir=tmp_path)
    jobs_dir, staging = tmp_path / "knowledge" / "jobs", tmp_path / "knowledge" / "staging"
    jobs_dir.mkdir(parents=True)
    staging.mkdir(parents=True)
    job_id = uuid.uuid4().hex
    record = {
        "job": {"id": job_id, "state": "running", "file": "x.md", "created_at": "2026-01-01"},
        "owner": "999999999:mort",  # a process that no longer exists
    }
    (jobs_dir / f"{job_id}.json").write_bytes(msgspec.json.encode(record))
    (staging / f"{job_id}.md").write_text("reste d'un envoi interrompu", encoding="utf-8")
    jobs = IngestJobs(settings, lambda: kb)
    jobs.start()
    try:
        assert list(staging.iterdir()) == []
        job = jobs.get(caller("admin"), job_id)
        assert job.state == "failed" and job.reason and "interrompue" in job.reason
    finally:
        jobs.close()


def _public_paths() -> list[str]:
    return [str(ROOT), str(CORPUS_DIR)]


def test_no_server_path_in_any_knowledge_response(admin: Client, tmp_path: Path) -> None:
    job = finished(admin, upload(admin, "villebrume.md", CARD.encode()).json()["id"])
    failed = finished(admin, upload(admin, "casse.pdf", b"%PDF-1.4 pas un PDF").json()["id"])
    hit = admin.get("/api/v1/knowledge/search", params={"q": "bancs Villebrume glossaire"})
    pid = hit.json()["passages"][0]["id"]
    bodies = [
        admin.get(DOCUMENTS).text,
        hit.text,
        admin.get(f"/api/v1/knowledge/passages/{pid}", params={"window": 2}).text,
        admin.get(f"/api/v1/knowledge/jobs/{job['id']}").text,
        admin.get(f"/api/v1/knowledge/jobs/{failed['id']}").text,
        upload(admin, "glossaire.md", b"# G\n\nx").text,
    ]
    for body in bodies:
        for path in [str(tmp_path), *_public_paths()]:
            assert path not in body, (path, body[:300])
