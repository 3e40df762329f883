"""Co-évaluation benchmark (issue 17).

1. One territory with 200 respondents (7 roles): every respondent scored, the distribution of
   answers by question and role, the means, spread and divergence flags, the dimension scores
   by role and the « écart de perception » rules. Target: ≤ 50 ms.
2. A national batch: 36,000 territories × 5 respondents (180,000 answer sets) scored in one
   engine call (target ≤ 0.3 s), then the divergence statistics of every territory in one
   vectorised pass.

Each is also computed by plain Python (the tests' oracle for the scores, loops for the
statistics), on the same work, and the ratio printed; the statistics of both sides are
compared. Run: ``.venv/bin/python benchmarks/voices.py [--repeat 5] [--territories 36000]``.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.scoring import synthetic_answers, timed  # noqa: E402
from maturity.grid import answer_cells  # noqa: E402
from maturity.model import FIRST_MODEL_PATH, Model, load_model  # noqa: E402
from maturity.scoring import score, score_grid  # noqa: E402
from maturity.voices import (  # noqa: E402
    dimension_matrix,
    divergence,
    group_moments,
    group_sizes,
    level_counts,
    perception_gaps,
)
from tests.oracle import oracle_score  # noqa: E402


def engine(
    model: Model, frame: pl.DataFrame, groups: np.ndarray, n_groups: int, counts: bool
) -> np.ndarray:
    """Scores and statistics, vectorised; returns the divergence flags (question, territory)."""
    coev = model.coevaluation
    assert coev is not None
    roles = len(coev.roles)
    grid = answer_cells(model, frame)  # one grid for the scores and the statistics
    cells = grid.cells
    matrix = dimension_matrix(model, score_grid(model, grid).dimensions, cells.shape[1])
    shown = (group_sizes(groups, n_groups) >= coev.min_group).reshape(-1, roles)
    stats = divergence(
        group_moments(cells, groups, n_groups), shown, coev.divergence_gap, coev.divergence_sd
    )
    by_role = group_moments(matrix, groups, n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        role_scores = np.where(
            shown.reshape(-1)[None] & (by_role.n > 0), by_role.total / by_role.n, np.nan
        )
    perception_gaps(
        coev,
        [d.id for d in model.dimensions],
        role_scores.reshape(len(model.dimensions), -1, roles),
    )
    if counts:
        level_counts(cells, groups, n_groups, 5)
    return stats.divergent


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


def run(model: Model, label: str, territories: int, per: int, repeat: int, counts: bool) -> float:
    """Time both sides on `territories` × `per` respondents, print the figures and return
    the engine's best time."""
    roles = len(model.coevaluation.roles)  # type: ignore[union-attr]
    frame = synthetic_answers(model, territories * per, 2026)
    rng = np.random.default_rng(17)
    role = rng.integers(0, roles, size=territories * per)
    groups = np.repeat(np.arange(territories), per) * roles + role
    n_groups = territories * roles
    best, flags = min(
        (timed(lambda: engine(model, frame, groups, n_groups, counts)) for _ in range(repeat)),
        key=lambda pair: pair[0],
    )
    sets = answer_sets(frame)
    slow, expected = timed(lambda: python(model, sets, groups.tolist(), roles))
    print(f"{label} : {territories:,} territoire(s) × {per} répondants")
    print(f"  moteur (scores + statistiques) : {best * 1000:.1f} ms (meilleur de {repeat})")
    print(f"  Python pur                     : {slow * 1000:.1f} ms")
    print(f"  rapport                        : {slow / best:.1f}×")
    print(f"  drapeaux de divergence différents : {int((flags != expected).sum())}")
    return best


def _cpu(run: object) -> float:
    """CPU time of the process over one run (all its threads): what the code costs whatever
    the other processes of a loaded machine take from the wall clock."""
    assert callable(run)
    start = time.process_time()
    run()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--territories", type=int, default=36_000)
    args = parser.parse_args()
    model = load_model(FIRST_MODEL_PATH)
    one = run(model, "Un territoire", 1, 200, args.repeat, counts=True)
    run(model, "Lot national", args.territories, 5, args.repeat, counts=False)
    frame = synthetic_answers(model, args.territories * 5, 2026)
    alone, _ = min(
        (timed(lambda: score(model, frame)) for _ in range(args.repeat)), key=lambda p: p[0]
    )
    cpu = min(_cpu(lambda: score(model, frame)) for _ in range(args.repeat))
    print(
        f"  dont score seul du lot national : {alone * 1000:.1f} ms (temps CPU {cpu * 1000:.1f} ms)"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"charge de la machine (1, 5, 15 min) : {load} sur {os.cpu_count()} cœurs")
    verdict = {True: "OK", False: "NON ATTEINT"}
    print(
        f"objectifs : un territoire ≤ 50 ms -> {verdict[one <= 0.05]} ; "
        f"score du lot national ≤ 0,3 s -> temps réel {verdict[alone <= 0.3]}, "
        f"temps CPU {verdict[cpu <= 0.3]} (le temps réel dépend de la charge ci-dessus)"
    )


if __name__ == "__main__":
    main()
