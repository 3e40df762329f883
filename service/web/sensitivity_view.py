"""The sensitivity page's numbers as rows, and its chart: for each alternative scheme, the
share of the campaign's territories whose level, capped level and percentile quarter change.

Pure functions from a `SensitivityReport` to translated rows and a `Chart` (an
``<svg role="img">`` with its data table, like `service.web.charts`). Each bar carries its
series' name and its value in text, so that colour is never the only way to tell them apart."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final
from xml.sax.saxutils import escape, quoteattr

import msgspec

from maturity.sensitivity import SchemeImpact, SensitivityReport
from service.platform.i18n import N_, MessageId, translate
from service.web.charts import FONT, GRID, INK, STYLES, Chart, Table, wrap_label
from service.web.i18n import format_number

__all__ = ["SchemeRow", "scheme_rows", "sensitivity_chart", "share"]

SERIES: Final = (
    ("level_changed", N_("niveau"), "territory"),
    ("capped_level_changed", N_("niveau plafonné"), "p75"),
    ("band_changed", N_("quart de percentile"), "group"),
)
"""The chart's three series: the figure, its short name and its style."""
PERCENT_FR: Final = "\xa0%"
"""French writes a no-break space before the percent sign."""


class SchemeRow(msgspec.Struct, frozen=True):
    """One scheme as the page shows it, every text translated and every figure formatted."""

    id: str
    label: str
    description: str
    same_as: str | None
    spearman: str
    level_changed: str
    capped_level_changed: str
    band_changed: str
    mean_index_change: str
    max_index_change: str
    levels: list[int]
    diagnostics: list[int]


def share(value: float | None, lang: str) -> str:
    """A share (0–1) as a percentage with one decimal: ``3,7 %`` in French, ``3.7%`` in
    English (the signs of `service.web.i18n.format_share`)."""
    if value is None:
        return format_number(None, lang)
    return format_number(100 * value, lang, 1) + (PERCENT_FR if lang == "fr" else "%")


def _t(lang: str, text: str) -> str:
    """An engine text (marked with `maturity.texts.N_`) in `lang`."""
    return translate(lang, MessageId(text))


def scheme_rows(report: SensitivityReport, lang: str) -> list[SchemeRow]:
    """Every scheme of `report`, ready for the page's tables."""
    labels = {i.scheme: _t(lang, i.label) for i in report.schemes}
    labels["reference"] = translate(lang, N_("modèle publié"))
    return [
        SchemeRow(
            id=i.scheme,
            label=labels[i.scheme],
            description=_t(lang, i.description),
            same_as=labels[i.same_as] if i.same_as else None,
            spearman=format_number(i.spearman, lang, 4),
            level_changed=share(i.level_changed, lang),
            capped_level_changed=share(i.capped_level_changed, lang),
            band_changed=share(i.band_changed, lang),
            mean_index_change=format_number(i.mean_index_change, lang),
            max_index_change=format_number(i.max_index_change, lang),
            levels=list(i.outcome.levels.values()),
            diagnostics=list(i.outcome.diagnostics.values()),
        )
        for i in report.schemes
    ]


def _top(impacts: Sequence[SchemeImpact]) -> float:
    """The scale's top, in percent: 25, 50, 75 or 100, whichever first holds every bar (its
    ticks then fall on whole numbers: fifths of it)."""
    largest = max(
        (100 * (getattr(i, name) or 0.0) for i in impacts for name, _, _ in SERIES), default=0.0
    )
    return min(100.0, max(25.0, 25.0 * math.ceil(largest / 25.0)))


def sensitivity_chart(report: SensitivityReport, lang: str) -> Chart:
    """Grouped horizontal bars: per scheme, the three shares of territories that move."""
    impacts = report.schemes
    title = translate(lang, N_("Part des territoires dont le classement change"))
    desc = translate(
        lang,
        N_(
            "Pour chaque variante du modèle, part des territoires de la campagne qui changent "
            "de niveau, de niveau plafonné et de quart de percentile par rapport au modèle publié."
        ),
    )
    names = [translate(lang, name) for _, name, _ in SERIES]
    width, label_w, right_w, bar_h, gap, top = 720, 180, 200, 14, 12, 24
    plot_w = width - label_w - right_w
    group_h = bar_h * len(SERIES) + gap
    height = top + group_h * len(impacts) + 26
    scale = _top(impacts)

    def x_of(percent: float) -> float:
        return label_w + plot_w * min(max(percent, 0.0), scale) / scale

    t, d = "sensitivity-title", "sensitivity-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{t} {d}" '
        f'font-family="{FONT}" font-size="13" fill="{INK}">',
        f'<title id="{t}">{escape(title)}</title>',
        f'<desc id="{d}">{escape(desc)}</desc>',
        '<g class="grid" aria-hidden="true">',
    ]
    percent = PERCENT_FR if lang == "fr" else "%"
    for k in range(6):
        tick = scale * k / 5
        x = x_of(tick)
        out.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 20}" '
            f'stroke="{GRID}" stroke-width="1"/><text x="{x:.1f}" y="{height - 6}" '
            f'text-anchor="middle" font-size="11" fill="#4a4a4a">'
            f"{round(tick)}{percent}</text>"
        )
    out.append("</g>")
    for k, impact in enumerate(impacts):
        y = top + k * group_h
        label = _t(lang, impact.label)
        out.append(f'<g class="scheme" data-scheme={quoteattr(impact.scheme)}>')
        lines = wrap_label(label, 24)[:2]
        spans = "".join(
            f'<tspan x="{label_w - 8}" y="{y + 14 + j * 14}">{escape(line)}</tspan>'
            for j, line in enumerate(lines)
        )
        out.append(f'<text text-anchor="end" font-size="12" font-weight="bold">{spans}</text>')
        for j, (field, _, style) in enumerate(SERIES):
            value = getattr(impact, field)
            by = y + j * bar_h
            colour = STYLES[style]["stroke"]
            if value:
                out.append(
                    f'<rect class="bar bar-{field}" x="{label_w}" y="{by + 1}" '
                    f'width="{x_of(100 * value) - label_w:.1f}" height="{bar_h - 3}" '
                    f'fill="{colour}"><title>{escape(label)}, {escape(names[j])} : '
                    f"{escape(share(value, lang))}</title></rect>"
                )
            out.append(
                f'<text x="{width - right_w + 8}" y="{by + bar_h - 3}" font-size="11">'
                f"{escape(names[j])} : {escape(share(value, lang))}</text>"
            )
        out.append("</g>")
    out.append("</svg>")
    table = Table(
        caption=title,
        columns=[translate(lang, N_("Variante")), *names],
        rows=[
            [_t(lang, i.label), *(share(getattr(i, field), lang) for field, _, _ in SERIES)]
            for i in impacts
        ],
    )
    return Chart("\n".join(out), title, desc, table)
