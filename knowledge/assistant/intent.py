"""What a question asks, read without a model: its language, the places, bodies or people it
names, whether it asks for a figure or for a definition, and how a short follow-up continues
the previous question (« Et Mulhouse ? » after a question on Angers)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Final, Literal

__all__ = [
    "Language",
    "absent_figure",
    "asks_figure",
    "defined_term",
    "figure_kinds",
    "figure_nouns",
    "fold",
    "language",
    "names",
    "resolve_follow_up",
    "standalone",
]

Language = Literal["fr", "en"]

_ENGLISH: Final = frozenset(
    re.findall(
        r"\S+",
        "the what how is are of and in to does do which why who can should with for a an on "
        "about our we us my this that these it its there be been has have their from by",
    )
)
_FRENCH: Final = frozenset(
    re.findall(
        r"\S+",
        "le la les de des du est quel quelle quels quelles comment pourquoi que qu et en un une "
        "nos notre au aux pour sur dans ce cette ces qui il elle on nous sont se son sa ses par "
        "avec l d c s n est-ce",
    )
)
_WORD = re.compile(r"[\w'’-]+")
_NAME = re.compile(
    r"(?<![\w-])[A-ZÀ-Ý][\w-]*(?:\s+(?:de|des|du|la|le|sur|en|d'|l')?\s*[A-ZÀ-Ý][\w-]*)*"
)
_NOT_NAMES: Final = frozenset(
    {"I", "Et", "And", "Or", "Ou", "Mais", "But", "Quel", "Quelle", "Quels", "Quelles"}
)
_FIGURE = re.compile(
    r"\b(?:budgets?|co[uû]ts?|montants?|combien|chiffres?|chiffr\w+|salaires?|prix|tarifs?|"
    r"effectifs?|euros?|financements?|dates?|calendriers?|délais?|cost\w*|how much|how many|"
    r"salar\w+|price\w*|figures?|amounts?|funding)\b|€",
    re.IGNORECASE,
)
_NOT_GIVEN = re.compile(
    r"\b(?:ne|n['’])\s*(?:\w+\s+){0,2}?(?:donne|pr[ée]cise|fournit|indique|rapporte|communique|"
    r"publie|chiffre)\w*\s+(?:ni|pas|aucun|aucune)\b|\b(?:does not|doesn't|do not) "
    r"(?:give|state|report|provide)\b|\bno (?:budget|figure|cost)s? (?:is|are) given\b",
    re.IGNORECASE,
)
_DEFINITION = re.compile(
    r"^(?:qu['’]est[- ]ce (?:que|qu['’])|que (?:veut dire|signifie)|c['’]est quoi|"
    r"(?:quelle est la )?définition (?:de|d['’]|du|des)|définir|définis(?:sez)?|"
    r"what (?:is|are|does)|define|definition of)\s*(?:l['’]|le |la |les |un |une |des |du |"
    r"the |a |an )?(?P<term>.+?)(?:\s+mean)?\s*\??$",
    re.IGNORECASE,
)
_FOLLOW_UP_LEAD = re.compile(
    r"^(?:et|and|what about|how about|et pour|et à|et a|et en|et dans|et chez|and for|and in)"
    r"\s+",
    re.IGNORECASE,
)


def fold(text: str) -> str:
    """Lowercase, accents removed, apostrophes unified: for comparing names and terms."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def language(question: str) -> Language:
    """``en`` when the question has more English than French function words, else ``fr``."""
    words = [w.casefold().replace("’", "'") for w in _WORD.findall(question)]
    words = [w.split("'")[0] if "'" in w else w for w in words]
    english = sum(w in _ENGLISH for w in words)
    french = sum(w in _FRENCH for w in words)
    return "en" if english > french else "fr"


def names(question: str) -> list[str]:
    """The proper names the question uses (capitalised words, not the opening one)."""
    found: list[str] = []
    for match in _NAME.finditer(question):
        name = match.group(0).strip()
        if match.start() == question.find(question.lstrip()[:1]):
            # the opening word is capitalised anyway: keep what follows it, if a name
            _first, _, rest = name.partition(" ")
            name = rest.strip() if rest and rest[:1].isupper() else ""
        words = [w for w in name.split() if w not in _NOT_NAMES]
        if words:
            found.append(" ".join(words))
    return found


def asks_figure(question: str) -> bool:
    """Whether the question asks for an amount, a number or a date."""
    return bool(_FIGURE.search(question))


_FIGURE_KINDS: Final = {
    "money": re.compile(
        r"\b(?:budg\w*|co[uû]t\w*|montants?|prix|tarifs?|financ\w*|d[ée]penses?|euros?|"
        r"cost\w*|price\w*|fund\w*|spen\w*)\b",
        re.IGNORECASE,
    ),
    "pay": re.compile(r"\b(?:salai\w*|r[ée]mun[ée]ration\w*|salar\w+|wages?)\b", re.IGNORECASE),
    "time": re.compile(
        r"\b(?:calendriers?|dates?|d[ée]lais?|[ée]ch[ée]anc\w*|schedules?|timelines?)\b",
        re.IGNORECASE,
    ),
    "staff": re.compile(r"\b(?:effectifs?|agents?|postes?|staff\w*|headcount)\b", re.IGNORECASE),
}
"""Kinds of figure, by the words that name them: a source saying no budget is given says
nothing of salaries."""


def figure_kinds(text: str) -> set[str]:
    """The kinds of figure `text` names (« budget » → money, « salaire » → pay)."""
    return {kind for kind, words in _FIGURE_KINDS.items() if words.search(text)}


def figure_nouns(question: str) -> list[str]:
    """The words by which a question names the figures it asks for (« budget », « salaire »)."""
    return [m.group(0) for words in _FIGURE_KINDS.values() for m in words.finditer(question)]


def absent_figure(sentence: str) -> bool:
    """Whether `sentence` says that a figure is not given (« L'article ne donne ni budgets… »)."""
    return bool(_NOT_GIVEN.search(sentence)) and asks_figure(sentence)


def defined_term(question: str) -> str | None:
    """The term a definition question asks about (« Qu'est-ce que la souveraineté
    numérique ? » → « souveraineté numérique »), else None."""
    match = _DEFINITION.match(question.strip())
    if match is None:
        return None
    term = match.group("term").strip(' ?.!«»"')
    return term if 0 < len(term.split()) <= 6 else None


def resolve_follow_up(question: str, previous: str) -> str:
    """The standalone question a short follow-up stands for: the previous question with its
    place swapped for the new one (« Et Mulhouse ? » after « Comment Angers utilise-t-elle un
    jumeau numérique ? »), else both together."""
    rest = _FOLLOW_UP_LEAD.sub("", question.strip()).strip(" ?.!")
    new, old = names(f"Et {rest}"), names(previous)
    if new and old:
        resolved = previous
        for name in old:
            resolved = resolved.replace(name, new[0])
        return resolved
    return f"{previous} {rest}".strip()


def standalone(asked: Sequence[str], short: Callable[[str], bool]) -> str:
    """The last of the questions `asked` made standalone: each `short` follow-up resolved
    against the question before it, in turn (« Et Mulhouse ? » then « Et Biarritz ? »)."""
    resolved = asked[0]
    for question in asked[1:]:
        resolved = resolve_follow_up(question, resolved) if short(question) else question
    return resolved
