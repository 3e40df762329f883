"""Assistant benchmark: answer quality on the assistant's gold set, tuning and held-out halves
side by side (answers that say what they must, honest leads, refusals in the question's
language, follow-ups), the relevance gate on both gold files' halves, the share of sentences
labelled with their real section, extractive latency (p50/p95; target p95 < 300 ms), time to
first token in generative mode against the loopback OpenAI-compatible test server, and
(``--calibrate``) the gate's signals per question.

``.venv/bin/python benchmarks/assistant.py [--rounds 3] [--calibrate]``

The knowledge base is our cards plus ``../shared/corpus`` when present, vectors from the test
cache (``tests/artifacts/embedding-cache.sqlite3``). Latency covers the whole chain: question
embedding, hybrid search, gate, sentence selection and composition. Thresholds are calibrated
on the tuning halves only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.retrieval import corpus_kb  # noqa: E402
from knowledge.assistant import (  # noqa: E402
    GATE_MAX_UNKNOWN,
    GATE_MIN_COVERAGE,
    GATE_MIN_SIMILARITY,
    Assistant,
    AssistantAnswer,
    AssistantRequest,
    Done,
    LLMConfig,
    Token,
    Turn,
    make_chat_model,
    relevance,
)
from knowledge.assistant.gate import GATE_MIN_SIMILARITY_EN  # noqa: E402
from knowledge.assistant.gold import check, load_answer_gold  # noqa: E402
from knowledge.assistant.intent import language  # noqa: E402
from knowledge.evaluation import load_gold  # noqa: E402
from knowledge.retrieval import KnowledgeBase  # noqa: E402
from maturity.model import load_model  # noqa: E402
from tests.answer_labels import label_problems, sentence_citations  # noqa: E402
from tests.llm_server import fake_llm_server  # noqa: E402

GOLD = ROOT / "tests" / "fixtures" / "knowledge-gold.toml"
ANSWER_GOLD = ROOT / "tests" / "fixtures" / "assistant-gold.toml"
SPLITS = ("tuning", "heldout")
EXAMPLES = (
    ("", "Comment passer du niveau 2 au niveau 3 en évaluation ?"),
    ("", "Qu'est-ce que la souveraineté numérique ?"),
    ("", "Quels sont les risques d'un contrat global avec un grand groupe ?"),
    ("", "Quelle est la stratégie smart city de Dijon ?"),
    ("", "Quel est le budget du jumeau numérique d'Angers ?"),
    ("", "How are citizens involved in evaluation?"),
    ("", "What is the best recipe for pizza?"),
    ("Comment Angers utilise-t-elle un jumeau numérique ?", "Et Mulhouse ?"),
)
"""The issue's worst cases (previous question, question), printed with ``--examples``."""
SHARED = ROOT.parent / "shared" / "corpus"


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0–1) of `values`, by linear interpolation."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def main() -> None:
    """Run the measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions")
    parser.add_argument("--calibrate", action="store_true", help="print the gate's signals")
    parser.add_argument("--examples", action="store_true", help="print the worst cases' answers")
    args = parser.parse_args()
    gold = load_gold(GOLD)
    if not SHARED.is_dir():
        gold = [q for q in gold if q.corpus == "cards"]
    with tempfile.TemporaryDirectory() as workdir:
        paths = [ROOT / "knowledge" / "corpus"] + ([SHARED] if SHARED.is_dir() else [])
        kb = corpus_kb(Path(workdir), paths, "corpus")
        assistant = Assistant(kb, model=load_model())
        assistant.ask(AssistantRequest("jumeau numérique"))  # model, BM25 and statistics loaded
        if args.calibrate:
            calibrate(assistant, gold)
        if args.examples:
            examples(assistant)
        answers(assistant, kb)
        gate(assistant, gold)
        latencies: list[float] = []
        refused = 0
        for _ in range(args.rounds):
            for q in gold:
                started = time.perf_counter()
                answer = assistant.ask(AssistantRequest(q.question))
                latencies.append((time.perf_counter() - started) * 1000)
                refused += answer.refused
        print(
            f"\n## Assistant extractif ({len(kb)} passages, "
            f"{len(gold)} questions × {args.rounds})\n"
        )
        print(
            f"latence p50 {percentile(latencies, 0.5):.0f} ms, "
            f"p95 {percentile(latencies, 0.95):.0f} ms,"
            f" max {max(latencies):.0f} ms ; refus {refused // args.rounds}/{len(gold)}"
        )
        first_token(assistant, kb, gold)


def first_token(assistant: Assistant, kb: object, gold: list) -> None:  # type: ignore[type-arg]
    """Time to first token and total time against the loopback server (5 ms between chunks)."""
    with fake_llm_server() as server:
        server.chunk_delay = 0.005
        server.reply = lambda messages: (
            "D'après les sources, la démarche repose sur les usages [1] et sur une gouvernance "
            "à la fois proactive et ouverte [2], évaluée avec les parties prenantes [1]."
        )
        llm = make_chat_model(LLMConfig(base_url=server.base_url, model="test"))
        generative = Assistant(assistant.kb, llm, stats=assistant.stats)
        firsts: list[float] = []
        totals: list[float] = []
        for q in [q for q in gold if q.type != "unanswerable"]:
            started = time.perf_counter()
            first = None
            for event in generative.stream(AssistantRequest(q.question)):
                if isinstance(event, Token) and first is None:
                    first = (time.perf_counter() - started) * 1000
                if isinstance(event, Done) and not event.answer.refused:
                    firsts.append(first or 0.0)
                    totals.append((time.perf_counter() - started) * 1000)
        print(f"\n## Assistant génératif (serveur de test local, {len(firsts)} questions)\n")
        print(
            f"premier jeton p50 {statistics.median(firsts):.0f} ms, "
            f"p95 {percentile(firsts, 0.95):.0f} ms ;"
            f" réponse complète p50 {statistics.median(totals):.0f} ms"
        )


def _ask(assistant: Assistant, question: str, previous: str | None = None) -> AssistantAnswer:
    history: list[Turn] = []
    if previous:
        before = assistant.ask(AssistantRequest(previous))
        history = [Turn("user", previous), Turn("assistant", before.answer)]
    return assistant.ask(AssistantRequest(question, history=history))


def examples(assistant: Assistant, width: int = 600) -> None:
    """The issue's worst cases, answered offline (the extractive notice and sources cut)."""
    print("\n## Exemples (les pires cas de l'issue)\n")
    for previous, question in EXAMPLES:
        answer = _ask(assistant, question, previous)
        body = answer.answer.split("\nRéponse extractive")[0].split("\nExtractive answer")[0]
        print(f"### {question}{' (après : ' + previous + ')' if previous else ''}\n")
        print(body.strip()[:width] + ("…" if len(body.strip()) > width else "") + "\n")


def answers(assistant: Assistant, kb: KnowledgeBase) -> None:
    """Answer quality per kind, tuning and held-out halves side by side, and the labels."""
    gold = load_answer_gold(ANSWER_GOLD)
    if not SHARED.is_dir():
        gold = [q for q in gold if q.corpus == "cards"]
    results = {q.id: _ask(assistant, q.question, q.previous) for q in gold}
    print(f"\n## Réponses (assistant-gold.toml, {len(gold)} questions)\n")
    print(f"{'type':<12}{'réglage':>12}{'mis à part':>12}")
    failures: list[str] = []
    for kind in [*sorted({q.kind for q in gold}), "toutes"]:
        row = f"{kind:<12}"
        for split in SPLITS:
            qs = [q for q in gold if q.split == split and kind in (q.kind, "toutes")]
            ok = 0
            for q in qs:
                why = check(q, results[q.id])
                ok += why is None
                if why is not None and kind != "toutes":
                    failures.append(f"  {split} {q.id} : {why}")
            row += f"{f'{ok}/{len(qs)}':>12}"
        print(row)
    print("\n".join(failures) or "  (aucun échec)")
    every = list(results.values()) + [
        assistant.ask(AssistantRequest(q.question)) for q in load_gold(GOLD)
    ]
    cited = sum(len(sentence_citations(a)) for a in every)
    wrong = label_problems(kb, every)
    print(
        f"\nétiquettes : {cited - len(wrong)}/{cited} phrases citées sous leur vraie section "
        f"({len(every)} réponses, les deux fichiers de questions)"
    )


def gate(assistant: Assistant, gold: list) -> None:  # type: ignore[type-arg]
    """What the gate lets through, per half (knowledge-gold.toml and assistant-gold.toml)."""
    print(
        f"\n## Porte de pertinence, par moitié (seuil anglais : similarité ≥ "
        f"{GATE_MIN_SIMILARITY_EN})\n"
    )
    print(f"{'':<34}{'réglage':>12}{'mis à part':>12}")
    rows: dict[str, dict[str, list[int]]] = {}
    for q in gold:
        english = "anglais" if language(q.question) == "en" else "français"
        kind = "sans réponse" if q.type == "unanswerable" else "avec réponse"
        r = assistant.ask(AssistantRequest(q.question))
        cell = rows.setdefault(f"{kind}, {english}", {s: [0, 0] for s in SPLITS})[q.split]
        cell[0] += 0 if r.refused else 1
        cell[1] += 1
    for name, cells in sorted(rows.items()):
        shown = "".join(f"{f'{c[0]}/{c[1]}':>12}" for c in cells.values())
        print(f"{'admises — ' + name:<34}{shown}")


def calibrate(assistant: Assistant, gold: list) -> None:  # type: ignore[type-arg]
    """Each question's gate signals, and what the thresholds let through."""
    print("\n## Seuil de pertinence (porte)\n")
    print(
        f"seuils : termes inconnus < {GATE_MAX_UNKNOWN}, puis similarité ≥ {GATE_MIN_SIMILARITY}"
        f" ou couverture ≥ {GATE_MIN_COVERAGE}\n"
    )
    print(
        f"{'question':<28}{'type':<14}{'moitié':<9}{'lg':<4}{'inconnus':>9}{'simil.':>8}"
        f"{'couvert.':>9}  verdict"
    )
    passed = {"answerable": [0, 0], "unanswerable": [0, 0]}
    for q in gold:
        lang = language(q.question)
        r = relevance(q.question, assistant.kb.search(q.question, 5), assistant.stats, lang)
        kind = "unanswerable" if q.type == "unanswerable" else "answerable"
        passed[kind][0] += r.passed
        passed[kind][1] += 1
        verdict = "répond" if r.passed else "refuse"
        print(
            f"{q.id:<28}{q.type:<14}{q.split:<9}{lang:<4}{r.unknown:>9.2f}{r.similarity:>8.3f}"
            f"{r.coverage:>9.2f}  {verdict}"
        )
    a, u = passed["answerable"], passed["unanswerable"]
    print(f"\nrépondables admises {a[0]}/{a[1]} ; sans réponse admises {u[0]}/{u[1]}")


if __name__ == "__main__":
    main()
