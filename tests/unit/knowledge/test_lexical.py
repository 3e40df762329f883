"""The BM25 side: French analysis, persistence, and generations."""

from __future__ import annotations

from pathlib import Path

from knowledge.analysis import FrenchAnalyser
from knowledge.lexical import LexicalIndex

IDS = ["eau", "lumiere", "jumeau"]
TEXTS = [
    "Les compteurs communicants suivent la consommation d'eau et détectent les fuites.",
    "L'éclairage public s'adapte au passage des piétons pour économiser l'énergie.",
    "Le jumeau numérique simule les îlots de chaleur et les inondations.",
]


def _index(generation: str = "g1") -> LexicalIndex:
    return LexicalIndex.build(IDS, TEXTS, FrenchAnalyser(), generation)


def test_search_finds_inflected_and_unaccented_words() -> None:
    index = _index()
    assert index.search("jumeaux numériques", 3)[0][0] == "jumeau"
    assert index.search("eclairage", 3)[0][0] == "lumiere"
    assert index.search("fuite d'eau", 3)[0][0] == "eau"


def test_only_matching_passages_are_returned() -> None:
    index = _index()
    assert [i for i, _ in index.search("inondation", 3)] == ["jumeau"]
    assert index.search("tarte tatin", 3) == []
    assert index.search("le la les", 3) == []  # stopwords only
    assert index.search("eau", 0) == []


def test_empty_index_answers_nothing() -> None:
    index = LexicalIndex.build([], [], FrenchAnalyser(), "vide")
    assert len(index) == 0 and index.search("eau", 5) == []


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    directory = tmp_path / "bm25"
    _index("g1").save(directory)
    loaded = LexicalIndex.load(directory, FrenchAnalyser())
    assert loaded is not None and loaded.generation == "g1" and loaded.ids == IDS
    assert loaded.search("chaleur", 1) == _index().search("chaleur", 1)
    _index("g2").save(directory)  # replaced in place
    reloaded = LexicalIndex.load(directory, FrenchAnalyser())
    assert reloaded is not None and reloaded.generation == "g2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bm25"]


def test_missing_corrupt_or_foreign_indexes_are_not_loaded(tmp_path: Path) -> None:
    assert LexicalIndex.load(tmp_path / "absent", FrenchAnalyser()) is None
    directory = tmp_path / "bm25"
    _index().save(directory)
    (directory / "state.json").write_text("{pas du json", encoding="utf-8")
    assert LexicalIndex.load(directory, FrenchAnalyser()) is None

    class OtherAnalyser(FrenchAnalyser):
        version = "autre"

    _index().save(directory)
    assert LexicalIndex.load(directory, OtherAnalyser()) is None


def test_passages_without_any_indexable_word_give_an_empty_index(tmp_path: Path) -> None:
    """Only stopwords and punctuation: no vocabulary, no crash, and it survives a reload."""
    analyser = FrenchAnalyser()
    index = LexicalIndex.build(["p1", "p2"], ["le la les", "x !"], analyser, "g0")
    assert len(index) == 2 and index.search("le", 3) == []
    index.save(tmp_path / "lex")
    loaded = LexicalIndex.load(tmp_path / "lex", analyser)
    assert loaded is not None and loaded.search("x", 3) == []
