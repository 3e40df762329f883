"""A server process searching while ``territoires knowledge ingest`` runs in another one.

Both open the same embedded Chroma directory. An embedded Chroma keeps its vector index in
memory: without `VectorStore.reopen`, the searching process kept answering from the old index
(the new passages missing, the replaced ones gone from the results) and fetching the vectors
of the new passages failed with "Error finding id".
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from knowledge.config import KnowledgeConfig
from knowledge.ingest import Ingester
from knowledge.retrieval import KnowledgeBase

ROOT = Path(__file__).resolve().parents[3]


def _write(directory: Path, towns: list[str], topic: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for town in towns:
        (directory / f"{town}.md").write_text(
            f"# {town.capitalize()}\n\nLa commune de {town} {topic}.\n", encoding="utf-8"
        )


def _ingest_elsewhere(data_dir: Path, docs: Path) -> None:
    """The command line, in a process of its own."""
    env = {**os.environ, "TERRITOIRES_DATA_DIR": str(data_dir)}
    code = "import sys; from service.cli.main import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", code, "knowledge", "ingest", str(docs)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def test_searches_see_what_another_process_ingested(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    docs = tmp_path / "docs"
    _write(docs, ["arles", "brest", "colmar"], "publie ses horaires de bibliothèque")
    server = KnowledgeBase.open(KnowledgeConfig(data_dir=data_dir))
    Ingester(server).run([docs])
    assert server.search("horaires de bibliothèque", 3, method="dense")  # index loaded

    _write(docs, ["arles", "brest", "colmar"], "recense les nids de cigognes sur ses toits")
    _write(docs, ["dole", "evian", "figeac"], "recense les nids de cigognes sur ses toits")
    _ingest_elsewhere(data_dir, docs)
    time.sleep(2.1)  # the server rereads the collection's generation every two seconds

    for method in ("dense", "hybrid"):
        found = server.search("nids de cigognes", 6, method=method)
        assert len(found) == 6, method
        assert all("cigognes" in p.text for p in found), method
        assert all(p.similarity is not None for p in found), method
    fetched = server.store.vectors(server.store.ids())
    assert len(fetched) == 6
