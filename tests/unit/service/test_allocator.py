"""The allocator setting `service` makes on import (polars' jemalloc keeps the pages it frees):
checked by the page faults of a frame made again after a pause, in fresh processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import service

ROOT = Path(__file__).resolve().parents[3]
PROBE = textwrap.dedent(
    """
    import resource, sys, time
    if sys.argv[1] == "service":
        import service  # noqa: F401
    import numpy as np
    import polars as pl

    column = pl.Series(np.arange(5_000_000))  # 40 MB, about 10,000 pages
    made = column * 3
    del made
    time.sleep(1.0)  # between two recomputes
    (pl.Series([1, 2, 3]) * 2).sum()  # jemalloc purges when it is called
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    made = column * 3
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    """
)


def faults(mode: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, env=env, check=True
    )
    return int(done.stdout.strip())


def test_the_service_keeps_freed_pages_that_polars_would_hand_back() -> None:
    assert os.environ.get("_RJEM_MALLOC_CONF") is not None  # set by importing `service`
    assert service.ALLOCATOR == "dirty_decay_ms:-1,muzzy_decay_ms:-1"
    # without the setting, the frame made again faults most of its pages in anew
    assert faults("plain") > 5_000
    assert faults("service") < 500
