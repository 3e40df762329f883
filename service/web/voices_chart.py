"""The divergence map of the co-évaluation: dimensions × role groups, each cell the score the
group gives the dimension (0–100), written in the cell as well as shaded, so that the colour
never carries the meaning alone. Hidden (too small) or silent groups show a dash."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final
from xml.sax.saxutils import escape

from service.web.charts import FONT, INK, wrap_label

__all__ = ["divergence_map"]

LABEL_WIDTH: Final = 190
CELL_WIDTH: Final = 92
CELL_HEIGHT: Final = 40
HEAD: Final = 56


def _shade(score: float) -> tuple[str, str]:
    """Fill and text colour of a score: lighter to darker blue, text kept ≥ 4.5:1."""
    steps = ["#eef1fb", "#cfd8f5", "#9fb1ea", "#5f7ad6", "#000091"]
    at = min(int(score // 20), 4)
    return steps[at], ("#ffffff" if at >= 3 else INK)


def divergence_map(
    title: str,
    dimensions: Sequence[str],
    roles: Sequence[str],
    scores: Sequence[Sequence[float | None]],
    number: str = "{:.0f}",
    empty: str = "",
) -> str:
    """The map as SVG markup; `scores[d][r]` is role `r`'s score of dimension `d` (or None).
    Without any role group to show, the map says `empty` instead."""
    if not roles:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 40" width="640" '
            'role="img" aria-labelledby="voix-titre" class="chart voices-map">'
            f'<title id="voix-titre">{escape(title)}</title>'
            f'<text x="4" y="24" font-size="14" font-family="{escape(FONT)}" fill="{INK}">'
            f"{escape(empty)}</text></svg>"
        )
    width = LABEL_WIDTH + CELL_WIDTH * max(len(roles), 1)
    height = HEAD + CELL_HEIGHT * len(dimensions) + 4
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'width="{width}" aria-labelledby="voix-titre" class="chart voices-map" '
        f'font-family="{escape(FONT)}">',
        f'<title id="voix-titre">{escape(title)}</title>',
    ]
    for c, role in enumerate(roles):
        x = LABEL_WIDTH + c * CELL_WIDTH + CELL_WIDTH / 2
        for line, text in enumerate(wrap_label(role, 12)[:3]):
            out.append(
                f'<text x="{x:.0f}" y="{16 + 14 * line}" font-size="12" text-anchor="middle" '
                f'fill="{INK}">{escape(text)}</text>'
            )
    for r, dimension in enumerate(dimensions):
        y = HEAD + r * CELL_HEIGHT
        for line, text in enumerate(wrap_label(dimension, 26)[:2]):
            out.append(
                f'<text x="4" y="{y + 17 + 14 * line}" font-size="12" fill="{INK}">'
                f"{escape(text)}</text>"
            )
        for c, value in enumerate(scores[r]):
            x = LABEL_WIDTH + c * CELL_WIDTH
            fill, ink = _shade(value) if value is not None else ("#ffffff", INK)
            out.append(
                f'<rect x="{x + 2}" y="{y + 2}" width="{CELL_WIDTH - 4}" '
                f'height="{CELL_HEIGHT - 4}" fill="{fill}" stroke="#b0b0b0"/>'
            )
            shown = "–" if value is None else number.format(value)
            out.append(
                f'<text x="{x + CELL_WIDTH / 2:.0f}" y="{y + 25}" font-size="14" '
                f'text-anchor="middle" fill="{ink}">{escape(shown)}</text>'
            )
    out.append("</svg>")
    return "".join(out)
