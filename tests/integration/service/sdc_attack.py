"""The attacker's second half: what the downloaded observations prove about territories
without a public profile.

A value is *pinned* when the published figures determine it within ±2 points: the attacker
can prove it from what is published (every sum, count, rounding and public profile together),
not merely guess close by chance. Either linear programming bounds it within ±2, or it is an
exact linear combination of the published figures (its unit lies in their row space) whose
value, computed from the rounded figures, is within ±2 of the truth (only the roundings
separate them). A participation is *confirmed* when integer programming over every published
count (with the territory list's counts as bounds, and what the withheld wordings and the
widening steps shown imply) proves that every non-public reference territory of a finest cell
submitted.

The true scores only serve to skip what cannot succeed (an attack can only prove what is
true) and to check that the bounds hold; every bound comes from the published figures."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations

import numpy as np
import polars as pl
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from tests.integration.service.sdc_download import (
    QUANTILES,
    Atom,
    Observation,
    Published,
    Widening,
    group_atoms,
)

__all__ = ["PIN", "Pin", "Report", "attack"]

PIN = 2.0
"""Half-width within which a value counts as pinned."""
K_MIN = 5
"""The minimum group size of the widening rule (README)."""
Q_POS = {"p25": 0.25, "median": 0.5, "p75": 0.75, "p90": 0.9}
Unit = frozenset[Atom]
Values = list[tuple[float, float]]
"""Values with their error bounds."""


@dataclass
class Pin:
    """A value the published figures determine."""

    campaign: int
    metric: str
    unit: Unit
    low: float
    high: float
    true: float
    how: str
    identified: bool
    """One reference territory without a public profile in the unit: whose value it is
    is known too."""


@dataclass
class Report:
    """The attack's findings."""

    rebuilt: set[tuple[int, Unit]] = field(default_factory=set)
    """(campaign, cell) whose every value its quantiles and mean give back."""
    rebuilt_pairs: int = 0
    pins: list[Pin] = field(default_factory=list)
    confirmed: dict[int, int] = field(default_factory=dict)
    """Campaign → how many non-public territories the counts prove to have submitted."""
    small_sums: int = 0
    """(campaign, unit, metric) with 2 to 4 non-public participants whose sum is determined
    (reported, not a failure: no single value follows)."""

    def summary(self) -> str:
        """The findings in one line."""
        units = {(p.campaign, p.unit) for p in self.pins}
        named = {(p.campaign, p.unit) for p in self.pins if p.identified}
        confirmed = ", ".join(f"{c}: {v}" for c, v in sorted(self.confirmed.items()))
        return (
            f"rebuilt cells {len(self.rebuilt)} ({self.rebuilt_pairs} cell×metric); "
            f"pinned {len(units)} cells ({len(self.pins)} cell×metric, {len(named)} of a "
            f"named territory); participations confirmed {{{confirmed}}}; "
            f"small sums determined {self.small_sums}"
        )


@dataclass
class _Campaign:
    """One campaign's unknowns (the finest cells with non-public reference territories)."""

    columns: list[Atom]
    index: dict[Atom, int]
    refs: np.ndarray
    public: dict[str, dict[str, float]]
    where: dict[str, Atom]
    truth_n: dict[str, np.ndarray]
    truth_s: dict[str, np.ndarray]

    def vector(self, atoms: Iterable[Atom]) -> np.ndarray:
        v = np.zeros(len(self.columns))
        for a in atoms:
            if a in self.index:
                v[self.index[a]] = 1.0
        return v

    def known(self, atoms: Unit, metric: str) -> tuple[int, float]:
        """The public participants of `atoms` with a score for `metric`: count and sum."""
        values = [
            v[metric] for t, v in self.public.items() if self.where[t] in atoms and metric in v
        ]
        return len(values), float(sum(values))


def _null_space(rows: np.ndarray, width: int) -> np.ndarray:
    if rows.size == 0:
        return np.eye(width)
    _, s, vt = np.linalg.svd(np.unique(rows, axis=0), full_matrices=True)
    rank = int((s > 1e-9 * max(s.max(), 1.0)).sum())
    return np.asarray(vt[rank:].T)


def _determined(null: np.ndarray, v: np.ndarray) -> bool:
    scale = max(1.0, float(np.linalg.norm(v)))
    return bool(null.shape[1] == 0 or float(np.linalg.norm(null.T @ v)) < 1e-7 * scale)


@dataclass
class _Counts:
    """The published counts of non-public participants: equalities, and bounds."""

    rows: list[np.ndarray] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    bounded: list[tuple[np.ndarray, float, float]] = field(default_factory=list)
    _solution: np.ndarray | None = field(default=None, repr=False)

    def constraints(self) -> list[LinearConstraint]:
        out = []
        if self.rows:
            out.append(LinearConstraint(np.array(self.rows), self.values, self.values))
        if self.bounded:
            rows, low, high = zip(*self.bounded, strict=True)
            out.append(LinearConstraint(np.array(rows), np.array(low), np.array(high)))
        return out

    def value(self, null: np.ndarray, v: np.ndarray) -> float | None:
        """The count of `v` when the published counts determine it: `v` is then a combination
        of the published rows, so its count is `v · x` for any `x` the counts allow — the
        least-squares one, solved once rather than once per observation (the rows are final
        by the time counts are read)."""
        if not self.rows or not _determined(null, v):
            return None
        if self._solution is None:
            self._solution = np.linalg.lstsq(np.array(self.rows), self.values, rcond=None)[0]
        return float(round(float(v @ self._solution)))


def _counts(
    c: _Campaign,
    observations: Sequence[Observation],
    widenings: Sequence[Widening],
    atoms: list[Atom],
) -> _Counts:
    counts = _Counts()
    seen: set[tuple[bytes, float]] = set()
    for o in observations:
        v = c.vector(o.atoms)
        if o.metric != "index" or not v.any():
            continue
        if o.n is not None:
            value = float(o.n - c.known(o.atoms, "index")[0])
            if (v.tobytes(), value) not in seen:
                seen.add((v.tobytes(), value))
                counts.rows.append(v)
                counts.values.append(value)
        elif o.withheld and "moins de 5" in o.withheld and "autres" not in o.withheld:
            # «moins de 5»: fewer than 5 without a public profile. Every other withheld
            # cell says «non diffusé (secret statistique)», which implies nothing (README)
            counts.bounded.append((v, -np.inf, 4))
    for w in widenings:  # the step shown: at least 5 others there, fewer at each step before
        for step in range(0 if w.scope == "region" else 1, min(w.step, 4) + 1):
            cell = group_atoms(atoms, w.me, step)
            v, public = c.vector(cell), c.known(cell, "index")[0]
            mine = int(w.took_part)  # the territory itself is not among its "others"
            if not v.any():
                continue
            if step < w.step:
                counts.bounded.append((v, -np.inf, K_MIN - 1 + mine - public))
            else:
                counts.bounded.append((v, K_MIN + mine - public, np.inf))
    return counts


def _count_range(c: _Campaign, counts: _Counts, v: np.ndarray) -> tuple[float, float]:
    """Smallest and largest count of the unit `v` the published counts allow."""
    out = []
    for sign in (1, -1):
        result = milp(
            sign * v,
            integrality=np.ones(len(v)),
            bounds=Bounds(0, c.refs),
            constraints=counts.constraints(),
        )
        fallback = float(v @ c.refs) if sign < 0 else 0.0
        out.append(float(sign * result.fun) if result.success else fallback)
    return out[0], out[1]


def _confirmed(c: _Campaign, counts: _Counts) -> set[int]:
    """Columns whose every non-public reference territory the counts prove to have
    submitted: minimise their sum, drop those a solution leaves short, until none is."""
    truth = c.truth_n["index"]
    candidates = {i for i in range(len(c.columns)) if c.refs[i] >= 1 and truth[i] == c.refs[i]}
    while candidates:
        objective = np.zeros(len(c.columns))
        objective[sorted(candidates)] = 1
        result = milp(
            objective,
            integrality=np.ones(len(objective)),
            bounds=Bounds(0, c.refs),
            constraints=counts.constraints(),
        )
        assert result.success, "the published counts contradict each other"
        short = {i for i in candidates if result.x[i] < c.refs[i] - 0.5}
        if not short:
            return candidates
        candidates -= short
    return set()


def _sums(
    c: _Campaign,
    observations: Sequence[Observation],
    metric: str,
    counts: _Counts,
    count_null: np.ndarray,
    step: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, lower and upper bounds of the non-public sums of `metric` (one row per cell)."""
    rows: dict[bytes, tuple[np.ndarray, float, float]] = {}
    for o in observations:
        v = c.vector(o.atoms)
        if o.metric != metric or o.mean is None or not v.any():
            continue
        k, known = c.known(o.atoms, metric)
        n = o.n
        if n is None:  # a mean without its count (a change): usable when it is determined
            hidden = counts.value(count_null, v)
            if hidden is None:
                continue
            n = int(hidden) + c.known(o.atoms, "index")[0]
        half = o.roundings * step / 2
        low = n * (o.mean - half) - known - 0.005 * k
        high = n * (o.mean + half) - known + 0.005 * k
        if v.tobytes() in rows:  # the same cell in several outputs: both intervals hold
            _, before_low, before_high = rows[v.tobytes()]
            low, high = max(low, before_low), min(high, before_high)
        rows[v.tobytes()] = (v, low, high)
    if not rows:
        return np.zeros((0, len(c.columns))), np.zeros(0), np.zeros(0)
    a, lo, hi = zip(*rows.values(), strict=True)
    return np.array(a), np.array(lo), np.array(hi)


def _sum_bounds(
    c: _Campaign, rows: np.ndarray, lo: np.ndarray, hi: np.ndarray, v: np.ndarray
) -> tuple[float, float]:
    bounds = np.column_stack([np.zeros(len(v)), 100 * c.refs])
    a, b = np.vstack([rows, -rows]), np.concatenate([hi, -lo])
    low = linprog(v, A_ub=a, b_ub=b, bounds=bounds, method="highs")
    high = linprog(-v, A_ub=a, b_ub=b, bounds=bounds, method="highs")
    return float(low.fun), float(-high.fun)


@cache
def _positions(n: int) -> tuple[np.ndarray, bool]:
    """How each sorted position follows from (n × mean, p25, median, p75, p90) under linear
    interpolation, and whether they determine every position."""
    rows = [np.ones(n)]
    for p in Q_POS.values():
        h = p * (n - 1)
        low, frac = int(np.floor(h)), h - np.floor(h)
        row = np.zeros(n)
        row[low] += 1 - frac
        if frac:
            row[low + 1] += frac
        rows.append(row)
    a = np.array(rows)
    return np.linalg.pinv(a), _null_space(a, n).shape[1] == 0


def _order_statistics(o: Observation, step: float) -> Values | None:
    """The sorted values a cell's quantiles and mean give back, or None when some position
    stays free."""
    n = o.n
    if n is None or o.mean is None or len(o.quantiles) < len(QUANTILES) or n > 60:
        return None
    weights, complete = _positions(n)
    if not complete:
        return None
    half = o.roundings * step / 2
    values = np.array([n * o.mean, *(o.quantiles[q] for q in Q_POS)])
    errors = np.array([n * half, *(half for _ in Q_POS)])
    return [(float(weights[i] @ values), float(np.abs(weights[i]) @ errors)) for i in range(n)]


def _units(published: Published, c: _Campaign, observations: Sequence[Observation]) -> set[Unit]:
    """Every finest cell and every union an output has a shape for."""
    atoms = list(published.atoms)
    units: set[Unit] = {frozenset([a]) for a in c.columns} | {o.atoms for o in observations}
    for r in (0, 1, 2):
        for keys in combinations(range(3), r):
            cells: dict[tuple[object, ...], set[Atom]] = {}
            for a in atoms:
                cells.setdefault(tuple(a[k] for k in keys), set()).add(a)
            units |= {frozenset(s) for s in cells.values()}
    for a in atoms:
        units |= {group_atoms(atoms, a, step) for step in range(6)}
    return units


def _campaign(
    published: Published, campaign: int, truth: pl.DataFrame, where: dict[str, Atom]
) -> _Campaign:
    public = {a: sum(1 for t in published.where.values() if t == a) for a in published.atoms}
    columns = [a for a, total in published.atoms.items() if total > public[a]]
    index = {a: i for i, a in enumerate(columns)}
    refs = np.array([published.atoms[a] - public[a] for a in columns], dtype=float)
    hidden = truth.filter(~pl.col("territory").is_in(list(published.where)))
    truth_n: dict[str, np.ndarray] = {}
    truth_s: dict[str, np.ndarray] = {}
    for (metric,), rows in hidden.group_by("metric"):
        n, s = np.zeros(len(columns)), np.zeros(len(columns))
        for territory, score in rows.select("territory", "score").iter_rows():
            n[index[where[territory]]] += 1
            s[index[where[territory]]] += score
        truth_n[str(metric)], truth_s[str(metric)] = n, s
    scores = published.public.get(campaign, {})
    return _Campaign(columns, index, refs, scores, published.where, truth_n, truth_s)


def attack(
    published: Published,
    observations: Sequence[Observation],
    widenings: Sequence[Widening],
    truth: dict[int, pl.DataFrame],
    where: dict[str, Atom],
) -> Report:
    """Reconstruction, linear-system and participation attacks on `observations` and the
    `widenings` of the groups shown; `truth` holds the true scores by campaign, `where` the
    finest cell of every territory."""
    report = Report()
    means = [o.mean for o in observations if o.mean is not None]
    step = 0.1 if all(abs(m * 10 - round(m * 10)) < 1e-6 for m in means) else 0.01
    for campaign, scores in sorted(truth.items()):
        c = _campaign(published, campaign, scores, where)
        mine = [o for o in observations if o.campaign == campaign]
        seen = [w for w in widenings if w.campaign == campaign]
        counts = _counts(c, mine, seen, list(published.atoms))
        count_null = _null_space(np.array(counts.rows), len(c.columns))
        report.confirmed[campaign] = int(sum(c.refs[i] for i in _confirmed(c, counts)))
        units = _units(published, c, mine)
        _reconstruction(report, c, campaign, mine, step, counts, units)
        for metric in sorted(c.truth_n):
            rows, lo, hi = _sums(c, mine, metric, counts, count_null, step)
            null = _null_space(rows, len(c.columns))
            for unit in units:
                v = c.vector(unit)
                participants = float(v @ c.truth_n[metric])
                if not 1 <= participants <= 4 or not _determined(null, v):
                    continue
                if participants > 1:
                    report.small_sums += 1
                    continue
                _linear_pin(report, c, campaign, metric, unit, (rows, lo, hi), counts)
    return report


def _linear_pin(
    report: Report,
    c: _Campaign,
    campaign: int,
    metric: str,
    unit: Unit,
    sums: tuple[np.ndarray, np.ndarray, np.ndarray],
    counts: _Counts,
) -> None:
    """A unit of one participant whose sum the published sums determine."""
    rows, lo, hi = sums
    v = c.vector(unit)
    fewest, most = _count_range(c, counts, v)
    if most > 1:
        return  # how many took part is unknown: the sum is nobody's value
    true = float(v @ c.truth_s[metric])
    low, high = _sum_bounds(c, rows, lo, hi, v)
    assert low - 1e-6 <= true <= high + 1e-6, "the attacker's bounds are wrong"
    # an exact identity: only the roundings separate its value from the truth
    estimate = float(np.linalg.lstsq(rows.T, v, rcond=None)[0] @ (lo + hi) / 2)
    proved = (fewest >= 1 or low > 0) and high - low <= 2 * PIN
    if proved or (fewest >= 1 and abs(estimate - true) <= PIN):
        low, high = (low, high) if proved else (estimate - PIN, estimate + PIN)
        named = bool(v @ c.refs == 1)
        report.pins.append(Pin(campaign, metric, unit, low, high, true, "linear", named))


def _spread(values: Values) -> float:
    return max(x for x, _ in values) - min(x for x, _ in values)


def _reconstruction(
    report: Report,
    c: _Campaign,
    campaign: int,
    observations: Sequence[Observation],
    step: float,
    counts: _Counts,
    units: set[Unit],
) -> None:
    """Cells whose quantiles and mean give back every value; what is left of them once the
    public profiles are taken out, alone or crossed with the other rebuilt cells."""
    rebuilt: dict[tuple[str, Unit], Values] = {}
    for o in observations:
        values = _order_statistics(o, step)
        if values is None or max(e for _, e in values) > PIN:
            continue
        report.rebuilt.add((campaign, o.atoms))
        if (o.metric, o.atoms) in rebuilt:
            continue
        report.rebuilt_pairs += 1
        left = list(values)
        for scores in (s for t, s in c.public.items() if c.where[t] in o.atoms):
            if o.metric in scores:  # a public profile's value is known: take it out
                left.pop(min(range(len(left)), key=lambda i: abs(left[i][0] - scores[o.metric])))
        rebuilt[(o.metric, o.atoms)] = left
        if left and _spread(left) <= 2 * PIN:  # every unknown value within ±2
            named = bool(c.vector(o.atoms) @ c.refs == 1)
            low, high = min(x for x, _ in left), max(x for x, _ in left)
            report.pins.append(
                Pin(campaign, o.metric, o.atoms, low, high, float("nan"), "reconstruction", named)
            )
    for unit in units:  # a unit of one participant: its value is in every rebuilt cell
        v = c.vector(unit)
        if not v.any() or v @ c.truth_n["index"] != 1 or _count_range(c, counts, v) != (1, 1):
            continue
        for metric in c.truth_n:
            candidates: Values | None = None
            for (m, atoms), left in rebuilt.items():
                if m == metric and unit <= atoms:
                    candidates = left if candidates is None else [
                        x for x in candidates if any(abs(x[0] - y[0]) <= x[1] + y[1] for y in left)
                    ]  # fmt: skip
            if candidates and _spread(candidates) <= 2 * PIN:
                low, high = min(x for x, _ in candidates), max(x for x, _ in candidates)
                true, named = float(v @ c.truth_s[metric]), bool(v @ c.refs == 1)
                report.pins.append(
                    Pin(campaign, metric, unit, low, high, true, "reconstruction", named)
                )
