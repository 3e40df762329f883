"""Scoring benchmark: the national batch (one synthetic assessment per commune and EPCI).

Scores every assessment against the full model with the polars engine and with the plain-Python
oracle of the tests, in the same run, and prints both times and their ratio. Run it with
``make bench`` or ``.venv/bin/python benchmarks/scoring.py [--n 36000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from maturity.model import DEFAULT_MODEL_PATH, Model, load_model  # noqa: E402
from maturity.scoring import ANSWER_SCHEMA, next_steps, score  # noqa: E402
from tests.oracle import oracle_score  # noqa: E402


def synthetic_answers(model: Model, n: int, seed: int) -> pl.DataFrame:
    """A long answer frame: per assessment a latent maturity, answers scattered around it,
    ~8 % unknown, ~4 % "non concerné" where allowed, ~5 % of questions left unanswered."""
    rng = np.random.default_rng(seed)
    questions = list(model.questions.values())
    q = len(questions)
    latent = rng.beta(2.2, 2.2, size=(n, 1))
    tops = np.array([qq.top for _, qq in questions])
    noise = rng.normal(0, 0.18, size=(n, q))
    values = np.clip(np.rint((latent + noise) * tops), 0, tops).astype(np.int32)
    draw = rng.random(size=(n, q))
    allows_na = np.array([qq.allows_na for _, qq in questions])
    status = np.where(draw < 0.08, "unknown", "value")
    status = np.where((draw >= 0.08) & (draw < 0.12) & allows_na, "na", status)
    keep = draw < 0.95
    ids = np.repeat(np.arange(n, dtype=np.int32), q)  # integer keys, as the database's
    qids = np.tile(np.array([qq.id for _, qq in questions]), n)
    frame = pl.DataFrame(
        {
            "assessment": ids,
            "question": qids,
            "value": np.where(status == "value", values, 0).ravel(),
            "status": status.ravel(),
            "keep": keep.ravel(),
        }
    )
    return (
        frame.filter("keep")
        .with_columns(
            value=pl.when(pl.col("status") == "value").then(pl.col("value")),
        )
        .select(list(ANSWER_SCHEMA))
        .cast({name: dtype for name, dtype in ANSWER_SCHEMA.items() if name != "assessment"})
    )


def national_count() -> int:
    """Communes + EPCI in the shared reference data, or 36,000 when it is absent."""
    base = ROOT.parent / "shared" / "data" / "territories"
    try:
        return sum(
            sum(1 for _ in (base / f).open(encoding="utf-8")) - 1
            for f in ("communes.csv", "epci.csv")
        )
    except OSError:
        return 36_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=national_count())
    parser.add_argument("--repeat", type=int, default=3, help="engine runs (best is kept)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    model = load_model(DEFAULT_MODEL_PATH)
    frame = synthetic_answers(model, args.n, args.seed)
    print(
        f"model {model.version}: {len(model.questions)} questions; "
        f"{args.n} assessments, {frame.height} answer rows (seed {args.seed})"
    )

    engine_times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        scores = score(model, frame)
        engine_times.append(time.perf_counter() - start)
    engine = min(engine_times)

    start = time.perf_counter()
    next_steps(model, frame)
    steps_time = time.perf_counter() - start

    sets: dict[int, dict[str, int | str]] = {}
    for row in frame.iter_rows(named=True):
        answer = row["value"] if row["status"] == "value" else row["status"]
        sets.setdefault(row["assessment"], {})[row["question"]] = answer
    start = time.perf_counter()
    oracle = {key: oracle_score(model, answers) for key, answers in sets.items()}
    oracle_time = time.perf_counter() - start

    index = dict(zip(scores.summary["assessment"], scores.summary["index"], strict=True))
    mismatches = sum(
        1
        for k, r in oracle.items()
        if (r.index is None) != (index[k] is None)
        or (r.index is not None and abs(r.index - index[k]) > 1e-9)
    )
    print(
        f"polars engine : {engine:8.3f} s  (scores, levels, diagnostics; best of {args.repeat}: "
        + ", ".join(f"{t:.3f}" for t in engine_times)
        + ")"
    )
    print(f"python oracle : {oracle_time:8.3f} s  (scores, levels, diagnostics, next steps)")
    print(f"next steps    : {steps_time:8.3f} s  (polars, all assessments; pages ask for one)")
    print(f"ratio         : {oracle_time / engine:8.1f} x faster (engine without next steps)")
    both = engine + steps_time
    print(f"ratio, all    : {oracle_time / both:8.1f} x faster (engine + next steps for all)")
    print(f"index mismatches between engine and oracle: {mismatches}")
    print(
        f"targets: engine < 0.5 s -> {'OK' if engine < 0.5 else 'MISSED'}; "
        f"ratio >= 30 -> {'OK' if oracle_time / engine >= 30 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
