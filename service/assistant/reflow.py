"""Ingested text as a person reads it: hard-wrapped lines joined into paragraphs.

Documents arrive wrapped (our Markdown cards at 100 columns, PDF extracts at their page
width): shown line by line, one sentence spans three paragraphs. As in Markdown, a blank line
ends a paragraph; a list item (``-``, ``*``, ``•``, ``1.``, ``1)``) starts a new item and its
indented continuation lines join it; a heading (``#``) or a table row (``|``) stands alone;
a word hyphenated at the end of a line is joined back without a space.
"""

from __future__ import annotations

import re
from typing import Final, Literal

import msgspec

__all__ = ["Block", "blocks"]

_ITEM: Final = re.compile(r"^\s*(?:[-*•+]|\d{1,3}[.)])\s+(?P<text>.*)$")
_HEADING: Final = re.compile(r"^\s{0,3}#{1,6}\s+(?P<text>.*?)\s*#*\s*$")
_QUOTE: Final = re.compile(r"^\s*>\s?")
_HYPHENATED: Final = re.compile(r"[^\W\d_]-$")


class Block(msgspec.Struct, frozen=True):
    """A paragraph, a heading, a table row, or a list and its items."""

    kind: Literal["paragraph", "heading", "row", "list"]
    texts: list[str]
    """One text, or a list's items."""


def _joined(text: str, line: str) -> str:
    """`line` continuing `text`: after a space, or glued to a word hyphenated at a line end."""
    if _HYPHENATED.search(text) and line[:1].islower():
        return text + line
    return f"{text} {line}"


def blocks(text: str) -> list[Block]:
    """The paragraphs, headings, table rows and lists of `text`, wrapped lines joined."""
    found: list[Block] = []
    current: list[str] | None = None
    """The text being continued: the open paragraph's, or the open list's last item's."""
    for raw in text.splitlines():
        line = _QUOTE.sub("", raw).strip()
        if not line:
            current = None
        elif heading := _HEADING.match(raw):
            found.append(Block("heading", [heading.group("text")]))
            current = None
        elif line.startswith("|"):
            found.append(Block("row", [line]))
            current = None
        elif item := _ITEM.match(line):
            if not found or found[-1].kind != "list":  # items apart by a blank line: one list
                found.append(Block("list", []))
            found[-1].texts.append(item.group("text").strip())
            current = found[-1].texts
        elif current is not None:
            current[-1] = _joined(current[-1], line)
        else:
            found.append(Block("paragraph", [line]))
            current = found[-1].texts
    return [b for b in found if any(t for t in b.texts)]
