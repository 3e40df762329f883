"""Open data of a published barometer edition: its two tables (aggregates, participation) as
CSV, as CSV for French spreadsheets (``;``, decimal comma, UTF-8 with BOM) and as Parquet,
described by a Frictionless Data Package (``datapackage.json``: a Table Schema per file),
under the Licence Ouverte 2.0, the suppression rules stated in its description."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any, Final

import polars as pl

from maturity.territories import KIND_LABELS, POPULATION_BANDS

__all__ = ["FILES", "TABLES", "data_file", "datapackage", "tables", "zipped"]

TABLES: Final = ("agregats", "participation")
FILES: Final = tuple(
    f"{table}{variant}" for table in TABLES for variant in (".csv", "-fr.csv", ".parquet")
)
"""The downloadable files of an edition, besides ``datapackage.json`` and the zip."""
_BANDS: Final = {b.id: b.label_fr for b in POPULATION_BANDS}
_KEYS: Final = ("kind", "kind_label", "population_band", "population_band_label", "region",
                "region_name")  # fmt: skip
_TYPES: Final[dict[pl.DataType, str]] = {pl.Int64(): "integer", pl.Float64(): "number"}
DESCRIPTIONS: Final[dict[str, str]] = {
    "campaign": "Année de la campagne d'auto-évaluation",
    "grouping": "Regroupement : national, kind, population_band ou region",
    "kind": "Type de territoire (code)",
    "kind_label": "Type de territoire",
    "population_band": "Tranche de population (code)",
    "population_band_label": "Tranche de population",
    "region": "Code INSEE de la région",
    "region_name": "Région",
    "metric": "Mesure : index, pillar:<pilier> ou identifiant de dimension",
    "metric_label": "Libellé de la mesure",
    "n": "Territoires ayant soumis (vide si la case est masquée)",
    "mean": "Moyenne, sur 0 à 100, arrondie au dixième",
    "median": "Médiane (publiée à partir de 20 territoires sans profil public)",
    "p25": "Premier quartile",
    "p75": "Troisième quartile",
    "p90": "90e centile",
    "change": "Évolution de la moyenne depuis la campagne précédente (points)",
    "change_basis": (
        "Si la campagne précédente répondait à une autre version du modèle : full (mesure "
        "identique), partial (évolution sur les questions communes), none (pas d'évolution) ; "
        "vide pour la même version"
    ),
    "withheld": "Raison du masquage (secret statistique) ; vide si publiée",
    "territories": "Territoires de référence de la case (répertoire)",
    "submitted": "Territoires ayant soumis (vide si la case est masquée)",
    "rate": "Taux de réponse, en %, arrondi au dixième",
}


def _labelled(rows: list[dict[str, Any]], content: dict[str, Any]) -> pl.DataFrame:
    regions = content.get("regions", {})
    frame = pl.DataFrame(rows, infer_schema_length=None)
    return frame.with_columns(
        pl.lit(content["year"], pl.Int64).alias("campaign"),
        kind_label=pl.col("kind").replace_strict(
            {k: v["fr"] for k, v in KIND_LABELS.items()}, default=None, return_dtype=pl.String
        ),
        population_band_label=pl.col("population_band").replace_strict(
            _BANDS, default=None, return_dtype=pl.String
        ),
        region_name=pl.col("region").replace_strict(regions, default=None, return_dtype=pl.String),
    )


def tables(content: dict[str, Any]) -> dict[str, pl.DataFrame]:
    """The edition's tables as published, with readable labels beside every code."""
    labels = {k: v["fr"] for k, v in content["labels"].items()}
    aggregates = _labelled(content["aggregates"], content).with_columns(
        metric_label=pl.col("metric").replace_strict(labels, default=None, return_dtype=pl.String)
    )
    if "change_basis" not in aggregates.columns:  # an edition prepared before the column
        aggregates = aggregates.with_columns(change_basis=None)
    numbers = ["mean", "median", "p25", "p75", "p90", "change"]
    shares = _labelled(content["participation"], content)
    return {
        "agregats": aggregates.select(
            "campaign",
            "grouping",
            *_KEYS,
            "metric",
            "metric_label",
            "n",
            *numbers,
            "change_basis",
            "withheld",
        ).cast({"n": pl.Int64, "change_basis": pl.String, **dict.fromkeys(numbers, pl.Float64)}),
        "participation": shares.select(
            "campaign", "grouping", *_KEYS, "territories", "submitted", "rate", "withheld"
        ).cast({"territories": pl.Int64, "submitted": pl.Int64, "rate": pl.Float64}),
    }


def _french_csv(frame: pl.DataFrame) -> bytes:
    """CSV for French spreadsheets: ``;`` separator, decimal comma, UTF-8 with BOM."""
    text = frame.write_csv(separator=";", decimal_comma=True)
    return "\ufeff".encode() + text.encode()


def data_file(content: dict[str, Any], name: str) -> bytes:
    """The bytes of one of `FILES` (``agregats.csv``, ``participation-fr.csv``…)."""
    table, _, variant = name.partition(".")
    french = table.endswith("-fr")
    frame = tables(content)[table.removesuffix("-fr")]
    match variant, french:
        case "csv", False:
            return frame.write_csv().encode()
        case "csv", True:
            return _french_csv(frame)
        case "parquet", False:
            buffer = io.BytesIO()
            frame.write_parquet(buffer)
            return buffer.getvalue()
    raise KeyError(name)


def _schema(frame: pl.DataFrame, french: bool, parquet: bool = False) -> dict[str, Any]:
    """The Table Schema of `frame` as one of its files holds it (an empty cell is missing;
    readers that go through pandas see a Parquet null as ``nan``)."""
    fields = []
    for column, dtype in frame.schema.items():
        field: dict[str, Any] = {"name": column, "type": _TYPES.get(dtype, "string"),
                                 "description": DESCRIPTIONS.get(column, column)}  # fmt: skip
        if french and field["type"] == "number":
            field["decimalChar"] = ","
        fields.append(field)
    return {"fields": fields, "missingValues": ["", "nan"] if parquet else [""]}


def datapackage(content: dict[str, Any], base_url: str = "") -> dict[str, Any]:
    """The Frictionless Data Package describing the edition's files (paths relative to
    ``datapackage.json``, or under `base_url`)."""
    year = content["year"]
    resources = []
    for table, frame in tables(content).items():
        for suffix, fmt, french in (("", "csv", False), ("-fr", "csv", True),
                                    ("", "parquet", False)):  # fmt: skip
            resource: dict[str, Any] = {
                "name": f"{table}{suffix}-{fmt}",
                "path": f"{base_url}{table}{suffix}.{fmt}",
                "profile": "tabular-data-resource",
                "format": fmt,
                "schema": _schema(frame, french, fmt == "parquet"),
            }
            if fmt == "csv":
                resource["mediatype"] = "text/csv"
                resource["encoding"] = "utf-8-sig" if french else "utf-8"
                if french:
                    resource["dialect"] = {"delimiter": ";"}
            else:
                resource["mediatype"] = "application/vnd.apache.parquet"
            resources.append(resource)
    synthetic = " Données synthétiques de démonstration." if content.get("synthetic") else ""
    return {
        "profile": "tabular-data-package",
        "name": f"barometre-territoires-connectes-{year}",
        "title": f"Baromètre national des territoires connectés {year}",
        "description": (
            f"Agrégats de l'auto-évaluation {year} par type de territoire, tranche de "
            f"population et région, et taux de réponse.{synthetic} Secret statistique : "
            f"{content['method']} Une case masquée a ses statistiques et son effectif vides "
            f"(seuils : {content['k_min']} territoires sans profil public pour une case, "
            f"{content['k_quantiles']} pour ses quantiles)."
        ),
        "version": str(year),
        "licenses": [
            {
                "name": "etalab-2.0",
                "title": "Licence Ouverte 2.0",
                "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            }
        ],
        "resources": resources,
    } | ({"created": content["closed_at"]} if content.get("closed_at") else {})


def zipped(content: dict[str, Any]) -> bytes:
    """Every file of the edition and its ``datapackage.json`` in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(datapackage(content), indent=2,
                                                        ensure_ascii=False))  # fmt: skip
        for name in FILES:
            archive.writestr(name, data_file(content, name))
    return buffer.getvalue()
