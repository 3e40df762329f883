"""The knowledge base against a real Chroma server, started by the test on a free port."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.errors import IndexMismatchError, KnowledgeError
from knowledge.ingest import Ingester
from knowledge.retrieval import KnowledgeBase
from knowledge.store import VectorStore, connect
from tests.knowledge_fixtures import config_for, free_port
from tests.unit.knowledge.documents import write_samples

pytestmark = pytest.mark.chroma_server


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``chroma run`` on a free loopback port, stopped after the module."""
    port = free_port()
    workdir = tmp_path_factory.mktemp("chroma-server")
    log = (workdir / "server.log").open("wb")
    chroma = Path(sys.executable).parent / "chroma"
    process = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(workdir / "db"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(
                    f"le serveur Chroma n'a pas démarré : {(workdir / 'server.log').read_text()}"
                )
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_ingest_and_search_through_a_chroma_server(chroma_url: str, tmp_path: Path) -> None:
    collection = f"test-{uuid.uuid4().hex[:8]}"
    worker = KnowledgeBase.open(
        config_for(tmp_path / "w1", chroma_url=chroma_url, collection=collection)
    )
    write_samples(tmp_path / "docs")
    report = Ingester(worker).run([tmp_path / "docs"])
    assert sorted(report.added) == ["fiche-test", "note", "page", "rapport"]
    assert not (tmp_path / "w1" / "knowledge" / "chroma").exists()  # vectors live on the server

    hit = worker.search("capteurs de présence", 1)[0]
    assert hit.document_id == "rapport" and hit.page == 2

    # Another worker with its own data directory sees the same passages; its BM25 index is
    # rebuilt from the server's collection, in step with the recorded generation.
    other = KnowledgeBase.open(
        config_for(tmp_path / "w2", chroma_url=chroma_url, collection=collection)
    )
    assert len(other) == len(worker)
    assert other.lexical().generation == worker.store.generation()
    found = other.search("sondes d'humidité", 1, method="lexical")
    assert found[0].document_id == "page"
    assert {d.id for d in other.documents()} == {d.id for d in worker.documents()}

    again = Ingester(other).run([tmp_path / "docs"])
    assert again.passages == 0 and len(again.unchanged) == 4


def test_a_server_collection_refuses_another_model(chroma_url: str, tmp_path: Path) -> None:
    collection = f"test-{uuid.uuid4().hex[:8]}"
    kb = KnowledgeBase.open(config_for(tmp_path, chroma_url=chroma_url, collection=collection))
    with pytest.raises(IndexMismatchError, match="autre-modele"):
        VectorStore(
            connect(chroma_url, tmp_path), collection, "autre-modele", kb.embedder.dimension
        )


def test_an_unreachable_server_is_reported_in_french(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="serveur Chroma injoignable"):
        connect(f"http://127.0.0.1:{free_port()}", tmp_path)
    with pytest.raises(KnowledgeError, match="TERRITOIRES_CHROMA_URL invalide"):
        connect("ftp://exemple", tmp_path)
