"""Ingestion into a real embedded Chroma: formats, incremental updates, bad files, atomicity."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from knowledge.chunking import chunk_document
from knowledge.errors import IndexMismatchError
from knowledge.extract import read_document
from knowledge.ingest import Ingester, discover
from knowledge.retrieval import KnowledgeBase
from knowledge.store import VectorStore
from tests.knowledge_fixtures import config_for, fresh_kb
from tests.unit.knowledge.documents import make_pdf, write_samples


def _passages_of(kb: KnowledgeBase, doc_id: str) -> list[str]:
    return sorted(kb.store.ids(where={"document_id": doc_id}))


def test_every_format_is_indexed_with_its_metadata(kb: KnowledgeBase, tmp_path: Path) -> None:
    write_samples(tmp_path / "docs")
    report = Ingester(kb).run([tmp_path / "docs"])
    assert sorted(report.added) == ["fiche-test", "note", "page", "rapport"]
    assert not report.problems and report.passages == len(kb) >= 4
    docs = {d.id: d for d in kb.documents()}
    assert {d.format for d in docs.values()} == {"md", "html", "txt", "pdf"}
    assert docs["fiche-test"].dimensions == ["strategy", "evaluation"]

    pdf = kb.search("capteurs de présence qui allument la rue", 1, method="lexical")[0]
    assert (pdf.document_id, pdf.page, pdf.title) == ("rapport", 2, "Rapport éclairage")
    html = kb.search("sondes d'humidité pour l'arrosage", 1)[0]
    assert (html.document_id, html.section) == ("page", "Titre principal")
    assert "Arrosage :\nLes sondes d'humidité" in html.text  # short section folded in
    assert "SCRIPTSECRET" not in html.text
    card = kb.search("lampadaire connecté", 1)[0]
    assert card.document_id == "fiche-test" and card.section is None  # a single passage
    assert "Partie deux :\nLe lampadaire connecté" in card.text
    assert card.references == ["Auteur A. (2024). Un rapport. https://example.org/rapport"]
    assert card.language == "fr" and card.similarity is not None and card.rank == 1


def test_reingesting_unchanged_files_does_nothing(kb: KnowledgeBase, tmp_path: Path) -> None:
    write_samples(tmp_path / "docs")
    Ingester(kb).run([tmp_path / "docs"])
    ids, generation = sorted(kb.store.ids()), kb.store.generation()
    again = Ingester(kb).run([tmp_path / "docs"])
    assert sorted(again.unchanged) == ["fiche-test", "note", "page", "rapport"]
    assert (again.added, again.updated, again.passages, again.changed) == ([], [], 0, False)
    assert sorted(kb.store.ids()) == ids and kb.store.generation() == generation


def test_a_changed_file_replaces_its_passages(kb: KnowledgeBase, tmp_path: Path) -> None:
    files = write_samples(tmp_path / "docs")
    Ingester(kb).run([tmp_path / "docs"])
    before = _passages_of(kb, "note")
    files["txt"].write_text(
        "Note sur la fibre\n\nLe raccordement des mairies annexes est achevé.\n", encoding="utf-8"
    )
    report = Ingester(kb).run([tmp_path / "docs"])
    assert report.updated == ["note"] and len(report.unchanged) == 3
    after = _passages_of(kb, "note")
    assert after and not set(after) & set(before)
    assert kb.search("hameaux", 5, method="lexical") == []
    found = kb.search("raccordement des mairies annexes", 1, method="lexical")
    assert found[0].document_id == "note"


def test_prune_removes_documents_whose_file_is_gone(kb: KnowledgeBase, tmp_path: Path) -> None:
    files = write_samples(tmp_path / "docs")
    Ingester(kb).run([tmp_path / "docs"])
    files["html"].unlink()
    kept = Ingester(kb).run([tmp_path / "docs"])
    assert kept.removed == [] and "page" in {d.id for d in kb.documents()}
    pruned = Ingester(kb).run([tmp_path / "docs"], prune=True)
    assert pruned.removed == ["page"]
    assert "page" not in {d.id for d in kb.documents()} and _passages_of(kb, "page") == []
    assert kb.search("sondes d'humidité", 5, method="lexical") == []


def test_bad_files_are_reported_and_the_rest_of_the_batch_is_indexed(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    write_samples(docs)
    (docs / "vide.md").write_bytes(b"")
    (docs / "binaire.txt").write_bytes(b"\x00\x01MZ\x00" * 50)
    (docs / "ancien.txt").write_bytes("Fiche écrite en Latin-1 : été".encode("latin-1"))
    (docs / "casse.pdf").write_bytes(make_pdf(["Texte"])[:120])
    report = Ingester(kb).run([docs, tmp_path / "absent"])
    reasons = {Path(p.path).name: p.reason for p in report.problems}
    assert set(reasons) == {"vide.md", "binaire.txt", "ancien.txt", "casse.pdf", "absent"}
    assert "vide" in reasons["vide.md"] and "binaire" in reasons["binaire.txt"]
    assert "UTF-8" in reasons["ancien.txt"] and "PDF" in reasons["casse.pdf"]
    assert "introuvable" in reasons["absent"]
    assert sorted(report.added) == ["fiche-test", "note", "page", "rapport"]
    assert {d.id for d in kb.documents()} == {"fiche-test", "note", "page", "rapport"}


def test_a_failed_write_leaves_nothing_half_indexed(kb: KnowledgeBase, tmp_path: Path) -> None:
    files = write_samples(tmp_path / "docs")
    Ingester(kb).run([files["txt"]])
    before = _passages_of(kb, "note")
    files["txt"].write_text("Note\n\n" + "Une phrase nouvelle. " * 400, encoding="utf-8")
    doc, raw = read_document(files["txt"])
    chunks = chunk_document(doc)
    assert len(chunks) > 1
    wrong = np.zeros((len(chunks), 7), dtype=np.float32)  # Chroma refuses this dimension
    with pytest.raises(Exception):  # noqa: B017 - whatever Chroma raises
        kb.write_document(doc, Ingester(kb).content_hash(raw), chunks, wrong)
    assert _passages_of(kb, "note") == before  # the previous version is intact


def test_duplicate_ids_in_one_batch_are_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    for name in ("un.md", "deux.md"):
        (tmp_path / name).write_text("---\nid: meme\n---\n\nUn texte sur l'eau.", encoding="utf-8")
    report = Ingester(kb).run([tmp_path / "un.md", tmp_path / "deux.md"])
    assert report.added == ["meme"]
    assert [Path(p.path).name for p in report.problems] == ["deux.md"]
    assert "déjà pris" in report.problems[0].reason


def test_a_file_whose_id_changes_replaces_its_old_document(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    path = tmp_path / "fiche.md"
    path.write_text("---\nid: ancien\n---\n\nLe compostage collectif.", encoding="utf-8")
    Ingester(kb).run([path])
    path.write_text("---\nid: nouveau\n---\n\nLe compostage collectif.", encoding="utf-8")
    Ingester(kb).run([path])
    assert [d.id for d in kb.documents()] == ["nouveau"]


def test_folders_skip_hidden_and_unsupported_files(tmp_path: Path) -> None:
    write_samples(tmp_path / "docs")
    (tmp_path / "docs" / ".brouillon.md").write_text("secret", encoding="utf-8")
    (tmp_path / "docs" / ".git").mkdir()
    (tmp_path / "docs" / ".git" / "notes.md").write_text("interne", encoding="utf-8")
    (tmp_path / "docs" / "image.png").write_bytes(b"\x89PNG")
    files, problems = discover([tmp_path / "docs", tmp_path / "docs" / "note.txt"])
    assert sorted(f.name for f in files) == ["fiche.md", "note.txt", "page.html", "rapport.pdf"]
    assert problems == []


def test_the_lexical_index_is_rebuilt_when_missing_or_stale(tmp_path: Path) -> None:
    kb = fresh_kb(tmp_path)
    write_samples(tmp_path / "docs")
    Ingester(kb).run([tmp_path / "docs"])
    lexical_dir = kb._lexical_dir
    shutil.rmtree(lexical_dir)
    reopened = KnowledgeBase(kb.store, kb.embedder, lexical_dir)
    found = reopened.search("lampadaire connecté", 1, method="lexical")
    assert found[0].document_id == "fiche-test"
    assert lexical_dir.is_dir()
    kb.store.set_generation("autre-generation")  # as if another process had ingested
    third = KnowledgeBase(kb.store, kb.embedder, lexical_dir)
    assert third.lexical().generation == "autre-generation"
    assert len(third.lexical()) == len(kb)


def test_a_collection_refuses_another_embedding_model(kb: KnowledgeBase) -> None:
    client, name = kb.store._client, kb.store.name
    with pytest.raises(IndexMismatchError, match="autre-modele"):
        VectorStore(client, name, "autre-modele", kb.embedder.dimension)
    with pytest.raises(IndexMismatchError, match="dimension 384"):
        VectorStore(client, name, kb.embedder.name, 768)


def test_a_fresh_data_directory_starts_empty(tmp_path: Path) -> None:
    kb = KnowledgeBase.open(config_for(tmp_path / "data"))
    assert len(kb) == 0 and kb.documents() == [] and kb.search("eau", 5) == []
    assert (tmp_path / "data" / "knowledge" / "chroma").is_dir()
