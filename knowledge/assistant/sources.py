"""The numbered sources an answer is given: each retrieved passage cut into its sections
(`knowledge.assistant.units.segments`), so that every citation names the section its text
really comes from; and the glossary lookup that brings a term's own entry first when the
question asks what the term means."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from itertools import permutations
from typing import Final
from urllib.parse import quote

from knowledge.assistant.intent import fold
from knowledge.assistant.types import Citation
from knowledge.assistant.units import segments
from knowledge.retrieval import KnowledgeBase, passage_from_record
from knowledge.translation import french_terms
from knowledge.types import Passage

__all__ = ["SOURCE_PAGES", "TermIndex", "citations_of", "source_page"]

SOURCE_PAGES: Final = "/sources"
"""Where the service shows every indexed document, passage by passage."""


def source_page(document_id: str, position: int | None = None) -> str:
    """The public page of a document, anchored on its passage at `position` when given."""
    page = f"{SOURCE_PAGES}/{quote(document_id, safe='')}"
    return page if position is None else f"{page}#passage-{position}"


def _page_of(passage: Passage) -> str:
    """Where a cited passage is read: a practice card's own public page (its source), the
    sources page anchored on the passage for any other document."""
    if passage.provenance == "practice" and passage.source.startswith(("https://", "http://")):
        return passage.source
    return source_page(passage.document_id, passage.position)


_MAX_RENDERED: Final = 3
"""An English term rendered in at most this many French words is tried in every order."""
_GLOSSARY = re.compile(r"glossaire|glossary|lexique", re.IGNORECASE)


def citations_of(passages: Sequence[Passage], start: int = 1) -> list[Citation]:
    """One citation per section of each passage, numbered from `start`, best passage first;
    a section already given (passages overlap) is not given twice."""
    out: list[Citation] = []
    seen: set[tuple[str, str]] = set()
    for passage in passages:
        for segment in segments(passage.text, passage.section):
            key = (passage.document_id, fold(segment.text)[:200])
            if key in seen:
                continue
            seen.add(key)
            out.append(
                Citation(
                    number=start + len(out),
                    text=segment.text,
                    title=passage.title,
                    source=passage.source,
                    passage_id=passage.id,
                    document_id=passage.document_id,
                    section=segment.section,
                    page=passage.page,
                    similarity=passage.similarity,
                    provenance=passage.provenance,
                    language=passage.language,
                    href=_page_of(passage),
                    flagged=list(passage.flagged),
                )
            )
    return out


def _aliases(heading: str) -> set[str]:
    """The names a heading gives a term: « Données ouvertes (open data) » is also « open
    data »; « Smart city, ville intelligente » is each of them."""
    parts = {heading, *re.split(r"\s*[,(/]\s*|\)", heading)}
    return {fold(p).strip(" .:") for p in parts if p and p.strip(" .:)")}


class TermIndex:
    """Sections whose heading names a term (glossary entries, dimension and level headings),
    by folded name; rebuilt when the index changes."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._kb = kb
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._terms: dict[str, Passage] = {}

    def _build(self) -> dict[str, Passage]:
        terms: dict[str, Passage] = {}
        passages = [passage_from_record(r) for r in self._kb.store.records()]
        # a glossary's entry first: it is the definition, other headings only name a topic
        passages.sort(key=lambda p: (not _GLOSSARY.search(p.title), p.id))
        for passage in passages:
            for segment in segments(passage.text, passage.section):
                if not segment.heading:
                    continue
                only = Passage(
                    id=passage.id,
                    text=segment.text,
                    document_id=passage.document_id,
                    title=passage.title,
                    source=passage.source,
                    provenance=passage.provenance,
                    section=segment.section,
                    page=passage.page,
                    language=passage.language,
                    position=passage.position,
                    flagged=passage.flagged,
                )
                for alias in _aliases(segment.heading):
                    terms.setdefault(alias, only)
        return terms

    def find(self, term: str) -> Passage | None:
        """The section defining `term`, if a heading names it."""
        generation = self._kb.store.generation()
        with self._lock:
            if generation != self._generation:
                self._terms, self._generation = self._build(), generation
            terms = self._terms
        for wanted in _spellings(term):
            if found := terms.get(wanted) or terms.get(wanted.removesuffix("s")):
                return found
        return None


def _spellings(term: str) -> list[str]:
    """`term` folded, then, for an English term, its French renderings in every word order
    (« digital sovereignty » → « numerique souverainete », « souverainete numerique »)."""
    out = [fold(term).strip(" .:?")]
    words = french_terms(term).split()
    if 0 < len(words) <= _MAX_RENDERED:
        out += [fold(" ".join(order)) for order in permutations(words)]
    return list(dict.fromkeys(out))
