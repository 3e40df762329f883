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

__all__ = ["TerritoryIntent", "territory_intent", "territory_sentences"]

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
        found = sentences(territory.text)[:4]
        return [Sentence(text, number, i, 1.0) for i, text in enumerate(found)]
    texts: list[str] = []
    for part in _PLAN[intent]:
        said = territory.parts.get(part)
        if said:
            texts.extend(line.strip() for line in said.splitlines() if line.strip())
        elif part == _PLAN[intent][0] and part in _MISSING[language]:
            texts.append(_MISSING[language][part])
    if notice := territory.parts.get("notice"):
        texts.append(" ".join(notice.split()))
    return [Sentence(text, number, i, 1.0) for i, text in enumerate(texts)]
