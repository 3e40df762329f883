"""Retrieval benchmark: quality of dense, lexical and hybrid search, indexing throughput, and
query latency at 1k and 10k passages.

- Quality: the gold set (``tests/fixtures/knowledge-gold.toml``) over our knowledge cards and,
  when ``../shared/corpus`` exists, the shared corpus; recall@1/3/5 and MRR per question type,
  the three methods side by side. Passage vectors are cached in
  ``tests/artifacts/embedding-cache.sqlite3`` (the first run computes them).
- Throughput: a cold ingestion of the knowledge cards (no cache), split between embedding and
  the rest (parsing, splitting, Chroma writes, BM25).
- Latency: collections of 1,000 and 10,000 passages synthesised from the real ones (sentences
  recombined; vectors mixed from the real passages' vectors plus noise, since embedding 10,000
  passages would take most of an hour on a small CPU); p50/p95 over the gold questions,
  question embedding included for the dense and hybrid methods.

``.venv/bin/python benchmarks/retrieval.py [--skip-throughput] [--sizes 1000 10000]``;
``--tune`` prints the best fusion parameters found by a grid search on the gold set.
"""

from __future__ import annotations

import argparse
import itertools
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
from knowledge.fusion import FusionParams, weighted_rrf  # noqa: E402
from knowledge.ingest import Ingester  # noqa: E402
from knowledge.retrieval import (  # noqa: E402
    DEFAULT_PER_DOCUMENT,
    KnowledgeBase,
    passage_from_record,
    passage_id,
)
from knowledge.store import VectorStore, connect  # noqa: E402

CARDS = ROOT / "knowledge" / "corpus"
SHARED = ROOT.parent / "shared" / "corpus"
GOLD = ROOT / "tests" / "fixtures" / "knowledge-gold.toml"
CACHE = ROOT / "tests" / "artifacts" / "embedding-cache.sqlite3"
METHODS = ("dense", "lexical", "hybrid")
TYPES = ("paraphrase", "english", "keyword")


class TimedEmbedder:
    """Wraps an embedder and adds up the time spent embedding passages."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.seconds = 0.0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self.inner.embed_queries(texts)

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


def corpus_kb(workdir: Path) -> KnowledgeBase:
    """Cards (and the shared corpus when present), vectors from the shared cache."""
    config = KnowledgeConfig(data_dir=workdir / "corpus", cache_path=CACHE)
    kb = KnowledgeBase.open(config)
    paths = [CARDS] + ([SHARED] if SHARED.is_dir() else [])
    report = Ingester(kb).run(paths)
    for problem in report.problems:
        print(f"  ignoré : {problem.path} — {problem.reason}")
    return kb


def quality(kb: KnowledgeBase, gold: list[GoldQuestion]) -> None:
    """Recall@1/3/5 and MRR per type, three methods side by side, without and with the cap."""
    corpus = "fiches + corpus partagé" if SHARED.is_dir() else "fiches seules"
    for cap in (None, DEFAULT_PER_DOCUMENT):
        results = {m: evaluate(kb, gold, m, max_per_document=cap) for m in METHODS}
        limit = (
            "sans plafond par document" if cap is None else f"{cap} passages au plus par document"
        )
        print(f"\n## Qualité ({len(kb)} passages, {corpus}, k = 5, {limit})\n")
        print(f"{'type':<13}{'n':>3}  " + "".join(f"{m:>24}" for m in METHODS))
        print(f"{'':<18}" + "   R@1  R@3  R@5   MRR" * 3)
        groups = [(t, [q for q in gold if q.type == t]) for t in TYPES]
        groups.append(("toutes", [q for q in gold if q.type != "unanswerable"]))
        for name, questions in groups:
            row = f"{name:<13}{len(questions):>3}  "
            for m in METHODS:
                sc = summarise(m, name, questions, results[m])
                row += f"  {sc.recall_at_1:4.2f} {sc.recall_at_3:4.2f} {sc.recall_at_5:4.2f}"
                row += f" {sc.mrr:5.2f}"
            print(row)
    answerable = [q for q in gold if q.type != "unanswerable"]
    unanswerable = [q for q in gold if q.type == "unanswerable"]
    top_ok = [results["hybrid"][q.id][1] or 0.0 for q in answerable]
    top_none = [results["hybrid"][q.id][1] or 0.0 for q in unanswerable]
    if top_none:
        print(
            f"\nSimilarité cosinus du meilleur passage (hybride) : questions répondables "
            f"médiane {statistics.median(top_ok):.3f} (min {min(top_ok):.3f}) ; questions sans "
            f"réponse médiane {statistics.median(top_none):.3f} (max {max(top_none):.3f})"
        )


def tune(kb: KnowledgeBase, gold: list[GoldQuestion]) -> None:
    """Grid search of the fusion parameters on the gold set, without the per-document cap.

    Each question's dense and lexical rankings are computed once (40 deep) and every setting
    is replayed on them with the same functions as `KnowledgeBase.search`. Settings where the
    fusion is at least as good as each side (recall@5 and MRR, on paraphrases, keywords and
    all questions) come first, then by MRR + recall@5."""
    answerable = [q for q in gold if q.type != "unanswerable"]
    analyser = FrenchAnalyser()
    replay = []
    for q in answerable:
        vector = kb.embedder.embed_queries([q.question])[0]
        dense = [pid for pid, _ in kb.store.query(vector, 40)]
        lexical = [pid for pid, _ in kb.lexical().search(q.question, 40)]
        records = {r[0]: r for r in kb.store.get(list({*dense, *lexical}))}
        relevant = {pid for pid, r in records.items() if is_relevant(passage_from_record(r), q)}
        words = len(analyser.words(q.question))
        replay.append((q, dense, lexical, relevant, words, q.question.endswith("?")))

    def scores(method: str, params: FusionParams) -> dict[str, tuple[float, float]]:
        fetch = int(params.fetch_factor * 5)
        ranks: list[tuple[str, int | None]] = []
        for q, dense, lexical, relevant, words, question in replay:
            if method == "dense":
                ranked = dense[:fetch]
            elif method == "lexical":
                ranked = lexical[:fetch]
            else:
                weights = params.weights(words, question)
                fused = weighted_rrf([dense[:fetch], lexical[:fetch]], weights, params.rrf_k)
                ranked = [pid for pid, _ in fused]
            top = ranked[:5]
            ranks.append((q.type, next((i for i, p in enumerate(top, 1) if p in relevant), None)))
        out = {}
        for group in (*TYPES, "all"):
            found = [r for t, r in ranks if group in ("all", t)]
            n = len(found) or 1
            out[group] = (
                sum(r is not None for r in found) / n,
                sum(1 / r for r in found if r) / n,
            )
        return out

    grid = itertools.product(
        [0.6, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5, 2.0],
        [1.0, 1.5, 2.0, 3.0],
        [10.0, 20.0, 60.0],
        [2.0, 3.0],
    )
    rows = []
    for lexical_w, keyword_w, rrf_k, fetch in grid:
        params = FusionParams(
            lexical_weight=lexical_w,
            keyword_lexical_weight=keyword_w,
            rrf_k=rrf_k,
            fetch_factor=fetch,
        )
        sides = [scores(m, params) for m in ("dense", "lexical")]
        fused = scores("hybrid", params)
        beats = all(
            fused[g][0] >= side[g][0] - 1e-9 and fused[g][1] >= side[g][1] - 1e-9
            for side in sides
            for g in ("paraphrase", "keyword", "all")
        )
        rows.append((beats, sum(fused["all"]), params, fused, sides))
    rows.sort(key=lambda r: (not r[0], -r[1]))
    print("\n## Réglage de la fusion (sans plafond par document ; R@5 / MRR)\n")
    for beats, _, p, fused, sides in rows[:12]:
        detail = "  ".join(f"{g[:5]} {r5:.2f}/{mrr:.2f}" for g, (r5, mrr) in fused.items())
        lexical = sides[1]["all"]
        print(
            f"{'≥' if beats else ' '} BM25 {p.lexical_weight:<4} mots-clés "
            f"{p.keyword_lexical_weight:<4} k {p.rrf_k:<5} ×{p.fetch_factor:<4} | {detail}"
            f" | BM25 seul {lexical[0]:.2f}/{lexical[1]:.2f}"
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


def latency(kb: KnowledgeBase, gold: list[GoldQuestion], sizes: list[int], workdir: Path) -> None:
    """p50/p95 query latency per method on synthesised collections."""
    print("\n## Latence des requêtes (k = 5, question embarquée comprise)\n")
    print(f"{'passages':>9}  " + "".join(f"{m:>20}" for m in METHODS))
    print(f"{'':>11}" + "    p50 ms   p95 ms " * 3)
    questions = [q.question for q in gold] * 2
    for n in sizes:
        synthetic = synthesise(kb, n, workdir)
        synthetic.search("échauffement", 5)  # load the BM25 index and warm the caches
        row = f"{len(synthetic):>9}  "
        for m in METHODS:
            times = []
            for question in questions:
                started = time.perf_counter()
                synthetic.search(question, 5, method=m)  # type: ignore[arg-type]
                times.append((time.perf_counter() - started) * 1000)
            p50 = statistics.median(times)
            p95 = statistics.quantiles(times, n=20)[-1]
            row += f"   {p50:7.1f}  {p95:7.1f}"
        print(row)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--skip-throughput", action="store_true", help="pas d'ingestion à froid")
    parser.add_argument("--tune", action="store_true", help="chercher les poids de la fusion")
    args = parser.parse_args(argv)
    gold = load_gold(GOLD)
    if not SHARED.is_dir():
        print(f"(corpus partagé absent : {SHARED} ; questions « shared » ignorées)")
        gold = [q for q in gold if q.corpus == "cards"]
    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        workdir = Path(tmp)
        if not args.skip_throughput:
            throughput(workdir)
        kb = corpus_kb(workdir)
        quality(kb, gold)
        if args.tune:
            tune(kb, gold)
        if args.sizes:
            latency(kb, gold, args.sizes, workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
