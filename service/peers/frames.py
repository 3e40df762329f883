"""What a campaign's benchmark responses are cut from: the engine's frames for one campaign
and scope, as published (statistical disclosure control decided once per campaign state,
`build_frames`), with the responses already cut or encoded from them (bounded, least recently
used first). Dropped as a whole when a submission changes the campaign."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, TypeVar

import polars as pl

from maturity.cells import CellIndex
from maturity.disclosure import Disclosure, protect
from maturity.edition_scores import scored, scores_across
from maturity.editions import Status
from maturity.model import Model
from maturity.peer_index import indexed_peer_groups
from maturity.peers import (
    PeerGroup,
    PeerStatistics,
    Scope,
    campaign_comparison,
    default_group,
    metric_ids,
)
from maturity.publication import group_verdicts, publish_peers
from maturity.score_matrix import score_matrix
from maturity.territories import population_band_expr
from service.assessments.editions import Editions
from service.peers.views import Benchmark, Encoded
from service.platform.operations import observe

__all__ = [
    "RESPONSES_KEPT",
    "CampaignFrames",
    "Protection",
    "Stamp",
    "build_frames",
    "compute_frames",
    "histograms_by_group",
    "remember",
]

Stamp = tuple[int, datetime | None, bool]
"""Submitted assessments of the campaign and the one before: count, latest, any synthetic."""

Histograms = dict[str, list[int]]
"""A group's histogram counts by metric."""

RESPONSES_KEPT: Final = 2048
"""Cut benchmarks kept per campaign: the busy territories, not all 36,000 (≈20 MB at most);
as many encoded bodies (≈4 kB each), custom peer lists included."""
SCOPES: Final[tuple[Scope, ...]] = ("national", "region")
"""The perimeters whose default groups the disclosure control judges together."""
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


def histograms_by_group(histograms: pl.DataFrame) -> dict[int, Histograms]:
    """`PeerStatistics.histograms` as {group: {metric: counts}}."""
    out: dict[int, Histograms] = {}
    for group, metric, counts in histograms.select("group", "metric", "histogram").iter_rows():
        out.setdefault(int(group), {})[metric] = list(counts)
    return out


@dataclass
class CampaignFrames:
    """Everything computed for one campaign and scope: what a benchmark response is cut from."""

    campaign: int
    scope: Scope
    stamp: Stamp
    territories: pl.DataFrame  # territory, name, kind, band, region, public, population
    scores: pl.DataFrame  # territory, metric, score (submitted, this campaign)
    previous: pl.DataFrame  # territory, metric, score (submitted, the campaign before)
    peers: PeerStatistics  # every territory against its default group, as published
    synthetic: bool
    disclosure: Disclosure
    """What may be published of this campaign (`maturity.disclosure.protect`)."""
    checked_at: float = 0.0
    """When the stamp was last compared with the database (monotonic clock)."""
    names: dict[str, str] = field(default_factory=dict)
    public_codes: frozenset[str] = frozenset()
    rows: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Where each territory's rows start in ``peers.statistics`` (sorted by territory), and
    how many."""
    histograms: dict[int, Histograms] = field(default_factory=dict)
    """Each default group's histograms, by group id then metric."""
    responses: OrderedDict[tuple[str, str], Benchmark] = field(default_factory=OrderedDict)
    """Default benchmarks already cut, by (territory, lang), least recently used first: the
    frames never change, and at most `RESPONSES_KEPT` are kept (≈10 kB each)."""
    encoded: OrderedDict[tuple[str, ...], Encoded] = field(default_factory=OrderedDict)
    aggregates: dict[str, pl.DataFrame] = field(default_factory=dict)
    """The network aggregates already computed, by grouping (`maturity.aggregates`)."""
    """API bodies already encoded, by (view, territory, lang, *custom peers): what a cached
    request sends, dropped with the frames when a submission changes the campaign."""
    model: Model | None = None
    """The edition of the model the campaign records, which scored `scores`."""
    basis: pl.DataFrame | None = None
    """When the campaign before answered another edition: this campaign's scores on the basis
    `previous` was computed on (`maturity.edition_scores`); None for the same edition."""
    statuses: dict[str, Status] = field(default_factory=dict)
    """With `basis`, each metric's comparability with the campaign before (full, partial,
    none); empty for the same edition."""

    def __post_init__(self) -> None:
        statistics = self.peers.statistics.sort("territory", maintain_order=True)
        self.peers = PeerStatistics(self.peers.groups, statistics, self.peers.histograms)
        self.names = dict(self.territories.select("territory", "name").iter_rows())
        self.public_codes = frozenset(self.public["territory"].to_list())
        offsets = (
            statistics.with_row_index("row")
            .group_by("territory")
            .agg(start=pl.col("row").min(), length=pl.len())
        )
        self.rows = {t: (int(a), int(b)) for t, a, b in offsets.iter_rows()}
        self.histograms = histograms_by_group(self.peers.histograms)

    def statistics_of(self, territory: str) -> pl.DataFrame:
        """The statistic rows of one territory (a slice: no scan of the whole frame)."""
        start, length = self.rows.get(territory, (0, 0))
        return self.peers.statistics.slice(start, length)

    def group_of(self, territory: str, rows: pl.DataFrame) -> tuple[PeerGroup, Histograms]:
        """The default peer group of `territory` (`rows`: its statistic rows, not empty) and
        the group's histograms by metric."""
        first = rows.row(0, named=True)
        group = int(first["group"])
        value = default_group(self.peers, territory, group, int(first["step"]), self.scope)
        return value, self.histograms.get(group, {})

    @property
    def public(self) -> pl.DataFrame:
        """Territories that opted in to a public profile."""
        return self.territories.filter("public").select("territory")

    @property
    def before(self) -> pl.DataFrame | None:
        """The previous campaign's scores, or None when nobody submitted then."""
        return None if self.previous.is_empty() else self.previous

    @property
    def compared(self) -> pl.DataFrame:
        """This campaign's scores on the basis of `previous`: what a change compares."""
        return self.scores if self.basis is None else self.basis


Protection = tuple[Disclosure, Disclosure | None]
"""What may be published of a campaign, and of the one before (for the changes)."""


def build_frames(
    campaign: int,
    scope: Scope,
    stamp: Stamp,
    refs: pl.DataFrame,
    now: pl.DataFrame,
    before: pl.DataFrame,
    protected: dict[tuple[int, Stamp], Protection] | None = None,
    *,
    model: Model | None = None,
    basis: pl.DataFrame | None = None,
    statuses: dict[str, Status] | None = None,
) -> CampaignFrames:
    """A campaign's frames from its scores (`now`, `before`: territory, metric, score) and
    the reference territories (territory, name, kind, band, region, public): what may be
    published (decided once per campaign state and shared by both perimeters through
    `protected`), then every territory's statistics as published. `model`: the campaign's
    edition; `basis` and `statuses` when `before` answered another one (`CampaignFrames`)."""
    attributes = refs.select("territory", "kind", "band", "region", "public")
    # the territories located in their finest cells and the scores matched to them once,
    # for the disclosure control and the statistics alike; the peer groups too
    index = CellIndex.of(attributes)
    matrix = score_matrix(index.codes, now)
    groups = indexed_peer_groups(index, matrix.submitted, SCOPES)
    protection = (protected or {}).get((campaign, stamp))
    if protection is None:
        with observe("benchmark_disclosure"):
            protection = (
                protect(attributes, matrix, groups, cells=index),
                protect(attributes, before, cells=index) if not before.is_empty() else None,
            )
        if protected is not None:  # the campaign's older states are stale
            for key in [k for k in protected if k[0] == campaign]:
                del protected[key]
            protected[(campaign, stamp)] = protection
    peers = campaign_comparison(  # published in one frame
        attributes.drop("public"),
        matrix,
        before if not before.is_empty() else None,
        scope,
        basis,
        groups=groups[scope],
        cells=index,
    )
    published = publish_peers(peers, group_verdicts(peers.groups, *protection))
    return CampaignFrames(
        campaign,
        scope,
        stamp,
        refs,
        now,
        before,
        published,
        stamp[2],
        protection[0],
        model=model,
        basis=basis,
        statuses=statuses or {},
    )


def compute_frames(
    editions: tuple[Model, Model, Editions],
    campaign: int,
    scope: Scope,
    stamp: Stamp,
    territories: pl.DataFrame,
    current: pl.DataFrame,
    previous: pl.DataFrame,
    protected: dict[tuple[int, Stamp], Protection],
) -> CampaignFrames:
    """Score both campaigns, each with its own edition (`editions`: the campaign's, the one
    before's, the registry), decide what may be published (once per campaign state, shared
    by both perimeters through `protected`) and compute every territory's statistics as
    published (runs in a thread). Across editions, the changes go through the mapping, on
    what the two editions have in common (`maturity.edition_scores`)."""
    model, older, registry = editions
    refs = territories.select(
        territory="code",
        name="name",
        kind="kind",
        band=population_band_expr(pl.col("population")),
        region="region_code",
        public=pl.col("public_profile").fill_null(False),
        population=pl.col("population").cast(pl.Int64),  # "profil proche" weighs size
    )

    now = scored(model, current)
    if older.version == model.version:
        before = scored(model, previous)
        return build_frames(campaign, scope, stamp, refs, now, before, protected, model=model)
    basis = registry.basis(older.version, model.version)
    mapping = registry.mapping(older.version, model.version)
    if basis is None or mapping is None:  # no mapping: nothing of the campaign before compares
        none: dict[str, Status] = dict.fromkeys(metric_ids(model), "none")
        empty = scored(model, previous.clear())
        return build_frames(
            campaign, scope, stamp, refs, now, empty, protected, model=model, statuses=none
        )
    across = scores_across(basis, mapping, older, model, previous, current)
    return build_frames(
        campaign,
        scope,
        stamp,
        refs,
        now,
        across.previous,
        protected,
        model=model,
        basis=across.basis,
        statuses=across.statuses,
    )
