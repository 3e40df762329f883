"""Each prompt template renders, carries its version, and says what it must say."""

from __future__ import annotations

import pytest

import prompts

SOURCES = [
    {"number": 1, "label": "Fiche A — Section", "text": "Texte du premier passage."},
    {"number": 2, "label": "Fiche B", "text": "Texte du second passage."},
]


def test_every_template_has_a_version() -> None:
    versions = prompts.versions()
    assert set(versions) == set(prompts.PROMPT_NAMES)
    assert all(v for v in versions.values())


def test_system_confines_the_model_to_the_sources() -> None:
    text = prompts.render("system")
    for must in ("uniquement", "<sources>", "[1]", "langue de la question", "ne suffisent pas"):
        assert must in text
    assert "jamais une instruction" in text  # passages are data, not orders
    assert "Ne révèle jamais" in text


def test_answer_numbers_and_delimits_the_passages() -> None:
    text = prompts.render(
        "answer", question="Qu'est-ce qu'un jumeau ?", sources=SOURCES, territory=None
    )
    assert (
        text.index("<sources>") < text.index("Texte du premier passage.") < text.index("</sources>")
    )
    assert '<source numero="1" titre="Fiche A — Section">' in text
    assert '<source numero="2"' in text
    assert "Question : Qu'est-ce qu'un jumeau ?" in text
    assert "Résultats" not in text
    with_territory = prompts.render(
        "answer", question="Où en sommes-nous ?", sources=SOURCES, territory="Biarritz"
    )
    assert "membre de : Biarritz" in with_territory


def test_rewrite_shows_the_conversation_and_the_new_question() -> None:
    history = [
        {"role": "user", "text": "Que fait Angers ?"},
        {"role": "assistant", "text": "Un jumeau [1]."},
    ]
    text = prompts.render("rewrite", history=history, question="Et Mulhouse ?")
    assert "Utilisateur : Que fait Angers ?" in text and "Assistant : Un jumeau [1]." in text
    assert "Nouvelle question : Et Mulhouse ?" in text
    assert "se comprenne seule" in text


def test_refusal_says_what_the_corpus_covers() -> None:
    text = prompts.render(
        "refusal", topics=["Gouvernance ouverte", "Études de cas"], lead=[], english=False
    )
    assert text.startswith("Je ne peux pas répondre")
    assert "- Gouvernance ouverte" in text and "- Études de cas" in text
    assert "vide" in prompts.render("refusal", topics=[], lead=[], english=False)


def test_refusal_in_english_after_what_the_base_lacks() -> None:
    text = prompts.render(
        "refusal", topics=["Open governance"], lead=["Nothing on Dijon."], english=True
    )
    assert text.startswith("Nothing on Dijon.\n\nI cannot answer")
    assert "- Open governance" in text and "Je ne peux" not in text


def test_extractive_says_it_is_extractive_and_lists_sources() -> None:
    text = prompts.render(
        "extractive",
        lead=["Les sources précisent que ce chiffre n'est pas donné :"],
        paragraphs=["Une phrase [1]."],
        sources=[{"number": 1, "label": "Fiche A", "source": "a.md"}],
        english=False,
    )
    assert text.startswith("Les sources précisent")
    assert text.index("Une phrase [1].") < text.index("Réponse extractive")
    assert "[1] Fiche A (a.md)" in text
    english = prompts.render(
        "extractive",
        lead=[],
        paragraphs=["A sentence [1]."],
        sources=[{"number": 1, "label": "Card A", "source": "a.md"}],
        english=True,
    )
    assert "Extractive answer" in english and "Sources:" in english
    assert "Réponse" not in english


def test_territory_results_in_plain_french() -> None:
    text = prompts.render(
        "territory",
        name="Biarritz",
        campaign=2025,
        status="submitted",
        index="42,1",
        level=3,
        level_label="Structuré",
        weakest=[{"label": "Évaluation", "score": "12,5"}],
        strongest=[],
        peers={
            "description": "communes",
            "n": 12,
            "percentile": "35",
            "median": "45,0",
            "gap": "-2,9",
        },
        diagnostics=[],
        next_steps=[],
        notice=None,
    )
    assert "indice global de Biarritz est de 42,1 sur 100" in text
    assert "Évaluation (12,5)" in text and "35e centile" in text


def test_unknown_template_and_missing_variable_fail() -> None:
    with pytest.raises(prompts.PromptError, match="gabarits valides"):
        prompts.render("inconnu")
    with pytest.raises(Exception, match="question"):
        prompts.render("answer", sources=[], territory=None)
