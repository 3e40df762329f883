"""The figures check: with data among the sources, only their numbers may be stated (as written
or rounded), citations aside; a number still being streamed is held back until complete."""

from __future__ import annotations

import pytest

from knowledge.assistant.figures import FigureCheck, numbers

SOURCE = "| Commune, 20 000 à 50 000 hab. | 2 053 | 46,21 | 45,8 |\nCampagne 2026, k = 5."


def test_numbers_read_french_and_english_writing() -> None:
    found = [v for v, _, _ in numbers("2 053 territoires, médiane 46,21 [1][2], 3.5 et 2026")]
    assert found == [2053.0, 46.21, 3.5, 2026.0]


@pytest.mark.parametrize("stated", ["46,21", "46,2", "46", "2 053", "2026", "45,8", "5"])
def test_numbers_of_the_sources_pass_as_written_or_rounded(stated: str) -> None:
    check = FigureCheck([SOURCE])
    text = f"La médiane est de {stated} [3]. "
    assert check.feed(text) + check.flush() == text and check.problem is None


def test_an_unknown_number_stops_the_text_before_it() -> None:
    check = FigureCheck([SOURCE])
    shown = check.feed("La médiane est de 46,2 [3] sur 100, et la moyenne de 52,7. Puis")
    assert shown == "La médiane est de 46,2 [3] sur 100, et la moyenne de "
    assert check.problem == "chiffres"
    assert check.unknown == 52.7 and check.feed("encore") == "" and check.flush() == ""


def test_a_number_is_held_back_until_it_is_complete() -> None:
    check = FigureCheck([SOURCE])
    pieces = ["La médiane est de 4", "6,", "2", "1 pour 120 [1]."]
    shown = [check.feed(p) for p in pieces] + [check.flush()]
    assert shown[:3] == ["La médiane est de", "", ""]
    assert check.problem == "chiffres"  # 120 is given by no source
    assert "".join(shown) == "La médiane est de 46,21 pour "
