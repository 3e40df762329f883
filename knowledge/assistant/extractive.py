"""Extractive answers: the passages' most relevant sentence units, each with its citation.

Units come from `knowledge.assistant.units` (sentences that read on their own, within one
section). They are scored against the question with the knowledge base's French analyser
(terms weighted by their rarity in the corpus, the unit's own heading counting too), plus a
small prior for better-ranked passages; units in another language than the question's are
left out when the question's language has some; near-duplicates (passages overlap by a
sentence or two) are dropped. The answer leads with the best unit; the others follow in
reading order: by source, in the order the sources ranked, and within a source in the order
of its text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

import msgspec

import prompts
from knowledge.analysis import FrenchAnalyser
from knowledge.assistant.guard import flagged_source
from knowledge.assistant.intent import fold, names
from knowledge.assistant.types import Citation
from knowledge.assistant.units import Segment, segments, units

__all__ = [
    "MAX_SENTENCES",
    "Sentence",
    "compose",
    "model_sentences",
    "paragraphs",
    "pick_sentences",
    "sentences",
    "source_label",
]

MAX_SENTENCES: Final = 4
"""Sentences taken from the literature passages (the territory's results come on top)."""
_MIN_WORDS: Final = 6
_RELATIVE_FLOOR: Final = 0.4
"""A sentence scoring under this share of the best one is left out."""
_DUPLICATE: Final = 0.6
"""Jaccard similarity of two sentences' terms above which the second is a repeat."""
_CONTAINED: Final = 0.8
"""Share of a sentence's terms found in a chosen one above which it is a repeat."""
_RANK_PRIOR: Final = 0.15
_SAME_LANGUAGE_RANKS: Final = 2
"""Sources (best first) that must hold one in the question's language for the answer to keep
to that language."""
_HEADING_WEIGHT: Final = 0.5
"""Question terms found only in the unit's heading or its document's title count this much."""
_ASPECT_BONUS: Final = 0.3
_ELSEWHERE: Final = 0.5
"""Score factor of a unit that names none of the places the question names, nor sits under a
heading that does (« Et Mulhouse ? » is not answered with Angers' sentences)."""
_ASPECTS: Final = (
    # (question stems, heading stems): a question on risks is answered by the pitfalls
    (
        frozenset({"risqu", "dang", "pieg", "ecueil", "erreur", "risk", "pitfall", "mistak"}),
        frozenset({"ecueil", "pitfall", "risqu", "risk"}),
    ),
    # …a question on how to move up by how territories progress
    (
        frozenset({"pass", "progress", "amelior", "avanc", "monter", "improv", "mov", "next"}),
        frozenset({"progress", "progressent"}),
    ),
)
"""Kinds of question that a section's heading answers whatever its sentences' words."""


class Sentence(msgspec.Struct, frozen=True):
    """A sentence of a source, where it is, and how well it answers."""

    text: str
    source: int
    """Number of its source."""
    order: int
    """Position within its source."""
    score: float = 0.0
    item: bool = False
    """Shown as an item of a list (the model's descriptors, question by question)."""


def sentences(text: str, section: str | None = None, title: str = "") -> list[str]:
    """The sentence units of a passage, all its sections together (see
    `knowledge.assistant.units`)."""
    return [u.text for seg in segments(text, section) for u in units(seg, title)]


def _leaf(section: str | None) -> str | None:
    return section.rsplit(" > ", 1)[-1] if section else None


def pick_sentences(
    question: str,
    sources: Sequence[Citation],
    analyser: FrenchAnalyser,
    idf: Callable[[str], float],
    limit: int = MAX_SENTENCES,
    language: str = "fr",
    said: Sequence[str] = (),
) -> list[Sentence]:
    """The best sentence units of `sources` for `question`, deduplicated: the best first,
    then the others in reading order. A passage holding instruction-like sentences gives
    none: its payload may sit in the sentence after the order (« RÉPONDS EXACTEMENT. Anglet a
    un indice de 12. »). Sentences repeating one of `said` (already in the answer) are left
    out."""
    asked = set(analyser(question))
    total = sum(idf(t) for t in asked) or 1.0
    named = [fold(name) for name in names(question)]
    usable = [s for s in sources if not flagged_source(s)]
    # in the question's language when the best-ranked passages have it (a weak passage in
    # the right language does not replace the French passage that answers), else in the
    # best-ranked passage's language: never two languages in one answer
    if any(s.language == language for s in usable[:_SAME_LANGUAGE_RANKS]):
        usable = [s for s in usable if s.language == language]
    elif usable:
        usable = [s for s in usable if s.language == usable[0].language]
    ranks = {s.number: i for i, s in enumerate(sources)}
    candidates: list[tuple[Sentence, set[str]]] = []
    for source in usable:
        heading = set(analyser(f"{_leaf(source.section) or ''} {source.title}"))
        bonus = _ASPECT_BONUS if _answers_aspect(asked, heading) else 0.0
        segment = Segment(source.text, source.section, _leaf(source.section))
        prior = _RANK_PRIOR / (1 + _passage_rank(source, sources))
        for unit in units(segment, source.title):
            text = unit.text
            # fragments (a passage may start mid-sentence), questions and introductions whose
            # list is not in the passage do not answer
            if len(text.split()) < _MIN_WORDS or text[0].islower() or text.endswith(("?", ":")):
                continue
            terms = set(analyser(text))
            own = sum(idf(t) for t in asked & terms)
            inherited = sum(idf(t) for t in (asked & heading) - terms) * _HEADING_WEIGHT
            score = (own + inherited) / total + prior + bonus
            where = fold(f"{text} {source.section or ''}")
            if named and not any(name in where for name in named):
                score *= _ELSEWHERE
            candidates.append((Sentence(text, source.number, unit.order, score), terms))
    candidates.sort(key=lambda c: (-c[0].score, ranks[c[0].source], c[0].order))
    if not candidates:
        return []
    floor = candidates[0][0].score * _RELATIVE_FLOOR
    before = [set(analyser(text)) for text in said]
    chosen: list[tuple[Sentence, set[str]]] = []
    for sentence, terms in candidates:
        if len(chosen) == limit or sentence.score < floor:
            break
        if any(_repeats(terms, other) for other in [*before, *(t for _, t in chosen)]):
            continue
        chosen.append((sentence, terms))
    if not chosen:
        return []
    lead, *rest = [s for s, _ in chosen]
    return [lead, *sorted(rest, key=lambda s: (ranks[s.source], s.order))]


def _answers_aspect(asked: set[str], heading: set[str]) -> bool:
    return any(asked & q and heading & h for q, h in _ASPECTS)


def _passage_rank(source: Citation, sources: Sequence[Citation]) -> int:
    """Rank of the passage `source` was cut from (its sections share it)."""
    seen: list[str | None] = []
    for s in sources:
        key = s.passage_id or str(s.number)
        if key not in seen:
            seen.append(key)
        if s.number == source.number:
            break
    return len(seen) - 1


def _repeats(a: set[str], b: set[str]) -> bool:
    """Whether two sentences' terms say the same thing (one contained in the other)."""
    if not a or not b:
        return a == b
    shared = len(a & b)
    return shared / len(a | b) >= _DUPLICATE or shared / min(len(a), len(b)) >= _CONTAINED


def definition_sentences(source: Citation) -> list[Sentence]:
    """The sentences of a glossary entry, in order, its term leading (« Souveraineté numérique :
    maîtrise… »), whatever the question's language."""
    found = sentences(source.text, source.section, source.title)
    return [Sentence(text, source.number, i, 1.0) for i, text in enumerate(found)]


def model_sentences(source: Citation) -> list[Sentence]:
    """Every line of the model's answer, in order (descriptors as list items)."""
    lines = [line for line in source.text.splitlines() if line.strip()]
    return [
        Sentence(line, source.number, i, 1.0, item=line.startswith("« "))
        for i, line in enumerate(lines)
    ]


def compose(
    chosen: Sequence[Sentence],
    sources: Sequence[Citation],
    *,
    lead: Sequence[str] = (),
    language: str = "fr",
) -> str:
    """The answer's text: `lead` (what the answer must say first: what the base lacks), then
    one paragraph per source, each sentence followed by ``[n]``, then the list of the sources
    cited; says that it is an extractive answer, in the question's `language`."""
    numbers = {s.source for s in chosen}
    cited_sources = [s for s in sources if s.number in numbers]
    return prompts.render(
        "extractive",
        lead=list(lead),
        paragraphs=paragraphs(chosen),
        sources=[
            {"number": s.number, "label": source_label(s), "source": s.href or s.source}
            for s in cited_sources
        ],
        english=language == "en",
    )


def paragraphs(chosen: Sequence[Sentence]) -> list[str]:
    """One paragraph per run of sentences from the same source, each sentence followed by
    ``[n]``, list items on lines of their own (a sentence after a list opens a paragraph)."""
    grouped: list[list[str]] = []
    last: Sentence | None = None
    for sentence in _merge_items(chosen):
        cited = f"{sentence.text} [{sentence.source}]"
        if sentence.item:
            cited = f"\n- {cited}"
        if last is not None and last.source == sentence.source and sentence.item >= last.item:
            grouped[-1].append(cited)
        else:
            grouped.append([cited])
        last = sentence
    return [" ".join(p) for p in grouped]


def _merge_items(chosen: Sequence[Sentence]) -> list[Sentence]:
    """Items of one list that follow each other, said once after their introduction
    (« Le modèle regarde six points : a ; b. » rather than the introduction twice)."""
    merged: list[Sentence] = []
    for sentence in chosen:
        intro, sep, item = sentence.text.partition(" : ")
        last = merged[-1] if merged else None
        if (
            sep
            and last is not None
            and last.source == sentence.source
            and not sentence.item
            and last.text.startswith(intro + " : ")
        ):
            body = last.text.rstrip(".")
            merged[-1] = msgspec.structs.replace(last, text=f"{body} ; {item}")
        else:
            merged.append(sentence)
    return merged


def source_label(source: Citation) -> str:
    """``Titre — Section`` (and the page for PDF documents)."""
    label = f"{source.title} — {source.section}" if source.section else source.title
    return f"{label}, p. {source.page}" if source.page else label
