"""Co-évaluation benchmark (issue 17).

1. One territory with 200 respondents (7 roles): every respondent scored, the distribution of
   answers by question and role, the means, spread and divergence flags, the dimension scores
   by role and the « écart de perception » rules. Target: ≤ 50 ms.
2. A national batch: 36,000 territories × 5 respondents (180,000 answer sets) scored in one
   engine call (target ≤ 0.3 s), then the divergence statistics of every territory in one
   vectorised pass.

Each is also computed by plain Python (the tests' oracle for the scores, loops for the
statistics), on the same work, and the ratio printed; the statistics of both sides are
compared. Every figure is printed as wall and CPU time, stage by stage, with the load average
and a probe of how long a core takes to get on this machine right now (a busy machine
stretches the wall times, not the work). Run:
``.venv/bin/python benchmarks/voices.py [--repeat 5] [--territories 36000]``.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple, TypeVar

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.scoring import synthetic_answers  # noqa: E402
from maturity.grid import answer_cells  # noqa: E402
from maturity.model import FIRST_MODEL_PATH, Model, load_model  # noqa: E402
from maturity.scoring import score, score_grid  # noqa: E402
from maturity.voices import (  # noqa: E402
    dimension_matrix,
    divergence,
    group_sizes,
    level_counts,
    perception_gaps,
    shown_means,
)
from tests.oracle import oracle_score  # noqa: E402

T = TypeVar("T")


class Timing(NamedTuple):
    """Wall and CPU time of one run (CPU: all the process's threads, user and system)."""

    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall * 1000:8.1f} ms réel, {self.cpu * 1000:8.1f} ms CPU"


def clocked(run: Callable[[], T]) -> tuple[Timing, T]:
    """Wall and CPU time of one run and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu), result


def measured(run: Callable[[], T]) -> tuple[Timing, T]:
    """`clocked`, the garbage collector held off meanwhile (as `timeit` does). On a loaded
    machine the wall time is the CPU time plus the time the process waited for a core: the
    CPU time is what the code costs."""
    gc.collect()
    gc.disable()
    try:
        return clocked(run)
    finally:
        gc.enable()


def best(runs: list[Timing]) -> Timing:
    """The best wall and the best CPU time of several runs (each is a lower bound)."""
    return Timing(min(t.wall for t in runs), min(t.cpu for t in runs))


STAGES = ("grille", "scores", "matrice des dimensions", "statistiques")


def engine(
    model: Model, frame: pl.DataFrame, groups: np.ndarray, counts: bool
) -> tuple[np.ndarray, dict[str, Timing]]:
    """Scores and statistics, vectorised; returns the divergence flags (question, territory)
    and the time of each stage."""
    coev = model.coevaluation
    assert coev is not None
    roles = len(coev.roles)
    n_groups = (int(groups.max()) // roles + 1) * roles
    stages: dict[str, Timing] = {}

    def stage(name: str, run: Callable[[], T]) -> T:
        stages[name], result = clocked(run)
        return result

    grid = stage("grille", lambda: answer_cells(model, frame))  # for scores and statistics
    scores = stage("scores", lambda: score_grid(model, grid))
    matrix = stage(
        "matrice des dimensions",
        lambda: dimension_matrix(model, scores.dimensions, grid.cells.shape[1]),
    )

    def statistics() -> np.ndarray:
        shown = (group_sizes(groups, n_groups) >= coev.min_group).reshape(-1, roles)
        stats = divergence(grid.cells, groups, shown, coev.divergence_gap, coev.divergence_sd)
        dimensions = [d.id for d in model.dimensions]
        perception_gaps(coev, dimensions, shown_means(matrix, groups, shown), shown.shape[0])
        if counts:
            level_counts(grid.cells, groups, n_groups, 5)
        return stats.divergent

    return stage("statistiques", statistics), stages


def python(
    model: Model, sets: dict[int, dict[str, int | str]], groups: list[int], roles: int
) -> np.ndarray:
    """The same in plain Python: the oracle's scores and loops over the answers."""
    coev = model.coevaluation
    assert coev is not None
    for answers in sets.values():
        oracle_score(model, answers, with_next_steps=False)
    size: dict[int, int] = defaultdict(int)
    for g in groups:
        size[g] += 1
    territories = max(groups) // roles + 1
    flags = np.zeros((len(model.questions), territories), dtype=bool)
    for at, qid in enumerate(model.questions):
        sums: dict[int, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        for key, answers in sets.items():
            value = answers.get(qid)
            if isinstance(value, int):
                acc = sums[groups[key]]
                acc[0] += 1
                acc[1] += value
                acc[2] += value * value
        for t in range(territories):
            n = total = squares = 0.0
            means = []
            for r in range(roles):
                count, s, sq = sums.get(t * roles + r, (0, 0.0, 0.0))
                n, total, squares = n + count, total + s, squares + sq
                if count and size[t * roles + r] >= coev.min_group:
                    means.append(s / count)
            sd = math.sqrt(max(squares / n - (total / n) ** 2, 0.0)) if n else math.nan
            spread = max(means) - min(means) if len(means) >= 2 else math.nan
            flags[at, t] = spread >= coev.divergence_gap or sd >= coev.divergence_sd
    return flags


def answer_sets(frame: pl.DataFrame) -> dict[int, dict[str, int | str]]:
    """The long frame as the oracle's input."""
    sets: dict[int, dict[str, int | str]] = defaultdict(dict)
    for key, qid, value, status in frame.iter_rows():
        sets[key][qid] = value if status == "value" else status
    return sets


def run(model: Model, label: str, territories: int, per: int, repeat: int, counts: bool) -> Timing:
    """Time both sides on `territories` × `per` respondents, print the figures and return
    the engine's best times."""
    roles = len(model.coevaluation.roles)  # type: ignore[union-attr]
    frame = synthetic_answers(model, territories * per, 2026)
    rng = np.random.default_rng(17)
    role = rng.integers(0, roles, size=territories * per)
    groups = np.repeat(np.arange(territories), per) * roles + role
    runs = [measured(lambda: engine(model, frame, groups, counts)) for _ in range(repeat)]
    fast = best([timing for timing, _ in runs])
    flags = runs[0][1][0]
    sets = answer_sets(frame)
    slow, expected = measured(lambda: python(model, sets, groups.tolist(), roles))
    print(f"{label} : {territories:,} territoire(s) × {per} répondants")
    print(f"  moteur (scores + statistiques) : {fast} (meilleurs de {repeat})")
    for name in STAGES:
        print(f"    {name:<28} : {best([stages[name] for _, (_, stages) in runs])}")
    print(f"  Python pur                     : {slow}")
    print(f"  rapport                        : {slow.wall / fast.wall:.1f}× réel, ", end="")
    print(f"{slow.cpu / fast.cpu:.1f}× CPU")
    print(f"  drapeaux de divergence différents : {int((flags != expected).sum())}")
    return fast


def load() -> str:
    """The load average, and how much longer than its CPU time a single-threaded loop takes
    right now: the wall times above their CPU times by about that factor are waiting for a
    core that other processes hold, not spent in the code."""
    probe, _ = clocked(lambda: sum(i * i for i in range(300_000)))
    averages = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{averages} ; boucle témoin : réel = {probe.wall / probe.cpu:.1f} × CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--territories", type=int, default=36_000)
    args = parser.parse_args()
    model = load_model(FIRST_MODEL_PATH)
    print(f"charge (1, 5, 15 min) au départ : {load()} ; {os.cpu_count()} cœurs, ", end="")
    print(f"{pl.thread_pool_size()} fils polars (POLARS_MAX_THREADS)")
    one = run(model, "Un territoire", 1, 200, args.repeat, counts=True)
    run(model, "Lot national", args.territories, 5, args.repeat, counts=False)
    frame = synthetic_answers(model, args.territories * 5, 2026)
    alone = best([measured(lambda: score(model, frame))[0] for _ in range(args.repeat)])
    print(f"  dont score seul du lot national : {alone}")
    print(f"charge (1, 5, 15 min) à la fin : {load()}")
    verdict = {True: "OK", False: "NON ATTEINT"}
    print(
        f"objectifs : un territoire ≤ 50 ms -> {verdict[one.wall <= 0.05]} ; "
        f"score du lot national ≤ 0,3 s -> temps réel {verdict[alone.wall <= 0.3]}, "
        f"temps CPU {verdict[alone.cpu <= 0.3]} (le temps réel dépend de la charge ci-dessus)"
    )


if __name__ == "__main__":
    main()
