"""The French analyser of the lexical side."""

from __future__ import annotations

import pytest

from knowledge.analysis import FrenchAnalyser, fold_accents


@pytest.fixture(scope="module")
def analyse() -> FrenchAnalyser:
    return FrenchAnalyser()


def test_lowercase_stopwords_and_stems(analyse: FrenchAnalyser) -> None:
    assert analyse("Les Territoires et leurs données") == ["territoir", "don", "donne"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("évaluation", "évaluer"),
        ("stratégies", "stratégie"),
        ("collectivités", "collectivité"),
        ("jumeaux numériques", "jumeau numérique"),
        ("citoyennes", "citoyens"),
        ("inondations", "inondation"),
    ],
)
def test_inflections_share_their_terms(analyse: FrenchAnalyser, a: str, b: str) -> None:
    assert set(analyse(a)) & set(analyse(b))


@pytest.mark.parametrize(
    ("accented", "plain"),
    [
        ("données", "donnees"),
        ("sécurité", "securite"),
        ("réversibilité", "reversibilite"),
        ("éclairage", "eclairage"),
        ("îlots de chaleur", "ilots de chaleur"),
        ("cœur", "coeur"),
    ],
)
def test_queries_typed_without_accents_match(
    analyse: FrenchAnalyser, accented: str, plain: str
) -> None:
    assert set(analyse(plain)) <= set(analyse(accented))


def test_french_and_english_function_words_are_dropped(analyse: FrenchAnalyser) -> None:
    assert analyse("Comment est-ce que la ville a fait ?") == ["vill"]
    assert analyse("What is the role of the city?") == ["rol", "city"]


def test_french_content_words_that_look_english_are_kept(analyse: FrenchAnalyser) -> None:
    # « but » (goal) and « an » (year) are English stopwords but French content words.
    assert analyse("le but de l'an") == ["but", "an"]


def test_elisions_acronyms_and_numbers(analyse: FrenchAnalyser) -> None:
    assert analyse("l'eau, d'Angers, la loi REEN de 2021") == [
        "eau",
        "anger",
        "loi",
        "reen",
        "2021",
    ]


def test_fold_accents_expands_ligatures() -> None:
    assert fold_accents("Œuvre à l'été, ça") == "oeuvre a l'ete, ca"
