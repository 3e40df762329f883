"""Inputs that used to end in a 500 (found by schemathesis and by hand) get a 4xx with a
problem body: deep JSON, invalid UTF-8, NUL characters, integers beyond the database's
columns, a NUL in a path, and bodies in the wrong media type."""

from __future__ import annotations

import pytest
from litestar.exceptions import HTTPException

from tests.integration.service.conftest import Client, People, start

JSON = {"content-type": "application/json"}
ANONYMOUS_JSON_ENDPOINTS = (
    "/api/v1/score",
    "/api/v1/assistant/ask",
    "/api/v1/assistant/stream",
    "/api/v1/assistant/feedback",
    "/api/v1/invitations/accept",
)


def problem(response: object, status: int) -> dict[str, object]:
    """The problem body of a refusal, checked to carry `status`."""
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    return body


@pytest.mark.parametrize("path", ANONYMOUS_JSON_ENDPOINTS)
def test_json_nested_a_thousand_levels_is_a_400(api: Client, path: str) -> None:
    deep = b"[" * 1000 + b"]" * 1000
    response = api.post(path, content=b'{"answers": ' + deep + b"}", headers=JSON)
    assert "imbriqué" in str(problem(response, 400)["detail"])


@pytest.mark.parametrize("path", ANONYMOUS_JSON_ENDPOINTS)
def test_invalid_utf8_is_a_400(api: Client, path: str) -> None:
    response = api.post(path, content=b'{"question": "\xff\xfe"}', headers=JSON)
    assert "UTF-8" in str(problem(response, 400)["detail"])


def test_brackets_inside_strings_are_not_nesting(api: Client) -> None:
    question = "[" * 200 + " Qu'est-ce qu'un jumeau numérique ?"
    response = api.post("/api/v1/assistant/ask", json={"question": question})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "body",
    [
        {"useful": True, "question": "a\u0000b", "answer": "x"},
        {"useful": True, "question": "ab", "answer": "x", "comment": "fin\u0000"},
    ],
)
def test_nul_characters_are_refused_in_french(api: Client, body: dict[str, object]) -> None:
    response = api.post("/api/v1/assistant/feedback", json=body)
    assert "NUL" in str(problem(response, 400)["detail"])


def test_nul_in_an_invitation_email_is_refused(api: Client, people: People) -> None:
    response = api.post(
        "/api/v1/invitations",
        json={"email": "x\u0000@exemple.fr", "territory_code": "64122"},
        headers=people.admin,
    )
    problem(response, 400)


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("text/plain", b'{"answers": {}}'),
        ("application/x-www-form-urlencoded", b"answers=1"),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n',
        ),
    ],
)
def test_json_endpoints_refuse_other_media_types(
    api: Client, content_type: str, content: bytes
) -> None:
    response = api.post("/api/v1/score", content=content, headers={"content-type": content_type})
    assert "JSON" in str(problem(response, 415)["detail"])


@pytest.mark.parametrize("number", [2**31, 2**63, 2**64 + 1])
def test_revision_numbers_beyond_the_columns_are_a_4xx(
    api: Client, people: People, number: int
) -> None:
    member = people.member(people.territory())
    assessment = start(api, member)["id"]
    response = api.get(f"/api/v1/assessments/{assessment}/revisions/{number}", headers=member)
    assert 400 <= response.status_code < 500, response.text
    saved = api.put(
        f"/api/v1/assessments/{assessment}/answers",
        json={"answers": {}, "expected_revision": number},
        headers=member,
    )
    assert 400 <= saved.status_code < 500, saved.text


def test_a_nul_in_a_path_is_a_400(api: Client) -> None:
    problem(api.get("/static/%00"), 400)
    problem(api.get("/static/css/%00site.css"), 400)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"useful": 0}, "type attendu bool, reçu int"),  # Litestar read it as false
        ({"refused": "false"}, "type attendu bool, reçu str"),
    ],
)
def test_json_types_are_not_converted(
    api: Client, change: dict[str, object], expected: str
) -> None:
    """A value of the wrong JSON type is refused as the schema says (schemathesis sent
    ``{"public": 0}`` and ``{"refused": 0}``, and both were stored)."""
    body = {"useful": True, "question": "Un jumeau numérique ?", "answer": "x"} | change
    response = api.post("/api/v1/assistant/feedback", json=body)
    detail = str(problem(response, 400)["detail"])
    assert expected in detail


def test_an_integral_number_is_an_integer(api: Client, people: People) -> None:
    """JSON Schema reads ``0.0`` as the integer 0: so does the service; ``"0"`` is refused."""
    member = people.member(people.territory())
    assessment = start(api, member)
    path = f"/api/v1/assessments/{assessment['id']}/answers"
    revision = float(assessment["revision"])
    saved = api.put(path, json={"answers": {}, "expected_revision": revision}, headers=member)
    assert saved.status_code == 200, saved.text
    quoted = {"answers": {}, "expected_revision": str(saved.json()["revision"])}
    problem(api.put(path, json=quoted, headers=member), 400)


def test_a_client_leaving_mid_body_is_not_a_server_error() -> None:
    from litestar.exceptions import InternalServerException
    from litestar.testing import RequestFactory

    from service.platform.errors import exception_handlers

    handler = exception_handlers()[HTTPException]
    request = RequestFactory().post("/api/v1/knowledge/documents")
    response = handler(request, InternalServerException("client disconnected prematurely"))
    assert response.status_code == 400
    assert "interrompue" in response.content.detail
