"""The « Voix » part of the élus' synthesis: voices counted by role with the small-group rule,
the strongest écart de perception in one sentence, the link to the results' « Voix » section,
and a PDF that still holds on two pages in the worst case of diagnostics."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from pypdf import PdfReader

from maturity.model import Model
from tests.integration.service.conftest import HTML, People, log_in, soup, start

Client = TestClient[Litestar]
LEVELS = {
    "strategy": 1, "use_cases": 4, "foundations": 4, "evaluation": 0,
    "proactive_governance": 1, "organisation": 0, "partnerships": 1, "open_governance": 3,
}  # fmt: skip
"""Answers that trigger the most diagnostics at once (the synthesis' worst case)."""


def _voice(api: Client, lead: dict[str, str], assessment: str, role: str, answers: Any) -> None:
    made = api.post(
        f"/api/v1/assessments/{assessment}/voices/respondents",
        json={"role": role, "label": f"{role} {len(answers)}"},
        headers=lead,
    ).json()
    api.patch(f"/api/v1/voices/{made['token']}/answers", json={"answers": answers})
    assert api.post(f"/api/v1/voices/{made['token']}/submit").status_code == 200


def test_the_synthesis_tells_the_voices_and_stays_on_two_pages(
    browser: Client,
    people: People,
    model: Model,
    member_account: Callable[[str], str],
) -> None:
    code = people.territory()
    lead = people.member(code)
    assessment = str(start(browser, lead)["id"])
    open_qs = [q.id for q in model.dimension_by_id["open_governance"].questions]
    for role, level, count in (("elu", 4, 3), ("service", 0, 3), ("partenaire", 2, 1)):
        for _ in range(count):
            _voice(browser, lead, assessment, role, dict.fromkeys(open_qs, level))
    answers = {q.id: LEVELS[d.id] for d in model.dimensions for q in d.questions}
    url = f"/api/v1/assessments/{assessment}"
    assert browser.put(f"{url}/answers", json={"answers": answers}, headers=lead).status_code == 200
    assert browser.post(f"{url}/submit", headers=lead).status_code == 200

    log_in(browser, member_account(code))
    page = soup(browser.get(f"/evaluations/{assessment}/synthese", headers=HTML))
    section = page.select_one("section.synthese-voix")
    assert section is not None
    text = " ".join(section.get_text(" ").split())
    labels = {r.id: r.label.get("fr") for r in model.coevaluation.roles}  # type: ignore[union-attr]
    assert "7 voix" in text and f"{labels['elu']} 3" in text and f"{labels['service']} 3" in text
    assert labels["partenaire"] not in text  # a group of one is never named alone
    assert "1 dans des groupes de moins de 3" in text
    assert "Écart de perception sur l’ouverture" in text and "points d'écart" in text
    link = section.select_one("a[href]")
    assert link is not None and link["href"] == f"/evaluations/{assessment}/resultats#voix"
    results = soup(browser.get(f"/evaluations/{assessment}/resultats", headers=HTML))
    assert results.select_one("#voix") is not None  # where the link leads

    pdf = browser.get(f"/evaluations/{assessment}/synthese.pdf")
    assert pdf.status_code == 200
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) <= 2
    printed = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Écart de perception sur" in printed and "Voir la carte des écarts" in printed


def test_no_voice_no_part(
    browser: Client,
    people: People,
    member_account: Callable[[str], str],
) -> None:
    code = people.territory()
    assessment = str(start(browser, people.member(code))["id"])
    log_in(browser, member_account(code))
    page = soup(browser.get(f"/evaluations/{assessment}/synthese", headers=HTML))
    assert page.select_one("h1") is not None and page.select_one("section.synthese-voix") is None


def test_the_sentence_falls_back_on_the_sharpest_disagreement(model: Model) -> None:
    from service.voices.brief import brief_of
    from service.voices.gaps import Voice, compute_report

    question = "strategy.policy_defined"
    voices = [Voice("service", {question: 0})] * 3 + [Voice("numerique", {question: 3})] * 3
    brief = brief_of(model, compute_report(model, voices), "fr")
    assert brief is not None and brief.respondents == 6 and brief.others == 0
    label = model.questions[question][1].label.get("fr")
    assert brief.sentence == f"Désaccord le plus net : « {label} » (3,0 niveaux entre groupes)."
    calm = [Voice("service", {question: 2})] * 3 + [Voice("elu", {question: 2})] * 2
    quiet = brief_of(model, compute_report(model, calm), "en")
    assert quiet is not None and quiet.others == 2 and [r.role for r in quiet.roles] == ["service"]
    assert quiet.sentence == "No marked gap between the groups of voices shown."
    assert brief_of(model, compute_report(model, []), "fr") is None
