"""Re-scoring of the top candidates by their best sentence window (`knowledge.rerank`)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.chunking import context_text
from knowledge.rerank import RerankParams, WindowVectors, rerank, sentence_windows
from knowledge.store import Record
from tests import knowledge_fixtures

QUESTION = "Combien de bornes de recharge la commune a-t-elle installées en 2024 ?"
ANSWER_IN_ONE_SENTENCE = (
    "La cantine scolaire sert désormais des repas végétariens deux fois par semaine. "
    "La médiathèque ouvre le samedi après-midi depuis le printemps. "
    "En 2024, la commune a installé douze bornes de recharge pour véhicules électriques. "
    "Elles sont réparties entre la mairie, la gare et le gymnase. "
    "Les travaux de voirie de la rue des Tilleuls se sont achevés en juin. "
    "Le conseil municipal a voté une hausse des subventions aux associations sportives. "
    "Un marché de producteurs se tient chaque jeudi sur la place de l'église. "
    "Le club de football a inauguré ses vestiaires rénovés."
)
LOOSE_MATCH = (
    "Le nombre de bornes de recharge à installer dans la commune fait débat. "
    "Les élus n'ont pas encore fixé combien de bornes seront posées, ni en quelle année."
)
UNRELATED = (
    "Les vacances scolaires commencent le premier samedi de juillet. "
    "Les inscriptions au centre de loisirs ouvrent un mois avant. "
    "Le transport vers les activités est assuré par la commune."
)
RECORDS: list[Record] = [
    ("answer", ANSWER_IN_ONE_SENTENCE, {"title": "Bilan de l'année", "section": "Vie communale"}),
    ("loose", LOOSE_MATCH, {"title": "Bornes de recharge", "section": "Installation"}),
    ("other", UNRELATED, {"title": "Enfance", "section": "Été"}),
]


def test_a_passage_answering_in_one_sentence_moves_above_a_loose_match() -> None:
    """Real model: the whole-passage vector ranks the loose match first (the answer is one
    sentence among unrelated ones); its best window brings the answering passage up."""
    embedder = knowledge_fixtures.test_embedder()
    question = embedder.embed_queries([QUESTION])[0]
    texts = [context_text(m["title"], m["section"], text) for _, text, m in RECORDS]
    passages = embedder.embed_passages(texts)
    similarities = {
        pid: float(v @ question) for (pid, _, _), v in zip(RECORDS, passages, strict=True)
    }
    fused = sorted(similarities.items(), key=lambda kv: -kv[1])  # as the dense side ranks them
    assert [pid for pid, _ in fused][:2] == ["loose", "answer"]

    windows = WindowVectors.build(RECORDS, embedder, size=2)
    best = windows.best(similarities, question)
    reranked = [pid for pid, _ in rerank(fused, best, RerankParams())]
    assert reranked.index("answer") < reranked.index("loose")
    assert best["answer"] > similarities["answer"]
    # Without windows the same re-scoring only confirms the passage vectors' order.
    no_windows = WindowVectors([], np.empty((0, embedder.dimension), dtype=np.float32))
    unchanged = rerank(fused, no_windows.best(similarities, question), RerankParams())
    assert [pid for pid, _ in unchanged] == [pid for pid, _ in fused]


def test_windows_are_consecutive_sentences_prefixed_like_the_passage() -> None:
    text = "Un. Deux. Trois. Quatre. Cinq."
    assert sentence_windows("Titre", "Partie", text, size=2) == [
        "Titre — Partie\nUn. Deux.",
        "Titre — Partie\nTrois. Quatre.",
        "Titre — Partie\nCinq.",
    ]
    assert sentence_windows("Titre", None, text, size=3) == [
        "Titre\nUn. Deux. Trois.",
        "Titre\nQuatre. Cinq.",
    ]


def test_a_short_passage_has_no_window() -> None:
    assert sentence_windows("Titre", None, "Une phrase. Et une autre.", size=2) == []


def test_best_similarity_is_the_passage_or_its_best_window() -> None:
    vectors = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]], dtype=np.float32)
    windows = WindowVectors(["a", "a", "b"], vectors)
    question = np.array([0.6, 0.8], dtype=np.float32)
    best = windows.best({"a": 0.5, "b": 0.9, "c": 0.3}, question)
    assert best == pytest.approx({"a": 1.0, "b": 0.9, "c": 0.3})
    with pytest.raises(ValueError):
        WindowVectors(["a"], vectors)


def test_only_the_first_candidates_are_rescored() -> None:
    fused = [("a", 3.0), ("b", 2.9), ("c", 2.8), ("d", 0.1)]
    similarities = {"a": 0.1, "b": 0.2, "c": 0.9, "d": 1.0}
    order = [item for item, _ in rerank(fused, similarities, RerankParams(candidates=3))]
    assert order == ["c", "b", "a", "d"]
    kept = rerank(fused, similarities, RerankParams(weight=0.0))
    assert kept == fused


@given(
    st.lists(st.tuples(st.floats(-5, 5), st.floats(-1, 1)), max_size=30),
    st.integers(1, 40),
    st.floats(0, 2),
)
def test_rerank_permutes_the_head_and_keeps_the_tail(
    scored: list[tuple[float, float]], candidates: int, weight: float
) -> None:
    ranked = sorted(scored, key=lambda pair: -pair[0])
    fused = [(f"p{i}", score) for i, (score, _) in enumerate(ranked)]
    similarities = {f"p{i}": similarity for i, (_, similarity) in enumerate(ranked)}
    out = rerank(fused, similarities, RerankParams(candidates=candidates, weight=weight))
    assert sorted(item for item, _ in out) == sorted(item for item, _ in fused)
    assert out[candidates:] == fused[candidates:]
