"""Scale benchmark: a network the size of Europe's local administrative units.

100,000 territories × 10 campaigns of synthetic submitted assessments (1,000,000
questionnaires): the full recompute the service does when every campaign's cache is cold —
scores of every campaign, every territory's peer statistics against the campaign before,
what may be published of each campaign (statistical disclosure control) and the national
aggregates of every published grouping. Targets: ≤ 3 s and ≤ 2 GiB peak memory on the
project's 2-core machine; the same work on the 36,000 × 2 of the French network is printed
beside it, and the load average, since the machine may be shared.

The 100,000 territories are drawn from the French directory's mix of kinds, population bands
and régions (codes made up): the disclosure control works on kind × band × région cells, so
the cell structure stays that of the real network. Where every territory submits, nearly
every cell is withheld (each count would confirm everyone's participation), so the same
network is run a second time with 70 % of it submitting each campaign and 15 % of public
profiles: most cells are published there, and the target holds only if it holds on both.

Run: ``.venv/bin/python benchmarks/scale.py [--territories 100000] [--campaigns 10]
[--participation 0.7] [--public 0.15]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# the service's allocator setting, before polars is loaded (`service.ALLOCATOR`): what a
# recompute costs in the service; ``--allocator-default`` measures without it
if "--allocator-default" in sys.argv:
    os.environ.setdefault("_RJEM_MALLOC_CONF", "")
import service  # noqa: E402, F401

# isort: split
import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from benchmarks.scoring import synthetic_answers  # noqa: E402
from maturity.aggregates import network_aggregates  # noqa: E402
from maturity.cells import CellIndex  # noqa: E402
from maturity.disclosure import protect  # noqa: E402
from maturity.grid import answer_cells  # noqa: E402
from maturity.model import Model, load_model  # noqa: E402
from maturity.peer_index import indexed_peer_groups  # noqa: E402
from maturity.peers import Scope, campaign_comparison  # noqa: E402
from maturity.publication import group_verdicts, publish_peers  # noqa: E402
from maturity.score_matrix import ScoreMatrix, scored_matrix  # noqa: E402
from maturity.scoring import metric_scores  # noqa: E402
from maturity.territories import population_band_expr  # noqa: E402

TERRITORIES = ROOT / "service" / "territories" / "data" / "territories.csv.gz"
GIB = 1024**3


def directory(n: int, seed: int = 7, public: float = 0.0) -> pl.DataFrame:
    """`n` territories (territory, kind, band, region, public) drawn from the French mix;
    the French directory itself when `n` is 0; a share `public` of them (drawn) with a
    public profile."""
    french = pl.read_csv(TERRITORIES, infer_schema=False).select(
        territory="code",
        kind="kind",
        band=population_band_expr(pl.col("population").cast(pl.Int64)),
        region="region_code",
    )
    if n:
        rows = np.random.default_rng(seed).integers(0, french.height, size=n)
        french = french[rows].with_columns(territory=pl.format("T{}", pl.int_range(n)))
    drawn = np.random.default_rng(seed + 1).random(french.height) < public
    return french.with_columns(public=pl.Series(drawn))


def submissions(
    model: Model, refs: pl.DataFrame, campaign: int, participation: float = 1.0
) -> pl.DataFrame:
    """The answers of one campaign (assessment ids are row numbers of `refs`, integer keys
    as the database gives them) of every territory, or of a share `participation` of them
    drawn anew each campaign: what the service reads from the database, made outside the
    timed work, one campaign at a time and `CHUNK` territories at a time (the generator's
    numpy temporaries for 100,000 at once peaked at 1.7 GiB, more than the recompute
    itself)."""
    taking = np.random.default_rng(campaign).random(refs.height) < participation
    parts = []
    for start in range(0, refs.height, CHUNK):
        size = min(CHUNK, refs.height - start)
        part = synthetic_answers(model, size, (2016 + campaign) * 1000 + start // CHUNK)
        ids = part.get_column("assessment")
        part = part.with_columns((ids + start).cast(ids.dtype))
        if participation < 1:
            part = part.filter(pl.Series(taking[part.get_column("assessment").to_numpy()]))
        parts.append(part)
    return pl.concat(parts)


CHUNK = 10_000

STAGES = ("directory", "scores", "statistics", "disclosure", "publication", "aggregates")
SCOPES: tuple[Scope, ...] = ("national", "region")
"""Both perimeters' peer groups are computed once per campaign (with the statistics) and
handed to the disclosure control."""


Clock = tuple[float, float]
"""Wall and CPU time (every thread of the process: polars runs several)."""


def recompute(
    model: Model,
    refs: pl.DataFrame,
    campaigns: int,
    spent: dict[str, Clock],
    participation: float = 1.0,
) -> tuple[int, int, int]:
    """Scores, peer statistics against the campaign before, disclosure control, published
    statistics and national aggregates of every campaign, in order, after the directory's
    finest cells (`CellIndex`: made once, every campaign reads it); adds each stage's wall
    and CPU time to `spent`; returns the submissions, statistic rows and aggregate rows."""
    attributes = refs.select("territory", "kind", "band", "region")
    clock = _clock()
    index = CellIndex.of(refs)
    codes = index.codes  # assessment ids are its row numbers
    _lap(spent, "directory", clock)
    rows, cells, submitted = 0, 0, 0
    before: ScoreMatrix | None = None
    protected_before = None
    for c in range(campaigns):
        campaign = submissions(model, refs, c, participation)
        clock = _clock()
        grid = answer_cells(model, campaign)
        submitted += grid.keys.len()
        # the engine's scores straight into the matrix every stage shares: the assessment ids
        # are the territories' row numbers, no long frame, no string matched
        now = scored_matrix(codes, grid.keys.to_numpy(), metric_scores(model, grid))
        clock = _lap(spent, "scores", clock)
        groups = indexed_peer_groups(index, now.submitted, SCOPES)
        stats = campaign_comparison(attributes, now, before, groups=groups["national"], cells=index)
        clock = _lap(spent, "statistics", clock)
        protected = protect(refs, now, groups, cells=index)
        clock = _lap(spent, "disclosure", clock)
        published = publish_peers(stats, group_verdicts(stats.groups, protected, protected_before))
        rows += published.statistics.height
        clock = _lap(spent, "publication", clock)
        tables = network_aggregates(attributes, now, protected, cells=index)
        cells += sum(t.height for t in tables.values())
        _lap(spent, "aggregates", clock)
        before, protected_before = now, protected
    return submitted, rows, cells


def _clock() -> Clock:
    return time.perf_counter(), time.process_time()


def _lap(spent: dict[str, Clock], stage: str, since: Clock) -> Clock:
    now = _clock()
    wall, cpu = spent.get(stage, (0.0, 0.0))
    spent[stage] = (wall + now[0] - since[0], cpu + now[1] - since[1])
    return now


def run(
    model: Model,
    n: int,
    campaigns: int,
    repeat: int,
    participation: float = 1.0,
    public: float = 0.0,
) -> float:
    """Time the recompute (best of `repeat`; the synthetic answers are made outside the
    clock) and print the figures, stage by stage."""
    refs = directory(n, public=public)
    times, stages = [], []
    for _ in range(repeat):
        spent: dict[str, Clock] = {}
        submitted, rows, cells = recompute(model, refs, campaigns, spent, participation)
        times.append(sum(wall for wall, _ in spent.values()))
        stages.append(spent)
    best = min(times)
    split = stages[times.index(best)]
    cpu = sum(c for _, c in split.values())
    print(
        f"{refs.height:>7} territories x {campaigns:>2} campaigns "
        f"({submitted:,} submissions, {public:.0%} public profiles, {rows:,} statistic rows, "
        f"{cells:,} "
        f"aggregate rows): {best:.2f} s (best of {repeat}: "
        f"{', '.join(f'{t:.2f}' for t in times)}) = "
        + " + ".join(f"{stage} {split[stage][0]:.2f}" for stage in STAGES)
        + f"; CPU {cpu:.2f} s = "
        + " + ".join(f"{stage} {split[stage][1]:.2f}" for stage in STAGES)
    )
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--territories", type=int, default=100_000)
    parser.add_argument("--campaigns", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--participation",
        type=float,
        default=0.7,
        help="share of the territories submitting each campaign in the second, partial run",
    )
    parser.add_argument("--public", type=float, default=0.15, help="public profiles, same run")
    parser.add_argument(
        "--allocator-default",
        action="store_true",
        help="polars' allocator as it comes, not as the service sets it (service.ALLOCATOR)",
    )
    args = parser.parse_args()
    model = load_model()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs); polars' allocator: "
          f"{os.environ.get('_RJEM_MALLOC_CONF') or 'as it comes'}")  # fmt: skip
    french = run(model, 0, 2, args.repeat)
    big = run(model, args.territories, args.campaigns, args.repeat)
    # the same network as a campaign sees it: part of it submits, some profiles are public,
    # and most cells are published (where everyone submits, nearly every cell is withheld)
    partial = run(
        model, args.territories, args.campaigns, args.repeat, args.participation, args.public
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
    print(f"peak memory (whole process, both runs): {peak / GIB:.2f} GiB")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"target <= 3 s: {'OK' if max(big, partial) <= 3 else 'MISSED'} (everyone submits: "
        f"{big:.2f} s; {args.participation:.0%} submit: {partial:.2f} s; French network "
        f"36,000 x 2: {french:.2f} s); target <= 2 GiB: {'OK' if peak <= 2 * GIB else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
