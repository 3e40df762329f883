"""Pure pieces of the web interface: language, labels, links, numbers, questionnaire rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from maturity.model import Model
from service.platform.i18n import translate
from service.platform.settings import load_settings
from service.web.i18n import FLASH, choice, negotiate
from service.web.questionnaire import (
    dimension_payload,
    last_changed_dimension,
    question_forms,
    resume_point,
    unanswered,
)
from service.web.rendering import format_number, safe_next
from service.web.session import csrf_config, session_config


def test_labels_of_codes_and_flash_messages_translate() -> None:
    assert choice("en", "role", "analyst") == "Analyst"
    assert choice("fr", "assessment_status", "draft") == "Brouillon"
    assert choice("en", "role", "inconnu") == "inconnu"  # an unknown code shows as itself
    assert translate("en", FLASH["saved"]) == "Draft saved."
    assert translate("de", FLASH["saved"]) == "Brouillon enregistré."


@pytest.mark.parametrize(
    ("query", "cookie", "default", "expected"),
    [
        (None, None, "fr", "fr"),
        ("en", None, "fr", "en"),
        (None, "en", "fr", "en"),
        ("fr", "en", "en", "fr"),
        ("xx", None, "en", "en"),
        (None, None, "xx", "fr"),
    ],
)
def test_language_negotiation(
    query: str | None, cookie: str | None, default: str, expected: str
) -> None:
    assert negotiate(query, cookie, default) == expected


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/espace", "/espace"),
        ("/modele?lang=en", "/modele?lang=en"),
        ("//ailleurs.example/x", "/"),
        ("https://ailleurs.example", "/"),
        ("/\\ailleurs.example", "/"),
        (None, "/"),
        ("", "/"),
    ],
)
def test_safe_next_stays_on_the_site(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_format_number_by_language() -> None:
    assert format_number(45.75, "fr") == "45,8"
    assert format_number(12345.6, "fr", 1) == "12\u202f345,6"
    assert format_number(12345.6, "en", 1) == "12,345.6"
    assert format_number(None, "fr") == "–"
    assert format_number(float("nan"), "en") == "–"
    assert format_number(26206, "fr", 0) == "26\u202f206"


def test_cookies_are_secure_in_production(tmp_path: Path) -> None:
    dev = load_settings({}, data_dir=tmp_path)
    secret = "f3a9c27e5b1d84e6a0c9b7d2e4f61a38c5b7e9d1"
    env = {"TERRITOIRES_ENV": "production", "TERRITOIRES_SECRET_KEY": secret}
    prod = load_settings(env, data_dir=tmp_path)
    assert session_config(dev).secure is False
    assert session_config(prod).secure is True
    assert session_config(prod).httponly is True and session_config(prod).samesite == "lax"
    assert csrf_config(prod).cookie_secure is True
    assert csrf_config(prod).secret == secret


def test_dimension_payload_replaces_only_that_dimension(model: Model) -> None:
    strategy = [q.id for q in model.dimension_by_id["strategy"].questions]
    use_cases = [q.id for q in model.dimension_by_id["use_cases"].questions]
    saved = {
        "answers": {strategy[0]: 1, strategy[1]: 2, use_cases[0]: 4},
        "comments": {strategy[0]: "ancien", use_cases[0]: "garde"},
        "evidence": {strategy[1]: "https://a.example"},
        "targets": {"strategy": 3, "use_cases": 2},
    }
    form = {
        f"answer-{strategy[0]}": "3",
        f"answer-{strategy[2]}": "unknown",
        f"comment-{strategy[0]}": "  ",
        f"evidence-{strategy[1]}": " https://b.example ",
        "target": "4",
        "revision": "7",
    }
    checked = dimension_payload(model, "strategy", form, saved)
    payload = checked.payload
    assert checked.errors == checked.refused == {}
    assert payload.answers == {strategy[0]: 3, strategy[2]: "unknown", use_cases[0]: 4}
    assert payload.comments == {use_cases[0]: "garde"}  # emptied comment removed
    assert payload.evidence == {strategy[1]: "https://b.example"}
    assert payload.targets == {"strategy": 4, "use_cases": 2}
    assert payload.expected_revision == 7


def test_dimension_payload_keeps_the_valid_fields_and_reports_the_others(model: Model) -> None:
    q = [q.id for q in model.dimension_by_id["strategy"].questions]
    saved = {
        "answers": {q[0]: 1, q[1]: 2},
        "evidence": {q[1]: "https://ancien.example.fr", q[2]: "https://garde.example.fr"},
        "targets": {"strategy": 3},
    }
    form = {
        f"answer-{q[0]}": "4",
        f"answer-{q[1]}": "7",  # out of the scale: refused, the saved 2 is kept
        f"evidence-{q[0]}": "www.biarritz.fr/deliberation",  # a bare domain: https:// added
        f"evidence-{q[1]}": "pas un lien",  # refused, the saved link is kept
        f"evidence-{q[3]}": "biarritz.fr",
        f"comment-{q[3]}": "x" * 4001,  # too long
        "target": "²",  # a digit to str.isdigit, not a level
        "revision": "99999999999999999999",  # too long to be a revision: ignored
    }
    checked = dimension_payload(model, "strategy", form, saved, "en")
    assert checked.payload.answers == {q[0]: 4, q[1]: 2}
    assert checked.payload.evidence == {
        q[0]: "https://www.biarritz.fr/deliberation",
        q[1]: "https://ancien.example.fr",
        q[3]: "https://biarritz.fr",
    }  # q[2]'s link was emptied on the page: removed
    assert checked.payload.comments == {}
    assert checked.payload.targets == {"strategy": 3}
    assert checked.payload.expected_revision is None
    assert list(checked.errors) == [
        f"answer-{q[1]}", f"evidence-{q[1]}", f"comment-{q[3]}", "target"
    ]  # fmt: skip
    assert checked.refused[f"evidence-{q[1]}"] == "pas un lien"
    assert "4000" in checked.errors[f"comment-{q[3]}"]
    assert checked.errors[f"evidence-{q[1]}"].startswith("This link is not a web address")


def test_question_forms_prefer_what_was_typed(model: Model) -> None:
    qid = model.dimension_by_id["strategy"].questions[0].id
    saved = {
        "answers": {qid: 1},
        "comments": {qid: "enregistré"},
        "evidence": {qid: "https://a.fr"},
    }
    forms = question_forms(model, "strategy", "fr", saved)
    assert (forms[0].answer, forms[0].comment, forms[0].number) == ("1", "enregistré", 1)
    assert not forms[0].error
    typed = {f"answer-{qid}": "4", f"comment-{qid}": "tapé"}
    forms = question_forms(model, "strategy", "en", saved, typed, {f"comment-{qid}": "erreur"})
    assert (forms[0].answer, forms[0].comment, forms[0].evidence) == ("4", "tapé", "https://a.fr")
    assert forms[0].errors == {"comment": "erreur"} and forms[0].error
    assert forms[0].label == model.questions[qid][1].label.get("en")


def test_resume_point_and_last_changed_dimension(model: Model) -> None:
    dims = model.dimensions
    first_q = dims[0].questions[0].id
    assert resume_point(model, {}) == (dims[0].id, first_q)
    partial = {q.id: 2 for q in dims[1].questions[:2]}
    assert resume_point(model, partial, dims[1].id) == (dims[1].id, dims[1].questions[2].id)
    everything = {q: 1 for q in model.questions}
    assert resume_point(model, everything, dims[2].id) == (dims[2].id, None)
    before = {"answers": {first_q: 1}}
    after = {"answers": {first_q: 1, dims[3].questions[0].id: 0}, "comments": {}}
    assert last_changed_dimension(model, before, after) == dims[3].id
    assert last_changed_dimension(model, after, after) is None
    assert last_changed_dimension(model, None, {"answers": {first_q: "na"}}) == dims[0].id


def test_unanswered_lists_missing_and_unknown(model: Model) -> None:
    answers: dict[str, int | str] = {q: 2 for q in model.questions}
    qid = model.dimensions[4].questions[1].id
    answers[qid] = "unknown"
    del answers[model.dimensions[0].questions[0].id]
    summary = unanswered(model, answers, "fr")
    assert [d["id"] for d in summary] == [model.dimensions[0].id, model.dimensions[4].id]
    assert summary[1]["questions"] == [
        {"id": qid, "label": model.questions[qid][1].label.fr, "unknown": True}
    ]
