"""What feedback keeps of an answer: nothing that came from the caller's territory source."""

from __future__ import annotations

from knowledge.assistant import Citation
from service.assistant.feedback import without_territory


def cite(number: int, kind: str = "passage") -> Citation:
    return Citation(number=number, text="…", title=f"Source {number}", source="s", kind=kind)  # type: ignore[arg-type]


ANSWER = (
    "Réponse extractive : les phrases ci-dessous sont reprises telles quelles.\n"
    "Votre indice est de 44,5 sur 100. [3] La gouvernance ouverte se construit d'abord "
    "en interne. [1] [2] Elle associe ensuite les habitants. [2]\n"
    "Sans citation, une phrase peut paraphraser vos résultats.\n"
    "Sources :\n[1] Fiche gouvernance (x)\n[2] Article (y)\n[3] Résultats de Biarritz (z)"
)


def test_sentences_citing_the_territory_or_nothing_are_removed() -> None:
    kept = without_territory(ANSWER, [cite(1), cite(2), cite(3, "territory")])
    assert "44,5" not in kept and "Biarritz" not in kept and "paraphraser" not in kept
    assert "d'abord en interne. [1] [2]" in kept and "les habitants. [2]" in kept
    assert "[1] Fiche gouvernance (x)" in kept and "[2] Article (y)" in kept


def test_an_answer_without_territory_source_is_kept_whole() -> None:
    assert without_territory(ANSWER, [cite(1), cite(2), cite(3)]) == ANSWER
