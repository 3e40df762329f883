"""The member journey end to end in Chromium, on the demo data of a real server process.

The demo member (Biarritz) starts the open campaign, answers part of two dimensions, saves,
logs out, logs back in and finds every answer, completes, submits and reads the results with
the radar chart; an admin reopens the submission; a member cannot reach another territory's
pages. Every page visited is checked with axe-core and the key ones are photographed."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest

from maturity.model import DEFAULT_MODEL_PATH, load_model
from tests.browser.support import (
    OPEN_YEAR,
    assert_accessible,
    console_errors,
    log_in,
    open_folds,
    screenshot,
)

pytestmark = pytest.mark.browser

MODEL = load_model(DEFAULT_MODEL_PATH)
STRATEGY = [q.id for q in MODEL.dimension_by_id["strategy"].questions]
USE_CASES = [q.id for q in MODEL.dimension_by_id["use_cases"].questions]


def choose(page: Any, question: str, value: str) -> None:
    """Tick the answer `value` (a level, ``na`` or ``unknown``) of `question`."""
    page.locator(f'input[name="answer-{question}"][value="{value}"]').check()


def checked(page: Any, question: str) -> str | None:
    """The value ticked for `question`, if any."""
    box = page.locator(f'input[name="answer-{question}"]:checked')
    return box.get_attribute("value") if box.count() else None


def test_member_journey_then_admin_reopens(browser: Any, live_server: str, axe_source: str) -> None:
    member = browser.new_context(base_url=live_server, locale="fr-FR")
    page = member.new_page()
    errors = console_errors(page)
    log_in(page, "member")
    assert page.locator("h1").inner_text() == "Mon espace"
    assert_accessible(page, axe_source)
    screenshot(page, "espace-membre")

    # start the campaign and answer part of two dimensions
    page.get_by_role("button", name=re.compile("Commencer l'auto-évaluation")).click()
    page.get_by_role("link", name="Commencer par la première dimension").click()
    page.wait_for_url(re.compile(r"/strategy(#.*)?$"))
    assessment_url = page.url.split("#")[0].rsplit("/", 1)[0]
    choose(page, STRATEGY[0], "3")
    choose(page, STRATEGY[1], "2")
    choose(page, STRATEGY[2], "na" if MODEL.questions[STRATEGY[2]][1].allows_na else "1")
    page.locator(f'[id="q-{STRATEGY[0]}"] summary').click()
    page.get_by_label("Commentaire").first.fill("Délibération du conseil municipal de 2024.")
    assert_accessible(page, axe_source)
    screenshot(page, "questionnaire-dimension")
    page.get_by_role("button", name="Enregistrer et passer à la dimension suivante").click()
    page.wait_for_url("**/use_cases?message=saved")
    choose(page, USE_CASES[0], "4")
    choose(page, USE_CASES[1], "unknown")
    # the optional script saves on its own a moment later, and updates the progress bars
    page.locator("[data-autosave-status]").filter(has_text="Brouillon enregistré").wait_for()
    # « je ne sais pas » is a choice kept, but not an answer in the progress count
    assert page.locator("#progress-dimension").get_attribute("value") == "1"
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url("**/use_cases?message=saved")
    assert "Brouillon enregistré" in page.locator("[role=status]").first.inner_text()

    # log out, log back in: everything is where it was left
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/\?message=logged_out$"))
    page.goto(assessment_url + "/strategy")
    assert "/connexion" in page.url  # the session is gone
    log_in(page, "member")
    page.get_by_role("link", name="Continuer l'auto-évaluation").click()
    page.get_by_role("link", name=re.compile("Reprendre")).click()
    assert page.url.endswith(f"/use_cases#q-{USE_CASES[2]}")
    assert checked(page, USE_CASES[0]) == "4"
    assert checked(page, USE_CASES[1]) == "unknown"
    page.goto(assessment_url + "/strategy")
    assert checked(page, STRATEGY[0]) == "3"
    assert checked(page, STRATEGY[1]) == "2"
    assert "Délibération du conseil" in page.get_by_label("Commentaire").first.input_value()

    # an invalid evidence link: the error is next to the question, nothing typed is lost
    page.locator(f'[id="q-{STRATEGY[1]}"] summary').click()
    page.locator(f'[name="evidence-{STRATEGY[1]}"]').fill("pas-un-lien")
    choose(page, STRATEGY[3], "2")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    assert page.locator(f'[id="q-{STRATEGY[1]}"] .error-message').is_visible()
    assert page.locator(f'[name="evidence-{STRATEGY[1]}"]').input_value() == "pas-un-lien"
    assert checked(page, STRATEGY[3]) == "2"
    assert_accessible(page, axe_source)
    page.locator(f'[name="evidence-{STRATEGY[1]}"]').fill("https://www.biarritz.fr/deliberation")

    # complete every dimension, moving on with the button of each page
    for dimension in MODEL.dimensions:
        if dimension.id != "strategy":
            page.wait_for_url(f"**/{dimension.id}?message=saved")
        for number, question in enumerate(dimension.questions):
            if checked(page, question.id) is None:
                choose(page, question.id, str((number + len(dimension.id)) % 5))
        last = dimension is MODEL.dimensions[-1]
        label = "Enregistrer et vérifier" if last else "Enregistrer et passer à la dimension"
        page.get_by_role("button", name=re.compile(label)).click()
    page.wait_for_url("**/soumettre")
    summary = page.locator("main").inner_text()
    assert MODEL.questions[USE_CASES[1]][1].label.fr in summary  # still « je ne sais pas »
    assert_accessible(page, axe_source)
    screenshot(page, "soumission")
    page.get_by_role("button", name="Soumettre l'auto-évaluation").click()
    assert page.locator("#confirm-error").is_visible()  # confirmation required
    page.get_by_label(re.compile("Je confirme")).check()
    page.get_by_role("button", name="Soumettre l'auto-évaluation").click()
    page.wait_for_url("**/resultats?message=submitted")

    # results: a short head, then the folds (bars against the peers, one table), CSV
    assert page.get_by_text(re.compile("^Groupe de pairs :")).count() == 1
    assert_accessible(page, axe_source)
    open_folds(page)
    bars = page.locator("figure.chart svg[role=img]").first
    assert bars.locator("title").first.text_content() == "Score par dimension, de 0 à 100"
    assert bars.locator("g.bar-row").count() == len(MODEL.dimensions)
    assert bars.locator("line.tick-median").count() == len(MODEL.dimensions)  # peer median
    assert page.locator("figure.chart").count() >= 2
    assert_accessible(page, axe_source)
    screenshot(page, "resultats")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les résultats (CSV)").click()
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith("\ufeff".encode())  # French spreadsheets: BOM, ";", decimal comma
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["territoire", "campagne", "type", "id"]
    assert len(rows) == 1 + 1 + len(MODEL.pillars) + len(MODEL.dimensions)
    assert all(len(row) == len(rows[0]) for row in rows)
    scores = [row[rows[0].index("score")] for row in rows[1:]]
    assert all(re.fullmatch(r"\d+(,\d+)?", v) for v in scores if v), scores

    # submitted: read-only
    page.goto(assessment_url + "/strategy")
    assert page.locator('input[type="radio"]').count() == 0
    assert "lecture seule" in page.locator("main").inner_text()

    # an admin reopens it; the member can change it again
    admin = browser.new_context(base_url=live_server, locale="fr-FR")
    admin_page = admin.new_page()
    log_in(admin_page, "admin")
    admin_page.goto(f"/admin/evaluations?territoire=64122&campagne={OPEN_YEAR}")
    assert_accessible(admin_page, axe_source)
    screenshot(admin_page, "admin-reouverture")
    admin_page.get_by_label(re.compile(f"Motif de la réouverture pour Biarritz {OPEN_YEAR}")).fill(
        "Correction demandée par la mairie."
    )
    admin_page.get_by_role("button", name=re.compile("Rouvrir")).first.click()
    admin_page.wait_for_url("**?message=reopened")
    assert "rouverte" in admin_page.locator("[role=status]").inner_text()
    for path in ("/admin", "/admin/membres", "/cles"):
        admin_page.goto(path)
        assert_accessible(admin_page, axe_source)
    admin.close()

    page.goto(assessment_url + "/strategy")
    assert page.locator('input[type="radio"]').count() > 0
    assert checked(page, STRATEGY[0]) == "3"
    assert [e for e in errors if "Content Security Policy" in e] == []
    member.close()


def _other_assessment(data_dir: str) -> str:
    """The id of an assessment of a territory other than the demo member's."""
    with sqlite3.connect(Path(data_dir) / "territoires.sqlite3") as db:
        row = db.execute(
            "select id from assessment where territory_code != '64122' limit 1"
        ).fetchone()
    return str(uuid.UUID(hex=str(row[0]).replace("-", "")))


def test_member_cannot_open_another_territorys_pages(
    page: Any, server_env: dict[str, str], axe_source: str
) -> None:
    other = _other_assessment(server_env["TERRITOIRES_DATA_DIR"])
    response = page.goto("/espace")
    assert "/connexion?next=%2Fespace" in page.url  # anonymous: sent to the login page
    log_in(page, "member")
    for suffix in ("", "/strategy", "/resultats", "/resultats.csv"):
        path = f"/evaluations/{other}{suffix}"
        response = page.goto(path)
        assert response is not None and response.status == 404, path
        assert page.locator("h1").inner_text() == "Page introuvable"
    assert_accessible(page, axe_source)
    screenshot(page, "erreur-autre-territoire")
    response = page.goto("/admin")
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() == "Accès refusé"
