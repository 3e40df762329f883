"""Server-side SVG charts: pure functions from numbers and (already translated) labels to markup.

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` referenced by
``aria-labelledby``, drawn with inline attributes only (no script, no external style: it prints
and reads the same everywhere), and comes with a `Table` of the same numbers for screen readers
and for anyone who prefers figures. Series are told apart by colour *and* by line style, so
that colour is never the only carrier of meaning. Scores are on 0–100."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Final, Literal
from xml.sax.saxutils import escape, quoteattr

import msgspec

__all__ = [
    "STYLES",
    "BarRow",
    "Chart",
    "Series",
    "StripRow",
    "Table",
    "bars",
    "radar",
    "strips",
    "wrap_label",
]

Style = Literal["territory", "median", "p75", "group"]
Number = Callable[[float | None], str]

STYLES: Final[dict[str, dict[str, str]]] = {
    # colour (≥ 3:1 on white), dash pattern, fill opacity
    "territory": {"stroke": "#000091", "dash": "", "fill": "#000091", "opacity": "0.18"},
    "median": {"stroke": "#5c5c5c", "dash": "8 5", "fill": "none", "opacity": "0"},
    "p75": {"stroke": "#a94400", "dash": "2 4", "fill": "none", "opacity": "0"},
    "group": {"stroke": "#5c5c5c", "dash": "", "fill": "#5c5c5c", "opacity": "0.25"},
}
GRID: Final = "#b0b0b0"
INK: Final = "#161616"
FONT: Final = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


def _plain(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


class Table(msgspec.Struct, frozen=True):
    """The data of a chart as a table: a caption, column headers and rows (first cell is the
    row's header)."""

    caption: str
    columns: list[str]
    rows: list[list[str]]


class Chart(msgspec.Struct, frozen=True):
    """An SVG chart and the table of its data."""

    svg: str
    title: str
    desc: str
    table: Table


class Series(msgspec.Struct, frozen=True):
    """One polygon of a radar chart: a value per axis (None: no score)."""

    label: str
    values: list[float | None]
    style: Style = "territory"


class BarRow(msgspec.Struct, frozen=True):
    """One horizontal bar: the territory's score and, when known, its peers' median and p75
    and its percentile rank in the group."""

    label: str
    value: float | None
    median: float | None = None
    p75: float | None = None
    percentile: float | None = None


class StripRow(msgspec.Struct, frozen=True):
    """One distribution strip: the group's quartiles (and p90), and optionally a marker."""

    label: str
    p25: float | None
    median: float | None
    p75: float | None
    p90: float | None = None
    marker: float | None = None
    n: int | None = None


def _f(x: float) -> str:
    """A coordinate with two decimals at most, no trailing zeros."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _clamp(value: float) -> float:
    return min(max(value, 0.0), 100.0)


def wrap_label(text: str, width: int = 18) -> list[str]:
    """Split a label into lines of about `width` characters, on spaces."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines or [""]


def _scale_grid(x_of: Callable[[float], float], top: float, height: float) -> str:
    """The vertical 0–25–50–75–100 grid and its labels shared by the horizontal charts."""
    lines = []
    for tick in (0, 25, 50, 75, 100):
        x = x_of(tick)
        lines.append(
            f'<line x1="{_f(x)}" y1="{top - 6}" x2="{_f(x)}" y2="{height - 20}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_f(x)}" y="{height - 6}" text-anchor="middle" font-size="11" '
            f'fill="#4a4a4a">{tick}</text>'
        )
    return '<g class="grid" aria-hidden="true">' + "".join(lines) + "</g>"


def _open(id_prefix: str, width: int, height: int, title: str, desc: str) -> list[str]:
    t, d = f"{id_prefix}-title", f"{id_prefix}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{t} {d}" '
        f'font-family="{FONT}" font-size="13" fill="{INK}">',
        f'<title id="{t}">{escape(title)}</title>',
        f'<desc id="{d}">{escape(desc)}</desc>',
    ]


def _stroke(style: str, width: float = 2.5) -> str:
    s = STYLES[style]
    dash = f' stroke-dasharray="{s["dash"]}"' if s["dash"] else ""
    return f'stroke="{s["stroke"]}" stroke-width="{_f(width)}"{dash}'


def radar(
    axes: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    desc: str,
    caption: str,
    axis_header: str,
    id_prefix: str = "radar",
    fmt: Number = _plain,
    size: int = 560,
) -> Chart:
    """A radar of `axes` (dimensions, clockwise from the top) with up to three series on 0–100;
    a missing value is drawn at the centre and shown as ``–`` in the table."""
    if len(axes) < 3:
        raise ValueError("un radar demande au moins trois axes")
    if not 1 <= len(series) <= 3 or any(len(s.values) != len(axes) for s in series):
        raise ValueError("un radar prend 1 à 3 séries d'autant de valeurs que d'axes")
    width, height = size + 160, size
    cx, cy, radius = width / 2, height / 2, size / 2 - 70
    n = len(axes)

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * _clamp(value) / 100
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    out = _open(id_prefix, width, height, title, desc)
    out.append('<g class="grid" fill="none" aria-hidden="true">')
    for ring in (20, 40, 60, 80, 100):
        pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in (point(i, ring) for i in range(n)))
        out.append(f'<polygon points="{pts}" stroke="{GRID}" stroke-width="1"/>')
        x, y = point(0, ring)
        out.append(
            f'<text x="{_f(x + 4)}" y="{_f(y + 4)}" font-size="11" fill="#4a4a4a" '
            f'stroke="none">{ring}</text>'
        )
    for i in range(n):
        x, y = point(i, 100)
        out.append(f'<line x1="{_f(cx)}" y1="{_f(cy)}" x2="{_f(x)}" y2="{_f(y)}" stroke="{GRID}"/>')
    out.append("</g>")
    out.append('<g class="axis-labels" aria-hidden="true">')
    for i, label in enumerate(axes):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        x, y = cx + (radius + 14) * math.cos(angle), cy + (radius + 14) * math.sin(angle)
        anchor = "middle" if abs(math.cos(angle)) < 0.3 else "start" if x > cx else "end"
        lines = wrap_label(label)
        top = y - (len(lines) - 1) * 8 + (8 if math.sin(angle) > 0.3 else 0)
        top -= 8 if math.sin(angle) < -0.3 else 0
        spans = "".join(
            f'<tspan x="{_f(x)}" y="{_f(top + k * 16)}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        out.append(f'<text class="axis-label" text-anchor="{anchor}">{spans}</text>')
    out.append("</g>")
    for s in series:
        style = STYLES[s.style]
        corners = [point(i, v or 0.0) for i, v in enumerate(s.values)]
        out.append(f'<g class="series series-{s.style}">')
        out.append(
            f'<polygon points="{" ".join(f"{_f(x)},{_f(y)}" for x, y in corners)}" '
            f'{_stroke(s.style)} fill="{style["fill"]}" fill-opacity="{style["opacity"]}" '
            f'stroke-linejoin="round"><title>{escape(s.label)}</title></polygon>'
        )
        if s.style == "territory":
            for (x, y), label, value in zip(corners, axes, s.values, strict=True):
                out.append(
                    f'<circle cx="{_f(x)}" cy="{_f(y)}" r="4" fill="{style["stroke"]}">'
                    f"<title>{escape(label)} : {escape(fmt(value))}</title></circle>"
                )
        out.append("</g>")
    out.append("</svg>")
    table = Table(
        caption=caption,
        columns=[axis_header, *(s.label for s in series)],
        rows=[[label, *(fmt(s.values[i]) for s in series)] for i, label in enumerate(axes)],
    )
    return Chart("\n".join(out), title, desc, table)


def bars(
    rows: Sequence[BarRow],
    *,
    title: str,
    desc: str,
    caption: str,
    headers: tuple[str, str, str, str, str],
    percentile_label: Callable[[float], str],
    id_prefix: str = "bars",
    fmt: Number = _plain,
    width: int = 720,
) -> Chart:
    """Horizontal bars of the territory's score per row (0–100), with ticks at the peers'
    median (dashed) and p75 (dotted), and the percentile written at the end of each bar.
    `headers`: row label, score, median, p75, percentile (the table's columns)."""
    label_w, right_w, top = 230, 110, 24
    wrapped = [wrap_label(row.label, 32) for row in rows]
    row_h = max([34, *(14 * len(lines) + 8 for lines in wrapped)])  # no label is ever cut
    plot_w = width - label_w - right_w
    height = top + row_h * len(rows) + 26

    def x_of(value: float) -> float:
        return label_w + plot_w * _clamp(value) / 100

    out = _open(id_prefix, width, height, title, desc)
    out.append(_scale_grid(x_of, top, height))
    for k, row in enumerate(rows):
        y = top + k * row_h
        out.append(f'<g class="bar-row" data-label={quoteattr(row.label)}>')
        lines = wrapped[k]
        spans = "".join(
            f'<tspan x="{label_w - 8}" y="{_f(y + 12 + j * 14 - (len(lines) - 1) * 7)}">'
            f"{escape(line)}</tspan>"
            for j, line in enumerate(lines)
        )
        out.append(f'<text text-anchor="end" font-size="12">{spans}</text>')
        if row.value is not None:
            out.append(
                f'<rect class="bar" x="{label_w}" y="{y + 2}" '
                f'width="{_f(x_of(row.value) - label_w)}" height="{row_h - 14}" '
                f'fill="{STYLES["territory"]["stroke"]}"><title>{escape(row.label)} : '
                f"{escape(fmt(row.value))}</title></rect>"
            )
        for name, value in (("median", row.median), ("p75", row.p75)):
            if value is not None:
                x = x_of(value)
                out.append(  # a white halo keeps the tick visible over the bar
                    f'<line x1="{_f(x)}" y1="{y - 2}" x2="{_f(x)}" y2="{y + row_h - 8}" '
                    f'stroke="#fff" stroke-width="6" aria-hidden="true"/>'
                    f'<line class="tick-{name}" x1="{_f(x)}" y1="{y - 2}" x2="{_f(x)}" '
                    f'y2="{y + row_h - 8}" {_stroke(name, 3)}/>'
                )
        text = fmt(row.value)
        if row.percentile is not None:
            text += f" · {percentile_label(row.percentile)}"
        out.append(
            f'<text class="bar-value" x="{width - right_w + 8}" y="{y + 14}" '
            f'font-size="12">{escape(text)}</text>'
        )
        out.append("</g>")
    out.append("</svg>")
    table = Table(
        caption=caption,
        columns=list(headers),
        rows=[
            [
                r.label,
                fmt(r.value),
                fmt(r.median),
                fmt(r.p75),
                percentile_label(r.percentile) if r.percentile is not None else "–",
            ]
            for r in rows
        ],
    )
    return Chart("\n".join(out), title, desc, table)


def strips(
    rows: Sequence[StripRow],
    *,
    title: str,
    desc: str,
    caption: str,
    headers: Mapping[str, str],
    id_prefix: str = "strips",
    fmt: Number = _plain,
    width: int = 720,
    count: Callable[[int], str] = lambda n: f"n = {n}",
) -> Chart:
    """One strip per row showing where the middle half of a group lies (p25–p75 band), its
    median (bar), its p90 (tick) and, when given, a marker (the territory). Built from
    quantiles only, never from individual scores, so it reveals nothing k-anonymity hides.
    `headers` names the table's columns by key: ``label``, ``p25``, ``median``, ``p75``, and
    ``p90``, ``marker``, ``n`` (those three only appear when some row has a value); `count`
    writes a row's ``n`` at the end of its strip."""
    label_w, right_w, top = 230, 90, 20
    wrapped = [wrap_label(row.label, 32) for row in rows]
    row_h = max([30, *(14 * len(lines) + 8 for lines in wrapped)])  # no label is ever cut
    plot_w = width - label_w - right_w
    height = top + row_h * len(rows) + 26

    def x_of(value: float) -> float:
        return label_w + plot_w * _clamp(value) / 100

    out = _open(id_prefix, width, height, title, desc)
    out.append(_scale_grid(x_of, top, height))
    group = STYLES["group"]
    for k, row in enumerate(rows):
        y = top + k * row_h
        mid = y + (row_h - 8) / 2
        out.append(f'<g class="strip-row" data-label={quoteattr(row.label)}>')
        lines = wrapped[k]
        spans = "".join(
            f'<tspan x="{label_w - 8}" y="{_f(mid + 4 + j * 14 - (len(lines) - 1) * 7)}">'
            f"{escape(line)}</tspan>"
            for j, line in enumerate(lines)
        )
        out.append(f'<text text-anchor="end" font-size="12">{spans}</text>')
        if row.p25 is not None and row.p75 is not None:
            x25, x75 = x_of(row.p25), x_of(row.p75)
            out.append(
                f'<rect class="band" x="{_f(x25)}" y="{y + 2}" width="{_f(max(x75 - x25, 1))}" '
                f'height="{row_h - 12}" fill="{group["fill"]}" fill-opacity="{group["opacity"]}" '
                f'stroke="{group["stroke"]}"/>'
            )
        if row.median is not None:
            x = x_of(row.median)
            out.append(
                f'<line class="median" x1="{_f(x)}" y1="{y}" x2="{_f(x)}" y2="{y + row_h - 8}" '
                f'stroke="{INK}" stroke-width="3"/>'
            )
        if row.p90 is not None:
            x = x_of(row.p90)
            out.append(
                f'<line class="p90" x1="{_f(x)}" y1="{y + 4}" x2="{_f(x)}" '
                f'y2="{y + row_h - 12}" {_stroke("p75", 2)}/>'
            )
        if row.marker is not None:
            x = x_of(row.marker)
            out.append(
                f'<path class="marker" d="M{_f(x)},{_f(mid - 7)} l7,7 l-7,7 l-7,-7 z" '
                f'fill="{STYLES["territory"]["stroke"]}" stroke="#fff" stroke-width="1.5">'
                f"<title>{escape(row.label)} : {escape(fmt(row.marker))}</title></path>"
            )
        if row.n is not None:
            out.append(
                f'<text x="{width - right_w + 8}" y="{_f(mid + 4)}" font-size="12">'
                f"{escape(count(row.n))}</text>"
            )
        out.append("</g>")
    out.append("</svg>")
    keys = ["label", "p25", "median", "p75"]
    keys += [k for k in ("p90", "marker", "n") if any(getattr(r, k) is not None for r in rows)]

    def cell(row: StripRow, key: str) -> str:
        value = getattr(row, key)
        if key == "label":
            return str(value)
        return ("–" if value is None else str(value)) if key == "n" else fmt(value)

    table = Table(
        caption=caption,
        columns=[headers[k] for k in keys],
        rows=[[cell(r, k) for k in keys] for r in rows],
    )
    return Chart("\n".join(out), title, desc, table)
