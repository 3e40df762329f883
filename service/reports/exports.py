"""Results as spreadsheets: one row per metric (index, pillars, dimensions) with the peers'
statistics when published.

Three renderings of the same rows:

- ``fr`` (the pages' default): CSV as French spreadsheet software opens it in columns:
  ``;`` between fields, decimal comma, UTF-8 with a byte-order mark;
- ``machine``: plain CSV for programs (``,``, decimal point, no BOM) — ``?format=machine``;
- XLSX (`xlsx`): numbers as numbers, a bold frozen header, for people."""

from __future__ import annotations

import csv
import io
from typing import Literal

import xlsxwriter

from maturity.model import INDEX, Model
from maturity.results import ScoreResult
from service.peers.cache import Benchmark, MetricStats

__all__ = ["HEADER", "CsvFormat", "peer_count", "results_rows", "to_csv", "to_xlsx"]

CsvFormat = Literal["fr", "machine"]
Cell = str | int | float | None

HEADER = (
    "territoire", "campagne", "type", "id", "libelle", "score", "niveau", "completude",
    "pairs_n", "pairs_mediane", "pairs_p25", "pairs_p75", "pairs_p90", "centile",
    "ecart_mediane", "ecart_p75", "evolution",
)  # fmt: skip
"""Column names (stable: programs read them)."""


def peer_count(stats: MetricStats, benchmark: Benchmark | None) -> int | None:
    """How many territories other than this one a metric's statistics cover: the one count
    the results page, its charts and this export state (a default group's n includes the
    territory itself)."""
    if stats.n is None:
        return None
    own_counted = (
        benchmark is not None and benchmark.group.kind == "default" and stats.own is not None
    )
    return stats.n - 1 if own_counted else stats.n


def results_rows(
    model: Model, result: ScoreResult, benchmark: Benchmark | None, territory: str, campaign: int
) -> list[list[Cell]]:
    """The rows of the export, in `HEADER`'s order (None: no value)."""
    del model  # the labels come with the result, in its language
    stats = {m.id: m for m in benchmark.metrics} if benchmark is not None else {}

    def peers(metric: str) -> list[Cell]:
        s = stats.get(metric)
        if s is None:
            return [None] * 9
        return [
            peer_count(s, benchmark), s.median, s.p25, s.p75, s.p90, s.percentile,
            s.gap_median, s.gap_p75, s.own_change,
        ]  # fmt: skip

    rows: list[list[Cell]] = [
        [territory, campaign, "indice", INDEX, "Indice global", result.index, result.level,
         None, *peers(INDEX)]
    ]  # fmt: skip
    rows += [
        [territory, campaign, "pilier", p.id, p.label, p.score, None, None,
         *peers(f"pillar:{p.id}")]
        for p in result.pillars
    ]  # fmt: skip
    rows += [
        [territory, campaign, "dimension", d.id, d.label, d.score, d.level, d.completeness,
         *peers(d.id)]
        for d in result.dimensions
    ]  # fmt: skip
    return rows


def _french(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float):
        return repr(cell).replace(".", ",")
    return str(cell)


def to_csv(rows: list[list[Cell]], fmt: CsvFormat = "fr") -> str:
    """The rows under `HEADER` as CSV text in format `fmt` (the ``fr`` one starts with a
    BOM)."""
    out = io.StringIO()
    match fmt:
        case "fr":
            writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
            writer.writerow(HEADER)
            writer.writerows([_french(c) for c in row] for row in rows)
            return "\ufeff" + out.getvalue()
        case "machine":
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(HEADER)
            writer.writerows(["" if c is None else c for c in row] for row in rows)
            return out.getvalue()
        case _:
            raise ValueError(f"format CSV inconnu « {fmt} » (fr, machine)")


def to_xlsx(rows: list[list[Cell]], sheet: str = "Résultats") -> bytes:
    """The rows under `HEADER` as an XLSX workbook of one sheet."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    number = workbook.add_format({"num_format": "0.0#"})
    worksheet = workbook.add_worksheet(sheet[:31])
    worksheet.write_row(0, 0, HEADER, bold)
    for r, row in enumerate(rows, start=1):
        for c, cell in enumerate(row):
            if isinstance(cell, float):
                worksheet.write_number(r, c, cell, number)
            elif isinstance(cell, int):
                worksheet.write_number(r, c, cell)
            elif cell is not None:
                worksheet.write_string(r, c, cell)
    worksheet.freeze_panes(1, 0)
    worksheet.set_column(4, 4, 40)
    worksheet.autofilter(0, 0, len(rows), len(HEADER) - 1)
    workbook.close()
    return buffer.getvalue()
