"""Knowledge base: our corpus of cards, ingestion, and hybrid retrieval (Chroma + French BM25).

Names are imported lazily, so that importing one module (the CLI registering its commands, say)
does not load Chroma or the embedding model.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "DocumentInfo",
    "IngestReport",
    "Ingester",
    "KnowledgeBase",
    "KnowledgeConfig",
    "KnowledgeError",
    "Passage",
]

_HOMES = {
    "DocumentInfo": "knowledge.types",
    "IngestReport": "knowledge.types",
    "Ingester": "knowledge.ingest",
    "KnowledgeBase": "knowledge.retrieval",
    "KnowledgeConfig": "knowledge.config",
    "KnowledgeError": "knowledge.errors",
    "Passage": "knowledge.types",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'knowledge' has no attribute {name!r}")
