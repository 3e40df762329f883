"""What a campaign's benchmark responses are cut from: the engine's frames for one campaign
and scope, with the responses already cut or encoded from them (bounded, least recently used
first). Dropped as a whole when a submission changes the campaign."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, TypeVar

import polars as pl

from maturity.benchmark import Scope
from service.peers.views import Benchmark, Encoded

__all__ = ["RESPONSES_KEPT", "CampaignFrames", "Stamp", "remember"]

Stamp = tuple[int, datetime | None, bool]
"""Submitted assessments of the campaign and the one before: count, latest, any synthetic."""

RESPONSES_KEPT: Final = 2048
"""Cut benchmarks kept per campaign: the busy territories, not all 36,000 (≈20 MB at most);
as many encoded bodies (≈4 kB each), custom peer lists included."""
K = TypeVar("K")
V = TypeVar("V")


def remember(kept: OrderedDict[K, V], key: K, make: Callable[[], V]) -> V:
    """`kept[key]`, made on a miss; the least recently used entry goes past `RESPONSES_KEPT`."""
    value = kept.get(key)
    if value is None:
        value = kept[key] = make()
        if len(kept) > RESPONSES_KEPT:
            kept.popitem(last=False)
    else:
        kept.move_to_end(key)
    return value


@dataclass
class CampaignFrames:
    """Everything computed for one campaign and scope: what a benchmark response is cut from."""

    campaign: int
    scope: Scope
    stamp: Stamp
    territories: pl.DataFrame  # territory, name, kind, band, region, public
    scores: pl.DataFrame  # territory, metric, score (submitted, this campaign)
    statistics: pl.DataFrame  # campaign_statistics(): one row per territory and metric
    synthetic: bool
    checked_at: float = 0.0
    """When the stamp was last compared with the database (monotonic clock)."""
    names: dict[str, str] = field(default_factory=dict)
    public_codes: frozenset[str] = frozenset()
    rows: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Where each territory's rows start in `statistics` (sorted by territory), and how many."""
    responses: OrderedDict[tuple[str, str], Benchmark] = field(default_factory=OrderedDict)
    """Default benchmarks already cut, by (territory, lang), least recently used first: the
    frames never change, and at most `RESPONSES_KEPT` are kept (≈10 kB each)."""
    encoded: OrderedDict[tuple[str, ...], Encoded] = field(default_factory=OrderedDict)
    """API bodies already encoded, by (view, territory, lang, *custom peers): what a cached
    request sends, dropped with the frames when a submission changes the campaign."""

    def __post_init__(self) -> None:
        self.statistics = self.statistics.sort("territory", maintain_order=True)
        self.names = dict(self.territories.select("territory", "name").iter_rows())
        self.public_codes = frozenset(self.public["territory"].to_list())
        offsets = (
            self.statistics.with_row_index("row")
            .group_by("territory")
            .agg(start=pl.col("row").min(), length=pl.len())
        )
        self.rows = {t: (int(a), int(b)) for t, a, b in offsets.iter_rows()}

    def statistics_of(self, territory: str) -> pl.DataFrame:
        """The statistic rows of one territory (a slice: no scan of the whole frame)."""
        start, length = self.rows.get(territory, (0, 0))
        return self.statistics.slice(start, length)

    @property
    def public(self) -> pl.DataFrame:
        """Territories that opted in to a public profile."""
        return self.territories.filter("public").select("territory")
