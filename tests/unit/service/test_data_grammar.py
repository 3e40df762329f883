"""The offline grammar of data questions: a French question set, what each is read as, and the
questions it must leave to the literature (or to the member's own results)."""

from __future__ import annotations

from typing import Any

import pytest

from maturity.model import DEFAULT_MODEL_PATH, INDEX, load_model
from maturity.territories import KIND_LABELS, POPULATION_BANDS
from service.datatools.grammar import parse, wants_data
from service.datatools.vocabulary import Vocabulary

MODEL = load_model(DEFAULT_MODEL_PATH)
VOCABULARY = Vocabulary(
    regions={
        "11": "Île-de-France",
        "52": "Pays de la Loire",
        "75": "Nouvelle-Aquitaine",
        "84": "Auvergne-Rhône-Alpes",
        "93": "Provence-Alpes-Côte d'Azur",
    },
    departements={
        "33": "Gironde",
        "42": "Loire",
        "44": "Loire-Atlantique",
        "64": "Pyrénées-Atlantiques",
    },
    departement_regions={"33": "75", "42": "84", "44": "52", "64": "75"},
    kinds={k: v["fr"] for k, v in KIND_LABELS.items()},
    bands={b.id: b.label("fr") for b in POPULATION_BANDS},
    metrics={INDEX: "indice global"} | {d.id: d.label.get("fr") for d in MODEL.dimensions},
)

QUESTIONS: list[tuple[str, dict[str, Any]]] = [
    (
        "Quelle est la médiane de l'indice des communautés d'agglomération en Nouvelle-Aquitaine ?",
        {"metric": INDEX, "kinds": ["ca"], "region": "75", "statistics": ["median"]},
    ),
    (
        "Où en sont les communes de 20 000 à 50 000 habitants en évaluation depuis l'an dernier ?",
        {"metric": "evaluation", "kinds": ["commune"], "band": "20k-50k", "compare": True},
    ),
    (
        "Qui, parmi les territoires publics, progresse le plus en gouvernance ouverte ?",
        {"ranking": True, "order": "progress", "metric": "open_governance"},
    ),
    (
        "Quels sont les territoires publics les plus avancés en stratégie ?",
        {"ranking": True, "order": "score", "metric": "strategy"},
    ),
    (
        "Moyenne et quartiles de l'indice des métropoles en 2025",
        {"kinds": ["metropole"], "campaign": 2025, "statistics": ["mean", "p25", "p75"]},
    ),
    (
        "Quel est le niveau moyen des communautés de communes de moins de 3 500 habitants ?",
        {"kinds": ["cc"], "band": "0-3.5k", "statistics": ["mean"]},
    ),
    (
        "Médiane de la gouvernance proactive des intercommunalités en Pays de la Loire",
        {
            "kinds": ["cc", "ca", "cu", "metropole"],
            "region": "52",
            "metric": "proactive_governance",
        },
    ),
    (
        "Quelle est la médiane de l'indice des communes de la Gironde ?",
        {"region": "75", "departement": "33", "cannot": 1},
    ),
    (
        "Quel est le maximum de l'indice des villes de plus de 250 000 habitants ?",
        {"kinds": ["commune"], "band": "250k+", "cannot": 1},
    ),
    (
        "Médiane de l'indice des communes de 10 000 à 30 000 habitants",
        {"band": None, "cannot": 1},
    ),
    (
        "Quel est le 9e décile du pilier gouvernance proactive et ouverte en PACA ?",
        {"metric": "pillar:gouvernance", "region": "93", "statistics": ["p90"]},
    ),
    (
        "Quelle est la moyenne du socle technologique des communes en Île-de-France ?",
        {"metric": "foundations", "kinds": ["commune"], "region": "11"},
    ),
]


@pytest.mark.parametrize(("question", "expected"), QUESTIONS, ids=[q for q, _ in QUESTIONS])
def test_data_questions_are_read(question: str, expected: dict[str, Any]) -> None:
    query = parse(question, VOCABULARY)
    assert query is not None
    for name, value in expected.items():
        if name == "cannot":
            assert len(query.cannot) == value, query.cannot
        else:
            assert getattr(query, name) == value, (name, query)
    assert wants_data(question, VOCABULARY)


@pytest.mark.parametrize(
    "question",
    [
        "Comment Angers utilise-t-elle un jumeau numérique ?",
        "Où en sommes-nous en gouvernance ouverte ?",
        "Quels sont les meilleurs exemples de co-construction avec les habitants ?",
        "Comment évaluer la valeur publique d'un projet ?",
        "Que prioriser dans notre commune ?",
    ],
)
def test_other_questions_go_to_the_literature(question: str) -> None:
    assert parse(question, VOCABULARY) is None


def test_a_departement_is_answered_at_its_region_and_said_so() -> None:
    query = parse("Médiane de l'indice des communes des Pyrénées-Atlantiques", VOCABULARY)
    assert query is not None and query.region == "75" and query.departement == "64"
    assert "département" in query.cannot[0] and "Nouvelle-Aquitaine" in query.cannot[0]


def test_a_region_is_matched_before_a_departement_inside_its_name() -> None:
    query = parse("Médiane de l'indice des communes en Pays de la Loire", VOCABULARY)
    assert query is not None and query.region == "52" and query.departement is None
