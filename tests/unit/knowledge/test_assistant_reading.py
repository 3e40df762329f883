"""How the assistant reads, without an index: sentence units that keep their meaning and their
section, what a question asks (language, names, figures, definitions, follow-ups, intents
about « us »), and the model's own answers."""

from __future__ import annotations

import pytest

from knowledge.assistant.intent import (
    absent_figure,
    defined_term,
    figure_kinds,
    language,
    names,
    resolve_follow_up,
)
from knowledge.assistant.model_guide import ModelGuide
from knowledge.assistant.sources import citations_of
from knowledge.assistant.territory_answer import territory_intent, territory_sentences
from knowledge.assistant.types import TerritorySource
from knowledge.assistant.units import Segment, segments, units
from knowledge.types import Passage
from maturity.model import Model

LEVELS = (
    "Les applications sont installées au fil de l'eau ; aucune donnée n'est publiée.\n"
    "Niveau 1 — initial :\n"
    "Un inventaire partiel existe ; quelques jeux de données\nsont publiés ponctuellement.\n"
    "Niveau 3 — structuré :\n"
    "Les plateformes sont supervisées et maintenues ; les algorithmes sont recensés."
)


def _texts(text: str, section: str | None = None, title: str = "Fiche") -> list[str]:
    return [u.text for s in segments(text, section) for u in units(s, title)]


def test_folded_headings_give_each_segment_its_own_section() -> None:
    found = segments(LEVELS, "À quoi ressemble chaque niveau > Niveau 0 — absent")
    assert [s.section for s in found] == [
        "À quoi ressemble chaque niveau > Niveau 0 — absent",
        "Niveau 1 — initial",
        "Niveau 3 — structuré",
    ]
    assert "recensés" in found[2].text and "recensés" not in found[1].text


def test_citations_are_cut_by_section_and_numbered_in_order() -> None:
    passage = Passage(
        id="d#1", text=LEVELS, document_id="d", title="Fiche", source="corpus/fr/d.md",
        section="Niveaux > Niveau 0 — absent",
    )  # fmt: skip
    cited = citations_of([passage], start=3)
    assert [c.number for c in cited] == [3, 4, 5]
    assert cited[2].section == "Niveau 3 — structuré" and cited[2].passage_id == "d#1"


def test_a_level_keeps_its_heading_and_its_whole_descriptor() -> None:
    found = _texts(LEVELS, "Niveaux > Niveau 0 — absent")
    assert found[1] == (
        "Niveau 1 — initial : un inventaire partiel existe ; quelques jeux de données sont "
        "publiés ponctuellement."
    )


def test_a_glossary_term_keeps_its_definition_and_a_dependent_sentence_is_merged() -> None:
    text = (
        "Intro du glossaire.\nValeur publique :\nCe qu'une politique apporte aux habitants. "
        "Elle est multi-dimensionnelle (Frucquet et al., 2023)."
    )
    found = _texts(text, title="Glossaire des territoires connectés")
    assert found[-1] == (
        "Valeur publique : ce qu'une politique apporte aux habitants. Elle est "
        "multi-dimensionnelle (Frucquet et al., 2023)."
    )


def test_a_case_study_sentence_gets_its_territory() -> None:
    segment = Segment(
        "Mulhouse a engagé une politique.\nLa ville travaille sur un outil proche.",
        "Ville de Mulhouse : « Ville des Intelligences »",
        "Ville de Mulhouse : « Ville des Intelligences »",
    )
    assert [u.text for u in units(segment, "Études de cas")] == [
        "Mulhouse a engagé une politique.",
        "Ville de Mulhouse : la ville travaille sur un outil proche.",
    ]


def test_no_cut_at_colons_abbreviations_or_list_items() -> None:
    text = (
        "Selon Frucquet P. et al. la démarche repose sur deux sujets\n"
        "précis : les îlots de chaleur et les inondations.\n"
        "Le modèle examine deux sujets :\n- la connectivité ;\n- des plateformes fiables."
    )
    assert _texts(text) == [
        "Selon Frucquet P. et al. la démarche repose sur deux sujets précis : les îlots de "
        "chaleur et les inondations.",
        "Le modèle examine deux sujets : la connectivité.",
        "Le modèle examine deux sujets : des plateformes fiables.",
    ]


def test_a_sentence_without_its_antecedent_is_dropped() -> None:
    assert _texts("Elle mesure la valeur créée.\nLe socle est fiable et bien tenu.") == [
        "Le socle est fiable et bien tenu."
    ]


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("How are citizens involved in evaluation?", "en"),
        ("Quelle est la recette de la tarte tatin ?", "fr"),
        ("What is the smart city strategy of Dijon?", "en"),
        ("Comment associer les habitants ?", "fr"),
    ],
)
def test_the_questions_language(question: str, lang: str) -> None:
    assert language(question) == lang


def test_names_figures_definitions_and_follow_ups() -> None:
    assert names("Quelle est la stratégie smart city de Dijon ?") == ["Dijon"]
    assert names("Quel est le budget du jumeau numérique d'Angers ?") == ["Angers"]
    assert names("Comment Angers utilise-t-elle un jumeau ?") == ["Angers"]
    assert names("Quels sont les risques d'un contrat global ?") == []
    assert defined_term("Qu'est-ce que la souveraineté numérique ?") == "souveraineté numérique"
    assert defined_term("What is a digital twin?") == "digital twin"
    assert defined_term("Comment passer au niveau 3 ?") is None
    assert figure_kinds("Quel est le budget ?") == {"money"}
    assert figure_kinds("Quel est le salaire moyen ?") == {"pay"}
    assert absent_figure("L'article ne donne ni budgets, ni calendriers pour ces projets.")
    assert not absent_figure("L'article ne précise pas lesquelles Biarritz a déployées.")
    previous = "Comment Angers utilise-t-elle un jumeau numérique ?"
    assert resolve_follow_up("Et Mulhouse ?", previous) == (
        "Comment Mulhouse utilise-t-elle un jumeau numérique ?"
    )
    assert resolve_follow_up("et pour la co-création ?", previous).startswith(previous)


RESULTS = TerritorySource(
    code="64122",
    name="Biarritz",
    title="Résultats de Biarritz (campagne 2026)",
    text="Résumé.",
    parts={
        "summary": "L'indice global de Biarritz est de 44,5 sur 100.",
        "weakest": "Les dimensions les plus faibles de Biarritz sont : Évaluation (20,0).",
        "peers": "Parmi ses pairs (communes, 12 autres territoires), Biarritz se situe au 40e "
        "centile.",
        "diagnostics": "Diagnostic « Gouvernance déséquilibrée » : écart de 30 points.",
        "next_steps": "Prochaine étape en Évaluation (Indicateurs) : un tableau d'indicateurs.",
        "notice": "Données de démonstration (synthétiques).",
    },
)


def test_questions_about_us_get_different_parts_with_the_notice() -> None:
    asked = {
        "Quels sont nos points faibles ?": "weak",
        "Comment nous situons-nous par rapport à nos pairs ?": "peers",
        "Que devrions-nous faire en priorité ?": "priorities",
        "Comment avons-nous évolué depuis la dernière campagne ?": "evolution",
        "Où en sommes-nous ?": "overview",
    }
    answers = {}
    for question, intent in asked.items():
        assert territory_intent(question) == intent
        answers[intent] = [s.text for s in territory_sentences(RESULTS, 3, question)]
        assert answers[intent][-1] == "Données de démonstration (synthétiques)."
    assert answers["weak"][0].startswith("Les dimensions les plus faibles")
    assert answers["peers"][0].startswith("Parmi ses pairs")
    assert answers["priorities"][0].startswith("Les prochaines étapes proposées")
    assert answers["priorities"][1].startswith("Prochaine étape en Évaluation")
    steps = [s for s in territory_sentences(RESULTS, 3, "Que prioriser ?") if s.item]
    assert [s.text for s in steps] == [RESULTS.parts["next_steps"]]
    assert answers["evolution"][0].startswith("Aucune campagne précédente")
    assert len({tuple(a) for a in answers.values()}) == len(answers)


def test_the_model_answers_from_its_own_file(model: Model) -> None:
    guide = ModelGuide(model)
    step = guide.answer("Comment passer du niveau 2 au niveau 3 en évaluation ?")
    assert step is not None and step.link == "/modele/evaluation"
    evaluation = next(d for d in model.dimensions if d.id == "evaluation")
    for question in evaluation.questions:
        assert f"« {question.label.fr} » : {question.levels[3].fr}" in step.sentences
    three = next(lv for lv in model.levels if lv.level == 3)
    assert f"au moins {three.min:g} sur 100" in step.text
    cap = guide.answer("Pourquoi notre niveau est-il plafonné ?")
    assert cap is not None and "dimension la plus faible" in cap.text
    computed = guide.answer("Comment est calculé l'indice global ?")
    assert computed is not None and f"{len(model.dimensions)} dimensions" in computed.text
    assert guide.answer("Quels sont les risques d'un contrat global ?") is None


def test_the_model_answers_in_the_questions_language(model: Model) -> None:
    guide = ModelGuide(model)
    three = next(lv for lv in model.levels if lv.level == 3)
    english = guide.answer("What does level 3 mean?", "en")
    assert english is not None and english.title.startswith("Maturity model, edition")
    assert three.label.get("en") in english.text and three.description is not None
    assert three.description.get("en") in english.text
    assert three.description.fr not in english.text
    french = guide.answer("Que signifie le niveau 3 ?", "fr")
    assert french is not None and three.description.fr in french.text
    for question in ("How is the overall index computed?", "Why is our level capped?"):
        answer = guide.answer(question, "en")
        assert answer is not None and "Dans le modèle" not in answer.text
        assert "weakest dimension" in answer.text
