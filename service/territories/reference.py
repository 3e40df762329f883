"""The reference territories file shipped with the service: built from the shared open-data
CSVs (see README, « Sources des données »), read back as a polars frame.

The file is a gzip-compressed CSV with one row per commune and per EPCI; codes are text
(INSEE code for communes, SIREN for EPCI)."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path
from typing import Final

import polars as pl

from maturity.territories import fold, kind_from_source

__all__ = [
    "ATTRIBUTION",
    "REFERENCE_FILE",
    "REFERENCE_SCHEMA",
    "build_reference",
    "file_digest",
    "read_reference",
]

REFERENCE_FILE: Final = Path(__file__).parent / "data" / "territories.csv.gz"
ATTRIBUTION: Final = (
    "Source : Insee (COG 2026 ; Comparateur de territoires, édition 2022 ; Table "
    "d'appartenance géographique des communes 2022) ; DGCL (EPCI 2025) ; Etalab / "
    "data.gouv.fr, découpage administratif v6.0.0"
)
REFERENCE_SCHEMA: Final = pl.Schema(
    {
        "code": pl.String(),
        "name": pl.String(),
        "kind": pl.String(),
        "population": pl.Int64(),
        "population_year": pl.Int32(),
        "departement_code": pl.String(),
        "departement_name": pl.String(),
        "region_code": pl.String(),
        "region_name": pl.String(),
        "epci_code": pl.String(),
        "second_home_pct": pl.Float64(),
    }
)
"""Columns of the shipped file, in order."""


def _communes(source: Path) -> pl.DataFrame:
    frame = pl.read_csv(source / "communes.csv", infer_schema=False)
    return frame.select(
        code=pl.col("code_insee"),
        name=pl.col("nom"),
        kind=pl.lit("commune"),
        population=pl.col("population_municipale").cast(pl.Int64),
        population_year=pl.col("population_annee").cast(pl.Int32),
        departement_code=pl.col("departement_code"),
        departement_name=pl.col("departement_nom"),
        region_code=pl.col("region_code"),
        region_name=pl.col("region_nom"),
        epci_code=pl.col("epci_siren"),
        second_home_pct=pl.col("part_residences_secondaires_pct").cast(pl.Float64),
    )


def _epci(source: Path) -> pl.DataFrame:
    frame = pl.read_csv(source / "epci.csv", infer_schema=False)
    kinds = {code: kind_from_source(code) for code in frame["type"].unique().to_list()}
    # "2023/2017" (Mayotte): the members' figures are the 2017 census, the older year applies.
    year = pl.col("population_annee").str.split("/").list.eval(pl.element().cast(pl.Int32))
    return frame.select(
        code=pl.col("epci_siren"),
        name=pl.col("nom"),
        kind=pl.col("type").replace_strict(kinds, return_dtype=pl.String),
        population=pl.col("population_municipale").cast(pl.Int64),
        population_year=year.list.min(),
        departement_code=pl.col("departement_code"),
        departement_name=pl.col("departement_nom"),
        region_code=pl.col("region_code"),
        region_name=pl.col("region_nom"),
        epci_code=pl.lit(None, dtype=pl.String),
        second_home_pct=pl.col("part_residences_secondaires_pct").cast(pl.Float64),
    )


def build_reference(source: Path, output: Path = REFERENCE_FILE) -> pl.DataFrame:
    """Build the reference file at `output` from the shared CSVs in `source`; returns it.

    The output is byte-for-byte reproducible (sorted rows, gzip without a timestamp)."""
    for name in ("communes.csv", "epci.csv"):
        if not (source / name).is_file():
            raise FileNotFoundError(f"{source / name} introuvable (dossier des données source)")
    frame = pl.concat([_communes(source), _epci(source)]).sort("code").cast(REFERENCE_SCHEMA)
    duplicates = frame.filter(pl.col("code").is_duplicated())["code"].unique().to_list()
    if duplicates:
        raise ValueError(f"codes de territoire en double : {', '.join(duplicates[:10])}")
    output.parent.mkdir(parents=True, exist_ok=True)
    data = frame.write_csv().encode("utf-8")
    output.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return frame


def read_reference(path: Path = REFERENCE_FILE) -> pl.DataFrame:
    """The reference territories with a ``search_name`` column (folded name) added."""
    frame = pl.read_csv(path, schema=REFERENCE_SCHEMA)
    return frame.with_columns(search_name=pl.col("name").map_elements(fold, return_dtype=pl.String))


def file_digest(path: Path = REFERENCE_FILE) -> str:
    """SHA-256 of the file: loading is skipped when the loaded file had the same digest."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
