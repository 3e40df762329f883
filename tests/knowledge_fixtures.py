"""Knowledge-base test helpers: the embedding model and the indexed corpus, built once per run.

Embedding the whole corpus with the offline model takes minutes on a small machine, so passage
vectors are kept in `tests/artifacts/embedding-cache.sqlite3` (ignored by git): the first run
computes them, later runs reuse them. The knowledge base itself is rebuilt in a fresh
directory each session.
"""

from __future__ import annotations

import socket
import uuid
from functools import cache
from pathlib import Path

import pytest

from knowledge.chunking import ChunkingConfig
from knowledge.config import CORPUS_DIR, KnowledgeConfig, make_embedder
from knowledge.embeddings import Embedder
from knowledge.evaluation import GoldQuestion, load_gold
from knowledge.ingest import Ingester
from knowledge.retrieval import KnowledgeBase
from knowledge.store import VectorStore, connect
from knowledge.types import IngestReport

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "tests" / "artifacts" / "embedding-cache.sqlite3"
GOLD = ROOT / "tests" / "fixtures" / "knowledge-gold.toml"
OUTSIDE_GOLD = ROOT / "tests" / "fixtures" / "knowledge-gold-outside.toml"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"


def config_for(data_dir: Path, **overrides: object) -> KnowledgeConfig:
    """A knowledge configuration in `data_dir` sharing the test embedding cache."""
    values: dict[str, object] = {"data_dir": data_dir, "cache_path": CACHE}
    values.update(overrides)
    return KnowledgeConfig(**values)  # type: ignore[arg-type]


@cache
def test_embedder() -> Embedder:
    """The offline model behind the shared test cache (one per test process)."""
    return make_embedder(config_for(Path("unused")))


def fresh_kb(data_dir: Path) -> KnowledgeBase:
    """An empty knowledge base in `data_dir` (embedded Chroma), with the shared embedder."""
    embedder = test_embedder()
    client = connect(None, data_dir / "knowledge" / "chroma")
    name = f"test-{uuid.uuid4().hex[:10]}"
    store = VectorStore(client, name, embedder.name, embedder.dimension)
    return KnowledgeBase(store, embedder, data_dir / "knowledge" / "lexical" / name)


_CORPUS: dict[str, tuple[KnowledgeBase, IngestReport, KnowledgeConfig]] = {}


def corpus_kb(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeBase, KnowledgeConfig]:
    """Our knowledge cards, plus the shared corpus when ../shared is there, indexed once."""
    if "corpus" not in _CORPUS:
        config = config_for(tmp_path_factory.mktemp("knowledge-corpus"))
        kb = KnowledgeBase.open(config)
        paths = [CORPUS_DIR] + ([SHARED_CORPUS] if SHARED_CORPUS.is_dir() else [])
        report = Ingester(kb, ChunkingConfig()).run(paths)
        assert not report.problems, report.problems
        _CORPUS["corpus"] = (kb, report, config)
    kb, _, config = _CORPUS["corpus"]
    return kb, config


def outside_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The shared corpus (../shared/corpus) ingested alone, indexed once; skips without it."""
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"../shared absent : {SHARED_CORPUS} introuvable (jeu hors corpus)")
    if "outside" not in _CORPUS:
        config = config_for(tmp_path_factory.mktemp("knowledge-outside"))
        kb = KnowledgeBase.open(config)
        report = Ingester(kb, ChunkingConfig()).run([SHARED_CORPUS])
        assert not report.problems, report.problems
        _CORPUS["outside"] = (kb, report, config)
    return _CORPUS["outside"][0]


def gold_questions() -> list[GoldQuestion]:
    """The gold set."""
    return load_gold(GOLD)


def outside_questions() -> list[GoldQuestion]:
    """The gold set over the shared corpus ingested alone."""
    return load_gold(OUTSIDE_GOLD)


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
