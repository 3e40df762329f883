"""Re-scoring study: does re-scoring the top fused candidates by their best sentence window
(`knowledge.rerank`) find the paraphrases that the hybrid search misses?

``.venv/bin/python benchmarks/rerank.py [--tuning-only]``

The gold sets and knowledge bases are those of ``benchmarks/retrieval.py`` (« maison »: our
cards and the shared corpus; « hors »: the shared corpus alone), vectors of passages and of
windows from ``tests/artifacts/embedding-cache.sqlite3`` (the first run computes the windows'
vectors). Each question's fused candidates are computed once, as `KnowledgeBase.search`
computes them, and every setting is replayed on them. It prints:

- the number of windows per knowledge base;
- R@3 + MRR over all the TUNING questions for a grid of settings (candidates re-scored,
  weight of the window similarity); the held-out halves play no part in that choice;
- R@1, R@3 and MRR per question type on both halves (``--tuning-only``: the tuning halves),
  hybrid without re-scoring (replayed) and with the default `RerankParams`;
- the CPU time of the re-scoring per question (p50, p95);
- the cold embedding time (wall and CPU, with the load average) of the cards' windows beside
  that of their passages, which is what the windows would add to an ingestion: about 70 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.retrieval import (  # noqa: E402
    GoldSet,
    Results,
    gold_sets,
    house_gold,
    p50_p95,
    table,
)
from knowledge.analysis import FrenchAnalyser  # noqa: E402
from knowledge.chunking import context_text  # noqa: E402
from knowledge.config import KnowledgeConfig, make_embedder  # noqa: E402
from knowledge.embeddings import Vectors  # noqa: E402
from knowledge.evaluation import GoldQuestion, is_relevant  # noqa: E402
from knowledge.fusion import cap_per_group  # noqa: E402
from knowledge.rerank import RerankParams, WindowVectors, rerank, sentence_windows  # noqa: E402
from knowledge.retrieval import (  # noqa: E402
    DEFAULT_PER_DOCUMENT,
    KnowledgeBase,
    document_of,
    lexical_query,
    passage_from_record,
)
from knowledge.store import VectorMatrix  # noqa: E402

GRID = [(n, w) for n in (10, 20, 30) for w in (0.0, 0.25, 0.5, 0.75, 1.0)]
"""(candidates, weight) settings tried on the tuning halves."""


class Replay(NamedTuple):
    """One question's fused candidates and what re-scoring them needs."""

    set_name: str
    question: GoldQuestion
    vector: Vectors
    fused: list[tuple[str, float]]
    relevant: set[str]
    matrix: VectorMatrix
    windows: WindowVectors


def replays(sets: Sequence[GoldSet], halves: Sequence[str], size: int) -> list[Replay]:
    """The answerable questions of `halves`, each with its fused candidates computed as
    `KnowledgeBase.search` computes them, and the windows of `size` sentences of each base."""
    analyser, out = FrenchAnalyser(), []
    for name, kb, gold in sets:
        records = list(kb.store.records())
        windows = WindowVectors.build(records, kb.embedder, size)
        print(f"{name} : {len(windows)} fenêtres pour {len(records)} passages")
        stored, matrix, fetch = {r[0]: r for r in records}, kb.store.matrix(""), kb.fusion.fetch(5)
        for q in (q for q in gold if q.expect and q.split in halves):
            query = " ".join(q.question.split())
            vector = kb.embedder.embed_queries([query])[0]
            lexical = kb.lexical().search(lexical_query(query), fetch)
            weights = kb.fusion.weights(len(analyser.words(query)), query.endswith("?"))
            fused = kb.fusion.fuse(matrix.query(vector, fetch), lexical, weights)
            relevant = {p for p, _ in fused if is_relevant(passage_from_record(stored[p]), q)}
            out.append(Replay(name, q, vector, fused, relevant, matrix, windows))
    return out


def replayed(
    replay: Sequence[Replay], params: RerankParams, cpu: list[float] | None = None
) -> dict[str, Results]:
    """Rank of the first relevant passage in the top 5 per question, per gold set, after
    re-scoring with `params` and the per-document cap; the CPU milliseconds of re-scoring
    and cap per question are appended to `cpu`."""
    out: defaultdict[str, Results] = defaultdict(dict)
    for r in replay:
        started = time.process_time()
        head = [p for p, _ in r.fused[: params.candidates]]
        best = r.windows.best(r.matrix.similarities(head, r.vector), r.vector)
        ranked = rerank(r.fused, best, params)
        top = cap_per_group(ranked, lambda item: document_of(item[0]), DEFAULT_PER_DOCUMENT, 5)
        if cpu is not None:
            cpu.append((time.process_time() - started) * 1000)
        rank = next((i for i, (p, _) in enumerate(top, 1) if p in r.relevant), None)
        out[r.set_name][r.question.id] = (rank, None)
    return out


def tuning_score(replay: Sequence[Replay], params: RerankParams) -> float:
    """R@3 + MRR over all the tuning questions of `replay`."""
    found = replayed(replay, params)
    ranks = [found[r.set_name][r.question.id][0] for r in replay if r.question.split == "tuning"]
    hits = sum(rank is not None and rank <= 3 for rank in ranks)
    return (hits + sum(1 / rank for rank in ranks if rank)) / len(ranks)


def embedding_cost(kb: KnowledgeBase, size: int) -> None:
    """Cold embedding (no cache) of the cards' passages, then of their windows."""
    cards = [r for r in kb.store.records() if r[2].get("provenance") == "builtin"]
    raw = make_embedder(KnowledgeConfig(data_dir=ROOT / "unused", use_cache=False))
    passages = [context_text(m["title"], m.get("section"), t) for _, t, m in cards]
    windows = [
        w for _, t, m in cards for w in sentence_windows(m["title"], m.get("section"), t, size)
    ]
    for label, texts in (("passages", passages), ("fenêtres", windows)):
        started, cpu_started = time.perf_counter(), time.process_time()
        raw.embed_passages(texts)
        words = sum(len(t.split()) for t in texts)
        print(
            f"fiches, embedding à froid de {len(texts)} {label} ({words} mots) : "
            f"{time.perf_counter() - started:.1f} s, CPU "
            f"{time.process_time() - cpu_started:.1f} s, charge {os.getloadavg()[0]:.2f}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tuning-only",
        action="store_true",
        help="n'afficher que les moitiés « tuning » (la moitié « heldout » ne se regarde "
        "qu'une fois, à la fin)",
    )
    args = parser.parse_args(argv)
    halves = ("tuning",) if args.tuning_only else ("tuning", "heldout")
    chosen = RerankParams()
    with tempfile.TemporaryDirectory(prefix="bench-rerank-") as tmp:
        sets = gold_sets(Path(tmp), house_gold())
        replay = replays(sets, halves, chosen.window_sentences)
        tuning = sum(r.question.split == "tuning" for r in replay)
        print(f"\nRéglage sur les seules moitiés « tuning » ({tuning} questions, R@3 + MRR) :")
        for n, w in GRID:
            score = tuning_score(replay, RerankParams(n, w, chosen.window_sentences))
            print(f"  candidats {n:<3} poids {w:<5} {score:.3f}")
        unranked = replayed(replay, RerankParams(weight=0))
        table("Qualité, hybride sans reclassement (rejoué)", sets, halves, unranked)
        cpu: list[float] = []
        ranked = replayed(replay, chosen, cpu)
        table(f"Qualité, hybride reclassé par fenêtres ({chosen})", sets, halves, ranked)
        print(f"\ncoût CPU du reclassement par question, p50 / p95 : {p50_p95(cpu)} ms")
        embedding_cost(sets[0][1], chosen.window_sentences)
    return 0


if __name__ == "__main__":
    sys.exit(main())
