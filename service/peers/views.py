"""The benchmark as the API and the pages show it: response Structs, rounded for display."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal

import msgspec

__all__ = [
    "Benchmark",
    "Encoded",
    "LearnFrom",
    "MetricStats",
    "PeerGroupView",
    "PeerRef",
    "metric_stats",
]


class PeerGroupView(msgspec.Struct):
    """The peer group used, and how it was widened to reach the minimum size."""

    kind: Literal["default", "custom"]
    description: str
    step: int | None
    widened: list[str]
    n: int
    """Territories of the group other than the one benchmarked."""
    ignored: list[str] = []
    """Codes of a custom list left out because they have no public profile."""


class MetricStats(msgspec.Struct):
    """One metric (index, pillar or dimension) of the territory against its peer group."""

    id: str
    label: str
    own: float | None
    n: int
    mean: float | None
    median: float | None
    p25: float | None
    p75: float | None
    p90: float | None
    percentile: float | None
    gap_median: float | None
    gap_p75: float | None
    own_change: float | None
    group_change: float | None
    histogram: list[int] | None
    """Counts of the group's scores in the bins 0–10, 10–20, …, 90–100."""
    withheld: str | None


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


_ROUNDED = (
    "own", "mean", "median", "p25", "p75", "p90", "percentile",
    "gap_median", "gap_p75", "own_change", "group_change",
)  # fmt: skip


def metric_stats(
    metric: str, label: str, row: dict[str, Any], histogram: list[int] | None
) -> MetricStats:
    """A statistics row (default group or custom list) as the response shows it."""
    return MetricStats(
        id=metric,
        label=label,
        n=int(row["n"]),
        histogram=histogram,
        withheld=row["withheld"],
        **{name: round_2(row[name]) for name in _ROUNDED},
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
