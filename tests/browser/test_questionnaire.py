"""The questionnaire keeps every answer, in Chromium: a bare-domain link and an invalid one on a
dimension page, the valid answers saved all the same, the error next to its field and in a
summary that takes the focus; leaving with what could not be saved asks first, and leaving
right after typing asks too and sends what was typed; arrow keys in a radio group do not save
at every step.

A member of a territory without any assessment is made for this test (the demo member's
journey has a test of its own), directly in the live server's database."""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from maturity.model import DEFAULT_MODEL_PATH, load_model
from service.accounts.members import create_user
from service.platform.db import run_blocking, session_scope
from service.platform.settings import load_settings
from tests.browser.support import assert_accessible, console_errors, screenshot, sign_in

pytestmark = pytest.mark.browser

MODEL = load_model(DEFAULT_MODEL_PATH)
STRATEGY = [q.id for q in MODEL.dimension_by_id["strategy"].questions]
PASSWORD = "un mot de passe de test solide"


def _database(server_env: dict[str, str]) -> Path:
    return Path(server_env["TERRITOIRES_DATA_DIR"]) / "territoires.sqlite3"


@pytest.fixture
def member(server_env: dict[str, str]) -> str:
    """A new member (with a password) of a commune that has no assessment yet: their email."""
    with sqlite3.connect(_database(server_env)) as db:
        row = db.execute(
            "select code from territory where kind = 'commune' and population > 10000"
            " and code not in (select territory_code from assessment)"
            " and code not in"
            " (select territory_code from app_user where territory_code is not null)"
            " order by code limit 1"
        ).fetchone()
    email = f"questionnaire.{secrets.token_hex(3)}@exemple.fr"

    async def make() -> None:
        async with session_scope(load_settings(server_env)) as session:
            await create_user(session, email, "member", territory_code=row[0], password=PASSWORD)

    run_blocking(make)
    return email


def _stored(server_env: dict[str, str], assessment: str) -> dict[str, Any]:
    """The latest revision of `assessment` as the server stored it."""
    with sqlite3.connect(_database(server_env)) as db:
        row = db.execute(
            "select r.answers, r.evidence, r.comments, r.number from assessment_revision r"
            " join assessment a on a.id = r.assessment_id"
            " where replace(a.id, '-', '') = ? order by r.number desc limit 1",
            (assessment.replace("-", ""),),
        ).fetchone()
    if row is None:
        return {"answers": {}, "evidence": {}, "comments": {}, "revision": 0}
    answers, evidence, comments = (json.loads(text) for text in row[:3])
    return {"answers": answers, "evidence": evidence, "comments": comments, "revision": row[3]}


def _saves(page: Any) -> list[str]:
    """A list that collects the autosave requests of the page from now on."""
    sent: list[str] = []
    page.on(
        "request",
        lambda r: (
            sent.append(r.url) if r.method == "POST" and r.headers.get("x-autosave") else None
        ),
    )
    return sent


def test_a_refused_link_keeps_its_text_and_costs_nothing_else(
    page: Any, member: str, server_env: dict[str, str], axe_source: str
) -> None:
    errors = console_errors(page)
    sign_in(page, member, PASSWORD)
    page.get_by_role("button", name=re.compile("Commencer l'auto-évaluation")).click()
    page.wait_for_url(re.compile(r"/evaluations/[0-9a-f-]+$"))
    assessment = page.url.rsplit("/", 1)[1]
    page.goto(f"/evaluations/{assessment}/strategy")

    page.locator(f'input[name="answer-{STRATEGY[0]}"][value="3"]').check()
    page.locator(f'input[name="answer-{STRATEGY[1]}"][value="2"]').check()
    for question in STRATEGY[:3]:
        page.locator(f'[id="q-{question}"] summary').click()
    page.locator(f'[id="evidence-{STRATEGY[0]}"]').fill("www.biarritz.fr/deliberation")
    page.locator(f'[id="evidence-{STRATEGY[1]}"]').fill("pas un lien")
    page.locator(f'[id="evidence-{STRATEGY[2]}"]').fill("ftp://biarritz.fr/budget")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_load_state()
    page.locator("#erreurs").wait_for()

    # saved: the answers and the completed link; refused: the other link, kept as typed
    stored = _stored(server_env, assessment)
    assert stored["answers"] == {STRATEGY[0]: 3, STRATEGY[1]: 2}
    assert stored["evidence"] == {STRATEGY[0]: "https://www.biarritz.fr/deliberation"}
    good = page.locator(f'[id="evidence-{STRATEGY[0]}"]')
    assert good.input_value() == "https://www.biarritz.fr/deliberation"
    bad = page.locator(f'[id="evidence-{STRATEGY[1]}"]')
    assert bad.input_value() == "pas un lien"
    assert bad.get_attribute("aria-invalid") == "true"
    message = page.locator(f'[id="evidence-{STRATEGY[1]}-error"]')
    assert message.is_visible() and "adresse web" in message.inner_text()
    # next to its field: right above it, in the same block as its label
    assert message.evaluate("(m, f) => m.nextElementSibling === f", bad.element_handle())
    assert page.locator(f'input[name="answer-{STRATEGY[0]}"][value="3"]').is_checked()
    # the summary has the focus, and its link leads to the field
    assert page.evaluate("document.activeElement && document.activeElement.id") == "erreurs"
    assert page.locator("#erreurs").get_attribute("tabindex") == "-1"
    assert page.locator("#erreurs h2").inner_text() == "Le formulaire contient 2 erreur(s)"
    assert_accessible(page, axe_source)
    screenshot(page, "questionnaire-lien-refuse")
    page.locator("#erreurs a").first.click()
    assert page.evaluate("document.activeElement.id") == f"evidence-{STRATEGY[1]}"

    # leaving by the dimension menu with a refused field asks first; "stay" keeps everything
    questions: list[str] = []

    def answer(dialog: Any) -> None:
        questions.append(dialog.message)
        if len(questions) == 1:
            dialog.dismiss()
        else:
            dialog.accept()

    page.on("dialog", answer)
    menu = page.get_by_role("navigation", name="Dimensions du questionnaire")
    menu.get_by_role("link", name=MODEL.dimension_by_id["use_cases"].label.fr).click()
    page.wait_for_timeout(1500)
    assert len(questions) == 1 and "n'ont pas pu être enregistrés" in questions[0]
    assert page.url.endswith("/strategy")
    assert bad.input_value() == "pas un lien"

    # corrected, a link is saved on its own a moment after leaving the field, and the
    # messages follow: gone for it, still there for the other one
    bad.fill("biarritz.fr/rapport-2024")
    bad.blur()
    page.locator(f'[id="evidence-{STRATEGY[1]}-error"]').wait_for(state="detached")
    status = page.locator("[data-autosave-status]").inner_text()
    assert re.fullmatch(r"Brouillon enregistré à \d\d:\d\d, sauf 1 champ\(s\) .*", status), status
    assert bad.get_attribute("aria-invalid") is None
    assert page.locator("#erreurs h2").inner_text() == "Le formulaire contient 1 erreur(s)"
    assert page.locator(f'[id="evidence-{STRATEGY[2]}-error"]').is_visible()
    other = page.locator(f'[id="evidence-{STRATEGY[2]}"]')
    other.fill("https://biarritz.fr/budget")
    other.blur()
    page.locator(f'[id="evidence-{STRATEGY[2]}-error"]').wait_for(state="detached")
    status = page.locator("[data-autosave-status]").inner_text()
    assert re.fullmatch(r"Brouillon enregistré à \d\d:\d\d\.", status), status
    assert page.locator("#erreurs").count() == 0  # nothing left to correct
    stored = _stored(server_env, assessment)
    assert stored["evidence"][STRATEGY[1]] == "https://biarritz.fr/rapport-2024"
    assert stored["evidence"][STRATEGY[2]] == "https://biarritz.fr/budget"
    menu.get_by_role("link", name=MODEL.dimension_by_id["use_cases"].label.fr).click()
    page.wait_for_url("**/use_cases")
    assert len(questions) == 1  # everything saved: no question asked
    assert [e for e in errors if "Content Security Policy" in e] == []


def test_arrow_keys_save_once_the_group_is_left_and_leaving_keeps_what_was_typed(
    page: Any, member: str, server_env: dict[str, str]
) -> None:
    sign_in(page, member, PASSWORD)
    page.get_by_role("button", name=re.compile("Commencer l'auto-évaluation")).click()
    page.wait_for_url(re.compile(r"/evaluations/[0-9a-f-]+$"))
    assessment = page.url.rsplit("/", 1)[1]
    page.goto(f"/evaluations/{assessment}/use_cases")
    question = MODEL.dimension_by_id["use_cases"].questions[0].id
    sent = _saves(page)
    page.locator(f'[id="answer-{question}-0"]').focus()
    page.keyboard.press("Space")  # choose level 0 from the keyboard…
    for _ in range(3):  # …then walk through the levels, reading each one
        page.keyboard.press("ArrowDown")
        page.wait_for_timeout(1500)  # longer than the pause after a click
    assert sent == []  # no save at every step
    assert page.locator(f'[id="answer-{question}-3"]').is_checked()
    page.keyboard.press("Tab")  # leaving the group saves the choice
    page.locator("[data-autosave-status]").filter(has_text="Brouillon enregistré à").wait_for()
    assert len(sent) == 1
    assert _stored(server_env, assessment)["answers"] == {question: 3}

    # a click saves after a short pause, without leaving the group
    page.locator(f'[id="answer-{question}-1"]').check()
    page.wait_for_timeout(2500)
    assert len(sent) == 2
    assert _stored(server_env, assessment)["answers"] == {question: 1}

    # leaving right after typing: the browser asks, and what was typed goes out with the page
    asked: list[str] = []

    def leave(dialog: Any) -> None:
        asked.append(dialog.type)
        dialog.accept()

    page.on("dialog", leave)
    page.locator(f'[id="q-{question}"] summary').click()
    page.locator(f'[id="comment-{question}"]').fill("Tapé juste avant de partir.")
    page.goto("/espace")
    assert asked == ["beforeunload"]
    page.wait_for_timeout(1000)
    assert _stored(server_env, assessment)["comments"] == {question: "Tapé juste avant de partir."}
