"""The algebra of complementary suppression (`maturity.disclosure`): which sums and counts
the published equations determine (null spaces), what the widening steps of the published
peer groups tell, which published cells carry a disclosure (least squares, read from the
SVD that gives the null space: `Equations`) and which participations the published counts
and bounds prove (integer programming, HiGHS).

Pure numpy and scipy on the matrices `maturity.disclosure.protect` builds: rows are cells,
columns the finest cells (kind × population band × région)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import linalg, sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from maturity.cells import unique_rows
from maturity.peer_groups import K_MIN

__all__ = [
    "Equations",
    "Widening",
    "carriers",
    "determined",
    "determined_cells",
    "forced",
    "null_space",
    "unique_rows",
]


def null_space(rows: np.ndarray, width: int) -> np.ndarray:
    """An orthonormal basis of the vectors orthogonal to every row (width × k)."""
    return Equations.of(rows, width).null


@dataclass(frozen=True, eq=False)
class Equations:
    """Rows of published equations, decomposed once (SVD): what they determine (`null`)
    and how they combine into a given vector (`combination`), from the same decomposition
    instead of a second one per question."""

    rows: np.ndarray
    null: np.ndarray
    """An orthonormal basis of the vectors orthogonal to every row (width × k)."""
    u: np.ndarray
    s: np.ndarray
    vt: np.ndarray
    """The full SVD of `rows` (``u @ diag(s) @ vt[:len(s)]``)."""

    @classmethod
    def of(cls, rows: np.ndarray, width: int) -> Equations:
        """Decompose `rows` (any × `width`); a singular value under 1e-9 of the largest (or
        of 1) counts as zero (on the networks measured, ~1e-15 against 6e-3 and more)."""
        if rows.size == 0:
            return cls(rows, np.eye(width), np.zeros((0, 0)), np.zeros(0), np.zeros((0, width)))
        # the LAPACK driver numpy calls (gesdd), without its checks and copies: a fifth faster
        u, s, vt = linalg.svd(rows, full_matrices=True, check_finite=False)
        rank = int((s > 1e-9 * max(float(s.max()), 1.0)).sum())
        return cls(rows, np.asarray(vt[rank:].T), u, s, vt)

    def combination(self, targets: np.ndarray) -> np.ndarray:
        """The minimum-norm least-squares weights of the rows for each row of `targets`
        (rows × targets): ``np.linalg.lstsq(rows.T, targets.T)``, with its rank cut-off
        (machine precision × the larger dimension)."""
        if not self.s.size:
            return np.zeros((self.u.shape[0], len(targets)))
        cut = np.finfo(float).eps * max(self.u.shape[0], self.vt.shape[0]) * float(self.s[0])
        rank = int((self.s > cut).sum())
        return np.asarray((self.u[:, :rank] / self.s[:rank]) @ (self.vt[:rank] @ targets.T))


def determined(null: np.ndarray, vectors: Any, norms: np.ndarray | None = None) -> np.ndarray:
    """For each row of `vectors` (an array, or a scipy sparse array: the cells' 0/1 rows are
    mostly zeros), whether it lies in the row space (null ⟂ it); `norms`: the rows' norms,
    when the caller asks about the same rows round after round."""
    if null.shape[1] == 0:
        return np.ones(vectors.shape[0], dtype=bool)
    if norms is None:
        norms = np.linalg.norm(vectors.toarray() if sparse.issparse(vectors) else vectors, axis=1)
    return np.asarray(np.linalg.norm(vectors @ null, axis=1) < 1e-7 * np.maximum(1.0, norms))


def determined_cells(null: np.ndarray) -> np.ndarray:
    """`determined` of each finest cell alone (the rows of the identity): the product with
    the identity is the null space itself, exactly."""
    if null.shape[1] == 0:
        return np.ones(len(null), dtype=bool)
    return np.asarray(np.linalg.norm(null, axis=1) < 1e-7)


@dataclass
class Widening:
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
    ) -> Widening:
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


def carriers(
    counts: Equations, disclosed: np.ndarray, published: np.ndarray, sizes: np.ndarray
) -> set[int]:
    """For each disclosed union, the smallest published cell among the equations that give
    it (a least-squares combination of the published rows `counts`; the last row, the
    campaign's total, is never suppressed). Ties go to the first published cell."""
    if not disclosed.size or not published.size:
        return set()
    weights = counts.combination(disclosed)[:-1]  # rows × units
    order = np.argsort(sizes[published], kind="stable")
    carrying = np.abs(weights[order]) > 1e-9
    first = carrying.argmax(axis=0)[carrying.any(axis=0)]
    return {int(c) for c in published[order[first]]}


def forced(
    counts: np.ndarray,
    published: np.ndarray,
    sizes: np.ndarray,
    atoms_np: np.ndarray,
    refs: np.ndarray,
    told: tuple[np.ndarray, np.ndarray, np.ndarray],
    among: set[int] | None = None,
) -> dict[int, set[int]]:
    """The finest cells whose every non-public reference territory the published counts, the
    bounds (0 to the reference population) and what the published groups' widening steps
    `told` (rows, upper bounds, the group telling each) prove to have taken part, by integer
    programming; each with the published cells that carry the proof (the binding constraints
    of its linear relaxation, else every published cell holding it). `among`: the only
    cells that can be (those forced by a superset of these equations and bounds: fewer
    equations never force more)."""
    candidates = set(np.flatnonzero((refs >= 1) & (atoms_np == refs)).tolist())
    if among is not None:
        candidates &= among
    values = np.concatenate([sizes[published], [atoms_np.sum()]])
    rows, upper, owner = told
    constraints = [LinearConstraint(counts, values, values)]
    if len(rows):
        constraints.append(LinearConstraint(rows.astype(float), -np.inf, upper))
    bounds = np.column_stack([0 * refs, refs])
    inequalities = {"A_ub": rows.astype(float), "b_ub": upper} if len(rows) else {}
    # The cells forced are those at their reference population in every integer solution:
    # while the least total of the candidates is below theirs, a solution reaching it shows
    # which of them can be lower, and they leave (whatever the solution, the cells left at
    # the end are the same). The linear relaxation answers first, at a fraction of the
    # cost: its least total bounds the integer one from below (all are forced when it is
    # theirs), and a solution of it in whole numbers is an integer solution.
    forced: set[int] = set()
    while candidates:
        objective = np.zeros(len(refs))
        objective[sorted(candidates)] = 1
        most = float(refs[sorted(candidates)].sum())
        relaxed = linprog(objective, A_eq=counts, b_eq=values, bounds=bounds, method="highs",
                          **inequalities)  # fmt: skip
        x = None
        if relaxed.success and relaxed.fun > most - 0.5:
            forced = candidates
            break
        if relaxed.success and np.allclose(relaxed.x, np.round(relaxed.x), rtol=0, atol=1e-9):
            x = np.round(relaxed.x)
        else:
            result = milp(objective, integrality=np.ones(len(refs)), bounds=Bounds(0, refs),
                          constraints=constraints)  # fmt: skip
            x = result.x if result.success else None
        loose = {i for i in candidates if x[i] < refs[i] - 0.5} if x is not None else set()
        if not loose:
            forced = candidates
            break
        candidates -= loose
    carriers: dict[int, set[int]] = {}
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
