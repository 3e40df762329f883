"""Evidence links: what a member types, what is stored, what is refused (page and API alike)."""

from __future__ import annotations

import pytest

from maturity.model import Model
from maturity.scoring import AnswerError
from service.assessments.answers import AnswersPayload, normalise_link, validate_payload


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://www.biarritz.fr/deliberation", "https://www.biarritz.fr/deliberation"),
        ("http://localhost:8000/rapport.pdf", "http://localhost:8000/rapport.pdf"),
        ("  www.biarritz.fr/deliberation ", "https://www.biarritz.fr/deliberation"),
        ("biarritz.fr", "https://biarritz.fr"),
        (
            "Biarritz.FR/Conseil?annee=2024#point-3",
            "https://Biarritz.FR/Conseil?annee=2024#point-3",
        ),
        ("//www.angers.fr/budget", "https://www.angers.fr/budget"),
        ("www.mairie-évry.fr/délibération", "https://www.mairie-évry.fr/délibération"),
        ("data.angers.fr:8443/jeux", "https://data.angers.fr:8443/jeux"),
    ],
)
def test_a_link_is_kept_or_gets_https(typed: str, stored: str) -> None:
    assert normalise_link(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "pas un lien",
        "pas-un-lien",
        "https://www.biarritz.fr/une délibération",
        "javascript:alert(1)",
        "mailto:maire@biarritz.fr",
        "ftp://biarritz.fr/preuve",
        "data:text/html,salut",
        "prenom:secret@biarritz.fr",
        "https://",
        "https//www.biarritz.fr",
        "http:/www.biarritz.fr",
        "biarritz.fr:port/x",
        "-biarritz.fr",
        "1.2.3.4",
        "www.biarritz.fr/\x07",
    ],
)
def test_only_what_is_no_web_address_is_refused(typed: str) -> None:
    assert normalise_link(typed) is None


def test_the_payload_stores_the_completed_link_and_names_the_refused_one(model: Model) -> None:
    first, second = list(model.questions)[:2]
    payload = AnswersPayload(answers={}, evidence={first: "biarritz.fr/budget"})
    assert validate_payload(model, payload).evidence == {first: "https://biarritz.fr/budget"}
    refused = AnswersPayload(answers={}, evidence={first: "biarritz.fr", second: "pas un lien"})
    with pytest.raises(AnswerError) as error:
        validate_payload(model, refused)
    assert [p.question for p in error.value.problems] == [second]
    assert "adresse web attendue" in error.value.problems[0].message
