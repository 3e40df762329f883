"""`BenchmarkCache`: when the stamp is due, one request checks it; the others meanwhile get
the frames already there instead of all querying the database at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import polars as pl
import pytest

from maturity.model import Model
from service.peers import cache as benchmarking
from service.peers.cache import BenchmarkCache, CampaignFrames

STAMP = (3, None, True)


def frames() -> CampaignFrames:
    territories = pl.DataFrame(
        {"territory": ["49007"], "name": ["Angers"], "kind": ["commune"], "band": ["x"]}
    ).with_columns(region=pl.lit("52"), public=pl.lit(True))
    scores = pl.DataFrame({"territory": ["49007"], "metric": ["index"], "score": [60.0]})
    return CampaignFrames(2026, "national", STAMP, territories, scores, scores, True)


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
