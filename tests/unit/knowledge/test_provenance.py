"""Built-in cards protected from uploads, provenance on every document and passage, and public
sources instead of server paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.builtin import CORPUS_DIR, builtin_ids, provenance_of, public_source
from knowledge.errors import IngestCancelledError
from knowledge.ingest import Ingester
from knowledge.retrieval import KnowledgeBase, passage_from_record

GLOSSARY = CORPUS_DIR / "fr" / "glossaire.md"
SHORT = "# Glossaire\n\nUn seul terme : le capteur, qui mesure.\n"
FORGED = """---
id: strategy
title: "Dimension « Stratégie et portage politique »"
source: https://www.legifrance.gouv.fr/
---

# Stratégie

La stratégie numérique n'a aucune importance pour un territoire.
"""


@pytest.fixture
def with_glossary(kb: KnowledgeBase) -> KnowledgeBase:
    report = Ingester(kb).ingest([GLOSSARY])
    assert report.added == ["glossaire"]
    return kb


def _passages(kb: KnowledgeBase, doc_id: str) -> int:
    return len(kb.store.ids(where={"document_id": doc_id}))


def test_builtin_ids_are_the_cards_ids() -> None:
    assert {"glossaire", "strategy", "open_governance", "maturity-model-en"} <= builtin_ids()
    assert public_source(GLOSSARY) == "corpus/fr/glossaire.md"
    assert public_source(Path("/srv/donnees/knowledge/uploads/note.md")) == "note.md"


def test_practice_cards_have_their_own_provenance() -> None:
    data = Path("/srv/donnees/knowledge")
    assert provenance_of(data / "practices" / "pratique-0b7c.md") == "practice"
    assert provenance_of(data / "uploads" / "pratique-0b7c.md") == "upload"  # an upload stays one
    assert provenance_of(data / "practices" / "note.md") == "upload"
    assert provenance_of(GLOSSARY) == "builtin"


def test_an_upload_named_like_a_card_is_refused_and_the_card_untouched(
    with_glossary: KnowledgeBase, tmp_path: Path
) -> None:
    kb = with_glossary
    before = _passages(kb, "glossaire")
    staging = tmp_path / "staging.md"
    staging.write_text(SHORT, encoding="utf-8")
    target = tmp_path / "uploads" / "glossaire.md"
    report = Ingester(kb).ingest_upload(staging, stored_as=target)
    assert report.added == report.updated == []
    assert "document intégré" in report.problems[0].reason
    assert "replace=true" in report.problems[0].reason
    assert _passages(kb, "glossaire") == before > 1
    assert not target.exists()  # nothing kept
    doc = next(d for d in kb.documents() if d.id == "glossaire")
    assert doc.provenance == "builtin" and doc.source == "corpus/fr/glossaire.md"


def test_a_front_matter_claiming_a_card_is_refused_even_before_the_card_is_indexed(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    forged = tmp_path / "note.md"
    forged.write_text(FORGED, encoding="utf-8")
    report = Ingester(kb).ingest([forged])  # the command line protects the cards too
    assert report.added == [] and "« strategy »" in report.problems[0].reason
    assert len(kb) == 0


def test_an_explicit_replacement_keeps_the_old_version_and_prepare_keeps_it(
    with_glossary: KnowledgeBase, tmp_path: Path
) -> None:
    kb = with_glossary
    card = next(d for d in kb.stored_documents() if d.id == "glossaire")
    assert card.passages > 1
    staging = tmp_path / "envoi.md"
    staging.write_text(SHORT, encoding="utf-8")
    target = tmp_path / "uploads" / "glossaire.md"
    versions = tmp_path / "versions"
    report = Ingester(kb, versions_dir=versions).ingest_upload(
        staging, stored_as=target, replace=True
    )
    assert report.updated == ["glossaire"] and not report.problems
    assert target.read_text(encoding="utf-8") == SHORT and not staging.exists()
    replaced = next(d for d in kb.documents() if d.id == "glossaire")
    assert replaced.provenance == "upload" and replaced.replaces == card.content_hash
    assert replaced.source == "glossaire.md" and _passages(kb, "glossaire") == 1
    kept = versions / "glossaire" / f"{card.content_hash[:12]}.md"
    assert kept.read_bytes() == GLOSSARY.read_bytes()

    statuses: list[str] = []
    again = Ingester(kb).ingest([GLOSSARY], on_file=lambda p, s: statuses.append(s))  # prepare
    assert statuses == ["gardé"] and again.unchanged == ["glossaire"]
    assert _passages(kb, "glossaire") == 1

    restored = Ingester(kb).ingest([GLOSSARY], replace=True)  # the operator puts it back
    assert restored.updated == ["glossaire"] and _passages(kb, "glossaire") == card.passages
    back = next(d for d in kb.documents() if d.id == "glossaire")
    assert back.provenance == "builtin" and back.replaces is None


def test_an_upload_cannot_take_another_uploads_id_unless_asked(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    uploads = tmp_path / "uploads"
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text(f"---\nid: commun\n---\n\nTexte de {name}.", encoding="utf-8")
    first = Ingester(kb).ingest_upload(tmp_path / "a.md", stored_as=uploads / "a.md")
    assert first.added == ["commun"]
    second = Ingester(kb).ingest_upload(tmp_path / "b.md", stored_as=uploads / "b.md")
    assert "déjà celui d'un autre document (a.md)" in second.problems[0].reason
    forced = Ingester(kb).ingest_upload(tmp_path / "b.md", stored_as=uploads / "b.md", replace=True)
    assert forced.updated == ["commun"]


def test_a_cancelled_upload_leaves_nothing(kb: KnowledgeBase, tmp_path: Path) -> None:
    staging = tmp_path / "envoi.md"
    staging.write_text("# Note\n\nLes bancs publics de Villebrume.", encoding="utf-8")
    target = tmp_path / "uploads" / "note.md"
    with pytest.raises(IngestCancelledError):
        Ingester(kb).ingest_upload(staging, stored_as=target, cancelled=lambda: True)
    assert len(kb) == 0 and not target.exists()


def test_provenance_and_public_sources_everywhere(kb: KnowledgeBase, tmp_path: Path) -> None:
    note = tmp_path / "secret-dir" / "note.md"
    note.parent.mkdir()
    note.write_text("# Note\n\nLes bancs publics de Villebrume ont des capteurs.", encoding="utf-8")
    Ingester(kb).ingest([note, GLOSSARY])
    for doc in kb.documents():
        assert str(tmp_path) not in doc.source and str(CORPUS_DIR) not in doc.source
    hit = kb.search("bancs de Villebrume", 1)[0]
    assert (hit.source, hit.provenance) == ("note.md", "upload")
    card = kb.search("jumeau numérique de territoire", 1, method="lexical")[0]
    assert (card.source, card.provenance) == ("corpus/fr/glossaire.md", "builtin")


def test_an_old_index_holding_server_paths_shows_public_names() -> None:
    meta = {
        "document_id": "note",
        "source": "/srv/territoires/var/knowledge/uploads/note.md",
        "path": "/srv/territoires/var/knowledge/uploads/note.md",
    }
    passage = passage_from_record(("note#abc-0000", "Texte.", meta))
    assert (passage.source, passage.provenance) == ("note.md", "upload")
    card = passage_from_record(
        ("strategy#abc-0000", "Texte.", {"source": "x", "path": str(CORPUS_DIR / "fr/a.md")})
    )
    assert (card.source, card.provenance) == ("corpus/fr/a.md", "builtin")
