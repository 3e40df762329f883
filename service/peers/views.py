"""The benchmark and the network aggregates as the API and the pages show them: response
Structs, rounded for display."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import msgspec

from maturity.peers import PeerGroup

__all__ = [
    "AggregateRow",
    "AggregatesView",
    "Benchmark",
    "Encoded",
    "GroupStats",
    "LearnFrom",
    "MetricStats",
    "PeerGroupView",
    "PeerRef",
    "group_stats",
    "group_view",
    "metric_stats",
    "round_2",
]


class PeerGroupView(msgspec.Struct):
    """The peer group used, and how it was widened to reach the minimum size."""

    kind: Literal["default", "custom"]
    description: str
    step: int | None
    """Widening step (null for a custom list, and when the group's statistics are withheld:
    the step tells how many submitted in each narrower group)."""
    widened: list[str]
    n: int | None
    """Territories of the group other than the one benchmarked (null when the group's
    statistics are withheld: a withheld group never states its size)."""
    ignored: list[str] = []
    """Codes of a custom list left out because they have no public profile."""
    withheld: str | None = None
    """Why the group's statistics are withheld (null when they are published)."""


class GroupStats(msgspec.Struct):
    """A group's statistics for one metric, as published (`maturity.disclosure`): null when
    withheld, with `withheld` saying so and `n` null too; quantiles only from 20 territories
    without a public profile; means and quantiles rounded to 0.1."""

    n: int | None
    mean: float | None
    median: float | None
    p25: float | None
    p75: float | None
    p90: float | None
    withheld: str | None


class MetricStats(GroupStats):
    """One metric (index, pillar or dimension) of the territory against its peer group."""

    id: str
    label: str
    own: float | None
    percentile: float | None
    """Share of the group's members other than the territory scoring lower, ties counting
    half (0 to 100; `maturity.peers`), rounded to 5; only where the quantiles are published."""
    gap_median: float | None
    gap_p75: float | None
    own_change: float | None
    group_change: float | None
    histogram: list[int] | None
    """Counts of the group's scores in the bins 0–10, 10–20, …, 90–100."""
    change_basis: Literal["full", "partial", "none"] | None = None
    """When the campaign before answered another edition of the model, what the changes rest
    on: the whole score (``full``), the questions the two editions have in common
    (``partial``), or nothing comparable (``none``: no change). None for the same edition."""


class AggregateRow(GroupStats):
    """One cell of the network aggregates (statistics and count null when withheld)."""

    metric: str
    kind: str | None = None
    population_band: str | None = None
    region: str | None = None


class AggregatesView(msgspec.Struct):
    """Network-wide aggregates of one campaign, under statistical disclosure control."""

    campaign: int
    group_by: list[str]
    k_min: int
    rows: list[AggregateRow]
    notice: str | None


class PeerRef(msgspec.Struct):
    """A territory that opted in to a public profile, with a score or a distance."""

    code: str
    name: str
    value: float


class LearnFrom(msgspec.Struct):
    """For one of the territory's weakest dimensions, the public peers that do best there."""

    dimension: str
    label: str
    own: float | None
    peers: list[PeerRef]


class Benchmark(msgspec.Struct):
    """Where a territory stands, against whom, and whom it can learn from (DESIGN §4)."""

    territory: str
    campaign: int
    scope: str
    k_min: int
    group: PeerGroupView
    metrics: list[MetricStats]
    nearest: list[PeerRef]
    learn_from: list[LearnFrom]
    notice: str | None


def round_2(value: Any) -> float | None:
    """`value` rounded to 2 decimals for display (None stays None)."""
    return None if value is None else round(float(value), 2)


_STATISTICS = ("mean", "median", "p25", "p75", "p90")


def group_stats(row: Mapping[str, Any]) -> dict[str, Any]:
    """The `GroupStats` fields of a statistics row (peer group or aggregate cell) as
    published (already rounded by `maturity.publication`)."""
    rounded = {name: round_2(row[name]) for name in _STATISTICS}
    n = row["n"]
    return {"n": None if n is None else int(n), "withheld": row["withheld"], **rounded}


def metric_stats(
    metric: str,
    label: str,
    row: Mapping[str, Any],
    histogram: list[int] | None,
    change_basis: Literal["full", "partial", "none"] | None = None,
) -> MetricStats:
    """A statistics row of `maturity.peers` as the response shows it; the histogram only
    where the statistics are published."""
    return MetricStats(
        id=metric,
        label=label,
        own=round_2(row["own"]),
        percentile=round_2(row["percentile"]),
        gap_median=round_2(row["gap_median"]),
        gap_p75=round_2(row["gap_p75"]),
        own_change=round_2(row["own_change"]),
        group_change=round_2(row["group_change"]),
        histogram=histogram if row["withheld"] is None else None,
        change_basis=change_basis,
        **group_stats(row),
    )


def group_view(group: PeerGroup, withheld: str | None = None) -> PeerGroupView:
    """The peer group as the response shows it: its size (never its members) and how it was
    widened, unless its statistics are `withheld`: then neither (the widening step tells how
    many submitted in each narrower group)."""
    if withheld is not None:
        return PeerGroupView(group.kind, withheld, None, [], None, list(group.ignored), withheld)
    return PeerGroupView(
        kind=group.kind,
        description=group.description,
        step=group.step,
        widened=list(group.widened),
        n=group.n,
        ignored=list(group.ignored),
    )


@dataclass(frozen=True, slots=True)
class Encoded:
    """A response body as sent (JSON bytes) and its entity tag, computed once per cut."""

    body: bytes
    etag: str

    @classmethod
    def of(cls, value: Any) -> Encoded:
        """`value` encoded as the API sends it, with a weak ETag (bodies may be compressed)."""
        body = msgspec.json.encode(value)
        return cls(body, f'W/"{hashlib.blake2b(body, digest_size=12).hexdigest()}"')

    def matches(self, if_none_match: str | None) -> bool:
        """Whether an ``If-None-Match`` header names this body (weak comparison, RFC 9110)."""
        if not if_none_match:
            return False
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or self.etag.removeprefix("W/") in tags
