"""Fixtures of the knowledge-base tests (the expensive ones are built once per run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.retrieval import KnowledgeBase
from tests.knowledge_fixtures import corpus_kb, fresh_kb, outside_kb


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The indexed corpus (our cards, and the shared corpus when present)."""
    return corpus_kb(tmp_path_factory)[0]


@pytest.fixture(scope="session")
def outside(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The shared corpus ingested alone (skips when ../shared is absent)."""
    return outside_kb(tmp_path_factory)


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    """An empty knowledge base of its own."""
    return fresh_kb(tmp_path)
