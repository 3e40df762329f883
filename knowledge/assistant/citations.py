"""Citation check: every ``[n]`` of an answer must refer to a source actually given.

`repair` removes invalid numbers from a finished text; `CitationFilter` does the same on a
stream of tokens, holding back an opening bracket until its closing one arrives, so that a
reader never sees a citation that is then taken away.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from typing import Final

__all__ = ["CitationFilter", "cited_numbers", "repair"]

log = logging.getLogger(__name__)

_CITATION = re.compile(r"\s?\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")
_MAX_HELD: Final = 24
"""Longest bracketed text held back while streaming; longer, it cannot be a citation."""


def cited_numbers(text: str) -> list[int]:
    """The citation numbers of `text`, in order of first appearance."""
    seen: dict[int, None] = {}
    for match in _CITATION.finditer(text):
        for part in re.split(r"[,;]", match.group(1)):
            seen.setdefault(int(part), None)
    return list(seen)


def _fix(match: re.Match[str], valid: Collection[int], removed: list[int]) -> str:
    numbers = [int(p) for p in re.split(r"[,;]", match.group(1))]
    kept = [n for n in numbers if n in valid]
    removed.extend(n for n in numbers if n not in valid)
    if not kept:
        return ""
    lead = " " if match.group(0).startswith(" ") else ""
    return lead + "".join(f"[{n}]" for n in kept)


def repair(text: str, valid: Collection[int]) -> tuple[str, list[int]]:
    """`text` without citations to numbers outside `valid`, and the numbers removed."""
    removed: list[int] = []
    fixed = _CITATION.sub(lambda m: _fix(m, valid, removed), text)
    if removed:
        log.warning("citations invalides retirées de la réponse : %s", sorted(set(removed)))
    return fixed, removed


class CitationFilter:
    """Repairs citations on the fly; `feed` returns what can be shown now, `flush` the rest."""

    def __init__(self, valid: Collection[int]) -> None:
        self._valid = frozenset(valid)
        self._held = ""
        self.removed: list[int] = []

    def feed(self, token: str) -> str:
        """Text safe to show after `token` (possibly empty while a bracket is open)."""
        text = self._held + token
        cut = text.rfind("[")
        if cut != -1 and "]" not in text[cut:] and len(text) - cut <= _MAX_HELD:
            start = cut - 1 if cut > 0 and text[cut - 1] == " " else cut
            self._held = text[start:]
            text = text[:start]
        else:
            self._held = ""
        return self._repair(text)

    def flush(self) -> str:
        """Whatever is still held back, repaired."""
        text, self._held = self._held, ""
        return self._repair(text)

    def _repair(self, text: str) -> str:
        if "[" not in text:
            return text
        removed: list[int] = []
        fixed = _CITATION.sub(lambda m: _fix(m, self._valid, removed), text)
        if removed:
            self.removed.extend(removed)
            log.warning("citations invalides retirées du flux : %s", sorted(set(removed)))
        return fixed
