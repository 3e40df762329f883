"""The assistant's pieces that need no index: citation repair, sentences, conversations."""

from __future__ import annotations

import logging

import pytest

from knowledge.assistant import about_own_territory
from knowledge.assistant.citations import CitationFilter, cited_numbers, repair
from knowledge.assistant.extractive import sentences
from knowledge.assistant.history import MemoryConversations
from knowledge.assistant.types import Turn


def test_repair_removes_unknown_numbers_and_logs_them(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        text, removed = repair("A [1]. B [9]. C [2, 9]. D [3][7].", {1, 2, 3, 4})
    assert text == "A [1]. B. C [2]. D [3]."
    assert sorted(set(removed)) == [7, 9]
    assert "citations invalides" in caplog.text
    assert cited_numbers(text) == [1, 2, 3]


def test_stream_filter_never_shows_an_invalid_citation() -> None:
    guard = CitationFilter({1, 2})
    shown = [guard.feed(t) for t in ["Le jumeau", " sert [", "9", "]. Et [", "2", "] fin [1][5]."]]
    assert all("[9" not in s for s in shown)
    out = "".join(shown) + guard.flush()
    assert out == "Le jumeau sert. Et [2] fin [1]."
    assert guard.removed == [9, 5]


def test_a_bracket_that_is_not_a_citation_is_released() -> None:
    guard = CitationFilter({1})
    out = guard.feed("voir [annexe technique du document de référence complet] ici") + guard.flush()
    assert out == "voir [annexe technique du document de référence complet] ici"


def test_sentences_join_wrapped_lines_and_drop_headings_and_markup() -> None:
    text = (
        "Titre de section :\nUne phrase **importante** coupée\nen deux lignes. "
        "Une autre phrase.\n- Un élément de liste."
    )
    assert sentences(text) == [
        "Une phrase importante coupée en deux lignes.",
        "Une autre phrase.",
        "Un élément de liste.",
    ]


def test_conversations_keep_the_last_turns_and_forget_the_oldest() -> None:
    store = MemoryConversations(capacity=2, max_turns=3)
    for i in range(4):
        store.append("a", Turn("user", f"q{i}"))
    assert [t.text for t in store.history("a")] == ["q1", "q2", "q3"]
    store.append("b", Turn("user", "x"))
    store.append("c", Turn("user", "y"))
    assert store.history("a") == []  # least recently used, dropped beyond capacity
    assert store.history("unknown") == []


@pytest.mark.parametrize(
    ("question", "own"),
    [
        ("Où en sommes-nous en gouvernance ouverte ?", True),
        ("Que prioriser ?", True),
        ("Quels sont nos points faibles ?", True),
        ("Comment Angers utilise-t-elle un jumeau numérique ?", False),
        ("Quels sont les scores d'Anglet ?", False),
    ],
)
def test_questions_about_our_own_territory(question: str, own: bool) -> None:
    assert about_own_territory(question) is own
