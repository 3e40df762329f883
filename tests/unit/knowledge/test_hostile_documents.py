"""Documents that tried to exhaust the machine (issue 14): YAML aliases, megabytes of text, too
many passages, too long; each refused with a French reason, and the time limit enforced by
killing the worker process, not by hoping the parser returns."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import yaml

from knowledge import limits
from knowledge.chunking import chunk_document
from knowledge.errors import DocumentError, IngestCancelledError
from knowledge.extract import read_document
from knowledge.frontmatter import MAX_FRONT_MATTER_CHARS, read_front_matter
from knowledge.html_text import html_blocks
from knowledge.ingest import Ingester
from knowledge.limits import Clock, IngestLimits
from knowledge.retrieval import KnowledgeBase
from knowledge.sandbox import ExtractionWorker
from tests.unit.knowledge.hostile import alias_bomb, big_html, text_bomb_pdf


def test_the_alias_bomb_is_refused_before_any_yaml_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bomb = alias_bomb()
    assert len(bomb) < 400
    built: list[Any] = []
    monkeypatch.setattr(yaml, "safe_load", lambda *a, **k: built.append(a))  # must not run
    path = tmp_path / "bombe.md"
    path.write_bytes(bomb)
    with pytest.raises(DocumentError, match=r"ancres \(&\) et alias \(\*\) YAML"):
        read_document(path)
    assert built == []  # refused from the scanner's tokens: nothing was expanded


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("title: !!python/object:os.system x", "étiquettes de type YAML"),
        ("title: [a, b]", "« title » doit être un texte"),
        ("dimensions: {a: 1}", "« dimensions » doit être une liste de textes"),
        ("source: /etc/passwd", "adresse web complète"),
        ("source: 'javascript:alert(1)'", "adresse web complète"),
        ("id: ../../glossaire", "identifiant « ../../glossaire » invalide"),
        ("id: Strategy", "invalide"),
        ("title: 'x'\nliste: [" + ", ".join(["1"] * 1500) + "]", "trop d'éléments"),
        ("title: [unclosed", "invalide"),
        ("- une liste", "un dictionnaire est attendu"),
    ],
)
def test_front_matter_rules(header: str, reason: str) -> None:
    with pytest.raises(DocumentError, match=reason):
        read_front_matter(f"---\n{header}\n---\nTexte.\n")


def test_a_good_header_is_read_and_a_huge_one_is_not_a_header() -> None:
    meta, body = read_front_matter(
        "---\nid: ma-fiche\ntitle: Titre\nsource: https://example.org/x\n"
        "sources: une référence\ndate: 2026-01-01\n---\nTexte.\n"
    )
    assert meta["id"] == "ma-fiche" and meta["sources"] == ["une référence"]
    assert body == "Texte.\n"
    huge = "---\ntitle: x\n" + "# commentaire\n" * (MAX_FRONT_MATTER_CHARS // 10) + "---\nT.\n"
    assert read_front_matter(huge) == ({}, huge)  # never closed within the limit: plain text


def test_text_past_the_limit_stops_the_html_parser_early() -> None:
    page = big_html(3_000_000).decode()
    read = [0]

    def count(n: int) -> None:
        read[0] += n
        IngestLimits(max_chars=100_000).check_chars(read[0])

    with pytest.raises(DocumentError, match="texte trop long"):
        html_blocks(page, count)
    assert read[0] < 100_000 + 2 * (1 << 20)  # stopped within one piece fed to the parser
    assert read[0] < len(page) / 2


@pytest.mark.parametrize(
    ("name", "content"),
    [("grand.html", lambda: big_html()), ("deux-mo.pdf", lambda: text_bomb_pdf())],
)
def test_megabytes_of_text_are_refused_with_the_setting_to_change(
    tmp_path: Path, name: str, content: Any
) -> None:
    path = tmp_path / name
    path.write_bytes(content())
    with pytest.raises(DocumentError) as refused:
        read_document(path, limits=IngestLimits())
    assert "texte trop long" in str(refused.value)
    assert "TERRITOIRES_KNOWLEDGE_MAX_CHARS" in str(refused.value)


def test_too_many_passages_are_refused_before_any_embedding(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    path = tmp_path / "long.md"
    path.write_text("# Long\n\n" + "Une phrase sur les capteurs urbains. " * 2000, encoding="utf-8")
    report = Ingester(kb, limits=IngestLimits(max_passages=5)).ingest([path])
    assert report.added == [] and len(kb) == 0
    assert "passages pour 5 au plus" in report.problems[0].reason
    assert report.problems[0].kind == "document"


def test_the_deadline_kills_the_extraction_process(tmp_path: Path) -> None:
    path = tmp_path / "lent.pdf"
    path.write_bytes(text_bomb_pdf(8_000_000))  # several seconds of pypdf, uninterruptible
    with ExtractionWorker() as worker:
        with pytest.raises(DocumentError, match="indexation trop longue"):
            worker.extract(path, Clock(0.2), limits=IngestLimits(max_chars=0))
        assert worker._process is None  # killed and reaped, not left running
        again = tmp_path / "court.md"
        again.write_text("# Court\n\nUn texte court sur l'eau.", encoding="utf-8")
        assert worker.extract(again, Clock(30)).chunks  # a new worker serves the next file


def test_a_cancellation_kills_the_extraction_too(tmp_path: Path) -> None:
    path = tmp_path / "lent.pdf"
    path.write_bytes(text_bomb_pdf(8_000_000))
    asked = [0]

    def cancelled() -> bool:
        asked[0] += 1
        return asked[0] > 3

    with ExtractionWorker() as worker, pytest.raises(IngestCancelledError):
        worker.extract(path, Clock(0, cancelled), limits=IngestLimits(max_chars=0))
    assert worker._process is None


class _SlowEmbedder:
    """Stands for the model: each batch moves the ingestion's clock on by `seconds` (a fake
    clock, so that a busy machine cannot change the outcome), random unit vectors, calls
    counted."""

    def __init__(self, dimension: int, seconds: float, now: list[float]) -> None:
        self.name = "lent"
        self.dimension = dimension
        self._seconds = seconds
        self._now = now
        self.calls = 0

    def embed_passages(self, texts: Any) -> Any:
        self.calls += 1
        self._now[0] += self._seconds
        vectors = np.random.default_rng(self.calls).normal(size=(len(texts), self.dimension))
        return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_the_deadline_is_checked_between_embedding_batches(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [0.0]
    monkeypatch.setattr(limits, "time", SimpleNamespace(monotonic=lambda: now[0]))
    slow = _SlowEmbedder(kb.embedder.dimension, 0.3, now)
    kb.embedder = slow  # type: ignore[assignment]
    path = tmp_path / "moyen.md"
    paragraphs = [f"Le quartier numéro {i} installe des capteurs de bruit." for i in range(1500)]
    path.write_text("# Moyen\n\n" + "\n\n".join(paragraphs), encoding="utf-8")
    batches = -(-len(chunk_document(read_document(path)[0])) // 16)
    report = Ingester(kb, limits=IngestLimits(max_seconds=0.5)).ingest([path])
    assert "indexation trop longue" in report.problems[0].reason
    assert batches >= 4 and slow.calls == 2  # 0.3 s, then 0.6 s > 0.5 s: stopped there
    assert len(kb) == 0


def test_a_page_holding_megabytes_is_refused_before_its_extraction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PageObject

    extracted: list[object] = []

    def extract_text(*args: object, **kwargs: object) -> str:
        extracted.append(args)
        return ""

    monkeypatch.setattr(PageObject, "extract_text", extract_text)
    path = tmp_path / "deux-mo.pdf"
    path.write_bytes(text_bomb_pdf())
    with pytest.raises(DocumentError, match="texte trop long"):
        read_document(path, limits=IngestLimits())
    assert extracted == []  # judged from the content stream's strings alone
    small = tmp_path / "petit.pdf"
    small.write_bytes(text_bomb_pdf(20_000))
    with pytest.raises(DocumentError, match="aucun texte"):  # under the limit: extracted
        read_document(small, limits=IngestLimits())
    assert len(extracted) == 1
