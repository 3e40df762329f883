"""The assistant's answers over the indexed corpus, against its gold set
(``tests/fixtures/assistant-gold.toml``, tuning and held-out halves): answers that say what
they must, honest leads (a place the base knows nothing of, a figure the sources say is not
given), refusals in the question's language, follow-ups; and every sentence of every answer
labelled with the section it really comes from."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.assistant import Assistant, AssistantAnswer, AssistantRequest, Turn
from knowledge.assistant.gold import AnswerGold, check, load_answer_gold
from knowledge.retrieval import KnowledgeBase
from maturity.model import Model
from tests.answer_labels import label_problems, sentence_citations
from tests.knowledge_fixtures import SHARED_CORPUS, gold_questions

GOLD = Path(__file__).resolve().parents[2] / "fixtures" / "assistant-gold.toml"


def _gold() -> list[AnswerGold]:
    gold = load_answer_gold(GOLD)
    return gold if SHARED_CORPUS.is_dir() else [q for q in gold if q.corpus == "cards"]


@pytest.fixture(scope="module")
def assistant(corpus: KnowledgeBase, model: Model) -> Assistant:
    """The offline assistant over the corpus, answering model questions from `model`."""
    return Assistant(corpus, model=model)


def ask(assistant: Assistant, question: AnswerGold) -> AssistantAnswer:
    history: list[Turn] = []
    if question.previous:
        before = assistant.ask(AssistantRequest(question.previous))
        history = [Turn("user", question.previous), Turn("assistant", before.answer)]
    return assistant.ask(AssistantRequest(question.question, history=history))


def test_the_gold_halves_are_fixed_and_balanced() -> None:
    gold = load_answer_gold(GOLD)
    for kind in {q.kind for q in gold}:
        splits = [q.split for q in gold if q.kind == kind]
        assert splits[::2] == ["tuning"] * len(splits[::2])  # alternate, in file order
        assert splits[1::2] == ["heldout"] * len(splits[1::2])


@pytest.mark.parametrize("split", ["tuning", "heldout"])
def test_answers_say_what_they_must(assistant: Assistant, split: str) -> None:
    failures = []
    for question in [q for q in _gold() if q.split == split]:
        why = check(question, ask(assistant, question))
        if why is not None:
            failures.append(f"{question.id}: {why}")
    assert not failures, failures


def test_every_label_names_the_section_its_sentence_comes_from(
    assistant: Assistant, corpus: KnowledgeBase
) -> None:
    questions = [q.question for q in _gold()] + [q.question for q in gold_questions()]
    answers = [assistant.ask(AssistantRequest(q)) for q in questions]
    cited = sum(len(sentence_citations(a)) for a in answers)
    assert cited > 2 * len(questions) // 3  # the check below has sentences to check
    assert label_problems(corpus, answers) == []


def test_unknown_place_lead_then_what_is_close(assistant: Assistant) -> None:
    answer = assistant.ask(AssistantRequest("Quelle est la stratégie smart city de Dijon ?"))
    assert answer.answer.startswith("La base ne contient rien sur Dijon.")
    assert "Dijon" not in answer.answer.split("\n", 1)[1]  # nothing else is said of Dijon
    assert answer.citations  # what is close, cited


def test_an_english_question_is_answered_and_an_english_refusal_is_english(
    assistant: Assistant,
) -> None:
    answer = assistant.ask(AssistantRequest("How are citizens involved in evaluation?"))
    assert not answer.refused and answer.citations
    assert "Extractive answer" in answer.answer and "Réponse extractive" not in answer.answer
    # one language in the quoted sentences, and the lead says which
    spoken = {c.language for c in answer.citations}
    assert len(spoken) == 1
    if spoken == {"fr"}:
        assert answer.answer.startswith("The knowledge base covers this in French")
    refused = assistant.ask(AssistantRequest("What is the best recipe for apple pie?"))
    assert refused.refused and refused.answer.startswith("I cannot answer")


def test_model_questions_link_to_the_model_page(assistant: Assistant) -> None:
    answer = assistant.ask(
        AssistantRequest("Comment passer du niveau 2 au niveau 3 en évaluation ?")
    )
    model = [c for c in answer.citations if c.kind == "model"]
    assert model and model[0].source == "/modele/evaluation"
    assert answer.answer.startswith("Dans le modèle (édition")


def test_an_english_model_question_is_answered_in_english(
    assistant: Assistant, model: Model
) -> None:
    answer = assistant.ask(AssistantRequest("How do we go from level 2 to level 3 in evaluation?"))
    model_source = answer.citations[0]
    assert model_source.kind == "model" and model_source.source == "/modele/evaluation"
    evaluation = next(d for d in model.dimensions if d.id == "evaluation")
    assert model_source.title.endswith(evaluation.label.get("en"))
    assert "at least 40 out of 100" in answer.answer
    for question in evaluation.questions:
        assert f"“{question.label.get('en')}”: {question.levels[3].get('en')}" in answer.answer
    assert "Dans le modèle" not in answer.answer and "Extractive answer" in answer.answer


def test_an_english_definition_reaches_the_french_glossary(assistant: Assistant) -> None:
    answer = assistant.ask(AssistantRequest("What is digital sovereignty?"))
    assert answer.answer.startswith("The knowledge base defines it in French:")
    first = answer.citations[0]
    assert first.number == 1 and first.title == "Glossaire des territoires connectés"
    assert (first.section or "").endswith("Souveraineté numérique")
    assert "Souveraineté numérique : maîtrise par la collectivité" in answer.answer
    assert "Extractive answer" in answer.answer and not answer.refused


def test_follow_ups_resolve_against_the_conversation(assistant: Assistant) -> None:
    first = "Comment Angers utilise-t-elle un jumeau numérique ?"
    history = [Turn("user", first), Turn("assistant", "…"), Turn("user", "Et Mulhouse ?")]
    answer = assistant.ask(
        AssistantRequest("Et Biarritz ?", history=[*history, Turn("assistant", "…")])
    )
    assert answer.query == "Comment Biarritz utilise-t-elle un jumeau numérique ?"


def test_a_follow_up_on_another_place_is_answered_about_that_place(assistant: Assistant) -> None:
    first = "Comment Angers utilise-t-elle un jumeau numérique ?"
    answer = assistant.ask(
        AssistantRequest("Et Mulhouse ?", history=[Turn("user", first), Turn("assistant", "…")])
    )
    body = answer.answer.split("Réponse extractive")[0]
    sentences = [p for p in body.split("\n\n") if p.strip()]
    assert sentences and "Mulhouse" in sentences[0]
    assert sum("Mulhouse" in p for p in sentences) > len(sentences) / 2
