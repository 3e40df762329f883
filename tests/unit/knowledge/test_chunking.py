"""Structure-aware splitting into passages with overlap."""

from __future__ import annotations

import itertools

from knowledge.chunking import ChunkingConfig, chunk_document, context_text, section_label
from knowledge.types import Block, ParsedDocument


def _doc(blocks: list[Block], title: str = "Titre") -> ParsedDocument:
    return ParsedDocument(
        id="d", title=title, source="s", language="fr", format="md", blocks=blocks
    )


def _sentences(prefix: str, n: int, words: int = 10) -> str:
    return " ".join(f"{prefix}{i} " + " ".join(["mot"] * (words - 2)) + " fin." for i in range(n))


def test_each_long_section_starts_its_own_passage() -> None:
    blocks = [
        Block(_sentences("a", 10), ("Titre", "Partie A")),
        Block(_sentences("b", 10), ("Titre", "Partie B")),
    ]
    chunks = chunk_document(_doc(blocks))
    assert [c.section for c in chunks] == ["Partie A", "Partie B"]
    assert [c.position for c in chunks] == [0, 1]
    assert chunks[1].text.startswith("b0 ")  # no overlap across sections


def test_long_sections_are_cut_between_sentences_with_overlap() -> None:
    config = ChunkingConfig(target_words=60, max_words=80, overlap_words=15, min_words=20)
    blocks = [Block(_sentences("P", 4), ("S",)) for _ in range(5)]
    chunks = chunk_document(_doc(blocks), config)
    assert len(chunks) > 3
    for c in chunks:
        assert len(c.text.split()) <= config.target_words + config.overlap_words + 5
        assert c.text.rstrip().endswith("fin.")
    for previous, current in itertools.pairwise(chunks):
        last_sentence = "P" + previous.text.rsplit("P", 1)[-1]
        assert current.text.startswith(last_sentence)  # whole sentences carried over


def test_a_paragraph_longer_than_the_maximum_is_split() -> None:
    config = ChunkingConfig(target_words=50, max_words=60, overlap_words=0, min_words=10)
    blocks = [Block(_sentences("x", 30), ())]
    chunks = chunk_document(_doc(blocks), config)
    assert len(chunks) >= 5
    assert all(len(c.text.split()) <= 60 for c in chunks)
    words = " ".join(c.text for c in chunks).split()
    assert words == blocks[0].text.split()  # nothing lost, nothing repeated without overlap


def test_a_run_on_text_without_sentences_is_cut_by_words() -> None:
    config = ChunkingConfig(target_words=40, max_words=50, overlap_words=0, min_words=10)
    chunks = chunk_document(_doc([Block(" ".join(["mot"] * 230))]), config)
    assert [len(c.text.split()) for c in chunks] == [50, 50, 50, 50, 30]


def test_short_sections_are_grouped_with_their_heading_in_the_text() -> None:
    blocks = [
        Block("Niveau zéro : rien n'existe encore.", ("Titre", "Niveaux", "Niveau 0")),
        Block("Niveau un : quelques essais isolés.", ("Titre", "Niveaux", "Niveau 1")),
        Block("Niveau deux : une feuille de route.", ("Titre", "Niveaux", "Niveau 2")),
    ]
    chunks = chunk_document(_doc(blocks))
    assert len(chunks) == 1
    assert chunks[0].section == "Niveaux > Niveau 0"
    assert "Niveau 1 :\nNiveau un" in chunks[0].text
    assert "Niveau 2 :\nNiveau deux" in chunks[0].text


def test_pdf_pages_are_kept() -> None:
    config = ChunkingConfig(target_words=30, max_words=40, overlap_words=0, min_words=5)
    blocks = [Block(_sentences("q", 3), (), page=1), Block(_sentences("r", 3), (), page=2)]
    chunks = chunk_document(_doc(blocks), config)
    assert [c.page for c in chunks] == [1, 2]


def test_section_label_drops_the_document_title() -> None:
    assert section_label(("Titre", "A", "B"), "Titre") == "A > B"
    assert section_label(("Guide", "A"), "Guide (version longue)") == "A"
    assert section_label(("Autre", "A"), "Titre") == "Autre > A"
    assert section_label(("Titre",), "Titre") is None


def test_context_text_prefixes_title_and_section() -> None:
    assert context_text("T", "S > U", "corps") == "T — S > U\ncorps"
    assert context_text("T", None, "corps") == "T\ncorps"


def test_config_version_changes_with_sizes() -> None:
    assert ChunkingConfig().version != ChunkingConfig(target_words=100).version


def test_every_passage_is_labelled_with_the_section_its_text_comes_from() -> None:
    """A section cut with overlap, followed by another: the passage carrying the end of the
    first section keeps that label, and every passage of the second is labelled with it (the
    second used to inherit the first's label through the overlap)."""
    config = ChunkingConfig(target_words=60, max_words=80, overlap_words=15, min_words=50)
    blocks = [Block(_sentences("a", 1), ("T", "A")) for _ in range(7)]
    blocks += [Block(_sentences("b", 1), ("T", "B")) for _ in range(14)]
    chunks = chunk_document(_doc(blocks, title="T"), config)
    for c in chunks:
        own = {w[0] for w in c.text.split() if w[0] in "ab" and w[1:].isdigit()}
        assert own <= {str(c.section).lower()}, (c.section, c.text)
    assert {c.section for c in chunks} == {"A", "B"}


def test_a_heading_ending_with_a_colon_is_not_given_another() -> None:
    blocks = [
        Block("Un élément brut.", ("Lexique", "Donnée :")),
        Block("Une donnée librement réutilisable.", ("Lexique", "Donnée ouverte :")),
    ]
    chunks = chunk_document(_doc(blocks, title="Lexique"))
    assert "Donnée ouverte :\nUne donnée" in chunks[0].text
    assert ": :" not in chunks[0].text
