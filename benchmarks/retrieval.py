"""Retrieval benchmark: quality of dense, lexical and hybrid search, indexing throughput, and
query latency at 1k and 10k passages.

- Quality: R@1, R@3 and MRR per question type, for the three methods, searching as the
  assistant does (k = 5, default per-document cap), beside the targets, on the tuning and
  held-out halves of two gold sets: ``tests/fixtures/knowledge-gold.toml`` over our cards and
  the shared corpus, and ``tests/fixtures/knowledge-gold-outside.toml`` over the shared corpus
  (``../shared/corpus``) ingested alone. Passage vectors are cached in
  ``tests/artifacts/embedding-cache.sqlite3`` (the first run computes them).
- Throughput: a cold ingestion of the knowledge cards (no cache), split between embedding and
  the rest (parsing, splitting, Chroma writes, BM25).
- Latency: collections of 1,000 and 10,000 passages synthesised from the real ones (sentences
  recombined; vectors mixed from the real passages' vectors plus noise, since embedding 10,000
  passages would take most of an hour on a small CPU); p50/p95 over the gold questions of the
  whole search, of the question's embedding, of the rest and of the CPU time, with the load
  average.

``.venv/bin/python benchmarks/retrieval.py [--skip-throughput] [--sizes 1000 10000]``;
``--tune`` prints the best fusion parameters found by a grid search on the tuning halves;
``--tuning-only`` prints the tuning halves only (while trying a change). The re-scoring study
of `knowledge.rerank` is ``benchmarks/rerank.py``, which reuses this script's gold sets and
tables.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.analysis import FrenchAnalyser  # noqa: E402
from knowledge.config import KnowledgeConfig  # noqa: E402
from knowledge.embeddings import Embedder, Vectors  # noqa: E402
from knowledge.evaluation import (  # noqa: E402
    GoldQuestion,
    evaluate,
    is_relevant,
    load_gold,
    summarise,
)
from knowledge.fusion import DEFAULT_FUSION, FusionParams, cap_per_group  # noqa: E402
from knowledge.ingest import Ingester  # noqa: E402
from knowledge.retrieval import (  # noqa: E402
    DEFAULT_PER_DOCUMENT,
    KnowledgeBase,
    document_of,
    lexical_query,
    passage_from_record,
    passage_id,
)
from knowledge.store import VectorMatrix, VectorStore, connect  # noqa: E402
from knowledge.types import Method  # noqa: E402

CARDS = ROOT / "knowledge" / "corpus"
SHARED = ROOT.parent / "shared" / "corpus"
GOLD = ROOT / "tests" / "fixtures" / "knowledge-gold.toml"
OUTSIDE = ROOT / "tests" / "fixtures" / "knowledge-gold-outside.toml"
CACHE = ROOT / "tests" / "artifacts" / "embedding-cache.sqlite3"
METHODS: tuple[Method, ...] = ("dense", "lexical", "hybrid")
TYPES = ("paraphrase", "english", "keyword")
PARTS = ("total", "embedding", "reste", "CPU total")


class TimedEmbedder:
    """Wraps an embedder; adds up the time spent embedding passages and keeps the time of
    the last question embedded."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.last_query = 0.0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        started = time.perf_counter()
        try:
            return self.inner.embed_queries(texts)
        finally:
            self.last_query = time.perf_counter() - started

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        started = time.perf_counter()
        try:
            return self.inner.embed_passages(texts)
        finally:
            self.seconds += time.perf_counter() - started


def throughput(workdir: Path) -> None:
    """Cold ingestion of the cards: no embedding cache."""
    config = KnowledgeConfig(data_dir=workdir / "cold", use_cache=False)
    kb = KnowledgeBase.open(config)
    timed = TimedEmbedder(kb.embedder)
    kb.embedder = timed
    report = Ingester(kb).run([CARDS])
    words = sum(len(text.split()) for _, text, _ in kb.store.records())
    rest = report.seconds - timed.seconds
    print("\n## Débit d'indexation (fiches, à froid, sans cache d'embeddings)\n")
    print(
        f"{len(report.added)} fichiers, {report.passages} passages, {words} mots en "
        f"{report.seconds:.1f} s : {report.passages / report.seconds:.2f} passages/s, "
        f"{words / report.seconds:.0f} mots/s"
    )
    print(
        f"dont embeddings {timed.seconds:.1f} s ({report.passages / timed.seconds:.2f} "
        f"passages/s) ; lecture, découpage, écriture Chroma et BM25 {rest:.2f} s"
    )
    again = Ingester(kb).run([CARDS])
    print(f"ré-ingestion sans changement : {again.seconds * 1000:.0f} ms")


GoldSet = tuple[str, KnowledgeBase, list[GoldQuestion]]
"""A gold set's name, the knowledge base it is asked of, and its questions."""


def house_gold() -> list[GoldQuestion]:
    """The house gold set; its questions on our cards only when the shared corpus is absent."""
    gold = load_gold(GOLD)
    if SHARED.is_dir():
        return gold
    print(f"(corpus partagé absent : {SHARED} ; questions « shared » et hors corpus ignorées)")
    return [q for q in gold if q.corpus == "cards"]


def corpus_kb(workdir: Path, paths: Sequence[Path], name: str) -> KnowledgeBase:
    """`paths` ingested into a fresh data directory, vectors from the shared cache."""
    config = KnowledgeConfig(data_dir=workdir / name, cache_path=CACHE)
    kb = KnowledgeBase.open(config)
    report = Ingester(kb).run(paths)
    for problem in report.problems:
        print(f"  ignoré : {problem.path} — {problem.reason}")
    return kb


def gold_sets(workdir: Path, gold: list[GoldQuestion]) -> list[GoldSet]:
    """« maison »: `gold` over the cards and the shared corpus; « hors »: the outside gold
    set over the shared corpus alone (when it is present)."""
    kb = corpus_kb(workdir, [CARDS] + ([SHARED] if SHARED.is_dir() else []), "corpus")
    sets = [("maison", kb, gold)]
    if SHARED.is_dir():
        sets.append(("hors", corpus_kb(workdir, [SHARED], "outside"), load_gold(OUTSIDE)))
    return sets


Results = dict[str, tuple[int | None, float | None]]
TARGETS = {"paraphrase": ("R@3", 0.85), "keyword": ("R@1", 0.95), "english": ("R@3", 0.80)}
"""Targets on the held-out half and on the outside-corpus set."""


def _cell(questions: list[GoldQuestion], results: Results) -> str:
    if not questions:
        return f"{'—':^17}"
    sc = summarise("", "", questions, results)
    return f"{sc.recall_at_1:5.2f}{sc.recall_at_3:5.2f}{sc.mrr:6.2f} "


def table(
    title: str,
    sets: Sequence[GoldSet],
    halves: Sequence[str],
    results: dict[str, Results],
) -> None:
    """R@1, R@3 and MRR per question type, per gold set and half, with the targets."""
    columns = [(name, half) for name, _, _ in sets for half in halves]
    print(f"\n## {title}\n")
    print(f"{'':<12}" + "".join(f"{f'{n} / {h}':^18}" for n, h in columns) + "  cible")
    print(f"{'type':<12}" + "  R@1  R@3   MRR  " * len(columns))
    for kind in (*TYPES, "toutes"):
        row = f"{kind:<12}"
        for name, half in columns:
            gold = next(g for n, _, g in sets if n == name)
            chosen = [
                q for q in gold if q.split == half and q.expect and kind in (q.type, "toutes")
            ]
            row += _cell(chosen, results[name]) + " "
        target = TARGETS.get(kind)
        print(row + (f" {target[0]} ≥ {target[1]:.2f}" if target else ""))
    counts = "  ".join(
        f"{n}/{h} {sum(q.split == h and bool(q.expect) for q in g)}"
        for n, _, g in sets
        for h in halves
    )
    print(f"questions répondables : {counts}")


def quality(
    sets: Sequence[GoldSet],
    halves: Sequence[str] = ("tuning", "heldout"),
) -> None:
    """R@1, R@3 and MRR per question type, per gold set and each of `halves`, with the
    targets, searching as the assistant does (k = 5, default per-document cap)."""
    for method in METHODS:
        results = {
            name: evaluate(kb, gold, method, max_per_document=DEFAULT_PER_DOCUMENT)
            for name, kb, gold in sets
        }
        title = f"Qualité, méthode {method} (k = 5, plafond par document par défaut)"
        table(title, sets, halves, results)
    for name, _, gold in sets:
        top_ok = [r[1] or 0.0 for q in gold if q.expect for r in [results[name][q.id]]]
        top_none = [r[1] or 0.0 for q in gold if not q.expect for r in [results[name][q.id]]]
        if top_none and top_ok:
            print(
                f"{name} : similarité du meilleur passage, répondables médiane "
                f"{statistics.median(top_ok):.3f} (min {min(top_ok):.3f}) ; sans réponse "
                f"médiane {statistics.median(top_none):.3f} (max {max(top_none):.3f})"
            )


def tune(sets: Sequence[GoldSet]) -> None:
    """Grid search of the fusion parameters on the TUNING half of every gold set only.

    Each question's dense and lexical candidates are computed once (40 deep, the lexical
    query as `KnowledgeBase.search` builds it) and every setting is replayed on them with
    the same functions as the search (fusion, then the per-document cap). Sorted by
    MRR + R@3 over all tuning questions; the held-out halves are not looked at."""
    analyser = FrenchAnalyser()
    replay = []
    for _, kb, gold in sets:
        for q in gold:
            if q.split != "tuning" or not q.expect:
                continue
            vector = kb.embedder.embed_queries([q.question])[0]
            dense = kb.store.query(vector, 40)
            lexical = kb.lexical().search(lexical_query(q.question), 40)
            records = {r[0]: r for r in kb.store.get(list({p for p, _ in [*dense, *lexical]}))}
            relevant = {p for p, r in records.items() if is_relevant(passage_from_record(r), q)}
            words = len(analyser.words(q.question))
            replay.append((q, dense, lexical, relevant, words, q.question.endswith("?")))

    def scores(params: FusionParams) -> dict[str, tuple[float, float, float]]:
        fetch = params.fetch(5)
        ranks: list[tuple[str, int | None]] = []
        for q, dense, lexical, relevant, words, question in replay:
            weights = params.weights(words, question)
            fused = [p for p, _ in params.fuse(dense[:fetch], lexical[:fetch], weights)]
            top = cap_per_group(fused, document_of, DEFAULT_PER_DOCUMENT, 5)
            ranks.append((q.type, next((i for i, p in enumerate(top, 1) if p in relevant), None)))
        out = {}
        for group in (*TYPES, "all"):
            found = [r for t, r in ranks if group in ("all", t)]
            n = len(found) or 1
            out[group] = (
                sum(r == 1 for r in found) / n,
                sum(r is not None and r <= 3 for r in found) / n,
                sum(1 / r for r in found if r) / n,
            )
        return out

    grid = itertools.product(
        ["scores", "rrf"], [0.75, 1.0, 1.25, 1.5], [1.0, 1.5, 2.0], [10, 20, 40]
    )
    rows = []
    for mode, lexical_w, keyword_w, min_fetch in grid:
        params = FusionParams(
            mode=mode,  # type: ignore[arg-type]
            lexical_weight=lexical_w,
            keyword_lexical_weight=keyword_w,
            min_fetch=min_fetch,
            fetch_factor=1.0,
        )
        fused = scores(params)
        rows.append((fused["all"][1] + fused["all"][2], params, fused))
    rows.sort(key=lambda r: -r[0])
    print(f"\n## Réglage de la fusion, moitié « tuning » seulement ({len(replay)} questions)\n")
    print("R@1 / R@3 / MRR par type ; défaut actuel :", DEFAULT_FUSION)
    for _, p, fused in rows[:15]:
        detail = "  ".join(f"{g[:5]} {a:.2f}/{b:.2f}/{c:.2f}" for g, (a, b, c) in fused.items())
        print(
            f"{p.mode:<7} BM25 {p.lexical_weight:<5} mots-clés {p.keyword_lexical_weight:<4} "
            f"candidats {p.min_fetch:<3} | {detail}"
        )


def synthesise(kb: KnowledgeBase, n: int, workdir: Path, seed: int = 7) -> KnowledgeBase:
    """A knowledge base of `n` passages recombined from the real ones (see module doc)."""
    rng = np.random.default_rng(seed)
    records = list(kb.store.records())
    ids = [r[0] for r in records]
    vectors = kb.store.vectors(ids)
    base = np.array([vectors[i] for i in ids], dtype=np.float32)
    sentences = [
        (i, s.strip())
        for i, (_, text, _) in enumerate(records)
        for s in text.replace("\n", " ").split(". ")
        if len(s.split()) > 4
    ]
    client = connect(None, workdir / f"synthetic-{n}")
    store = VectorStore(client, f"synthetic-{n}", kb.embedder.name, kb.embedder.dimension)
    new_ids, texts, metas = [], [], []
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    for j in range(n):
        picks = rng.choice(len(sentences), size=rng.integers(8, 14), replace=False)
        sources = [sentences[p][0] for p in picks]
        texts.append(". ".join(sentences[p][1] for p in picks) + ".")
        mix = base[sources].mean(axis=0) + rng.normal(0, 0.02, base.shape[1])
        out[j] = mix / np.linalg.norm(mix)
        doc = f"synth-{j // 20:04d}"
        new_ids.append(passage_id(doc, uuid.uuid4().hex, j % 20))
        meta = dict(records[sources[0]][2])
        meta.update(document_id=doc, position=j % 20, passages=20)
        metas.append(meta)
    for start in range(0, n, 1000):
        store.upsert(
            new_ids[start : start + 1000],
            out[start : start + 1000],
            texts[start : start + 1000],
            metas[start : start + 1000],
        )
    synthetic = KnowledgeBase(store, kb.embedder, workdir / f"synthetic-{n}-bm25")
    synthetic.commit()
    return synthetic


def p50_p95(values: list[float]) -> str:
    """The median and 95th percentile of `values`, as two table cells."""
    return f"{statistics.median(values):7.1f}  {statistics.quantiles(values, n=20)[-1]:7.1f}"


def latency(kb: KnowledgeBase, gold: list[GoldQuestion], sizes: list[int], workdir: Path) -> None:
    """p50/p95 query latency per method on synthesised collections: the whole search, the
    question's embedding, the rest (vector query, BM25, fusion, cap, records), and the
    process's CPU time for the whole search (all threads: wall time above it means waiting
    for a core on a busy machine)."""
    print("\n## Latence des requêtes (k = 5, question embarquée comprise)\n")
    print(f"charge moyenne avant : {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'passages':>9} {'méthode':<8}" + "".join(f"{h:>18}" for h in PARTS))
    print(f"{'':>18}" + "   p50 ms   p95 ms " * len(PARTS))
    questions = [q.question for q in gold] * 2
    for n in sizes:
        synthetic = synthesise(kb, n, workdir)
        timed = TimedEmbedder(synthetic.embedder)
        synthetic.embedder = timed
        started = time.perf_counter()
        synthetic.store.matrix("").save(workdir / "matrix.npz")  # what an ingestion adds
        from_store = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        VectorMatrix.load(workdir / "matrix.npz")  # what another process pays once
        from_file = (time.perf_counter() - started) * 1000
        synthetic.search("échauffement", 5)  # warm the caches
        for m in METHODS:
            total, embedding, cpu = [], [], []
            for question in questions:
                timed.last_query = 0.0
                started, cpu_started = time.perf_counter(), time.process_time()
                synthetic.search(question, 5, method=m)
                total.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
                embedding.append(timed.last_query * 1000)
            rest = [t - e for t, e in zip(total, embedding, strict=True)]
            cells = "".join(f"  {p50_p95(v)}" for v in (total, embedding, rest, cpu))
            print(f"{len(synthetic):>9} {m:<8}{cells}")
        print(
            f"{'':>9} matrice des vecteurs, une fois par génération : lue dans Chroma et "
            f"enregistrée {from_store:.0f} ms, relue du fichier {from_file:.0f} ms"
        )
    print(f"charge moyenne après : {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("objectif : p95 de la recherche hybride complète ≤ 60 ms sur une machine calme")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--skip-throughput", action="store_true", help="pas d'ingestion à froid")
    parser.add_argument("--tune", action="store_true", help="chercher les poids de la fusion")
    parser.add_argument(
        "--tuning-only",
        action="store_true",
        help="n'afficher que les moitiés « tuning » (pendant un essai : la moitié « heldout » "
        "ne se regarde qu'une fois, à la fin)",
    )
    args = parser.parse_args(argv)
    gold = house_gold()
    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        workdir = Path(tmp)
        if not args.skip_throughput:
            throughput(workdir)
        sets = gold_sets(workdir, gold)
        quality(sets, ("tuning",) if args.tuning_only else ("tuning", "heldout"))
        if args.tune:
            tune(sets)
        if args.sizes:
            latency(sets[0][1], gold, args.sizes, workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
