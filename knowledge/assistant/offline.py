"""The answers written without a language model: the refusal, and the extractive answer put
together from what each source gives (the model's own answer, the member's results by intent,
the data tools' figures, the literature's sentences), after what it must say first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import prompts
from knowledge.analysis import FrenchAnalyser
from knowledge.assistant.extractive import (
    Sentence,
    compose,
    definition_sentences,
    model_sentences,
    paragraphs,
    pick_sentences,
)
from knowledge.assistant.intent import Language
from knowledge.assistant.leads import figure_not_given, lead, without_names
from knowledge.assistant.territory_answer import territory_sentences
from knowledge.assistant.types import Citation, TerritorySource
from knowledge.types import DocumentInfo

__all__ = ["Asked", "exact_part", "exact_sentences", "extractive_answer", "refusal", "said_first"]

_TOPICS: Final = 8
_WITH_MODEL: Final = 2
"""Literature sentences kept after the model's own answer."""


@dataclass(frozen=True)
class Asked:
    """What was asked and what the answer is given."""

    question: str
    """As the caller wrote it."""
    query: str
    """As searched (a follow-up made standalone)."""
    sources: Sequence[Citation]
    language: Language = "fr"
    missing: Sequence[str] = ()
    """Names the knowledge base knows nothing of."""
    unsupported: str | None = None
    """A figure asked for that no source names."""
    topic: str | None = None
    """The dimension the model's answer is about."""
    territory: TerritorySource | None = None
    definition: bool = False
    """Whether the first passage is the glossary entry of the term asked about."""


def said_first(asked: Asked) -> list[str]:
    """What the answer must say before anything else: what the base lacks."""
    said: list[str] = []
    if asked.missing:
        joined = lead("and", asked.language).join(asked.missing)
        said.append(lead("nothing", asked.language, names=joined))
    if asked.unsupported:
        said.append(lead("no_such_figure", asked.language, figure=asked.unsupported))
    return said


def exact_sentences(asked: Asked) -> list[Sentence]:
    """What is said exactly, never reworded: the model's own answer (the model file and the
    engine's rules), then the member's results that the question's intent asks for."""
    model = next((s for s in asked.sources if s.kind == "model"), None)
    own = next((s for s in asked.sources if s.kind == "territory"), None)
    found = model_sentences(model) if model is not None else []
    if own is not None and asked.territory is not None:
        question, language = asked.question, asked.language
        found += territory_sentences(asked.territory, own.number, question, language)
    return found


def exact_part(asked: Asked) -> str:
    """What a model's answer is preceded by: what the base lacks, then `exact_sentences`,
    cited (the model is trusted neither to say the first nor to copy the second exactly)."""
    said = said_first(asked) + paragraphs(exact_sentences(asked))
    return "\n\n".join(said) + "\n\n" if said else ""


def refusal(documents: Sequence[DocumentInfo], asked: Asked) -> str:
    """The refusal, in the question's language, with what the base covers."""
    wanted = "en" if asked.language == "en" else "fr"
    cards = [d.title for d in documents if d.dimensions and d.language == wanted]
    topics = (cards or [d.title for d in documents])[:_TOPICS]
    return prompts.render(
        "refusal", topics=topics, lead=said_first(asked), english=asked.language == "en"
    )


def extractive_answer(asked: Asked, analyser: FrenchAnalyser, idf: Callable[[str], float]) -> str:
    """The extractive answer: leads, then the model's answer, the member's results, the
    data tools' figures and the literature's sentences, each cited."""
    literature = [s for s in asked.sources if s.kind == "passage"]
    model = [s for s in asked.sources if s.kind == "model"]
    if model and asked.topic:
        # the literature on the dimension asked about, when the base has some
        literature = [s for s in literature if asked.topic in s.title] or literature
    chosen = pick_sentences(
        without_names(asked.query, asked.missing),
        literature,
        analyser,
        idf,
        language=asked.language,
        said=model[0].text.splitlines() if model else [],
    )
    leads = said_first(asked)
    if chosen and leads:
        leads.append(lead("close", asked.language))
    spoken = {s.number: s.language for s in literature}
    if chosen and not asked.definition and asked.language not in {spoken[c.source] for c in chosen}:
        leads.append(lead("quoted_in", asked.language))
    not_given = figure_not_given(asked.query, literature)
    if not_given is not None:
        text, number = not_given
        leads.append(lead("no_figure", asked.language))
        chosen = [Sentence(text, number, -1, 1.0)] + [s for s in chosen if s.text != text]
    entry = next((s for s in asked.sources if s.kind == "passage"), None)
    if asked.definition and entry is not None:
        if entry.language and entry.language != asked.language:
            leads.append(lead("defined_in", asked.language))
        rest = [s for s in chosen if s.source != entry.number]
        chosen = definition_sentences(entry) + rest
    chosen = exact_sentences(asked) + (chosen[:_WITH_MODEL] if model else chosen)
    # the data tools' figures as they came, each cited, before the literature's sentences
    figures = [f"{s.title} [{s.number}] :\n\n{s.text}" for s in asked.sources if s.kind == "data"]
    if figures and not chosen:
        return "\n\n".join(figures)
    return "\n\n".join(
        [*figures, compose(chosen, asked.sources, lead=leads, language=asked.language)]
    )
