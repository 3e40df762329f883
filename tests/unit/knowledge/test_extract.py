"""Clean text out of each format, and bad files refused with their reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.errors import DocumentError
from knowledge.extract import detect_language, document_id_for, read_document
from tests.unit.knowledge.documents import make_pdf, write_samples


@pytest.fixture
def samples(tmp_path: Path) -> dict[str, Path]:
    return write_samples(tmp_path)


def _text(blocks: list) -> str:  # type: ignore[type-arg]
    return "\n".join(b.text for b in blocks)


def test_markdown_front_matter_headings_and_inline_markup(samples: dict[str, Path]) -> None:
    doc, raw = read_document(samples["md"])
    assert raw == samples["md"].read_bytes()
    assert (doc.id, doc.title, doc.language, doc.format) == (
        "fiche-test",
        "Fiche d'essai",
        "fr",
        "md",
    )
    assert doc.dimensions == ["strategy", "evaluation"]
    assert doc.references == ["Auteur A. (2024). Un rapport. https://example.org/rapport"]
    text = _text(doc.blocks)
    assert "un lien et du gras" in text and "](" not in text and "**" not in text
    assert "- premier point\n- second point" in text
    assert "alpha ; 1" in text and "---" not in text
    assert "# pas un titre" in text  # inside a code fence: text, not a heading
    sections = {b.headings for b in doc.blocks}
    assert ("Fiche d'essai", "Partie deux") in sections
    assert doc.path == str(samples["md"].resolve())


def test_html_keeps_the_main_text_without_scripts_styles_or_navigation(
    samples: dict[str, Path],
) -> None:
    doc, _ = read_document(samples["html"])
    text = _text(doc.blocks)
    assert doc.title == "Page d'essai" and doc.language == "fr"
    assert "Les sondes d'humidité pilotent l'arrosage des espaces verts." in text
    assert "mesure ; valeur" in text
    for chrome in (
        "SCRIPTSECRET",
        "color",
        "Accueil",
        "Bandeau",
        "Mentions",
        "Articles liés",
        "JavaScript",
    ):
        assert chrome not in text
    assert ("Titre principal", "Arrosage") in {b.headings for b in doc.blocks}


def test_html_without_main_keeps_the_body(tmp_path: Path) -> None:
    path = tmp_path / "simple.htm"
    path.write_text("<p>Un texte</p><nav>menu</nav><p>Deux textes</p>", encoding="utf-8")
    doc, _ = read_document(path)
    assert [b.text for b in doc.blocks] == ["Un texte", "Deux textes"]


def test_plain_text_title_and_paragraphs(samples: dict[str, Path]) -> None:
    doc, _ = read_document(samples["txt"])
    assert doc.title == "Note sur la fibre"
    assert [b.text for b in doc.blocks] == [
        "La fibre optique relie les écoles de la commune depuis l'an dernier.",
        "Le déploiement continue dans les hameaux.",
    ]
    assert doc.id == "note" and doc.source.endswith("note.txt")


def test_pdf_pages_and_metadata_title(samples: dict[str, Path]) -> None:
    doc, _ = read_document(samples["pdf"])
    assert doc.title == "Rapport éclairage" and doc.format == "pdf"
    pages = {b.page for b in doc.blocks}
    assert pages == {1, 2}
    assert any("capteurs de présence" in b.text and b.page == 2 for b in doc.blocks)


def test_utf8_bom_and_utf16_are_read(tmp_path: Path) -> None:
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffÉté indien".encode())
    utf16 = tmp_path / "seize.txt"
    utf16.write_bytes("Été indien".encode("utf-16"))
    assert read_document(bom)[0].blocks[0].text == "Été indien"
    assert read_document(utf16)[0].blocks[0].text == "Été indien"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("vide.md", b"", "fichier vide"),
        ("blanc.txt", b"  \n\n \t", "fichier vide"),
        ("binaire.txt", b"\x00\x01\x02ELF\x00" * 20, "binaire"),
        ("latin1.md", "Été à Biarritz".encode("latin-1"), "encodage illisible"),
        ("casse.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "PDF illisible"),
        ("faux.pdf", b"ceci n'est pas un PDF", "pas un PDF valide"),
        ("texte.docx", b"PK\x03\x04", "format non pris en charge"),
        ("entete.md", b"---\ntitle: [non ferme\n---\n\nTexte", "front matter"),
        ("titres.md", b"# Titre seul\n\n## Autre titre\n", "aucun texte"),
    ],
)
def test_bad_files_are_refused_with_a_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=reason):
        read_document(path)


def test_too_large_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "gros.txt"
    path.write_text("mot " * 1000, encoding="utf-8")
    with pytest.raises(DocumentError, match="trop volumineux"):
        read_document(path, max_bytes=1000)
    with pytest.raises(DocumentError, match="illisible"):
        read_document(tmp_path / "absent.txt")


def test_scanned_pdf_without_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_pdf([""]))
    with pytest.raises(DocumentError, match="aucun texte"):
        read_document(path)


def test_ids_and_language_detection() -> None:
    assert (
        document_id_for(Path("Études/Guide de l'Éclairage (v2).PDF")) == "guide-de-l-eclairage-v2"
    )
    assert detect_language("The city and the region are working on the project.") == "en"
    assert detect_language("La ville et la région travaillent sur le projet.") == "fr"
