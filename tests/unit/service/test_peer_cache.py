"""`BenchmarkCache`: when the stamp is due, one request checks it; the others meanwhile get
the frames already there instead of all querying the database at once. And benchmarks cut
from its frames: a custom list's caller is never its own peer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import polars as pl
import pytest

from maturity.disclosure import FEWER
from maturity.model import INDEX, Model
from service.peers import cache as benchmarking
from service.peers.cache import BenchmarkCache, CampaignFrames, build_frames, territory_benchmark

STAMP = (3, None, True)


def campaign(
    territories: pl.DataFrame, scores: pl.DataFrame, previous: pl.DataFrame | None = None
) -> CampaignFrames:
    """The frames the cache would hold for these territories and scores."""
    before = previous if previous is not None else scores.clear()
    return build_frames(2026, "national", STAMP, territories, scores, before)


def frames() -> CampaignFrames:
    territories = pl.DataFrame(
        {"territory": ["49007"], "name": ["Angers"], "kind": ["commune"], "band": ["x"]}
    ).with_columns(region=pl.lit("52"), public=pl.lit(True))
    scores = pl.DataFrame({"territory": ["49007"], "metric": ["index"], "score": [60.0]})
    return campaign(territories, scores)


def test_one_stamp_check_at_a_time(model: Model, monkeypatch: pytest.MonkeyPatch) -> None:
    checks: list[int] = []
    release = asyncio.Event()

    async def slow_stamp(_session: Any, campaign: int) -> tuple[int, None, bool]:
        checks.append(campaign)
        await release.wait()
        return STAMP

    @asynccontextmanager
    async def sessions() -> AsyncIterator[Any]:
        yield None

    monkeypatch.setattr(benchmarking, "_stamp", slow_stamp)

    async def scenario() -> None:
        cache = BenchmarkCache(model, stamp_ttl=0.0)  # the stamp is always due
        cached = frames()
        cache._entries[(2026, "national")] = cached
        first = asyncio.create_task(cache.get(sessions, 2026, "national"))
        await asyncio.sleep(0)  # the first request now waits for the database
        second = asyncio.wait_for(cache.get(sessions, 2026, "national"), timeout=10)
        assert await second is cached  # served at once, not queued behind the check
        assert checks == [2026]
        release.set()
        assert await first is cached
        assert await cache.get(sessions, 2026, "national") is cached
        assert checks == [2026, 2026]  # the next request, once due, checks again

    asyncio.run(scenario())


CODES = ["t0", "p1", "p2", "p3", "p4", "p5"]


def five_public_peers() -> CampaignFrames:
    """The caller t0 (hidden, 10) and five public peers scoring 20 to 60, one year apart."""
    territories = pl.DataFrame(
        {
            "territory": CODES,
            "name": CODES,
            "kind": "commune",
            "band": "0-3.5k",
            "region": "11",
            "public": [False, True, True, True, True, True],
        }
    )
    now = pl.DataFrame({"territory": CODES, "metric": INDEX, "score": [10.0, 20, 30, 40, 50, 60]})
    return campaign(territories, now, now.with_columns(pl.col("score") - 4))


@pytest.mark.parametrize("listed", [CODES[1:], CODES, ["t0", *CODES[1:], "p2", "t0"]])
def test_a_custom_list_never_counts_its_caller(model: Model, listed: list[str]) -> None:
    bench = territory_benchmark(model, five_public_peers(), "t0", listed)
    index = next(m for m in bench.metrics if m.id == INDEX)
    assert (bench.group.kind, bench.group.n, bench.group.ignored) == ("custom", 5, [])
    assert (index.n, index.median, index.percentile) == (5, 40.0, 0.0)
    assert (index.own_change, index.group_change) == (4.0, 4.0)
    assert index.histogram == [0, 0, 1, 1, 1, 1, 1, 0, 0, 0] and index.withheld is None


def test_a_default_group_of_public_profiles_is_withheld_and_hides_its_size(
    model: Model,
) -> None:
    """k counts territories without a public profile: t0's default group holds five public
    profiles and t0 itself, so publishing its mean would hand t0's score to anyone who
    knows the public ones; the group says so and states no count."""
    bench = territory_benchmark(model, five_public_peers(), "t0")
    index = next(m for m in bench.metrics if m.id == INDEX)
    assert (bench.group.kind, bench.group.withheld, bench.group.description) == (
        "default",
        FEWER,
        FEWER,
    )
    # nor how it was widened: the step tells how many submitted in each narrower group
    assert (bench.group.n, bench.group.step, bench.group.widened) == (None, None, [])
    assert (index.n, index.mean, index.median, index.percentile) == (None, None, None, None)
    assert index.own == 10.0 and index.withheld == FEWER and index.histogram is None
