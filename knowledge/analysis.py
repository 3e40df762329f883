"""French text analysis for the lexical (BM25) side: lowercase, stopwords, stemming, accents.

Each word is lowercased, dropped if it is a French (or common English) stopword, stemmed with
the Snowball French stemmer (PyStemmer), and folded to ASCII. Because the stemmer works best on
accented words but people often type without accents, a word whose accent-free spelling stems
differently also yields that second stem: « données » and « donnees » then share a term.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

__all__ = ["FRENCH_STOPWORDS", "FrenchAnalyser", "fold_accents"]

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "Œ": "oe", "Æ": "ae", "ß": "ss"})

_FRENCH_WORDS = """
    a ai aie aient aies ait alors as au aucun aucune aura aurai auraient aurais aurait auras
    aurez auriez aurions aurons auront aussi autre autres aux avaient avais avait avant avec
    avez aviez avions avoir avons ayant ayez ayons bien c ça car ce ceci cela celle celles
    celui cependant certains ces cet cette ceux chaque chez comme comment d dans de depuis des
    donc dont du elle elles en encore entre es est et étaient étais était étant été êtes être
    eu eux faire fait faut fois font hors ici il ils j je jusqu l la là le les leur leurs lors
    lorsque lui m ma mais me même mêmes mes moi moins mon n ne ni non nos notre nous on ont ou
    où par parce pas peu peut peuvent plus pour pourquoi puis qu quand que quel quelle quelles
    quels qui quoi s sa sans se selon sera serait ses si soi soit sont sous suis sur t ta te
    tel telle tels tes toi ton tous tout toute toutes très tu un une vers via voici voilà vos
    votre vous y à
"""
FRENCH_STOPWORDS = frozenset(_FRENCH_WORDS.split())
"""French function words (Snowball's list, plus question words and frequent adverbs)."""

_ENGLISH_WORDS = """
    about and are at be been by can could do does for from has have how if in into is it its
    no not of or should such than that the their then there these they this those to was
    what when where which who why will with would
"""
_ENGLISH_STOPWORDS = frozenset(_ENGLISH_WORDS.split())
"""Common English function words; « but » and « an » are left out: French words (goal, year)."""


def fold_accents(text: str) -> str:
    """Remove diacritics and expand ligatures (``é → e``, ``œ → oe``)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_STOPWORDS = frozenset(
    FRENCH_STOPWORDS | _ENGLISH_STOPWORDS | {fold_accents(w) for w in FRENCH_STOPWORDS}
)


class FrenchAnalyser:
    """Turns text into BM25 terms; the same instance analyses documents and queries."""

    version = "fr-snowball-fold-1"
    """Changes whenever the terms produced change (the lexical index is then rebuilt)."""

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("french")
        self._terms = lru_cache(maxsize=65_536)(self._word_terms)

    def _word_terms(self, word: str) -> tuple[str, ...]:
        stem = fold_accents(self._stemmer.stemWord(word))
        plain = fold_accents(word)
        if plain == word:
            return (stem,)
        other = self._stemmer.stemWord(plain)
        return (stem,) if other == stem else (stem, other)

    def words(self, text: str) -> list[str]:
        """Lowercased words of `text`, stopwords and one-letter words removed."""
        found = _WORD.findall(text.lower())
        return [w for w in found if w not in _STOPWORDS and (len(w) > 1 or w.isdigit())]

    def __call__(self, text: str) -> list[str]:
        """The BM25 terms of `text`, in order (a word may yield two terms, see module doc)."""
        terms: list[str] = []
        for word in self.words(text):
            terms.extend(self._terms(word))
        return terms
