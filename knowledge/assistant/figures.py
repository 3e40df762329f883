"""Figures check: with the data tools' results among its sources, an answer may state only
numbers that a source (or the question) gives, as written or rounded; any other number stops the
answer, which then falls back to the figures themselves (`fallback_reason: "chiffres"`).

`FigureCheck` works on a stream: a number still being written (« 58 », « 58, », « 2 0 ») is
held back until it is complete, so that a reader never sees a figure the check then refuses."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

__all__ = ["FigureCheck", "numbers"]

_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[ \u202f\u00a0]\d{3})+|\d+)(?:[.,](\d+))?(?![\w])")
_CITATION = re.compile(r"\[\d{1,3}(?:\s*[,;]\s*\d{1,3})*\]")
_TRAILING = re.compile(r"[\d \u202f\u00a0.,]*$")
_TOLERANCE: Final = 1e-9


def numbers(text: str) -> list[tuple[float, int, int]]:
    """The numbers of `text` (citations ``[n]`` left out): value, start, end. A space between
    groups of three digits is a thousands separator; a comma or a dot, the decimal mark."""
    text = _CITATION.sub(lambda m: " " * len(m.group()), text)
    found = []
    for match in _NUMBER.finditer(text):
        whole = re.sub(r"\D", "", match.group(1))
        value = float(f"{whole}.{match.group(2)}" if match.group(2) else whole)
        found.append((value, match.start(), match.end()))
    return found


class FigureCheck:
    """Releases an answer's text up to the first number no source gives (`problem` then says
    ``chiffres``)."""

    def __init__(self, sources: Iterable[str]) -> None:
        # the bounds of the scores' scale are no figure (« 46 sur 100 »)
        self._allowed = {0.0, 100.0} | {v for text in sources for v, _, _ in numbers(text)}
        self._held = ""
        self.problem: str | None = None
        self.unknown: float | None = None

    def allowed(self, value: float) -> bool:
        """Whether `value` is a source's number, as written or rounded to 0 or 1 decimal."""
        return any(
            abs(value - a) < _TOLERANCE
            or abs(value - round(a, 1)) < _TOLERANCE
            or abs(value - round(a)) < _TOLERANCE
            for a in self._allowed
        )

    def feed(self, piece: str) -> str:
        """The text that can be shown now (nothing once a figure was refused)."""
        if self.problem is not None:
            return ""
        text = self._held + piece
        cut = _TRAILING.search(text)
        end = cut.start() if cut is not None and cut.group().strip() else len(text)
        self._held = text[end:]
        return self._release(text[:end])

    def flush(self) -> str:
        """Whatever is held back, checked."""
        text, self._held = self._held, ""
        return "" if self.problem is not None else self._release(text)

    def _release(self, text: str) -> str:
        for value, start, _ in numbers(text):
            if not self.allowed(value):
                self.problem, self.unknown = "chiffres", value
                return text[:start]
        return text
