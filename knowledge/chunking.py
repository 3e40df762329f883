"""Structure-aware splitting of a document into passages of a few hundred words, with overlap.

Passages follow the document's sections (and a PDF's pages): a new section or page starts a
new passage unless the current one is still short (short sections, such as one level
description each, are then grouped and their headings kept in the text). Inside a section,
paragraphs are packed up to a target size; a paragraph too long for one passage is cut
between sentences. Each passage after the first in a section repeats the last sentence(s) of
the previous one, so that an idea straddling the cut is found whole in at least one passage.
"""

from __future__ import annotations

import re

import msgspec

from knowledge.types import Block, Chunk, ParsedDocument

__all__ = ["ChunkingConfig", "chunk_document", "context_text", "section_label", "sentences"]

_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+(?=[«\"'(A-ZÀ-Ý0-9•-])|\n+")


class ChunkingConfig(msgspec.Struct, frozen=True):
    """Passage sizes, in words."""

    target_words: int = 200
    """A passage is closed once adding the next paragraph would pass this size."""
    max_words: int = 280
    """No unit (paragraph or piece of one) is longer than this."""
    overlap_words: int = 40
    """Words repeated from the end of the previous passage of the same section."""
    min_words: int = 70
    """A passage shorter than this absorbs the next section instead of being closed."""

    @property
    def version(self) -> str:
        """Identifies the splitting; part of each document's content hash."""
        return (
            f"chunk-v3-{self.target_words}-{self.max_words}-{self.overlap_words}-{self.min_words}"
        )


def _letters(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def section_label(headings: tuple[str, ...], title: str) -> str | None:
    """The heading path shown for a passage, without the document's own title heading (the
    first heading when it equals, or is a shortened form of, the title)."""
    parts = list(headings)
    if parts:
        first, whole = _letters(parts[0]), _letters(title)
        if first and (whole.startswith(first) or first.startswith(whole)):
            parts = parts[1:]
    return " > ".join(parts) or None


def context_text(title: str, section: str | None, text: str) -> str:
    """What is embedded and indexed for a passage: its text prefixed by title and section."""
    head = f"{title} — {section}" if section else title
    return f"{head}\n{text}"


def sentences(text: str) -> list[str]:
    """The sentences of `text` (a line break also ends one: list items, headings)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _words(text: str) -> int:
    return len(text.split())


def _units(block: Block, max_words: int) -> list[str]:
    """The block itself, or pieces of it of at most `max_words` cut between sentences."""
    if _words(block.text) <= max_words:
        return [block.text]
    pieces: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in sentences(block.text):
        words = sentence.split()
        while len(words) > max_words:  # a run-on "sentence" (a list, a table): cut by words
            if current:
                pieces.append(" ".join(current))
                current, count = [], 0
            pieces.append(" ".join(words[:max_words]))
            words = words[max_words:]
        if count + len(words) > max_words and current:
            pieces.append(" ".join(current))
            current, count = [], 0
        current.append(" ".join(words))
        count += len(words)
    if current:
        pieces.append(" ".join(current))
    return pieces


def _overlap(text: str, budget: int) -> str:
    """The last sentences of `text` within `budget` words (or its last `budget` words)."""
    taken: list[str] = []
    count = 0
    for sentence in reversed(sentences(text)):
        n = _words(sentence)
        if count + n > budget:
            break
        taken.insert(0, sentence)
        count += n
    if not taken:
        return " ".join(text.split()[-budget:])
    return " ".join(taken)


def chunk_document(doc: ParsedDocument, config: ChunkingConfig | None = None) -> list[Chunk]:
    """Split `doc` into passages (see the module docstring for the rules)."""
    config = config or ChunkingConfig()
    chunks: list[Chunk] = []
    parts: list[str] = []
    count = 0
    headings: tuple[str, ...] = ()  # of the passage being built (its first block)
    current: tuple[str, ...] | None = None  # of the last block seen
    page: int | None = None
    continued = False  # the passage being built starts with the previous one's overlap

    def close() -> None:
        nonlocal parts, count
        if parts:
            text = "\n".join(parts)
            chunks.append(Chunk(text, section_label(headings, doc.title), page, len(chunks)))
        parts, count = [], 0

    for block in doc.blocks:
        new_section = block.headings != current
        current = block.headings
        new_page = block.page != page and parts
        # A passage continuing a cut section (it starts with the overlap) ends with that
        # section: only a passage that began its section may absorb the next, short one.
        if (new_section or new_page) and parts and (count >= config.min_words or continued):
            close()
        for unit in _units(block, config.max_words):
            n = _words(unit)
            if parts and count + n > config.target_words:
                previous = "\n".join(parts)
                close()
                if not new_section and config.overlap_words:
                    carried = _overlap(previous, config.overlap_words)
                    parts, count, continued = [carried], _words(carried), True
                # The next passage belongs to this block's section and page, whatever the
                # section the passage just closed started in.
                headings, page = block.headings, block.page
            if not parts:
                headings, page, continued = block.headings, block.page, False
            elif new_section and block.headings:
                # A short section folded into the passage: keep its heading in the text.
                heading = block.headings[-1]
                parts.append(heading if heading.rstrip().endswith(":") else heading + " :")
                count += _words(heading)
            parts.append(unit)
            count += n
            new_section = False
    close()
    return chunks
