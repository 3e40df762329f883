"""Our knowledge cards: front matter, one card per model dimension, citations, own words."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
import yaml

from knowledge.config import CORPUS_DIR
from maturity.model import Model
from tests.conftest import shared_path

CARDS = sorted(CORPUS_DIR.rglob("*.md"))


def _split(path: Path) -> tuple[dict[str, object], str]:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert isinstance(meta, dict)
    return meta, body


@pytest.mark.parametrize("path", CARDS, ids=lambda p: p.stem)
def test_front_matter_is_complete(path: Path, model: Model) -> None:
    meta, body = _split(path)
    assert meta["id"] == path.stem
    assert isinstance(meta["title"], str) and meta["title"]
    assert meta["language"] == path.parent.name in {"fr", "en"}
    assert isinstance(meta["date"], datetime.date)
    dimensions = {d.id for d in model.dimensions}
    assert meta["dimensions"] and set(meta["dimensions"]) <= dimensions  # type: ignore[arg-type]
    sources = meta["sources"]
    assert isinstance(sources, list) and sources
    for reference in sources:
        assert re.search(r"\b(19|20)\d\d\b|https?://", reference), reference
    # cited in the text, not only in the header
    assert re.search(r"\((Frucquet et al\.|Etalab|MiNumEco|Datactivist|LDT4SSC|AIC)", body) or (
        "modele" in path.stem or "maturity" in path.stem
    )


def test_one_french_card_per_dimension_and_some_english_versions(model: Model) -> None:
    french = {p.stem for p in CARDS if p.parent.name == "fr"}
    assert {d.id for d in model.dimensions} <= french
    assert {"glossaire", "contexte-national", "frucquet-2023-constats"} <= french
    assert len([p for p in CARDS if p.parent.name == "en"]) >= 3


@pytest.mark.parametrize(
    "dimension",
    [
        "strategy",
        "use_cases",
        "foundations",
        "evaluation",
        "proactive_governance",
        "organisation",
        "partnerships",
        "open_governance",
    ],
)
def test_dimension_cards_describe_levels_progress_and_pitfalls(dimension: str) -> None:
    _, body = _split(CORPUS_DIR / "fr" / f"{dimension}.md")
    for level in range(5):
        assert f"### Niveau {level}" in body
    assert "## Comment les territoires progressent" in body
    assert "## Écueils à éviter" in body


def test_cards_do_not_copy_sentences_from_the_corpus() -> None:
    corpus = shared_path("corpus")
    words = re.compile(r"\w+")
    shingles: set[tuple[str, ...]] = set()
    for path in corpus.glob("*.md"):
        tokens = words.findall(path.read_text(encoding="utf-8").lower())
        shingles.update(tuple(tokens[i : i + 12]) for i in range(len(tokens) - 11))
    for card in CARDS:
        tokens = words.findall(_split(card)[1].lower())
        copied = [
            " ".join(tokens[i : i + 12])
            for i in range(len(tokens) - 11)
            if tuple(tokens[i : i + 12]) in shingles
        ]
        assert not copied, f"{card.name} reprend : {copied[:3]}"
