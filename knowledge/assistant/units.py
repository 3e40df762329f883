"""Sentence units of a passage that keep their meaning, each with the section it really
comes from.

A passage may hold several short sections: the chunker folds them together and keeps each
folded heading in the text as a line of its own (``Niveau 3 — structuré :``). `segments` cuts
a passage back at those lines, so that a sentence is labelled with its own section, not with
the one the passage starts in. `units` then cuts a segment into sentences that can be read on
their own:

- wrapped lines are joined; a sentence is never cut at a colon, a semicolon or after an
  abbreviation (« Frucquet P. », « cf. », « p. 12 »);
- a list item keeps the line that introduces it (« Le modèle examine six sujets : la
  connectivité… »);
- a sentence that leans on the previous one (« Elle mesure… », « C'est… ») is merged with it,
  and dropped when it opens the segment (its antecedent is not there);
- a glossary term or a level keeps its heading (« Réversibilité : possibilité… », « Niveau 3
  — structuré : … »); a case-study sentence that does not name its territory gets it from
  the heading (« Ville de Mulhouse : la ville travaille… »).
"""

from __future__ import annotations

import re
from typing import Final

import msgspec

__all__ = ["Segment", "Unit", "segments", "units"]

_HEADING_WORDS: Final = 24
_PREFIX_WORDS: Final = 5
_MARKUP = re.compile(r"\*\*|__|`|^#+\s*")
_LIST_MARK = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_SENTENCE_END = re.compile(r"[.!?…]\s*[»\")]?\s*$")
_SPLIT = re.compile(r"(?<=[.!?…])\s+(?=[«\"'(A-ZÀ-Ý0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:M|Mme|Mlle|MM|Dr|Pr|St|Ste|cf|Cf|p|pp|al|art|Art|ex|env|vol|fig|éd|ed|n°|no|"
    r"No|chap|coll|dir|resp|op|cit|i\.e|e\.g|vs)|(?:^|\s)[A-ZÀ-Ý])\.$"
)
_LEANS: Final = re.compile(
    r"^(?:Elle|Il|Elles|Ils|Celle-ci|Celui-ci|Ceux-ci|Celles-ci|Cela|Ceci|Ce dernier|"
    r"Cette dernière|Ces derniers|C'est|C’est|Ce sont|Son|Sa|Ses|Leur|Leurs|"
    r"It|They|This|These|Its|Their)\b"
)
"""Openings that refer to something said just before."""
_LEVEL = re.compile(r"^(?:Niveau|Level)\s+\d", re.IGNORECASE)
_COMMON: Final = frozenset({"Ville", "Commune", "Métropole", "Communauté", "Région", "City"})
_GLOSSARY = re.compile(r"glossaire|glossary|lexique", re.IGNORECASE)


class Segment(msgspec.Struct, frozen=True):
    """A run of a passage under one heading."""

    text: str
    section: str | None
    """Heading path of the passage for its first segment, the folded heading for the others."""
    heading: str | None
    """The nearest heading (the section's last part)."""


class Unit(msgspec.Struct, frozen=True):
    """A sentence (or a few merged) that reads on its own."""

    text: str
    order: int


def _clean(line: str) -> str:
    return _MARKUP.sub("", line).strip()


def _is_heading(line: str, following: str | None) -> bool:
    """A heading the chunker folded into the text: ``Title :`` on a line of its own, followed
    by a sentence (a line ending with a colon followed by a list introduces the list)."""
    if not line.endswith(" :") or len(line.split()) > _HEADING_WORDS:
        return False
    if following is None or _LIST_MARK.match(following):
        return False
    return following[:1].isupper() or following[:1] in "«\"'("


def _leaf(section: str | None) -> str | None:
    return section.rsplit(" > ", 1)[-1] if section else None


def segments(text: str, section: str | None) -> list[Segment]:
    """`text` cut at the headings the chunker folded into it."""
    lines = [c for c in (_clean(raw) for raw in text.splitlines()) if c]
    found: list[Segment] = []
    current: list[str] = []
    current_section, heading = section, _leaf(section)
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else None
        if _is_heading(line, following):
            if current:
                found.append(Segment("\n".join(current), current_section, heading))
            current = []
            heading = line[:-2].strip()
            current_section = heading
            continue
        current.append(line)
    if current:
        found.append(Segment("\n".join(current), current_section, heading))
    return found


def _blocks(text: str) -> list[str]:
    """Lines joined into paragraphs; list items kept with the line that introduces them."""
    blocks: list[str] = []
    items: set[int] = set()
    intro: str | None = None
    used = False
    for line in text.splitlines():
        if _LIST_MARK.match(line):
            body = _LIST_MARK.sub("", line)
            items.add(len(blocks))
            blocks.append(f"{intro} {body}" if intro else body[:1].upper() + body[1:])
            used = True
            continue
        last = len(blocks) - 1
        if intro is not None and not used:  # a colon at the end of a wrapped line
            blocks.append(f"{intro} {line}")
        elif blocks and not _SENTENCE_END.search(blocks[-1]) and (last in items or not intro):
            blocks[-1] = f"{blocks[-1]} {line}"  # a wrapped line
            if last in items:
                continue
        else:
            blocks.append(line)
        intro = None
        if blocks[-1].endswith(":") and len(blocks) - 1 not in items:
            intro, used = blocks.pop(), False
    if intro is not None and not used:
        blocks.append(intro)
    for i in items:
        body = blocks[i].rstrip(" ;,")
        blocks[i] = body if _SENTENCE_END.search(body) else f"{body}."
    return blocks


def _sentences(block: str) -> list[str]:
    pieces = [p.strip() for p in _SPLIT.split(block) if p.strip()]
    merged: list[str] = []
    for piece in pieces:
        if merged and _ABBREVIATION.search(merged[-1]):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


def _prefix(heading: str | None, title: str) -> tuple[str | None, bool]:
    """What a unit of this segment is prefixed with, and whether the whole segment is one
    unit (a level's descriptor, a glossary entry)."""
    if not heading:
        return None, False
    if _LEVEL.match(heading) or _GLOSSARY.search(title):
        return heading, True
    short = re.split(r"\s+[:—–]\s+", heading, maxsplit=1)[0]
    words = short.replace("«", " ").split()
    if len(words) <= _PREFIX_WORDS and any(w[:1].isupper() for w in words[1:]):
        return short, False
    return None, False


def _names(prefix: str) -> list[str]:
    """The proper names of a heading (« Ville de Mulhouse » → Mulhouse)."""
    return [w for w in re.findall(r"[A-ZÀ-Ý][\w-]+", prefix) if w not in _COMMON]


def _joined(prefix: str, sentence: str) -> str:
    if (sentence[1:2].isalpha() and sentence[1:2].isupper()) or not sentence[:1].isupper():
        return f"{prefix} : {sentence}"  # an acronym, a quotation: kept as written
    return f"{prefix} : {sentence[:1].lower()}{sentence[1:]}"


def units(segment: Segment, title: str) -> list[Unit]:
    """The sentence units of `segment` (see the module docstring), in reading order."""
    prefix, whole = _prefix(segment.heading, title)
    found: list[str] = []
    for block in _blocks(segment.text):
        for sentence in _sentences(block):
            if _LEANS.match(sentence):
                if found:
                    found[-1] = f"{found[-1]} {sentence}"
                elif prefix:  # the heading names what the sentence speaks of
                    found.append(sentence)
                continue
            found.append(sentence)
    if whole and found:
        found = [" ".join(found)]
    if prefix:
        names = _names(prefix)
        found = [
            _joined(prefix, s)
            if (whole and i == 0) or (names and not any(n in s for n in names))
            else s
            for i, s in enumerate(found)
        ]
    return [Unit(text, order) for order, text in enumerate(found)]
