"""What an honest answer says first: that the knowledge base has nothing on a place, body or
person the question names, or that the sources say the figure asked for is not given; in the
question's language."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from typing import Final

from knowledge.assistant.guard import flagged_source
from knowledge.assistant.intent import (
    Language,
    absent_figure,
    asks_figure,
    figure_kinds,
    figure_nouns,
    names,
)
from knowledge.assistant.types import Citation
from knowledge.assistant.units import Segment, units

__all__ = [
    "LEADS",
    "NOT_GIVEN_QUERY",
    "figure_not_given",
    "figure_unsupported",
    "lead",
    "unknown_names",
    "without_names",
]

NOT_GIVEN_QUERY: Final = "ne donne ni budgets ni chiffres ni calendriers"
"""Searched with a question asking a figure, to find where the sources say it is not given."""

LEADS: Final[dict[Language, dict[str, str]]] = {
    "fr": {
        "nothing": "La base ne contient rien sur {names}.",
        "close": "Voici ce qui s'en rapproche dans la base :",
        "no_figure": "Les sources précisent que ce chiffre n'est pas donné :",
        "and": " ni sur ",
        "no_such_figure": "Les sources ne donnent aucun chiffre de ce type ({figure}).",
        "defined_in": "La base en donne cette définition, en anglais :",
        "quoted_in": "La base en parle en anglais ; voici ses phrases telles quelles :",
    },
    "en": {
        "nothing": "The knowledge base has nothing on {names}.",
        "close": "Here is what comes closest in the knowledge base:",
        "no_figure": "The sources say that this figure is not given:",
        "and": " nor on ",
        "no_such_figure": "The sources give no figure of this kind ({figure}).",
        "defined_in": "The knowledge base defines it in French:",
        "quoted_in": "The knowledge base covers this in French; here are its sentences as "
        "they are:",
    },
}


def lead(key: str, language: Language, **values: str) -> str:
    """The lead sentence `key` in `language`."""
    return LEADS[language][key].format(**values)


def unknown_names(
    question: str, known: Collection[str], analyse: Callable[[str], list[str]]
) -> list[str]:
    """The names of `question` none of whose terms the corpus holds (`known`: its terms)."""
    out: list[str] = []
    for name in names(question):
        terms = analyse(name)
        if terms and not any(t in known for t in terms):
            out.append(name)
    return out


def without_names(question: str, missing: Sequence[str]) -> str:
    """`question` with the unknown names taken out (what is close is searched without them)."""
    for name in missing:
        question = re.sub(rf"\b(?:de |d'|à |a |en |sur )?{re.escape(name)}\b", " ", question)
    return " ".join(question.split())


def figure_not_given(question: str, sources: Sequence[Citation]) -> tuple[str, int] | None:
    """The sentence of the sources that says the figure the question asks for is not given,
    and its source number; None when the question asks no figure or no source says so."""
    if not asks_figure(question):
        return None
    kinds = figure_kinds(question)
    for source in sources:
        if source.kind != "passage" or flagged_source(source):
            continue
        leaf = source.section.rsplit(" > ", 1)[-1] if source.section else None
        for unit in units(Segment(source.text, source.section, leaf), source.title):
            if absent_figure(unit.text) and (not kinds or kinds & figure_kinds(unit.text)):
                return unit.text, source.number
    return None


def figure_unsupported(
    question: str, texts: Sequence[str], analyse: Callable[[str], list[str]]
) -> str | None:
    """The figure `question` asks for by name (« salaire ») when none of `texts` even names
    it: whatever they say, they do not give it."""
    if not asks_figure(question):
        return None
    given: set[str] = set()
    for text in texts:
        given.update(analyse(text))
    for noun in figure_nouns(question):
        if not set(analyse(noun)) & given:
            return noun
    return None
