"""Peer comparison (DESIGN §4): peer groups as values, their statistics, percentile ranks,
histograms and evolution, for the default group of every territory of a campaign and for a
member's own peer list alike.

Pure functions on polars frames and numpy arrays: the default groups of a whole campaign in
one vectorised pass (`maturity.peer_stats`), a custom list as a campaign of one group and one
asker (`maturity.peer_compare`). The confidentiality rules live here too, so that no caller
can forget them: the asker is never one of its own peers, and a statistic over fewer than
`K_MIN` territories other than the asker is never published.

A group's statistics (n, mean, median, p25, p75, p90, histogram) cover its members that have a
score for the metric. A default group holds the territory itself (its statistics describe the
same population as the network aggregates' cell); a custom list never does.

Percentile rank, the one definition used everywhere: among the members of the group other than
the territory that have a score for the metric (m of them), b score strictly lower and e the
same; the rank is 100 × (b + e / 2) / m, from 0 (all score higher) to 100 (all score lower);
null when the territory has no score or m = 0, withheld when m < `K_MIN`. Scores are compared
rounded to `maturity.score_matrix.TIE` decimals: equal answers scored by one matrix product
can differ in their last bits, and must stay tied.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Final, Literal, NamedTuple

import msgspec
import polars as pl

from maturity.cells import CellIndex
from maturity.model import INDEX, Model
from maturity.peer_compare import compare, statistics
from maturity.peer_groups import K_MIN, STEPS, Scope, peer_groups
from maturity.peer_index import PeerGroups
from maturity.peer_stats import BINS, WITHHELD, StatisticRows, compare_campaign
from maturity.score_matrix import ScoreMatrix, score_matrix
from maturity.scoring import Scores
from maturity.texts import N_

__all__ = [
    "BINS",
    "CUSTOM_DESCRIPTION",
    "K_MIN",
    "STEPS",
    "WITHHELD",
    "Comparison",
    "PeerGroup",
    "PeerStatistics",
    "Scope",
    "campaign_comparison",
    "campaign_statistics",
    "custom_group",
    "custom_statistics",
    "default_group",
    "long_scores",
    "metric_ids",
    "peer_groups",
    "statistics",
]

CUSTOM_DESCRIPTION: Final = N_("liste de pairs choisie (profils publics uniquement)")


class PeerGroup(msgspec.Struct, frozen=True, kw_only=True):
    """A territory's peer group as a value: what defines it, how it was widened, who is in it."""

    kind: Literal["default", "custom"]
    description: str
    step: int | None = None
    """Widening step of `STEPS` (default group); None for a custom list."""
    widened: tuple[str, ...] = ()
    """The steps taken beyond the first one of the scope, in order (their `STEPS` wording)."""
    kinds: tuple[str, ...] = ()
    """Default group: the kinds of territory it spans (empty for a custom list)."""
    bands: tuple[str, ...] = ()
    """Default group: the population bands it spans, in increasing order."""
    region: str | None = None
    """Default group: its région, None when it spans them all."""
    listed: tuple[str, ...] = ()
    """Custom list: the codes kept (public profiles, once each, never the asker)."""
    ignored: tuple[str, ...] = ()
    """Custom list: the codes left out because they have no public profile."""
    members: tuple[str, ...] = ()
    """Its territories with a submission in the campaign, the asker excluded: the peers."""

    @property
    def n(self) -> int:
        """How many peers the group holds (the asker never counts)."""
        return len(self.members)


class PeerStatistics(msgspec.Struct, frozen=True):
    """The comparison of a campaign (or of one custom list): three frames."""

    groups: pl.DataFrame
    """One row per distinct group, ``group`` being its row number: kinds, bands, region,
    members (its territories with a submission, sorted; a custom list: without the asker)."""
    statistics: pl.DataFrame
    """One row per territory and metric of its group: territory, group, step, metric, n, mean,
    median, p25, p75, p90, own, percentile, gap_median, gap_p75, own_change, group_change,
    withheld (null when published; the statistics are null otherwise)."""
    histograms: pl.DataFrame
    """One row per group and metric: the counts of its members' scores in `BINS` bins."""


class Comparison(NamedTuple):
    """`PeerStatistics` of a campaign's default groups before its statistic rows are made a
    frame: what `maturity.publication.publish_peers` publishes in one frame."""

    groups: pl.DataFrame
    rows: StatisticRows
    histograms: pl.DataFrame


def metric_ids(model: Model) -> list[str]:
    """Benchmarked metrics in display order: the index, the pillars, then the dimensions."""
    return [INDEX, *(f"pillar:{p.id}" for p in model.pillars), *(d.id for d in model.dimensions)]


def long_scores(scores: Scores) -> pl.DataFrame:
    """One row per (assessment, metric, score) out of the engine's frames (nulls dropped)."""
    summary = scores.summary.drop("level").unpivot(
        index="assessment", variable_name="metric", value_name="score"
    )
    dimensions = scores.dimensions.select(
        "assessment", metric=pl.col("dimension"), score=pl.col("score")
    )
    return pl.concat([summary, dimensions]).drop_nulls("score")


def campaign_statistics(
    territories: pl.DataFrame,
    current: pl.DataFrame | ScoreMatrix,
    previous: pl.DataFrame | ScoreMatrix | None = None,
    scope: Scope = "national",
    basis: pl.DataFrame | ScoreMatrix | None = None,
    groups: pl.DataFrame | None = None,
) -> PeerStatistics:
    """`campaign_comparison` with its statistic rows as a frame."""
    compared = campaign_comparison(territories, current, previous, scope, basis, groups)
    return PeerStatistics(compared.groups, compared.rows.frame(), compared.histograms)


def campaign_comparison(
    territories: pl.DataFrame,
    current: pl.DataFrame | ScoreMatrix,
    previous: pl.DataFrame | ScoreMatrix | None = None,
    scope: Scope = "national",
    basis: pl.DataFrame | ScoreMatrix | None = None,
    groups: pl.DataFrame | PeerGroups | None = None,
    cells: CellIndex | None = None,
) -> Comparison:
    """Every territory of `territories` against its default peer group (`peer_groups`),
    metric by metric: the group's statistics and histogram, the territory's own score,
    percentile rank, gaps to median and p75, and the changes since `previous`.

    `territories` follows `TERRITORY_SCHEMA`; `current` and `previous` hold the submitted
    scores of a campaign in long form (territory, metric, score), or as a `ScoreMatrix` over
    the rows of `territories` (a caller that reads them for other purposes too matches them
    once). `basis`, when the previous campaign answered another edition: the current scores
    on the previous ones' basis (`maturity.edition_scores`), which the changes compare; a
    metric absent from `previous` has no change. `groups`: ``peer_groups(territories,
    current, scope)``, or its `PeerGroups`, when the caller has it already
    (`maturity.disclosure.protect` needs it too): computed here otherwise. `cells`: the
    `CellIndex` of `territories`, when the caller keeps one."""
    codes = territories.get_column("territory")
    now = score_matrix(codes, current)
    before = score_matrix(codes, previous) if previous is not None else None
    at = score_matrix(codes, basis) if basis is not None and before is not None else None
    if groups is None:
        groups = peer_groups(territories, codes.filter(now.submitted).to_frame(), scope)
    return Comparison(*compare_campaign(territories, groups, now, before, at, cells))


def default_group(
    peers: PeerStatistics, territory: str, group: int, step: int, scope: Scope
) -> PeerGroup:
    """The default peer group of `territory` (its ``group`` and ``step`` as found in
    ``peers.statistics``), as a value."""
    row = peers.groups.row(group, named=True)
    first = 0 if scope == "region" else 1
    return PeerGroup(
        kind="default",
        description=STEPS[step],
        step=step,
        widened=tuple(STEPS[s] for s in range(first + 1, step + 1)),
        kinds=tuple(row["kinds"]),
        bands=tuple(row["bands"]),
        region=row["region"],
        members=tuple(m for m in row["members"] if m != territory),
    )


def custom_group(
    public: Collection[str], current: pl.DataFrame, peers: Sequence[str], asker: str
) -> PeerGroup:
    """A member's own peer list as a group: each code once, never the asker, only
    territories with a public profile (a list differing by one hidden territory would
    otherwise give its score away by difference); members are those with a score."""
    listed = [p for p in dict.fromkeys(peers) if p != asker]
    kept = tuple(p for p in listed if p in public)
    scored = set(current.filter(pl.col("territory").is_in(kept)).get_column("territory"))
    return PeerGroup(
        kind="custom",
        description=CUSTOM_DESCRIPTION,
        listed=kept,
        ignored=tuple(p for p in listed if p not in public),
        members=tuple(p for p in kept if p in scored),
    )


def custom_statistics(
    group: PeerGroup,
    asker: str,
    current: pl.DataFrame,
    previous: pl.DataFrame | None = None,
    basis: pl.DataFrame | None = None,
) -> PeerStatistics:
    """`asker` against a custom list (`custom_group`): the same comparison as the default
    groups', the asker being outside the group (`basis` as for `campaign_statistics`)."""
    members = pl.LazyFrame(
        {"group": 0, "territory": list(group.members)},
        schema={"group": pl.UInt32, "territory": pl.String},
    )
    listed = pl.LazyFrame(
        {"group": 0, "territory": list(group.listed)},
        schema={"group": pl.UInt32, "territory": pl.String},
    )

    def scores(frame: pl.DataFrame, of: Sequence[str]) -> pl.LazyFrame:
        """The scores of `of` and of the asker only: the campaign's are ten thousand times more."""
        return (
            frame.lazy()
            .filter(pl.col("territory").is_in([*of, asker]))
            .select(pl.col("territory").cast(pl.String), "metric", "score")
        )

    askers = pl.LazyFrame(
        {"territory": [asker], "group": [0], "step": [None], "member": [False]},
        schema={"territory": pl.String, "group": pl.UInt32, "step": pl.Int8, "member": pl.Boolean},
    )
    now = scores(current, group.members).collect().lazy()
    before = scores(previous, group.listed).collect().lazy() if previous is not None else None
    changed = None
    if basis is not None and before is not None:
        at = scores(basis, group.members).collect().lazy()
        changed = (members.join(at, on="territory"), at)
    result, histograms = compare(
        members.join(now, on="territory"),
        askers,
        now,
        listed.join(before, on="territory") if before is not None else None,
        before,
        changed,
    )
    # a few dozen rows: the in-memory engine starts faster than the default (2.8 vs 5 ms)
    statistics, counts = pl.collect_all([result, histograms], engine="in-memory")
    return PeerStatistics(
        groups=pl.DataFrame(
            {"group": [0], "members": [list(group.members)]},
            schema={"group": pl.UInt32, "members": pl.List(pl.String)},
        ),
        statistics=statistics,
        histograms=counts,
    )
