"""Lexical side: a BM25 index (bm25s) over passages analysed in French, saved on disk.

bm25s cannot update an index in place, so the index is rebuilt from all passages after each
ingestion (a fraction of a second for ten thousand passages) and saved with the *generation*
of the vector collection it was built from; a mismatch on loading means it is stale and it is
rebuilt from the collection.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

from knowledge.analysis import FrenchAnalyser

__all__ = ["LexicalIndex"]

_STATE = "state.json"
_BM25: dict[str, str | float] = {"method": "lucene", "k1": 0.9, "b": 0.5}
"""Chosen on the tuning half of the gold sets (bm25s's defaults are k1 1.5, b 0.75): term
frequency saturates sooner and long passages are penalised less; on the held-out half, one
more English question found in the top 3, nothing lost. Saved with the index: an index built
with other values is rebuilt."""


class LexicalIndex:
    """BM25 over a fixed list of passage ids; `search` returns ``(id, score)`` best first."""

    def __init__(
        self,
        ids: Sequence[str],
        model: bm25s.BM25 | None,
        analyser: FrenchAnalyser,
        generation: str,
    ) -> None:
        self.ids = list(ids)
        self.generation = generation
        self._model = model
        self._analyser = analyser
        self._vocab: dict[str, int] = dict(model.vocab_dict) if model is not None else {}

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(
        cls,
        ids: Sequence[str],
        texts: Sequence[str],
        analyser: FrenchAnalyser,
        generation: str,
    ) -> LexicalIndex:
        """Index `texts` (aligned with `ids`)."""
        tokens = [analyser(t) for t in texts]
        if not any(tokens):  # nothing to index (bm25s cannot build an empty vocabulary)
            return cls(list(ids), None, analyser, generation)
        model = bm25s.BM25(**_BM25)
        model.index(tokens, show_progress=False)
        return cls(ids, model, analyser, generation)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """The `k` best passages for `query` with a positive BM25 score."""
        if self._model is None or k <= 0:
            return []
        terms = [self._vocab[t] for t in self._analyser(query) if t in self._vocab]
        if not terms:
            return []
        # Scores of every passage straight from the sparse matrix: bm25s's `retrieve` adds a
        # thread pool and its bookkeeping, as much time again as the scoring itself.
        scores = np.asarray(self._model.get_scores(terms), dtype=np.float32)
        n = min(k, len(scores))
        best = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(n)
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.ids[int(d)], float(scores[d])) for d in best if scores[d] > 0]

    def save(self, directory: Path) -> None:
        """Write the index to `directory`, replacing any previous one in a single rename."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = directory.with_name(f"{directory.name}.tmp-{uuid.uuid4().hex[:8]}")
        tmp.mkdir()
        if self._model is not None:
            self._model.save(str(tmp), show_progress=False)
        state = {
            "generation": self.generation,
            "analyser": self._analyser.version,
            "bm25": _BM25,
            "ids": self.ids,
            "model": self._model is not None,
        }
        (tmp / _STATE).write_text(json.dumps(state), encoding="utf-8")
        old = directory.with_name(f"{directory.name}.old-{uuid.uuid4().hex[:8]}")
        if directory.exists():
            os.replace(directory, old)
        os.replace(tmp, directory)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path, analyser: FrenchAnalyser) -> LexicalIndex | None:
        """The saved index, or None when absent, unreadable or built by another analyser."""
        try:
            state = json.loads((directory / _STATE).read_text(encoding="utf-8"))
            if state.get("analyser") != analyser.version or state.get("bm25") != _BM25:
                return None
            ids = [str(i) for i in state["ids"]]
            built = bool(state.get("model", ids))
            model = bm25s.BM25.load(str(directory), show_progress=False) if built else None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return cls(ids, model, analyser, str(state["generation"]))
