"""The synthesis as a page and as a PDF: its chart (server-side SVG, drawn to stay legible on a
390 px phone and on A4) and the rendering of the same template to PDF with WeasyPrint.

WeasyPrint gets the stylesheet inline and may fetch nothing else (no network access while
rendering)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from service.platform.i18n import N_, translate
from service.reports.synthesis import DimensionPoint, Synthesis, comparable
from service.web.charts import FONT, INK, STYLES, Chart, Table, wrap_label
from service.web.i18n import format_share
from service.web.rendering import STATIC_DIR, format_number, svg

__all__ = ["pdf_styles", "profile_chart", "signed", "synthesis_context"]

WIDTH, ROW, TOP, LEFT, RIGHT = 420, 50, 10, 6, 64


def _x(value: float) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * min(max(value, 0.0), 100.0) / 100


def profile_chart(
    points: Sequence[DimensionPoint],
    *,
    title: str,
    desc: str,
    caption: str,
    headers: tuple[str, str, str],
    fmt: Callable[[float | None], str],
) -> Chart:
    """One bar per dimension (0–100) under its full label, a dashed tick at the peers' median.

    Narrow on purpose (420 units, 14-unit text): shrunk to a phone's width its text stays
    above 11 px, and no label is cut."""
    rows: list[str] = []
    y = TOP
    for p in points:
        lines = wrap_label(p.label, 46)
        spans = "".join(
            f'<tspan x="{LEFT}" y="{y + 14 + 17 * k}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        bar_y = y + 6 + 17 * len(lines)
        rows.append(f'<g class="dim-row"><text font-size="14">{spans}</text>')
        rows.append(
            f'<rect x="{LEFT}" y="{bar_y}" width="{_x(100) - LEFT:.1f}" height="16" '
            f'fill="#eeeef4" aria-hidden="true"/>'
        )
        if p.score is not None:
            rows.append(
                f'<rect class="bar" x="{LEFT}" y="{bar_y}" width="{_x(p.score) - LEFT:.1f}" '
                f'height="16" fill="{STYLES["territory"]["stroke"]}"/>'
            )
        if p.peer_median is not None:
            x = _x(p.peer_median)
            rows.append(
                f'<line x1="{x:.1f}" y1="{bar_y - 4}" x2="{x:.1f}" y2="{bar_y + 20}" '
                f'stroke="#fff" stroke-width="5" aria-hidden="true"/>'
                f'<line class="tick-median" x1="{x:.1f}" y1="{bar_y - 4}" x2="{x:.1f}" '
                f'y2="{bar_y + 20}" stroke="{STYLES["median"]["stroke"]}" stroke-width="2.5" '
                f'stroke-dasharray="5 3"/>'
            )
        rows.append(
            f'<text class="bar-value" x="{WIDTH - RIGHT + 8}" y="{bar_y + 14}" font-size="15" '
            f'font-weight="700">{escape(fmt(p.score))}</text></g>'
        )
        y = bar_y + ROW - 24
    height = y + 6
    svg = "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
            f'width="{WIDTH}" height="{height}" role="img" '
            f'aria-labelledby="profile-title profile-desc" font-family="{FONT}" fill="{INK}" '
            f'class="synthesis-chart">',
            f'<title id="profile-title">{escape(title)}</title>',
            f'<desc id="profile-desc">{escape(desc)}</desc>',
            *rows,
            "</svg>",
        ]
    )
    table = Table(
        caption=caption,
        columns=list(headers),
        rows=[[p.label, fmt(p.score), fmt(p.peer_median)] for p in points],
    )
    return Chart(svg, title, desc, table)


@functools.cache
def pdf_styles() -> str:
    """The stylesheet of the synthesis, inlined in its PDF (read once)."""
    return (STATIC_DIR / "css" / "synthese.css").read_text(encoding="utf-8")


def signed(value: float | None, lang: str) -> str | None:
    """A change with its sign: ``+3,6``, ``−3,6`` (a true minus), ``0,0``; None stays None."""
    if value is None:
        return None
    text = format_number(abs(value), lang)
    return f"+{text}" if value > 0 else f"\u2212{text}" if value < 0 else text


def synthesis_context(s: Synthesis, lang: str) -> dict[str, Any]:
    """What the synthesis template needs besides the `Synthesis` itself."""

    def fmt(value: float | None) -> str:
        return format_number(value, lang)

    chart = profile_chart(
        s.dimensions,
        title=translate(lang, N_("Score par dimension et médiane des pairs")),
        desc=translate(
            lang,
            N_(
                "Une barre par dimension, de 0 à 100 ; le trait tireté marque la médiane des "
                "pairs. Les valeurs sont dans le tableau qui suit."
            ),
        ),
        caption=translate(lang, N_("Score et médiane des pairs par dimension (0 à 100)")),
        headers=(
            translate(lang, N_("Dimension")),
            translate(lang, N_("Votre score")),
            translate(lang, N_("Médiane des pairs")),
        ),
        fmt=fmt,
    )
    better = s.peers.better_than if s.peers else None
    return {
        "s": s,
        "chart": chart,
        "chart_svg": svg(chart.svg),
        "has_median": any(p.peer_median is not None for p in s.dimensions),
        "change": signed(s.change.change, lang) if s.change else None,
        "better_than": None
        if better is None
        else translate(
            lang,
            N_("Mieux que %(share)s des %(what)s"),
            share=format_share(better / 100, lang),
            what=translate(lang, comparable(s.territory.kind)),
        ),
        "notice": s.notice,
        "voices": s.voices,
    }
