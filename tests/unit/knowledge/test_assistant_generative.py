"""Generative mode routed by what is asked, against the real loopback OpenAI-compatible
server (`tests.llm_server`): the model file's and the member's answers are said exactly, with
their citations, before the language model's words; the model only completes them from the
literature, and is not called when the literature has nothing to add; literature questions
are the model's alone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from knowledge.assistant import (
    Assistant,
    AssistantRequest,
    Done,
    LLMConfig,
    Sources,
    TerritorySource,
    Token,
    make_chat_model,
)
from knowledge.retrieval import KnowledgeBase
from maturity.model import Model
from tests.llm_server import FakeLLM, fake_llm_server

STEP = "Comment passer du niveau 2 au niveau 3 en évaluation ?"
RESULTS = TerritorySource(
    code="64122",
    name="Biarritz",
    title="Résultats de Biarritz (campagne 2026)",
    text="L'indice global de Biarritz est de 44,5 sur 100.",
    focus=["Évaluation et mesure d'impact"],
    parts={
        "summary": "L'indice global de Biarritz est de 44,5 sur 100.",
        "weakest": "Les dimensions les plus faibles de Biarritz sont : Évaluation (20,0).",
        "peers": "Parmi ses pairs (communes, 12 autres territoires), Biarritz se situe au 40e "
        "centile.",
        "next_steps": "Prochaine étape en Évaluation (Indicateurs) : un tableau d'indicateurs.",
        "notice": "Données de démonstration (synthétiques).",
    },
)
US = {
    "Quels sont nos points faibles ?": "Les dimensions les plus faibles de Biarritz",
    "Comment nous situons-nous par rapport à nos pairs ?": "Parmi ses pairs",
    "Que devrions-nous faire en priorité ?": "Les prochaines étapes proposées",
}
COMPLEMENT = "Les sources recommandent d'associer les habitants à l'évaluation"


@pytest.fixture(scope="module")
def llm_server() -> Iterator[FakeLLM]:
    """A real OpenAI-compatible HTTP server on a free loopback port."""
    with fake_llm_server() as server:
        yield server


@pytest.fixture(scope="module")
def generative(corpus: KnowledgeBase, llm_server: FakeLLM, model: Model) -> Assistant:
    """The assistant with a language model and the maturity model."""
    llm = make_chat_model(LLMConfig(base_url=llm_server.base_url, model="test"))
    return Assistant(corpus, llm, model=model)


def _cites_a_passage(messages: list[dict[str, Any]]) -> str:
    """A reply citing the first literature source of the prompt (not the model's, not the
    member's results)."""
    prompt = str(messages[-1]["content"])
    numbers = re.findall(r'numero="(\d+)" titre="(?!Modèle|Résultats)', prompt)
    return f"{COMPLEMENT} [{numbers[0] if numbers else 0}]."


def _ask(assistant: Assistant, server: FakeLLM, request: AssistantRequest) -> tuple[Any, bool]:
    """The answer's events, and whether the language model was called."""
    before = len(server.requests)
    events = list(assistant.stream(request))
    return events, len(server.requests) > before


def test_a_model_question_is_said_exactly_then_completed_from_the_literature(
    generative: Assistant, llm_server: FakeLLM, model: Model
) -> None:
    llm_server.reply = _cites_a_passage
    events, called = _ask(generative, llm_server, AssistantRequest(STEP))
    assert isinstance(events[0], Sources) and events[0].sources[0].kind == "model"
    assert called, "the cards on evaluation have something to add"
    done = events[-1]
    assert isinstance(done, Done) and done.answer.mode == "generative"
    answer = done.answer.answer
    # the exact part streams first, whole, before the model's first token
    tokens = [e.text for e in events if isinstance(e, Token)]
    assert tokens[0].startswith("Dans le modèle (édition") and COMPLEMENT not in tokens[0]
    evaluation = next(d for d in model.dimensions if d.id == "evaluation")
    for question in evaluation.questions:
        assert f"« {question.label.fr} » : {question.levels[3].fr} [1]" in answer
    assert answer.index("[1]") < answer.index(COMPLEMENT)
    kinds = {c.kind: c.source for c in done.answer.citations}
    assert kinds["model"] == "/modele/evaluation" and "passage" in kinds
    prompt = llm_server.last_prompt()
    start, end = prompt.index("<debut_de_reponse>"), prompt.index("</debut_de_reponse>")
    assert evaluation.questions[0].levels[3].fr in prompt[start:end]
    assert "Ne le répète pas" in prompt


def test_what_the_results_answer_alone_calls_no_model(
    generative: Assistant, llm_server: FakeLLM
) -> None:
    question = "Comment nous situons-nous par rapport à nos pairs ?"
    events, called = _ask(generative, llm_server, AssistantRequest(question, territory=RESULTS))
    done = events[-1]
    assert isinstance(done, Done) and not called and not done.answer.fallback
    assert done.answer.answer.startswith("Parmi ses pairs")
    assert {c.kind for c in done.answer.citations} == {"territory"}


@pytest.mark.parametrize("question", list(US))
def test_questions_about_us_lead_with_their_own_part_of_the_results(
    generative: Assistant, llm_server: FakeLLM, question: str
) -> None:
    llm_server.reply = _cites_a_passage
    answer = generative.ask(AssistantRequest(question, territory=RESULTS))
    assert not answer.refused and answer.territory == "64122"
    own = next(c for c in answer.citations if c.kind == "territory")
    assert answer.answer.startswith(f"{US[question]}")
    assert f"Données de démonstration (synthétiques). [{own.number}]" in answer.answer
    others = [opening for q, opening in US.items() if q != question]
    assert not any(answer.answer.startswith(opening) for opening in others)
    if COMPLEMENT in answer.answer:  # the literature completes what the results say
        assert answer.answer.index(f"[{own.number}]") < answer.answer.index(COMPLEMENT)
        assert answer.mode == "generative"


def test_the_priorities_name_the_next_steps_even_when_the_model_fails(
    generative: Assistant, llm_server: FakeLLM
) -> None:
    llm_server.reply = lambda messages: "Faites au mieux, sans source."
    answer = generative.ask(
        AssistantRequest("Que devrions-nous faire en priorité ?", territory=RESULTS)
    )
    assert "\n- Prochaine étape en Évaluation (Indicateurs) : un tableau d'indicateurs." in (
        answer.answer
    )
    assert "Données de démonstration (synthétiques)." in answer.answer
    assert "sans source" not in answer.answer


def test_a_literature_question_is_the_models_alone(
    generative: Assistant, llm_server: FakeLLM
) -> None:
    llm_server.reply = _cites_a_passage
    events, called = _ask(
        generative, llm_server, AssistantRequest("Quels sont les risques d'un contrat global ?")
    )
    done = events[-1]
    assert called and isinstance(done, Done)
    assert done.answer.answer.startswith(COMPLEMENT)
    assert {c.kind for c in done.answer.citations} == {"passage"}
    assert "<debut_de_reponse>" not in llm_server.last_prompt()
