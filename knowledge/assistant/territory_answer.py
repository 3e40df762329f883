"""Questions about « us », answered from the member's own results by what they ask: weak
points, position among peers, priorities (with the next steps), evolution; each takes other
parts of the results (`TerritorySource.parts`), so that each gets a different answer. The
notice that comes with demo data is always said."""

from __future__ import annotations

import re
from typing import Final, Literal

from knowledge.assistant.extractive import Sentence, sentences
from knowledge.assistant.intent import Language, fold
from knowledge.assistant.types import TerritorySource

__all__ = ["TerritoryIntent", "answered_alone", "territory_intent", "territory_sentences"]

TerritoryIntent = Literal["weak", "peers", "priorities", "evolution", "overview"]

_INTENTS: Final[tuple[tuple[TerritoryIntent, re.Pattern[str]], ...]] = (
    (
        "priorities",
        re.compile(
            r"\b(?:priorit\w*|prioris\w*|que (?:devrions|devons|faut-il|faire)|par ou commencer|"
            r"prochaines? etapes?|next steps?|should we|what to do|first)\b"
        ),
    ),
    (
        "peers",
        re.compile(
            r"\b(?:pairs?|situons|situe|compar\w*|classement|rang|median\w*|autres (?:territoires|"
            r"collectivites|communes)|peers?|rank\w*|benchmark\w*)\b"
        ),
    ),
    (
        "evolution",
        re.compile(
            r"\b(?:evolu\w*|progress\w*|depuis|precedente?|change\w*|ameliore\w*|recul\w*|"
            r"since|improv\w*)\b"
        ),
    ),
    (
        "weak",
        re.compile(
            r"\b(?:faibl\w*|lacunes?|retards?|points? faibles?|manque\w*|weak\w*|gaps?|lag\w*)\b"
        ),
    ),
)
_PLAN: Final[dict[TerritoryIntent, tuple[str, ...]]] = {
    "weak": ("weakest", "diagnostics", "summary"),
    "peers": ("peers", "summary", "strongest"),
    "priorities": ("next_steps", "weakest"),
    "evolution": ("evolution", "summary"),
    "overview": ("summary", "weakest", "peers", "strongest"),
}
_MISSING: Final[dict[Language, dict[str, str]]] = {
    "fr": {
        "peers": "Aucune comparaison avec des pairs n'est disponible pour cette campagne "
        "(évaluation non soumise, ou groupe trop petit pour être publié).",
        "evolution": "Aucune campagne précédente avec un indice ne permet de mesurer une "
        "évolution.",
        "next_steps": "Aucune prochaine étape n'est proposée pour les dimensions les plus faibles.",
    },
    "en": {
        "peers": "No comparison with peers is available for this campaign (assessment not "
        "submitted, or group too small to be published).",
        "evolution": "No earlier campaign with an index allows measuring a change.",
        "next_steps": "No next step is proposed for the weakest dimensions.",
    },
}


_ALONE: Final[frozenset[TerritoryIntent]] = frozenset({"peers", "evolution"})
"""Intents the member's results answer alone: the literature knows nothing of its peers nor of
its past campaigns, and its sentences would only dilute the answer."""


def answered_alone(question: str) -> bool:
    """Whether a question about « us » is answered from the member's results alone."""
    return territory_intent(question) in _ALONE


_STEPS_INTRO: Final[dict[Language, str]] = {
    "fr": "Les prochaines étapes proposées dans les dimensions les plus faibles de {name} :",
    "en": "The next steps proposed in {name}'s weakest dimensions:",
}
"""Said before the next steps, shown as a list."""


def territory_intent(question: str) -> TerritoryIntent:
    """What a question about « us » asks (the first match, most specific first)."""
    folded = fold(question)
    return next((intent for intent, words in _INTENTS if words.search(folded)), "overview")


def territory_sentences(
    territory: TerritorySource, number: int, question: str, language: Language = "fr"
) -> list[Sentence]:
    """The sentences of the member's results that answer `question`, cited as source
    `number`: the parts its intent asks for, in that order, then the demo-data notice."""
    intent = territory_intent(question)
    if not territory.parts:  # results without parts: their opening sentences
        opening = sentences(territory.text)[:4]
        return [Sentence(text, number, i, 1.0) for i, text in enumerate(opening)]
    said: list[tuple[str, bool]] = []
    """Each text, and whether it is an item of a list (the next steps)."""
    for part in _PLAN[intent]:
        lines = [line.strip() for line in territory.parts.get(part, "").splitlines()]
        lines = [line for line in lines if line]
        if part == "next_steps" and lines:
            said.append((_STEPS_INTRO[language].format(name=territory.name), False))
        said += [(line, part == "next_steps") for line in lines]
        if not lines and part == _PLAN[intent][0] and part in _MISSING[language]:
            said.append((_MISSING[language][part], False))
    if notice := territory.parts.get("notice"):
        said.append((" ".join(notice.split()), False))
    return [Sentence(text, number, i, 1.0, item=item) for i, (text, item) in enumerate(said)]
