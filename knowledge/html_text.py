"""Visible text of an HTML page, as blocks under their headings: scripts, styles, navigation
and page chrome left out; only ``<main>`` kept when the page has one."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

from knowledge.types import Block

__all__ = ["html_blocks"]

_FEED: int = 1 << 20
"""Characters fed to the parser at a time (a budget can stop a huge page early)."""


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_SKIP = _set(
    "script style nav header footer aside noscript template svg form iframe button select "
    "object canvas menu dialog"
)
_SKIP_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "menu", "menubar"})
_BREAKS = _set(
    "p div li ul ol dd dt tr table section article main pre blockquote figcaption caption br "
    "h1 h2 h3 h4 h5 h6 hr address details summary"
)
_VOID = _set("area base br col embed hr img input link meta source track wbr")


class _HtmlText(HTMLParser):
    """Collects visible text as blocks; drops scripts, styles, navigation and page chrome."""

    def __init__(self, count: Callable[[int], None]) -> None:
        super().__init__(convert_charrefs=True)
        self._count = count
        self.meta: dict[str, Any] = {}
        self.blocks: list[tuple[Block, bool]] = []
        self.saw_main = False
        self._skip: list[str] = []
        self._main_depth = 0
        self._headings: list[tuple[int, str]] = []
        self._heading_level: int | None = None
        self._in_title = False
        self._buffer: list[str] = []
        self._cells: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html" and attributes.get("lang"):
            self.meta["lang"] = str(attributes["lang"])
        if self._skip or tag in _SKIP or attributes.get("role") in _SKIP_ROLES:
            if tag not in _VOID:
                self._skip.append(tag)
            return
        if tag == "title":
            self._in_title = True
        if tag == "main" or attributes.get("role") == "main":
            self.saw_main = True
            self._main_depth += 1
        if tag in _BREAKS:
            self._flush()
        if tag in {"td", "th"}:
            self._flush_cell()
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self._heading_level = int(tag[1])

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.pop()
            elif tag in self._skip:
                del self._skip[self._skip.index(tag) :]
            return
        if tag == "title":
            self.meta.setdefault("title", " ".join("".join(self._buffer).split()))
            self._buffer.clear()
            self._in_title = False
            return
        if tag in {"td", "th"}:
            self._flush_cell()
        elif tag == "tr" and self._cells:
            self._buffer = [" ; ".join(self._cells)]
            self._cells = []
            self._flush()
        if self._heading_level is not None and tag == f"h{self._heading_level}":
            text = " ".join("".join(self._buffer).split())
            self._buffer.clear()
            if text:
                level = self._heading_level
                self._headings = [(lv, h) for lv, h in self._headings if lv < level]
                self._headings.append((level, text))
            self._heading_level = None
        elif tag in _BREAKS:
            self._flush()
        if tag == "main" and self._main_depth:
            self._flush()
            self._main_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._count(len(data))
            self._buffer.append(data)

    def _flush_cell(self) -> None:
        text = " ".join("".join(self._buffer).split())
        self._buffer.clear()
        if text:
            self._cells.append(text)

    def _flush(self) -> None:
        if self._in_title or self._heading_level is not None:
            return
        text = " ".join("".join(self._buffer).split())
        self._buffer.clear()
        if text:
            headings = tuple(h for _, h in self._headings)
            self.blocks.append((Block(text, headings), self._main_depth > 0))


def html_blocks(
    text: str, count: Callable[[int], None] = lambda n: None
) -> tuple[dict[str, Any], list[Block]]:
    """The page's metadata (``title``, ``lang``) and its blocks of visible text; `count` is
    told the size of each piece of text read (and may raise to stop)."""
    parser = _HtmlText(count)
    for start in range(0, len(text), _FEED):
        parser.feed(text[start : start + _FEED])
    parser.close()
    parser._flush()
    blocks = [b for b, in_main in parser.blocks if in_main or not parser.saw_main]
    return parser.meta, blocks
