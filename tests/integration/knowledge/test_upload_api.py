"""``POST /api/v1/knowledge/documents``: an admin adds a document through the API; others
are refused; a bad file is refused with its reason and leaves nothing behind."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.di import Provide
from litestar.testing import TestClient

from knowledge.retrieval import KnowledgeBase
from service.accounts.auth import Principal
from service.api.knowledge import KnowledgeController
from service.platform.errors import exception_handlers
from service.platform.settings import Settings, load_settings
from tests.knowledge_fixtures import fresh_kb

CARD = """---
title: Fiche ajoutée par l'API
language: fr
---
# Les bancs connectés de Villebrume

La commune de Villebrume a équipé ses bancs publics de capteurs de fréquentation pour décider
où planter des arbres d'ombrage, après une concertation avec les habitants du quartier.
"""


def caller(role: str | None) -> Principal | None:
    if role is None:
        return None
    return Principal(uuid.uuid4(), f"{role}@exemple.fr", role, role, None, "api_key")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return fresh_kb(tmp_path_factory.mktemp("upload"))


def client_for(kb: KnowledgeBase, data_dir: Path, role: str | None) -> TestClient[Litestar]:
    settings = load_settings({}, data_dir=data_dir)

    def provide_settings() -> Settings:
        return settings

    app = Litestar(
        route_handlers=[KnowledgeController],
        dependencies={
            "knowledge": Provide(lambda: kb, sync_to_thread=False),
            "principal": Provide(lambda: caller(role), sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
        },
        exception_handlers=exception_handlers(),  # type: ignore[arg-type]
    )
    return TestClient(app)


@pytest.fixture
def admin(kb: KnowledgeBase, tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    with client_for(kb, tmp_path, "admin") as client:
        yield client


def test_admin_upload_is_indexed_and_searchable(
    admin: TestClient[Litestar], kb: KnowledgeBase
) -> None:
    files = {"data": ("villebrume.md", CARD.encode(), "text/markdown")}
    response = admin.post("/api/v1/knowledge/documents", files=files)
    assert response.status_code == 201, response.text
    assert response.json()["added"] and response.json()["passages"] >= 1
    hits = kb.search("bancs connectés Villebrume", 3)
    assert hits and "Villebrume" in hits[0].text
    again = admin.post("/api/v1/knowledge/documents", files=files)
    assert again.status_code == 201 and again.json()["unchanged"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("vide.md", b"   \n", "fichier vide"),
        ("programme.exe", b"MZ\x90\x00", "Type de fichier refusé"),
        ("casse.pdf", b"%PDF-1.4 ceci n'est pas un PDF", "Document refusé"),
    ],
)
def test_bad_files_are_refused_and_not_kept(
    admin: TestClient[Litestar], tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    response = admin.post(
        "/api/v1/knowledge/documents", files={"data": (name, content, "application/octet-stream")}
    )
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert not (tmp_path / "knowledge" / "uploads" / name).exists()


def test_a_form_without_the_file_is_a_french_400(admin: TestClient[Litestar]) -> None:
    response = admin.post(
        "/api/v1/knowledge/documents",
        data={"titre": "x"},
        files={"autre": ("a.md", b"# Titre", "text/markdown")},
    )
    assert response.status_code == 400
    assert "champ obligatoire « data » manquant" in response.json()["detail"]


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("member", 403), ("analyst", 403)])
def test_only_admins_upload(
    kb: KnowledgeBase, tmp_path: Path, role: str | None, status: int
) -> None:
    with client_for(kb, tmp_path, role) as client:
        response = client.post(
            "/api/v1/knowledge/documents",
            files={"data": ("x.md", CARD.encode(), "text/markdown")},
        )
    assert response.status_code == status
