"""The 2027.1 edition of the model: its new and reframed questions, the grounding of every
question, the dispersion diagnostic; and 2026.1 left scoring exactly as before."""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

import msgspec
import pytest

from knowledge.config import CORPUS_DIR
from maturity.model import GapRule, Model, load_model
from maturity.results import score_answers
from tests.conftest import shared_path

MODELS = Path(__file__).resolve().parents[3] / "maturity" / "models"
SOURCES = {
    # how a grounding names a document → the corpus file it is
    "Frucquet et al. (2023)": "hal-04355998-smart-city-la-technologie-ne-fait-pas-tout.md",
    "MiNumEco": "minumeco-strategie-numerique-responsable-collectivites.md",
    "Etalab, guide juridique de l’open data": "etalab-guide-juridique-open-data.md",
    "Etalab, guide des algorithmes publics": "etalab-guide-algorithmes-publics.md",
    "Datactivist (2019)": "datactivist-evaluer-politique-open-data.md",
    "Datactivist et MEL (2022)": "datactivist-algorithmes-publics-metropole-lille.md",
    "Accélérateur d’initiatives citoyennes": "aic-accelerateur-initiatives-citoyennes.md",
    "LDT4SSC": "ldt4ssc-local-digital-twins-strategy.md",
    "Arrêté du 2 mai 2007": "arrete-2007-indicateurs-services-eau-assainissement.md",
}
SCORING_2026 = "0c7af217524d1dec2b6fa13436ea2c2e648f54c366a327dc588952bf83898e89"
"""Digest of everything in 2026.1 that scores depend on (recorded when its texts were
corrected): the edition's answers must keep their scores."""


@pytest.fixture(scope="module")
def edition() -> Model:
    return load_model(MODELS / "2027.1.toml")


def _scoring_part(model: Model) -> bytes:
    return msgspec.json.encode(
        {
            "questions": [
                (d.id, q.id, q.weight, q.top, q.allows_na)
                for d in model.dimensions
                for q in d.questions
            ],
            "dimensions": [(d.id, d.pillar, d.weight) for d in model.dimensions],
            "pillars": [(p.id, p.weight) for p in model.pillars],
            "levels": [(lv.level, lv.min) for lv in model.levels],
            "cap": model.cap_levels,
            "rules": [(d.id, msgspec.to_builtins(d.rule)) for d in model.diagnostics],
        }
    )


def test_2026_1_scores_as_before(model: Model) -> None:
    assert model.version == "2026.1"
    assert hashlib.sha256(_scoring_part(model)).hexdigest() == SCORING_2026


def test_the_edition_keeps_the_shape_and_adds_its_questions(edition: Model, model: Model) -> None:
    assert edition.version == "2027.1" and edition.model.id == model.model.id
    assert [d.id for d in edition.dimensions] == [d.id for d in model.dimensions]
    assert all(4 <= len(d.questions) <= 6 for d in edition.dimensions)
    new = set(edition.questions) - set(model.questions)
    assert new == {
        "use_cases.resource_results",
        "use_cases.decision_support_use",
        "use_cases.proximity_use",
        "evaluation.outcome_evidence",
        "proactive_governance.continuity",
        "partnerships.territorial_cooperation",
        "open_governance.digital_inclusion",
    }
    assert set(model.questions) - set(edition.questions) == {
        "use_cases.resource_optimisation",
        "use_cases.decision_support",
        "use_cases.proximity_services",
    }
    # the families of uses are a typology: a territory without such tools is not concerned
    for qid in ("resource_results", "decision_support_use", "proximity_use"):
        question = edition.questions[f"use_cases.{qid}"][1]
        assert question.allows_na
        assert question.help is not None and "usage" in question.help.fr


def test_usage_not_quantity_counts_for_the_families(edition: Model) -> None:
    # answering « non concerné » to a family leaves use_cases on the other questions only
    answers: dict[str, int | str] = {q.id: 2 for _, q in edition.iter_questions()}
    families = ["use_cases.resource_results", "use_cases.decision_support_use"]
    with_na = answers | {qid: "na" for qid in families}
    by_id = {d.id: d for d in score_answers(edition, with_na).dimensions}
    assert by_id["use_cases"].score == 50.0 and by_id["use_cases"].completeness == 1.0


def test_the_dispersion_diagnostic(edition: Model) -> None:
    rule = next(d for d in edition.diagnostics if d.id == "risque_dispersion").rule
    assert rule == GapRule(
        left=("index",), right=("strategy",), min_gap=15, index_at_least=30, absolute=False
    )
    strong = {q.id: 3 for _, q in edition.iter_questions()}
    weak_strategy = strong | {q.id: 0 for q in edition.dimension_by_id["strategy"].questions}
    assert "risque_dispersion" in [d.id for d in score_answers(edition, weak_strategy).diagnostics]
    assert "risque_dispersion" not in [d.id for d in score_answers(edition, strong).diagnostics]


def test_internal_openness_before_external(edition: Model) -> None:
    """A question-level rule: the article observes openness first towards departments and
    staff, then towards the area's actors; the rule and its threshold are the network's."""
    diagnostic = next(d for d in edition.diagnostics if d.id == "ouverture_interne_avant_externe")
    assert "choix du réseau" in diagnostic.message.fr and "network’s choice" in (
        diagnostic.message.en or ""
    )
    assert "Développer une gouvernance proactive et ouverte" in (diagnostic.source or "")
    internal, ecosystem, residents = (
        "open_governance.internal_openness",
        "open_governance.ecosystem_openness",
        "open_governance.resident_co_creation",
    )
    base: dict[str, int | str] = {q.id: 2 for _, q in edition.iter_questions()}
    # two answer levels apart on average (62.5 points here): triggered; less, or unknown: not
    found = score_answers(edition, base | {internal: 1, ecosystem: 4, residents: 3})
    assert diagnostic.id in [d.id for d in found.diagnostics]
    cases: list[dict[str, int | str]] = [
        {internal: 2, ecosystem: 4, residents: 3},  # 37.5 points apart
        {internal: 4, ecosystem: 4, residents: 4},
        {internal: "unknown", ecosystem: 4, residents: 4},  # a missing score never triggers
    ]
    for answers in cases:
        found = score_answers(edition, base | answers)
        assert diagnostic.id not in [d.id for d in found.diagnostics], answers


def _article_sections() -> set[str]:
    data = tomllib.loads((CORPUS_DIR / "grounding.toml").read_text(encoding="utf-8"))
    return set(data["article"]["sections"].values())


def test_every_question_says_what_it_rests_on(edition: Model) -> None:
    article = _article_sections()
    for _, question in edition.iter_questions():
        assert question.grounding, f"{question.id} : aucun fondement"
        for ground in question.grounding:
            assert ground.source in SOURCES, f"{question.id} : source inconnue {ground.source}"
            if ground.source.startswith("Frucquet"):
                assert ground.section in article, f"{question.id} : section « {ground.section} »"
            if ground.note is not None:
                assert ground.note.en, f"{question.id} : note sans traduction"
    # a question the article does not treat says so in its note
    for qid in (
        "open_governance.digital_inclusion",
        "partnerships.territorial_cooperation",
        "proactive_governance.continuity",
        "evaluation.outcome_evidence",
    ):
        notes = [g.note.fr for g in edition.questions[qid][1].grounding if g.note]
        assert any("réseau" in n for n in notes), qid


def _headings(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    found = re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)
    return {re.sub(r"\s+", " ", h.replace("*", "")).strip() for h in found}


def test_grounding_sections_are_headings_of_the_cited_documents(edition: Model) -> None:
    corpus = shared_path("corpus")
    for _, question in edition.iter_questions():
        for ground in question.grounding:
            if ground.section is None:
                continue
            section = re.sub(r"\s+", " ", ground.section.replace("\u00a0", " ")).strip()
            assert section in _headings(corpus / SOURCES[ground.source]), (
                f"{question.id} : « {ground.section} » n'est pas un titre de {ground.source}"
            )


def _texts(model: Model) -> list[str]:
    """Every text the model shows people, in both languages (not its bibliography)."""
    texts: list[str] = []

    def add(text: object) -> None:
        if text is not None:
            texts.extend(v for v in msgspec.to_builtins(text).values() if v)

    add(model.model.title)
    add(model.model.description)
    for level in model.levels:
        add(level.label)
        add(level.description)
    for pillar in model.pillars:
        add(pillar.label)
        add(pillar.description)
    for d in model.dimensions:
        add(d.label)
        add(d.description)
        for q in d.questions:
            for text in (q.label, q.help, *q.levels, *(g.note for g in q.grounding)):
                add(text)
    for diag in model.diagnostics:
        add(diag.label)
        add(diag.message)
    return texts


@pytest.mark.parametrize("version", ["2026.1", "2027.1"])
def test_model_texts_do_not_copy_sentences_from_the_corpus(version: str) -> None:
    corpus = shared_path("corpus")
    words = re.compile(r"\w+")
    shingles: set[tuple[str, ...]] = set()
    for path in corpus.glob("*.md"):
        tokens = words.findall(path.read_text(encoding="utf-8").lower())
        shingles.update(tuple(tokens[i : i + 12]) for i in range(len(tokens) - 11))
    copied = []
    for text in _texts(load_model(MODELS / f"{version}.toml")):
        tokens = words.findall(text.lower())
        copied += [
            " ".join(tokens[i : i + 12])
            for i in range(len(tokens) - 11)
            if tuple(tokens[i : i + 12]) in shingles
        ]
    assert not copied, f"{version} reprend : {copied[:3]}"
