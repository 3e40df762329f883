"""Statistical disclosure control of every peer statistic published about a campaign.

Everything published about a campaign (the network aggregates of the fixed hierarchy of
groupings, the default peer group of every territory in both perimeters, the campaign's count
of submissions) is a sum or a count over a union of *finest cells*: kind × population band ×
région. `protect` decides, once per campaign state, which of those unions (*cells*) may be
published, so that all of them together never pin a value nor confirm a participation:

1. k counts territories without a public profile (public scores are known to everybody): a
   cell with fewer than `K_MIN` non-public participants is never published. Quantiles,
   histograms and percentile ranks need `K_QUANTILES` of them (at `K_MIN` the four quantiles
   and the mean give back every value).
2. Complementary suppression, over every output at once: the published sums and counts are
   linear equations over the finest cells. A finest cell, or any union an output has a shape
   for, is *disclosed* when its sum or count lies in the row space of the published
   equations (one null space per campaign, shared by every metric: cells are suppressed
   whole) and it holds 1 to `K_MIN` − 1 non-public participants, or when its count is
   determined and equals its non-public reference population; integer programming on the
   published counts and the bounds (0 to the reference population) finds the participations
   that bounds alone confirm. The smallest published cell that carries a disclosing equation
   is suppressed, and the search starts again until nothing is disclosed.
3. Suppressed cells never state their count. «moins de 5» only where the reference
   population itself holds fewer than `K_MIN` territories without a public profile (what the
   territory list already says); «non diffusé (secret statistique)» for every other reason,
   the primary rule included: a distinct wording for the primary rule would tell that every
   other withheld cell holds at least `K_MIN` participants, and on the demo campaign that
   confirmed participations.

Pure: polars frames in, numpy and scipy (HiGHS) for the algebra (`maturity.suppression`),
no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Final, Literal

import msgspec
import numpy as np
import polars as pl
from scipy import sparse
from threadpoolctl import ThreadpoolController

from maturity import suppression
from maturity.cells import CellIndex, atom_table, unique_rows
from maturity.peer_groups import K_MIN, Scope
from maturity.peer_index import PeerGroups, indexed_peer_groups
from maturity.score_matrix import ScoreMatrix, score_matrix
from maturity.suppression import Widening
from maturity.texts import N_

__all__ = [
    "FEWER",
    "K_MIN",
    "K_QUANTILES",
    "NOTICE",
    "SECRET",
    "Disclosure",
    "Rule",
    "Verdict",
    "atom_table",
    "protect",
]

K_QUANTILES: Final = 20
"""Non-public participants a cell needs for its quantiles, histogram and percentile ranks."""
FEWER: Final = N_("moins de 5 territoires (hors profils publics)")
SECRET: Final = N_("non diffusé (secret statistique)")
NOTICE: Final = N_(
    "Secret statistique : une case n'est publiée que si au moins 5 territoires sans profil "
    "public y ont soumis ; quantiles, histogrammes et centiles en demandent 20. Moyennes et "
    "quantiles sont arrondis au dixième, centiles à 5 près. D'autres cases sont masquées pour "
    "qu'aucun recoupement de l'ensemble des publications (regroupements, formats, campagnes, "
    "parangonnages) ne donne le score d'un territoire ni ne confirme sa participation ; une "
    "case masquée n'indique pas son effectif."
)
"""What every publication of peer statistics says about the method (its `notice`)."""
MAX_ROUNDS: Final = 200

Rule = Literal["published", "absent", "fewer", "secondary"]
"""Why a cell is (not) published: ``absent``, its reference population holds fewer than
`K_MIN` territories without a public profile (public knowledge: «moins de 5»); ``fewer``, it
holds fewer than `K_MIN` such participants; ``secondary``, complementary suppression. The last
two say the same (`SECRET`): telling them apart would tell the attacker that a cell withheld
for another reason holds at least `K_MIN` participants."""
Cell = tuple[int, ...]
"""A union of finest cells, as their sorted ids in `Disclosure.atoms`."""


class Verdict(msgspec.Struct, frozen=True):
    """What may be published about one cell."""

    rule: Rule
    quantiles: bool = False
    """Quantiles, histogram and percentile ranks too (`K_QUANTILES` non-public participants)."""

    @property
    def published(self) -> bool:
        """Whether the cell's count and mean are published."""
        return self.rule == "published"

    @property
    def withheld(self) -> str | None:
        """The wording of a suppressed cell (None when published)."""
        if self.rule == "published":
            return None
        return FEWER if self.rule == "absent" else SECRET


@dataclass
class Disclosure:
    """The verdict of every cell a campaign's outputs can show, and what the published
    equations determine (for the changes of the next campaign)."""

    atoms: pl.DataFrame
    verdicts: dict[Cell, Verdict]
    sums_null: np.ndarray
    counts_null: np.ndarray
    columns: np.ndarray
    """The atoms with non-public reference territories: the attacker's unknowns."""
    rounds: int = 0
    """Suppression rounds it took (a figure for the benchmarks)."""
    unresolved: int = 0
    """Disclosures no suppression can undo (the campaign's total alone carries them: a
    network where every reference territory answered); 0 on any real campaign."""
    _index: dict[tuple[str | None, str | None, str | None], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index = {
            (k, b, r): int(a)
            for a, k, b, r in self.atoms.select("atom", "kind", "band", "region").iter_rows()
        }

    def cell(
        self,
        kinds: Sequence[str] | None,
        bands: Sequence[str | None] | None,
        region: str | None,
    ) -> Cell:
        """The finest cells of `kinds` × `bands` × `region` (None: all of them)."""
        return tuple(
            a
            for (k, b, r), a in self._index.items()
            if (kinds is None or k in kinds)
            and (bands is None or b in bands)
            and (region is None or r == region)
        )

    def verdict(self, cell: Cell) -> Verdict:
        """The verdict of `cell`; a union no output shows is never published."""
        return self.verdicts.get(cell, Verdict("secondary"))

    def determined(self, cell: Cell) -> bool:
        """Whether the published equations determine the cell's sum and count."""
        v = np.isin(self.columns, np.asarray(cell, dtype=np.int64)).astype(float)
        return bool(
            suppression.determined(self.sums_null, v[None, :])[0]
            and suppression.determined(self.counts_null, v[None, :])[0]
        )


def protect(
    territories: pl.DataFrame,
    scores: pl.DataFrame | ScoreMatrix,
    groups: Mapping[Scope, pl.DataFrame | PeerGroups] | None = None,
    cells: CellIndex | None = None,
) -> Disclosure:
    """What may be published about a campaign: the verdict of every aggregate cell of every
    grouping and of every default peer group (both perimeters).

    `territories`: territory, kind, band, region, public; `scores`: territory, metric, score
    (the campaign's submitted scores), or their `ScoreMatrix` over `territories`; `groups`:
    ``peer_groups(territories, scores, scope)`` (or its `PeerGroups`) of either perimeter,
    when the caller has it already (computed here otherwise); `cells`: the `CellIndex` of
    `territories`, when the caller keeps one (the finest cells and the shapes of their
    unions depend on the directory alone)."""
    index = cells
    if index is None or index.public is None or not index.of_frame(territories):
        index = CellIndex.of(territories)
    assert index.public is not None  # `atom_table` needs the ``public`` column
    atoms, steps, groupings = index.atoms, index.steps, index.groupings
    # territories as row numbers (``tid``) from here on: the scores are matched to their
    # codes once (`score_matrix`), every later count is on integers
    atom, hidden = index.atom, ~index.public
    matrix = score_matrix(index.codes, scores)
    metrics = list(matrix.metrics) or ["index"]
    taking = np.flatnonzero(hidden & matrix.submitted)
    participants = _participants(atom[taking], matrix.aligned(tuple(metrics))[taking], atoms.height)
    refs = atoms["references"].to_numpy().astype(float)

    # the cells the outputs show: aggregates of the fixed hierarchy, default groups
    shown = [groupings[g] for g in ("national", "kind", "band", "kind,band", "region")]
    has = matrix.submitted
    public = np.bincount(atom[~hidden & has], minlength=atoms.height).astype(float)
    scopes: tuple[Scope, ...] = ("national", "region")
    given: dict[Scope, pl.DataFrame | PeerGroups] = dict(groups or {})
    if missing := [scope for scope in scopes if scope not in given]:
        given |= indexed_peer_groups(index, has, missing)
    ids = territories.select("territory").with_row_index("tid")
    # (first step, atom, has, step), sorted: their order breaks ties between equally small
    # cells in the suppression rounds, and an unordered `unique` let two runs (two worker
    # processes) withhold different cells of the same campaign state
    shapes: list[tuple[int, int, int, int]] = []
    for scope in scopes:
        tid, level = _by_row(given[scope], ids)
        # distinct (step, atom, has) in that order, as one integer each: no join nor sort
        key = (level * atoms.height + atom[tid]) * 2 + has[tid]
        key = np.flatnonzero(np.bincount(key, minlength=1))
        first = 0 if scope == "region" else 1
        levels, rest = np.divmod(key, 2 * atoms.height)
        shapes += [
            (first, int(r // 2), int(r % 2), int(s)) for s, r in zip(levels, rest, strict=True)
        ]
    shown += [steps[step][[a for _, a, _, step_ in shapes if step_ == step]] for step in range(6)]
    cells_shown = unique_rows(shown)
    widening = Widening.of(shapes, steps, cells_shown, public)
    # small matrices: BLAS threads only contend with the server's (0.5 s instead of 10 ms per
    # decomposition on two busy cores)
    with _blas().limit(limits=1, user_api="blas"):
        return _decide(atoms, cells_shown, index.units, participants, refs, metrics, widening)


def _participants(atom: np.ndarray, scores: np.ndarray, size: int) -> np.ndarray:
    """Per finest cell (`atom`: each participant's, `size` of them) and metric, the
    participants (territories without a public profile that submitted, their `scores`)
    with a score: all of them, less the few without that metric's (a missing dimension)."""
    counts = np.repeat(np.bincount(atom, minlength=size)[:, None], scores.shape[1], axis=1)
    rows, metrics = np.nonzero(np.isnan(scores))
    np.subtract.at(counts, (atom[rows], metrics), 1)
    return counts.astype(float)


@cache
def _blas() -> ThreadpoolController:
    """The BLAS libraries in the process (numpy's and scipy's, loaded with this module),
    found once: `threadpool_limits` reads the process's memory map again at every call, a
    millisecond per campaign."""
    return ThreadpoolController()


def _by_row(groups: pl.DataFrame | PeerGroups, ids: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The row numbers (tid) and steps of the territories of `groups` (`peer_groups`, or
    `PeerGroups` of the same directory) among `ids` (tid, territory): matched on the codes
    only when the groups list other territories, or in another order."""
    if isinstance(groups, PeerGroups):
        return np.arange(len(groups.codes)), groups.step.astype(np.int64)
    if groups.get_column("territory").equals(ids.get_column("territory")):
        found = groups.select(tid=pl.int_range(groups.height, dtype=pl.UInt32), step="step")
    else:
        found = groups.join(ids, on="territory").select("tid", "step")
    return (
        found.get_column("tid").to_numpy().astype(np.int64),
        found.get_column("step").to_numpy().astype(np.int64),
    )


def _decide(
    atoms: pl.DataFrame,
    cells: np.ndarray,
    units: np.ndarray,
    participants: np.ndarray,
    refs: np.ndarray,
    metrics: list[str],
    widening: Widening,
) -> Disclosure:
    """Primary rules, then complementary suppression until nothing is disclosed."""
    columns = np.flatnonzero(refs >= 1)
    a_all = cells[:, columns].astype(float)
    u_all = units[:, columns].astype(float)
    u_norms = np.linalg.norm(u_all, axis=1)
    u_sparse = sparse.csr_array(u_all)  # most are 1 to 3 finest cells: a sixth of the products
    np_cells = cells.astype(float) @ participants  # cells × metrics
    np_units = units.astype(float) @ participants
    r_cells, r_units = cells.astype(float) @ refs, units.astype(float) @ refs
    index = metrics.index("index") if "index" in metrics else 0
    low = np_cells.min(axis=1)
    rule = np.where(r_cells < K_MIN, "absent", np.where(low < K_MIN, "fewer", "published")).astype(
        object
    )
    total = np.ones((1, len(columns)))
    whole = np.asarray(cells[:, columns].all(axis=1))  # rows equal to the total (national)
    small_units = ((np_units >= 1) & (np_units <= K_MIN - 1)).any(axis=1)
    atoms_np = participants[columns, index]

    def spaces() -> tuple[np.ndarray, suppression.Equations, np.ndarray, np.ndarray | None]:
        """The published rows, their counts (with the total), the rows their sums make and
        the null space of those (None when it is the counts' own)."""
        published = np.flatnonzero(rule == "published")
        counts = suppression.Equations.of(np.vstack([a_all[published], total]), len(columns))
        known_count = suppression.determined_cells(counts.null)
        # a finest cell whose count is known to be 0 has a known sum too
        sums = np.vstack([a_all[published], np.eye(len(columns))[known_count & (atoms_np == 0)]])
        if whole[published].any():
            # the total is a published row: the counts span no more than the published rows,
            # and that space holds the finest cells whose count they determine (the zeros),
            # so the sums' null space is the counts' (not a second SVD per round); only its
            # basis would differ, and the last one is decomposed below for the next campaign
            return published, counts, sums, None
        return published, counts, sums, suppression.null_space(sums, len(columns))

    rounds, unresolved = 0, 0
    published, counts, sums, sums_null = spaces()
    # published cells only leave: the equations and bounds of a later round are a subset of
    # an earlier one's, and only the cells forced then can be forced now
    could: set[int] | None = None
    while rounds < MAX_ROUNDS:
        rounds += 1
        det_count = suppression.determined(counts.null, u_sparse, u_norms)
        det_sum = (
            det_count if sums_null is None else suppression.determined(sums_null, u_sparse, u_norms)
        )
        full = det_count & (np_units[:, index] == r_units) & (r_units >= 1)
        disclosed = np.flatnonzero(((det_sum | det_count) & small_units) | full)
        forced: dict[int, set[int]] = {}
        if disclosed.size:
            picks = suppression.carriers(counts, u_all[disclosed], published, np_cells[:, index])
        else:
            shown = np.isin(widening.owner, published)
            told = (widening.rows[shown][:, columns], widening.bound[shown], widening.owner[shown])
            forced = suppression.forced(
                counts.rows, published, np_cells[:, index], atoms_np, refs[columns], told, could
            )
            could = set(forced)
            if not forced:
                break
            picks = {
                min(carrying, key=lambda c: np_cells[c, index])
                for carrying in forced.values()
                if carrying
            }
        if not picks:  # only the campaign's total carries it: it is always published
            unresolved = int(disclosed.size) or len(forced)
            break
        rule[sorted(picks)] = "secondary"
        published, counts, sums, sums_null = spaces()
    if sums_null is None:  # the sums' own basis, as the rounds without the total give it
        sums_null = suppression.null_space(sums, len(columns))
    quantiles = (rule == "published") & (low >= K_QUANTILES)
    verdicts = {
        tuple(np.flatnonzero(row).tolist()): Verdict(
            str(r),  # type: ignore[arg-type]
            quantiles=bool(q),
        )
        for row, r, q in zip(cells, rule, quantiles, strict=True)
    }
    return Disclosure(atoms, verdicts, sums_null, counts.null, columns, rounds, unresolved)
