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

Pure: polars frames in, numpy and scipy (HiGHS) for the algebra, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

import msgspec
import numpy as np
import polars as pl
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from threadpoolctl import threadpool_limits

from maturity.peer_groups import K_MIN, peer_groups
from maturity.territories import KIND_FAMILIES, POPULATION_BANDS
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


def atom_table(territories: pl.DataFrame) -> pl.DataFrame:
    """The finest cells of `territories` (territory, kind, band, region, public): atom (id),
    kind, band, region, references (territories without a public profile), public."""
    return (
        territories.group_by("kind", "band", "region")
        .agg(
            references=(~pl.col("public")).sum().cast(pl.Int64),
            public=pl.col("public").sum().cast(pl.Int64),
        )
        .sort("kind", "band", "region", nulls_last=True)
        .with_row_index("atom")
    )


@dataclass
class _Space:
    """The finest cells as arrays, and the shapes of every union an output can take."""

    kind: np.ndarray
    band: np.ndarray
    region: np.ndarray
    family: np.ndarray
    position: np.ndarray

    @classmethod
    def of(cls, atoms: pl.DataFrame) -> _Space:
        positions = {b.id: i for i, b in enumerate(POPULATION_BANDS)}
        kind = atoms["kind"].to_numpy().astype(str)
        return cls(
            kind,
            atoms["band"].fill_null("").to_numpy().astype(str),
            atoms["region"].fill_null("").to_numpy().astype(str),
            np.array([KIND_FAMILIES.get(k, "autre") for k in kind]),
            np.array([positions.get(b, -10) for b in atoms["band"].fill_null("").to_list()]),
        )

    def same(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values[:, None] == values[None, :])

    def steps(self) -> list[np.ndarray]:
        """Row i of matrix s: the finest cells of the default group of step s of atom i."""
        k, b, g, f = (self.same(v) for v in (self.kind, self.band, self.region, self.family))
        window = np.abs(self.position[:, None] - self.position[None, :]) <= 1
        everything = np.ones_like(k)
        return [k & b & g, k & b, k & window, f & window, f, everything]

    def groupings(self) -> dict[str, np.ndarray]:
        """Row i: the cell holding atom i in each grouping (every combination of attributes)."""
        k, b, g = (self.same(v) for v in (self.kind, self.band, self.region))
        return {
            "national": np.ones_like(k),
            "kind": k,
            "band": b,
            "region": g,
            "kind,band": k & b,
            "kind,region": k & g,
            "band,region": b & g,
            "kind,band,region": k & b & g,
        }


def _unique_rows(rows: Sequence[np.ndarray]) -> np.ndarray:
    """The distinct non-empty rows of boolean matrices (hashed as bytes: `np.unique` sorts)."""
    stacked = np.vstack(rows)
    seen: dict[bytes, int] = {}
    for i, row in enumerate(np.packbits(stacked, axis=1)):
        seen.setdefault(row.tobytes(), i)
    kept = stacked[sorted(seen.values())]
    return np.asarray(kept[kept.any(axis=1)])


def _null_space(rows: np.ndarray, width: int) -> np.ndarray:
    """An orthonormal basis of the vectors orthogonal to every row (width × k)."""
    if rows.size == 0:
        return np.eye(width)
    _, s, vt = np.linalg.svd(rows, full_matrices=True)
    rank = int((s > 1e-9 * max(float(s.max()), 1.0)).sum())
    return np.asarray(vt[rank:].T)


def _determined(null: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """For each row of `vectors`, whether it lies in the row space (null ⟂ it)."""
    if null.shape[1] == 0:
        return np.ones(len(vectors), dtype=bool)
    norms = np.linalg.norm(vectors @ null, axis=1)
    return np.asarray(norms < 1e-7 * np.maximum(1.0, np.linalg.norm(vectors, axis=1)))


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
            _determined(self.sums_null, v[None, :])[0]
            and _determined(self.counts_null, v[None, :])[0]
        )


def protect(territories: pl.DataFrame, scores: pl.DataFrame) -> Disclosure:
    """What may be published about a campaign: the verdict of every aggregate cell of every
    grouping and of every default peer group (both perimeters).

    `territories`: territory, kind, band, region, public; `scores`: territory, metric, score
    (the campaign's submitted scores)."""
    atoms = atom_table(territories)
    space = _Space.of(atoms)
    steps = space.steps()
    groupings = space.groupings()
    located = territories.join(atoms, on=["kind", "band", "region"], how="left", nulls_equal=True)
    hidden = scores.join(
        located.filter(~pl.col("public")).select("territory", "atom"), on="territory"
    )
    metrics = sorted(scores["metric"].unique().to_list()) or ["index"]
    participants = np.zeros((atoms.height, len(metrics)))
    for atom, metric, n in hidden.group_by("atom", "metric").len().iter_rows():
        participants[int(atom), metrics.index(metric)] = n
    refs = atoms["references"].to_numpy().astype(float)

    # the cells the outputs show: aggregates of the fixed hierarchy, default groups
    shown = [groupings[g] for g in ("national", "kind", "band", "kind,band", "region")]
    submitted = scores.select("territory").unique()
    took_part = located.join(submitted, on="territory", how="semi")
    public = np.zeros(atoms.height)
    for atom, n in took_part.filter("public").group_by("atom").len().iter_rows():
        public[int(atom)] = n
    shapes: list[tuple[int, int, int, int]] = []  # (first step, atom, has, step)
    for scope in ("national", "region"):
        chosen = peer_groups(
            territories.select("territory", "kind", "band", "region"), submitted, scope
        )
        pairs = (
            chosen.select("territory", "step")
            .join(located.select("territory", "atom"), on="territory")
            .with_columns(has=pl.col("territory").is_in(took_part["territory"].implode()))
            .select("atom", "has", "step")
            .unique()
        )
        first = 0 if scope == "region" else 1
        shapes += [(first, int(a), int(h), int(st)) for a, h, st in pairs.iter_rows()]
    shown += [steps[step][[a for _, a, _, step_ in shapes if step_ == step]] for step in range(6)]
    cells = _unique_rows(shown)
    units = _unique_rows([*steps, *groupings.values()])
    widening = _Widening.of(shapes, steps, cells, public)
    # small matrices: BLAS threads only contend with the server's (0.5 s instead of 10 ms per
    # decomposition on two busy cores)
    with threadpool_limits(limits=1, user_api="blas"):
        return _decide(atoms, cells, units, participants, refs, metrics, widening)


@dataclass
class _Widening:
    """What the widening step of a published default group tells: each narrower group of
    the same territory held fewer than `K_MIN` submitted territories besides it, i.e. at most
    ``bound`` without a public profile (``rows``: their finest cells; ``owner``: the cell of
    the group whose step tells it)."""

    rows: np.ndarray
    bound: np.ndarray
    owner: np.ndarray

    @classmethod
    def of(
        cls,
        shapes: Sequence[tuple[int, int, int, int]],
        steps: Sequence[np.ndarray],
        cells: np.ndarray,
        public: np.ndarray,
    ) -> _Widening:
        where = {row.tobytes(): i for i, row in enumerate(cells)}
        rows, bound, owner = [], [], []
        for first, atom, has, step in shapes:
            group = where[steps[step][atom].tobytes()]
            for narrower in range(first, step):
                row = steps[narrower][atom]
                rows.append(row)
                bound.append(K_MIN - 1 + has - float(public[row].sum()))
                owner.append(group)
        width = cells.shape[1]
        return cls(
            np.array(rows, dtype=bool).reshape(-1, width), np.array(bound), np.array(owner, int)
        )


def _decide(
    atoms: pl.DataFrame,
    cells: np.ndarray,
    units: np.ndarray,
    participants: np.ndarray,
    refs: np.ndarray,
    metrics: list[str],
    widening: _Widening,
) -> Disclosure:
    """Primary rules, then complementary suppression until nothing is disclosed."""
    columns = np.flatnonzero(refs >= 1)
    a_all = cells[:, columns].astype(float)
    u_all = units[:, columns].astype(float)
    np_cells = cells.astype(float) @ participants  # cells × metrics
    np_units = units.astype(float) @ participants
    r_cells, r_units = cells.astype(float) @ refs, units.astype(float) @ refs
    index = metrics.index("index") if "index" in metrics else 0
    low = np_cells.min(axis=1)
    rule = np.where(r_cells < K_MIN, "absent", np.where(low < K_MIN, "fewer", "published")).astype(
        object
    )
    total = np.ones((1, len(columns)))
    small_units = ((np_units >= 1) & (np_units <= K_MIN - 1)).any(axis=1)
    atoms_np = participants[columns, index]

    def spaces() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The published rows, their counts (with the total) and the two null spaces."""
        published = np.flatnonzero(rule == "published")
        counts = np.vstack([a_all[published], total])
        counts_null = _null_space(counts, len(columns))
        known_count = _determined(counts_null, np.eye(len(columns)))
        # a finest cell whose count is known to be 0 has a known sum too
        zeros = np.eye(len(columns))[known_count & (atoms_np == 0)]
        sums_null = _null_space(np.vstack([a_all[published], zeros]), len(columns))
        return published, counts, counts_null, sums_null

    rounds, unresolved = 0, 0
    published, counts, counts_null, sums_null = spaces()
    while rounds < MAX_ROUNDS:
        rounds += 1
        det_count = _determined(counts_null, u_all)
        det_sum = _determined(sums_null, u_all)
        full = det_count & (np_units[:, index] == r_units) & (r_units >= 1)
        disclosed = np.flatnonzero(((det_sum | det_count) & small_units) | full)
        forced: dict[int, set[int]] = {}
        if disclosed.size:
            picks = _carriers(counts, u_all[disclosed], published, np_cells[:, index])
        else:
            shown = np.isin(widening.owner, published)
            told = (widening.rows[shown][:, columns], widening.bound[shown], widening.owner[shown])
            forced = _forced(counts, published, np_cells[:, index], atoms_np, refs[columns], told)
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
        published, counts, counts_null, sums_null = spaces()
    verdicts = {
        tuple(int(a) for a in np.flatnonzero(row)): Verdict(
            str(r),  # type: ignore[arg-type]
            quantiles=bool(r == "published" and low[i] >= K_QUANTILES),
        )
        for i, (row, r) in enumerate(zip(cells, rule, strict=True))
    }
    return Disclosure(atoms, verdicts, sums_null, counts_null, columns, rounds, unresolved)


def _carriers(
    counts: np.ndarray, disclosed: np.ndarray, published: np.ndarray, sizes: np.ndarray
) -> set[int]:
    """For each disclosed union, the smallest published cell among the equations that give
    it (a least-squares combination of the published rows; the last row, the campaign's
    total, is never suppressed)."""
    if not disclosed.size or not published.size:
        return set()
    weights = np.linalg.lstsq(counts.T, disclosed.T, rcond=None)[0][:-1]  # rows × units
    picks = set()
    for j in range(disclosed.shape[0]):
        carrying = published[np.abs(weights[:, j]) > 1e-9]
        if carrying.size:
            picks.add(int(carrying[np.argmin(sizes[carrying])]))
    return picks


def _forced(
    counts: np.ndarray,
    published: np.ndarray,
    sizes: np.ndarray,
    atoms_np: np.ndarray,
    refs: np.ndarray,
    told: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> dict[int, set[int]]:
    """The finest cells whose every non-public reference territory the published counts, the
    bounds (0 to the reference population) and what the published groups' widening steps
    `told` (rows, upper bounds, the group telling each) prove to have taken part, by integer
    programming; each with the published cells that carry the proof (the binding constraints
    of its linear relaxation, else every published cell holding it)."""
    candidates = set(np.flatnonzero((refs >= 1) & (atoms_np == refs)).tolist())
    values = np.concatenate([sizes[published], [atoms_np.sum()]])
    rows, upper, owner = told
    constraints = [LinearConstraint(counts, values, values)]
    if len(rows):
        constraints.append(LinearConstraint(rows.astype(float), -np.inf, upper))
    forced: set[int] = set()
    while candidates:
        objective = np.zeros(len(refs))
        objective[sorted(candidates)] = 1
        result = milp(objective, integrality=np.ones(len(refs)), bounds=Bounds(0, refs),
                      constraints=constraints)  # fmt: skip
        loose = {i for i in candidates if result.x[i] < refs[i] - 0.5} if result.success else set()
        if not loose:
            forced = candidates
            break
        candidates -= loose
    carriers: dict[int, set[int]] = {}
    bounds = np.column_stack([0 * refs, refs])
    inequalities = {"A_ub": rows.astype(float), "b_ub": upper} if len(rows) else {}
    for i in sorted(forced):
        objective = np.zeros(len(refs))
        objective[i] = 1
        relaxed = linprog(objective, A_eq=counts, b_eq=values, bounds=bounds, method="highs",
                          **inequalities)  # fmt: skip
        binding: set[int] = set()
        if relaxed.success and relaxed.fun > refs[i] - 0.5:
            marginals = np.abs(relaxed.eqlin.marginals[:-1])  # the total is never suppressed
            binding = {int(c) for c in published[marginals > 1e-9]}
            if len(rows):
                binding |= {int(c) for c in owner[np.abs(relaxed.ineqlin.marginals) > 1e-9]}
        carriers[i] = binding or {int(c) for c in published[counts[:-1, i] > 0]}
    return carriers
