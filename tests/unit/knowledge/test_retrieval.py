"""Search over the indexed corpus: results as `Passage` structs, methods, cap, neighbours."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.retrieval import KnowledgeBase, document_of, passage_id
from knowledge.store import VectorMatrix
from knowledge.types import Passage

DIMENSIONS = [
    "strategy",
    "use_cases",
    "foundations",
    "evaluation",
    "proactive_governance",
    "organisation",
    "partnerships",
    "open_governance",
]


def test_digital_twin_query_returns_relevant_passages_with_sources(corpus: KnowledgeBase) -> None:
    passages = corpus.search("jumeau numérique", 5)
    assert [p.rank for p in passages] == [1, 2, 3, 4, 5]
    assert all(isinstance(p, Passage) and p.source and p.title for p in passages)
    assert "jumeau numérique" in passages[0].text.lower()
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)


def test_at_most_n_passages_per_document(corpus: KnowledgeBase) -> None:
    question = "les niveaux de la dimension gouvernance proactive"
    capped = corpus.search(question, 8, max_per_document=1)
    assert len({p.document_id for p in capped}) == len(capped) == 8
    uncapped = corpus.search(question, 8, max_per_document=None)
    counts = [sum(p.document_id == d for p in uncapped) for d in {p.document_id for p in uncapped}]
    assert max(counts) > 1


@pytest.mark.parametrize("method", ["dense", "lexical", "hybrid"])
def test_each_method_answers(corpus: KnowledgeBase, method: str) -> None:
    passages = corpus.search("comitologie agile", 3, method=method)  # type: ignore[arg-type]
    assert passages and "comitologie" in passages[0].text.lower()
    if method == "lexical":
        assert all(p.similarity is None for p in passages)
    else:
        assert all(p.similarity is not None and 0 < p.similarity <= 1 for p in passages)
    if method == "dense":
        assert passages[0].score == pytest.approx(passages[0].similarity)


def test_neighbours_are_the_passages_around_in_document_order(corpus: KnowledgeBase) -> None:
    middle = next(p for p in corpus.search("écueils gouvernance ouverte", 10) if p.position > 0)
    around = corpus.neighbours(middle.id, window=1)
    positions = [p.position for p in around]
    assert middle.position in positions and positions == sorted(positions)
    assert positions[0] == middle.position - 1
    assert {p.document_id for p in around} == {middle.document_id}
    assert corpus.passage(middle.id) == corpus.neighbours(middle.id, 0)[0]


def test_unknown_ids_and_empty_queries(corpus: KnowledgeBase) -> None:
    assert corpus.passage("inconnu#000000000000-0000") is None
    assert corpus.neighbours("sans-position") == []
    assert corpus.search("   ", 5) == [] and corpus.search("eau", 0) == []


def test_every_card_is_indexed_with_its_metadata(corpus: KnowledgeBase) -> None:
    docs = {d.id: d for d in corpus.documents()}
    stored = {d.id: d for d in corpus.stored_documents()}
    for dimension in DIMENSIONS:
        card = docs[dimension]
        assert card.language == "fr" and card.format == "md"
        assert dimension in card.dimensions and card.references
        assert card.provenance == "builtin" and card.source == f"corpus/fr/{dimension}.md"
        path = stored[dimension].path
        assert path and path.endswith(f"{dimension}.md")
        assert not hasattr(card, "path")  # the public listing never shows a server path
    assert {"glossaire", "contexte-national", "frucquet-2023-constats", "etudes-de-cas"} <= set(
        docs
    )
    assert docs["frucquet-2023-findings-en"].language == "en"


def test_passage_ids_name_their_document() -> None:
    pid = passage_id("strategy", "abcdef0123456789", 3)
    assert pid == "strategy#abcdef012345-0003" and document_of(pid) == "strategy"


@pytest.mark.parametrize(
    "query", ["jumeau numérique", "Comment associer les habitants aux décisions ?", "open data"]
)
def test_in_memory_vectors_rank_as_chroma_does(corpus: KnowledgeBase, query: str) -> None:
    vector = corpus.embedder.embed_queries([query])[0]
    exact = corpus.store.matrix("g").query(vector, 10)
    chroma = corpus.store.query(vector, 10)
    assert [pid for pid, _ in exact] == [pid for pid, _ in chroma]
    assert np.allclose([s for _, s in exact], [s for _, s in chroma], atol=1e-4)


def test_vector_matrix_survives_saving(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(50, 8)).astype(np.float32)
    matrix = VectorMatrix([f"p{i}" for i in range(50)], vectors, "gen-1")
    matrix.save(tmp_path / "m.npz")
    loaded = VectorMatrix.load(tmp_path / "m.npz")
    assert loaded is not None and loaded.generation == "gen-1" and len(loaded) == 50
    query = vectors[7] / np.linalg.norm(vectors[7])
    saved, kept = loaded.query(query, 5), matrix.query(query, 5)
    assert [p for p, _ in saved] == [p for p, _ in kept]
    assert np.allclose([s for _, s in saved], [s for _, s in kept])
    assert matrix.query(query, 1)[0][0] == "p7"
    assert set(matrix.similarities(["p7", "absent"], query)) == {"p7"}
    assert VectorMatrix.load(tmp_path / "absent.npz") is None
