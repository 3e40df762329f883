"""Default peer groups (`maturity.peer_groups`) out of a directory's `CellIndex`, as arrays.

`maturity.peer_groups` works the groups out on the few hundred distinct (kind, band, région,
submitted) combinations of the territories, in polars. Here the combinations come from the
index (each territory's finest cell and whether it submitted: no string matched), and on a
*regular* directory — every kind, band and région known, as in the French one — the counts
of every widening step are products of the index's step matrices with the submissions per
finest cell, and each group's finest cells are a row of them: the same groups, without the
few dozen small frame operations a campaign otherwise costs. The groups stay arrays over the
territories (`PeerGroups`), made a frame only by whoever needs one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from maturity.cells import CellIndex
from maturity.peer_groups import (
    BAND_POSITION,
    K_MIN,
    Scope,
    chosen_groups,
    combination_counts,
)
from maturity.territories import KIND_FAMILIES, POPULATION_BANDS

__all__ = ["PeerGroups", "indexed_peer_groups"]

Definition = tuple[tuple[str, ...], tuple[str, ...], str | None]
"""A group's kinds, bands (in increasing order) and région (None: every one)."""


@dataclass(frozen=True, eq=False)
class PeerGroups:
    """The default peer groups of one perimeter: each combination's group (``described``:
    group, step, kinds, bands, region, n_others) and each territory's combination."""

    codes: pl.Series
    """The territories, in the directory's order."""
    described: pl.DataFrame
    located: np.ndarray
    """Each territory's row of `described`."""
    covers: np.ndarray | None = None
    """Row g: the finest cells (of the `CellIndex`) group g spans, when known."""

    @cached_property
    def group(self) -> np.ndarray:
        """Each territory's group id."""
        return np.asarray(self.described.get_column("group").to_numpy()[self.located])

    @cached_property
    def step(self) -> np.ndarray:
        """Each territory's widening step."""
        return np.asarray(self.described.get_column("step").to_numpy()[self.located])

    def definitions(self) -> pl.DataFrame:
        """One row per group (group, kinds, bands, region), by group id."""
        return (
            self.described.select("group", "kinds", "bands", "region").unique("group").sort("group")
        )

    def frame(self) -> pl.DataFrame:
        """The groups as `maturity.peer_groups.peer_groups` gives them: one row per
        territory."""
        return self.described[self.located].select(self.codes.rename("territory"), pl.all())


def indexed_peer_groups(
    index: CellIndex, submitted: np.ndarray, scopes: Sequence[Scope]
) -> dict[Scope, PeerGroups]:
    """`maturity.peer_groups.scoped_peer_groups` of the directory `index` describes,
    `submitted` telling whether each of its territories has a submitted assessment."""
    key = index.atom * 2 + submitted.astype(np.int64)
    size = np.bincount(key, minlength=2 * index.atoms.height)
    present = np.flatnonzero(size)
    combination = np.empty(len(size), np.int64)
    combination[present] = np.arange(len(present))
    located = combination[key]
    if index.regular:
        return {scope: _regular(index, submitted, present, located, scope) for scope in scopes}
    n = combination_counts(_combinations(index, present, size[present]))
    return {scope: PeerGroups(index.codes, chosen_groups(n, scope), located) for scope in scopes}


def _combinations(index: CellIndex, present: np.ndarray, size: np.ndarray) -> pl.DataFrame:
    """The (atom, has) combinations `present` (atom × 2 + has) as
    `maturity.peer_groups.combination_counts` takes them."""
    atoms = index.atoms.select("kind", "band", "region")[present // 2]
    return (
        atoms.with_columns(
            has=pl.Series(present % 2, dtype=pl.Int32), size=pl.Series(size, dtype=pl.UInt32)
        )
        .with_row_index("cell")
        .with_columns(
            family=pl.col("kind").replace_strict(KIND_FAMILIES, default="autre"),
            band_pos=pl.col("band").replace_strict(
                BAND_POSITION, default=None, return_dtype=pl.Int32
            ),
        )
    )


def _regular(
    index: CellIndex, submitted: np.ndarray, present: np.ndarray, located: np.ndarray, scope: Scope
) -> PeerGroups:
    """The groups of a regular directory: submitted territories per finest cell, counted at
    each step through the index's step matrices; the narrowest step holding `K_MIN` others."""
    per_atom = np.bincount(index.atom[submitted], minlength=index.atoms.height)
    counts = np.vstack(
        [index.steps[i].astype(np.int64) @ per_atom for i in range(5)]
        + [np.full(len(per_atom), per_atom.sum())]
    )
    atom, has = present // 2, present % 2
    others = counts[:, atom] - has
    step = np.full(len(present), 5)
    for i in reversed(range(0 if scope == "region" else 1, 5)):  # the narrowest wins
        step = np.where(others[i] >= K_MIN, i, step)
    kinds, bands, regions = (
        index.atoms.get_column(c).to_list() for c in ("kind", "band", "region")
    )
    defined = [
        _definition(int(s), kinds[a], bands[a], regions[a]) for s, a in zip(step, atom, strict=True)
    ]
    # group ids: the distinct definitions in order, as `chosen_groups` numbers them
    distinct = list(dict.fromkeys(defined))
    ordered = (
        pl.DataFrame(
            [
                [list(d[0]) for d in distinct],
                [list(d[1]) for d in distinct],
                [d[2] for d in distinct],
            ],
            schema={"kinds": pl.List(pl.String), "bands": pl.List(pl.String), "region": pl.String},
        )
        .with_row_index("first")
        .sort("kinds", "bands", "region", nulls_last=True)
    )
    group_of = np.empty(len(distinct), np.int64)
    group_of[ordered.get_column("first").to_numpy()] = np.arange(len(distinct))
    seen = {d: i for i, d in enumerate(distinct)}
    group = group_of[[seen[d] for d in defined]]
    covers = np.zeros((len(distinct), index.atoms.height), dtype=bool)
    covers[group] = np.vstack([index.steps[s][a] for s, a in zip(step, atom, strict=True)])
    described = (
        pl.DataFrame(
            [pl.Series("group", group, dtype=pl.UInt32), pl.Series("step", step, dtype=pl.Int8)]
        )
        .hstack(ordered.drop("first")[group])  # row g of the sorted definitions: group g
        .with_columns(n_others=pl.Series(others[step, np.arange(len(step))], dtype=pl.Int32))
    )
    return PeerGroups(index.codes, described, located, covers)


_FAMILY_KINDS = {
    family: tuple(sorted(k for k, f in KIND_FAMILIES.items() if f == family))
    for family in set(KIND_FAMILIES.values())
}
_BANDS = tuple(band.id for band in POPULATION_BANDS)


def _definition(step: int, kind: str, band: str, region: str) -> Definition:
    """The group of a territory of `kind`, `band` and `region` at widening `step`."""
    position = BAND_POSITION[band]
    window = _BANDS[max(position - 1, 0) : position + 2]
    return (
        (kind,)
        if step <= 2
        else _FAMILY_KINDS[KIND_FAMILIES[kind]]
        if step <= 4
        else tuple(sorted(KIND_FAMILIES)),
        (band,) if step <= 1 else window if step <= 3 else _BANDS,
        region if step == 0 else None,
    )
