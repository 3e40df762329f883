"""The finest cells of a territory directory (kind × population band × région), indexed once.

Every peer group, every network aggregate and every cell the disclosure control judges is a
union of finest cells (*atoms*). What depends on the directory alone — each territory's atom,
the atoms' reference populations, the unions each widening step and each grouping makes of
them — does not change from one campaign to the next: `CellIndex` computes it once, and the
peer groups (`maturity.peer_groups`), the statistics (`maturity.peer_stats`), the disclosure
control (`maturity.disclosure`) and the aggregates (`maturity.aggregates`) of every campaign
read it instead of matching the territories' strings again.

Pure numpy and polars, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from maturity.territories import KIND_FAMILIES, POPULATION_BANDS

__all__ = ["ATTRIBUTES", "CellIndex", "atom_table", "unique_rows"]

ATTRIBUTES = ("kind", "band", "region")
"""The territory attributes a finest cell is made of."""


def atom_table(territories: pl.DataFrame) -> pl.DataFrame:
    """The finest cells of `territories` (territory, kind, band, region, public): atom (id),
    kind, band, region, references (territories without a public profile), public."""
    return (
        territories.group_by(*ATTRIBUTES)
        .agg(
            references=(~pl.col("public")).sum().cast(pl.Int64),
            public=pl.col("public").sum().cast(pl.Int64),
        )
        .sort(*ATTRIBUTES, nulls_last=True)
        .with_row_index("atom")
    )


def unique_rows(rows: Sequence[np.ndarray]) -> np.ndarray:
    """The distinct non-empty rows of boolean matrices (hashed as bytes: `np.unique` sorts)."""
    stacked = np.vstack(rows)
    seen: dict[bytes, int] = {}
    for i, row in enumerate(np.packbits(stacked, axis=1)):
        seen.setdefault(row.tobytes(), i)
    kept = stacked[sorted(seen.values())]
    return np.asarray(kept[kept.any(axis=1)])


@dataclass(frozen=True, eq=False)
class CellIndex:
    """A directory's territories located in its finest cells, and the unions outputs make."""

    codes: pl.Series
    """The territory codes, in the directory's order (every array below follows it)."""
    atom: np.ndarray
    """Each territory's finest cell: a row number of `atoms`."""
    atoms: pl.DataFrame
    """`atom_table` of the directory (every territory without a public profile when it has
    no ``public`` column)."""
    public: np.ndarray | None
    """Whether each territory has a public profile; None when the directory does not say."""

    @classmethod
    def of(cls, territories: pl.DataFrame) -> CellIndex:
        """The index of `territories` (territory, kind, band, region[, public])."""
        told = "public" in territories.columns
        frame = territories if told else territories.with_columns(public=pl.lit(False))
        atoms = atom_table(frame)
        located = frame.select(ATTRIBUTES).join(
            atoms.select("atom", *ATTRIBUTES),
            on=list(ATTRIBUTES),
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
        public = frame.get_column("public").to_numpy().astype(bool) if told else None
        return cls(
            territories.get_column("territory").rename("territory"),
            located.get_column("atom").to_numpy().astype(np.int64),
            atoms,
            public,
        )

    def of_frame(self, territories: pl.DataFrame) -> bool:
        """Whether this is the index of `territories` (the same codes in the same order)."""
        codes = territories.get_column("territory")
        return codes is self.codes or (len(codes) == len(self.codes) and codes.equals(self.codes))

    @cached_property
    def steps(self) -> list[np.ndarray]:
        """Row i of matrix s: the finest cells of the default group of step s of atom i
        (`maturity.peer_groups.STEPS`)."""
        k, b, g, f = (_same(v) for v in (self._kind, self._band, self._region, self._family))
        window = np.abs(self._position[:, None] - self._position[None, :]) <= 1
        everything = np.ones_like(k)
        return [k & b & g, k & b, k & window, f & window, f, everything]

    @cached_property
    def groupings(self) -> dict[str, np.ndarray]:
        """Row i: the cell holding atom i in each grouping (every combination of attributes)."""
        k, b, g = (_same(v) for v in (self._kind, self._band, self._region))
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

    @cached_property
    def regular(self) -> bool:
        """Whether every finest cell has a known kind and band and a région (as the French
        directory): its peer groups are then the rows of `steps`."""
        known = np.isin(self._kind, list(KIND_FAMILIES)) & (self._position >= 0)
        return bool(known.all() and self.atoms.get_column("region").null_count() == 0)

    @cached_property
    def units(self) -> np.ndarray:
        """Every distinct union of `steps` and `groupings` (the shapes an output can take)."""
        return unique_rows([*self.steps, *self.groupings.values()])

    @cached_property
    def _kind(self) -> np.ndarray:
        return np.asarray(self.atoms["kind"].to_numpy().astype(str))

    @cached_property
    def _band(self) -> np.ndarray:
        return np.asarray(self.atoms["band"].fill_null("").to_numpy().astype(str))

    @cached_property
    def _region(self) -> np.ndarray:
        return np.asarray(self.atoms["region"].fill_null("").to_numpy().astype(str))

    @cached_property
    def _family(self) -> np.ndarray:
        return np.array([KIND_FAMILIES.get(k, "autre") for k in self._kind])

    @cached_property
    def _position(self) -> np.ndarray:
        positions = {b.id: i for i, b in enumerate(POPULATION_BANDS)}
        return np.array([positions.get(b, -10) for b in self.atoms["band"].fill_null("").to_list()])


def _same(values: np.ndarray) -> np.ndarray:
    return np.asarray(values[:, None] == values[None, :])
