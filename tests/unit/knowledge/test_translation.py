"""English questions over French passages: language detection and the domain lexicon."""

from __future__ import annotations

import pytest

from knowledge.analysis import FrenchAnalyser
from knowledge.translation import LEXICON, french_terms, is_english


@pytest.mark.parametrize(
    "text",
    [
        "What does Angers use its digital twin for?",
        "Why do local authorities struggle with open governance?",
        "How is the maturity level capped?",
    ],
)
def test_english_questions_are_recognised(text: str) -> None:
    assert is_english(text)


@pytest.mark.parametrize(
    "text",
    [
        "À quoi sert le jumeau numérique d'Angers ?",
        "Pourquoi la gouvernance ouverte est-elle difficile pour les communes ?",
        "smart city",  # a bare keyword query is language-neutral
        "GTFS",
        "open data",
    ],
)
def test_french_and_keyword_queries_are_not_translated(text: str) -> None:
    assert not is_english(text)


def test_phrases_are_translated_before_their_words() -> None:
    terms = french_terms("What does Angers use its digital twin for, against urban heat islands?")
    assert "jumeau numérique" in terms and "îlots de chaleur urbains" in terms
    assert "chaleur" in terms.split()
    assert french_terms("Angers Mulhouse Biarritz") == ""


def test_hyphenated_entries_match_with_or_without_the_hyphen() -> None:
    assert french_terms("vendor lock-in") == french_terms("vendor lock in")
    assert "dépendance" in french_terms("lock-in")


def test_every_rendering_gives_the_french_analyser_something_to_search() -> None:
    analyser = FrenchAnalyser()
    empty = [english for english, french in LEXICON.items() if not analyser(french)]
    assert not empty
