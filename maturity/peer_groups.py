"""Default peer groups (DESIGN §4): same kind and population band, widened step by step until
the group holds at least `K_MIN` submitted territories besides the one compared.

Pure functions on polars frames: the group of every territory of a campaign in one pass. A
group is handed on as its definition (kinds, bands, région) and an integer id, never as a key
to parse; `maturity.peers` computes its members and statistics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

import numpy as np
import polars as pl

from maturity.territories import KIND_FAMILIES, POPULATION_BANDS
from maturity.texts import N_

__all__ = [
    "BAND_POSITION",
    "K_MIN",
    "STEPS",
    "TERRITORY_SCHEMA",
    "Scope",
    "cells",
    "chosen_groups",
    "combination_counts",
    "group_members",
    "peer_groups",
    "scoped_peer_groups",
]

K_MIN: Final = 5
"""Smallest number of territories (besides the asker) any published statistic may cover."""

Scope = Literal["national", "region"]

TERRITORY_SCHEMA: Final = pl.Schema(
    [
        ("territory", pl.String()),
        ("kind", pl.String()),
        ("band", pl.String()),
        ("region", pl.String()),
    ]
)
"""The territory attributes peer groups are made of."""

STEPS: Final[dict[int, str]] = {
    0: N_("même type, même tranche de population, même région"),
    1: N_("même type, même tranche de population"),
    2: N_("même type, tranches de population voisines fusionnées"),
    3: N_("même famille de types (communes ou intercommunalités), tranches voisines fusionnées"),
    4: N_("même famille de types, toutes tranches de population"),
    5: N_("tous les territoires"),
}
"""Widening steps, narrowest first; a group is the first step holding at least `K_MIN` others."""

BAND_POSITION: Final = {band.id: i for i, band in enumerate(POPULATION_BANDS)}
"""Each population band's position, smallest first."""
_BAND_IDS: Final = [band.id for band in POPULATION_BANDS]


def cells(territories: pl.DataFrame, submitted: pl.DataFrame) -> pl.LazyFrame:
    """Territory attributes with ``has`` (1 when it has a submitted assessment: a row in
    `submitted`), its kind's ``family`` and its band's position ``band_pos``."""
    return (
        territories.lazy()
        .join(
            submitted.lazy().select("territory").unique().with_columns(has=pl.lit(1, pl.Int32)),
            on="territory",
            how="left",
        )
        .with_columns(
            pl.col("has").fill_null(0),
            family=pl.col("kind").replace_strict(KIND_FAMILIES, default="autre"),
            band_pos=pl.col("band").replace_strict(
                BAND_POSITION, default=None, return_dtype=pl.Int32
            ),
        )
    )


def _band_window(position: pl.Expr) -> pl.Expr:
    """The positions of a band and its neighbours, as a list."""
    last = len(POPULATION_BANDS) - 1
    return pl.concat_list(
        pl.max_horizontal(position - 1, 0), position, pl.min_horizontal(position + 1, last)
    ).list.unique()


def _windowed(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    """Counts ``n`` per (`key`, band_pos) summed over each band and its neighbours: ``m``."""
    return (
        frame.lazy()
        .with_columns(window=_band_window(pl.col("band_pos")))
        .explode("window")
        .join(
            frame.lazy().rename({"band_pos": "window", "n": "m"}),
            on=[key, "window"],
            how="left",
        )
        .group_by(key, "band_pos")
        .agg(pl.col("m").sum())
        .collect()
    )


def _located(territories: pl.DataFrame, submitted: pl.DataFrame) -> tuple[np.ndarray, pl.DataFrame]:
    """Each territory's row in the second frame: the distinct (kind, band, région, has)
    combinations with their ``family``, ``band_pos`` (as `cells` gives them) and ``size``
    (how many territories share it). A group depends on nothing else: it is worked out on
    these few hundred rows, then given back to the territories."""
    codes = territories.get_column("territory")
    has = codes.is_in(submitted.get_column("territory").implode()).cast(pl.Int32)
    keys = ["kind", "band", "region", "has"]
    distinct = (
        territories.select(keys[:3], has=has)
        .with_row_index("row")
        .group_by(keys)
        .agg("row", size=pl.len())
    )
    # one grouping, its rows scattered back: no join of the territories on four keys
    cell = np.empty(territories.height, np.int64)
    cell[distinct.get_column("row").explode().to_numpy()] = np.repeat(
        np.arange(distinct.height), distinct.get_column("size").to_numpy()
    )
    combinations = (
        distinct.drop("row")
        .with_row_index("cell")
        .with_columns(
            family=pl.col("kind").replace_strict(KIND_FAMILIES, default="autre"),
            band_pos=pl.col("band").replace_strict(
                BAND_POSITION, default=None, return_dtype=pl.Int32
            ),
        )
    )
    return cell, combinations


def combination_counts(distinct: pl.DataFrame) -> pl.DataFrame:
    """The combinations of `_located` (or of `maturity.peer_index`) with ``n0`` … ``n5``: the
    submitted territories of their group at each step of `STEPS` (the territory itself
    included when it has submitted); an unknown band or région matches no count (as a join
    of the territories would)."""
    counts = (
        distinct.group_by("kind", "band_pos", "region")
        .agg(n=(pl.col("has") * pl.col("size")).sum())
        .with_columns(pl.col("n").cast(pl.Int32))
    )
    by_kind_band = counts.group_by("kind", "band_pos").agg(pl.col("n").sum())
    by_family_band = (
        counts.with_columns(family=pl.col("kind").replace_strict(KIND_FAMILIES, default="autre"))
        .group_by("family", "band_pos")
        .agg(pl.col("n").sum())
    )
    by_family = by_family_band.group_by("family").agg(pl.col("n").sum())
    return (
        distinct.join(
            counts.rename({"n": "n0"}),
            on=["kind", "band_pos", "region"],
            how="left",
        )
        .join(by_kind_band.rename({"n": "n1"}), on=["kind", "band_pos"], how="left")
        .join(
            _windowed(by_kind_band, "kind").rename({"m": "n2"}),
            on=["kind", "band_pos"],
            how="left",
        )
        .join(
            _windowed(by_family_band, "family").rename({"m": "n3"}),
            on=["family", "band_pos"],
            how="left",
        )
        .join(by_family.rename({"n": "n4"}), on="family", how="left")
        .with_columns(pl.col("^n[0-4]$").fill_null(0), n5=counts.get_column("n").sum())
        .sort("cell")
    )


def peer_groups(
    territories: pl.DataFrame, submitted: pl.DataFrame, scope: Scope = "national"
) -> pl.DataFrame:
    """The default peer group of every territory: the narrowest step of `STEPS` whose group
    holds at least `K_MIN` submitted territories besides itself.

    `territories` follows `TERRITORY_SCHEMA`; `submitted` has a ``territory`` column. Returns
    territory, group (an id shared by the territories whose groups have the same definition),
    step, kinds (sorted), bands (band ids, in increasing order), region (null when the group
    spans régions) and n_others (its submitted territories other than this one)."""
    return scoped_peer_groups(territories, submitted, (scope,))[scope]


def scoped_peer_groups(
    territories: pl.DataFrame, submitted: pl.DataFrame, scopes: Sequence[Scope]
) -> dict[Scope, pl.DataFrame]:
    """`peer_groups` of each of `scopes`: the territories are located and counted once, only
    the choice of step differs between perimeters."""
    located, distinct = _located(territories, submitted)
    n = combination_counts(distinct)
    codes = territories.get_column("territory")
    # each territory takes the group of its combination: a gather, no join on the territories
    return {
        scope: chosen_groups(n, scope)[located].select(codes.rename("territory"), pl.all())
        for scope in scopes
    }


def chosen_groups(n: pl.DataFrame, scope: Scope) -> pl.DataFrame:
    """The groups of `peer_groups` from the combinations' counts (`combination_counts`), one
    row per combination: group, step, kinds, bands, region, n_others."""
    first = 0 if scope == "region" else 1
    others = [pl.col(f"n{i}") - pl.col("has") for i in range(6)]
    step: pl.Expr = pl.lit(5)
    for i in reversed(range(first, 5)):  # the narrowest step that is large enough wins
        step = pl.when(others[i] >= K_MIN).then(i).otherwise(step)
    picked: pl.Expr = others[5]
    for i in reversed(range(5)):
        picked = pl.when(pl.col("step") == i).then(others[i]).otherwise(picked)
    chosen = n.with_columns(step=step.cast(pl.Int8)).with_columns(n_others=picked)
    family_kinds = {
        family: sorted(k for k, f in KIND_FAMILIES.items() if f == family)
        for family in set(KIND_FAMILIES.values())
    }
    kinds_of_family = pl.col("family").replace_strict(
        family_kinds, default=None, return_dtype=pl.List(pl.String)
    )
    all_positions = pl.lit(list(range(len(POPULATION_BANDS)))).cast(pl.List(pl.Int32))
    described = chosen.with_columns(
        kinds=pl.when(pl.col("step") <= 2)
        .then(pl.concat_list(pl.col("kind")))
        .when(pl.col("step") <= 4)
        .then(kinds_of_family)
        .otherwise(pl.lit(sorted(KIND_FAMILIES)).cast(pl.List(pl.String))),
        bands=pl.when(pl.col("step") <= 1)
        .then(pl.concat_list(pl.col("band_pos")))
        .when(pl.col("step") <= 3)
        .then(_band_window(pl.col("band_pos")).list.sort())
        .otherwise(all_positions)
        .list.eval(pl.element().replace_strict(list(range(len(_BAND_IDS))), _BAND_IDS)),
        group_region=pl.when(pl.col("step") == 0).then(pl.col("region")),
    )
    definition = ["kinds", "bands", "group_region"]
    ids = (
        described.select(definition)
        .unique(maintain_order=True)
        .sort(definition, nulls_last=True)
        .with_row_index("group")
    )
    return described.join(
        ids, on=definition, how="left", nulls_equal=True, maintain_order="left"
    ).select(
        "group",
        "step",
        "kinds",
        "bands",
        pl.col("group_region").alias("region"),
        "n_others",
    )


def group_members(definitions: pl.DataFrame, cells: pl.LazyFrame) -> pl.LazyFrame:
    """(group, territory) for every group of `definitions` (group, kinds, bands, region) and
    every territory of `cells` with a submission inside it."""
    return (
        definitions.lazy()
        .select("group", "kinds", "bands", "region")
        .explode("kinds")
        .explode("bands")
        .join(
            cells.filter(pl.col("has") == 1),
            left_on=["kinds", "bands"],
            right_on=["kind", "band"],
            how="inner",
        )
        .filter(pl.col("region").is_null() | (pl.col("region") == pl.col("region_right")))
        .select("group", "territory")
    )
