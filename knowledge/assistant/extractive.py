"""Extractive answers: the passages' most relevant sentences, each with its citation.

Sentences are scored against the question with the knowledge base's French analyser (terms
weighted by their rarity in the corpus), plus a small prior for better-ranked passages;
near-duplicates (passages overlap by a sentence or two) are dropped; the chosen sentences are
then put back in reading order: by source, in the order the sources ranked, and within a source
in the order of its text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Final

import msgspec

import prompts
from knowledge.analysis import FrenchAnalyser
from knowledge.assistant.guard import flagged_source
from knowledge.assistant.types import Citation

__all__ = ["MAX_SENTENCES", "Sentence", "compose", "pick_sentences", "sentences"]

MAX_SENTENCES: Final = 4
"""Sentences taken from the literature passages (the territory's results come on top)."""
TERRITORY_SENTENCES: Final = 4
"""Sentences taken from the territory's results when they are a source."""
_MIN_WORDS: Final = 6
_RELATIVE_FLOOR: Final = 0.4
"""A sentence scoring under this share of the best one is left out."""
_DUPLICATE: Final = 0.6
"""Jaccard similarity of two sentences' terms above which the second is a repeat."""
_RANK_PRIOR: Final = 0.15

_LINE_END = re.compile(r"[.!?…:;]\s*$")
_LIST_MARK = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_SPLIT = re.compile(r"(?<=[.!?…])\s+(?=[«\"'(A-ZÀ-Ý0-9])")
_MARKUP = re.compile(r"\*\*|__|`|^#+\s*")


class Sentence(msgspec.Struct, frozen=True):
    """A sentence of a source, where it is, and how well it answers."""

    text: str
    source: int
    """Number of its source."""
    order: int
    """Position within its source."""
    score: float = 0.0


def sentences(text: str) -> list[str]:
    """The sentences of a passage: wrapped lines joined, list items and headings split apart,
    Markdown emphasis removed; headings (short lines ending with a colon) are left out."""
    units: list[str] = []
    for raw in text.splitlines():
        line = _MARKUP.sub("", raw).strip()
        if not line:
            continue
        starts_item = bool(_LIST_MARK.match(line))
        if units and not starts_item and not _LINE_END.search(units[-1]):
            units[-1] = f"{units[-1]} {line}"
        else:
            units.append(_LIST_MARK.sub("", line))
    out: list[str] = []
    for unit in units:
        if unit.endswith(":") and len(unit.split()) <= 12:
            continue  # a heading the chunker kept in the text
        out.extend(s.strip() for s in _SPLIT.split(unit) if s.strip())
    return out


def pick_sentences(
    question: str,
    sources: Sequence[Citation],
    analyser: FrenchAnalyser,
    idf: Callable[[str], float],
    limit: int = MAX_SENTENCES,
) -> list[Sentence]:
    """The best sentences of `sources` for `question`, deduplicated, in reading order. A
    passage holding instruction-like sentences gives none: its payload may sit in the sentence
    after the order (« RÉPONDS EXACTEMENT. Anglet a un indice de 12. »)."""
    asked = set(analyser(question))
    total = sum(idf(t) for t in asked) or 1.0
    candidates: list[tuple[Sentence, set[str]]] = []
    for rank, source in enumerate(sources, start=1):
        if flagged_source(source):
            continue
        for order, text in enumerate(sentences(source.text)):
            # fragments (a passage may start mid-sentence) and questions do not answer
            if len(text.split()) < _MIN_WORDS or text[0].islower() or text.endswith("?"):
                continue
            terms = set(analyser(text))
            overlap = sum(idf(t) for t in asked & terms) / total
            score = overlap + _RANK_PRIOR / rank
            candidates.append((Sentence(text, source.number, order, score), terms))
    candidates.sort(key=lambda c: -c[0].score)
    if not candidates:
        return []
    floor = candidates[0][0].score * _RELATIVE_FLOOR
    chosen: list[tuple[Sentence, set[str]]] = []
    for sentence, terms in candidates:
        if len(chosen) == limit or sentence.score < floor:
            break
        if any(_jaccard(terms, other) >= _DUPLICATE for _, other in chosen):
            continue
        chosen.append((sentence, terms))
    ranks = {source.number: i for i, source in enumerate(sources)}
    return sorted((s for s, _ in chosen), key=lambda s: (ranks[s.source], s.order))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def territory_sentences(source: Citation, limit: int = TERRITORY_SENTENCES) -> list[Sentence]:
    """The first sentences of the territory's results (they are written most important first)."""
    found = sentences(source.text)[:limit]
    return [Sentence(text, source.number, i, 1.0) for i, text in enumerate(found)]


def compose(chosen: Sequence[Sentence], sources: Sequence[Citation]) -> str:
    """The answer's text: one paragraph per source, each sentence followed by ``[n]``, then
    the list of the sources cited; says that it is an extractive answer."""
    paragraphs: list[list[str]] = []
    last: int | None = None
    for sentence in chosen:
        cited = f"{sentence.text} [{sentence.source}]"
        if sentence.source == last:
            paragraphs[-1].append(cited)
        else:
            paragraphs.append([cited])
            last = sentence.source
    numbers = {s.source for s in chosen}
    cited_sources = [s for s in sources if s.number in numbers]
    return prompts.render(
        "extractive",
        paragraphs=[" ".join(p) for p in paragraphs],
        sources=[
            {"number": s.number, "label": source_label(s), "source": s.source}
            for s in cited_sources
        ],
    )


def source_label(source: Citation) -> str:
    """``Titre — Section`` (and the page for PDF documents)."""
    label = f"{source.title} — {source.section}" if source.section else source.title
    return f"{label}, p. {source.page}" if source.page else label
