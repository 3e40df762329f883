"""The barometer and the dashboard as pages: rows of published figures turned into labelled
table rows and charts, in the page's language. Pure functions over the rows that
`service.barometer` hands over (the same rows as the open data); a withheld cell is shown with
its wording, never with a number."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Final
from xml.sax.saxutils import escape

from maturity.territories import KIND_LABELS, KINDS, POPULATION_BANDS
from service.platform.i18n import N_, MessageId, translate
from service.web.charts import Chart, StripRow, Table, strips
from service.web.i18n import format_number

__all__ = [
    "GROUP_TITLES",
    "cell_label",
    "group_sections",
    "index_chart",
    "metric_rows",
    "signed",
    "timeline_chart",
]

GROUP_TITLES: Final[dict[str, MessageId]] = {
    "kind": N_("Par type de territoire"),
    "population_band": N_("Par tranche de population"),
    "region": N_("Par région"),
}
_BANDS: Final = {b.id: b for b in POPULATION_BANDS}
_ORDER: Final[dict[str, dict[str, int]]] = {
    "kind": {k: i for i, k in enumerate(KINDS)},
    "population_band": {b.id: i for i, b in enumerate(POPULATION_BANDS)},
}
"""Kinds and bands in their natural order (régions stay in code order)."""


def cell_label(row: dict[str, Any], regions: dict[str, str], lang: str) -> str:
    """The readable name of a row's cell (type, band or région; national otherwise)."""
    match row["grouping"]:
        case "kind":
            return str(KIND_LABELS.get(row["kind"], {}).get(lang, row["kind"]))
        case "population_band":
            band = _BANDS.get(row["population_band"])
            return band.label(lang) if band else str(row["population_band"])
        case "region":
            return str(regions.get(row["region"] or "", row["region"] or "–"))
    return translate(lang, N_("Ensemble du réseau"))


def signed(value: float | None, lang: str) -> str:
    """A change in points with its sign (``+1,5`` in French), or a dash."""
    if value is None:
        return "–"
    text = format_number(abs(value), lang)
    return f"{'+' if value > 0 else '−' if value < 0 else '±'}{text}"


def metric_rows(
    rows: Iterable[dict[str, Any]], labels: dict[str, dict[str, str]], lang: str
) -> list[dict[str, Any]]:
    """The national rows, one per metric in the model's order, labelled."""
    order = list(labels)
    national = [r for r in rows if r["grouping"] == "national" and r["metric"] in labels]
    national.sort(key=lambda r: order.index(r["metric"]))
    return [
        r
        | {
            "label": labels[r["metric"]].get(lang, r["metric"]),
            "change_text": signed(r["change"], lang),
        }
        for r in national
    ]


def group_sections(
    aggregates: Sequence[dict[str, Any]],
    shares: Sequence[dict[str, Any]],
    regions: dict[str, str],
    lang: str,
    metric: str = "index",
) -> list[dict[str, Any]]:
    """One section per grouping: the index's figures and the response rate of each cell."""
    sections = []
    for grouping, title in GROUP_TITLES.items():
        rate = {cell_label(r, regions, lang): r for r in shares if r["grouping"] == grouping}
        rows = [
            r | {"label": cell_label(r, regions, lang), "change_text": signed(r["change"], lang)}
            for r in aggregates
            if r["grouping"] == grouping and r["metric"] == metric
        ]
        rows.sort(key=lambda r: _ORDER.get(grouping, {}).get(r[grouping], 99))
        for row in rows:
            share = rate.get(row["label"], {})
            row |= {k: share.get(k) for k in ("territories", "submitted", "rate")}
        sections.append({"id": grouping, "title": translate(lang, title), "rows": rows})
    return sections


def index_chart(section: dict[str, Any], year: int, lang: str) -> Chart | None:
    """Where the index lies in each published cell of a section (quartiles and p90)."""
    shown = [r for r in section["rows"] if r["median"] is not None]
    if not shown:
        return None

    def t(message: MessageId, **values: Any) -> str:
        return translate(lang, message, **values)

    return strips(
        [StripRow(r["label"], r["p25"], r["median"], r["p75"], r["p90"], n=r["n"]) for r in shown],
        title=f"{t(N_('Indice global'))} — {section['title'].lower()} ({year})",
        desc=t(N_("Pour chaque case publiée, la bande grise va du p25 au p75 de l'indice global "
                  "(0 à 100), le trait noir marque la médiane, le trait pointillé le p90.")),
        caption=t(N_("Quantiles de l'indice global, campagne %(campaign)s"), campaign=year),
        headers={"label": section["title"], "p25": "p25", "median": t(N_("Médiane")),
                 "p75": "p75", "p90": "p90", "n": t(N_("Territoires"))},
        id_prefix=f"index-{section['id']}",
        fmt=lambda v: format_number(v, lang),
    )  # fmt: skip


def timeline_chart(days: Sequence[tuple[date, int, int]], lang: str) -> Chart | None:
    """Submissions so far, day by day: a step line with its table."""
    if not days:
        return None
    width, height, left, bottom, top = 720, 220, 56, 36, 16
    start, end = days[0][0].toordinal(), max(days[-1][0].toordinal(), days[0][0].toordinal() + 1)
    most = max(total for _, _, total in days)

    def x(day: date) -> float:
        return left + (width - left - 16) * (day.toordinal() - start) / (end - start)

    def y(total: int) -> float:
        return top + (height - top - bottom) * (1 - total / most)

    points = " ".join(f"{x(d):.1f},{y(t):.1f}" for d, _, t in days)
    title = translate(lang, N_("Soumissions cumulées au fil de la campagne"))
    desc = translate(lang, N_("Nombre d'évaluations soumises depuis l'ouverture, jour par jour "
                              "(%(total)s à ce jour)."), total=most)  # fmt: skip
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="timeline-title timeline-desc" '
        f'font-size="12" fill="#161616"><title id="timeline-title">{escape(title)}</title>'
        f'<desc id="timeline-desc">{escape(desc)}</desc>'
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 16}" y2="{height - bottom}" '
        f'stroke="#b0b0b0"/><line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" '
        f'stroke="#b0b0b0"/>'
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{most}</text>'
        f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end">0</text>'
        f'<text x="{left}" y="{height - 12}">{days[0][0].isoformat()}</text>'
        f'<text x="{width - 16}" y="{height - 12}" text-anchor="end">'
        f"{days[-1][0].isoformat()}</text>"
        f'<polyline points="{points}" fill="none" stroke="#000091" stroke-width="2.5"/></svg>'
    )
    table = Table(
        caption=title,
        columns=[translate(lang, N_("Jour")), translate(lang, N_("Soumises ce jour")),
                 translate(lang, N_("Soumises au total"))],
        rows=[[d.isoformat(), str(n), str(t)] for d, n, t in days],
    )  # fmt: skip
    return Chart(svg, title, desc, table)
