"""The OpenAPI document describes every persistence endpoint, with examples, and says what the
API answers: every problem, every media type of a success, what a body may hold; OPTIONS and
405 list the methods allowed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.service.conftest import Client

PREFIXES = (
    "/api/v1/territories",
    "/api/v1/profiles",
    "/api/v1/campaigns",
    "/api/v1/assessments",
    "/api/v1/me",
    "/api/v1/users",
    "/api/v1/invitations",
    "/api/v1/api-keys",
)


def test_every_endpoint_has_a_summary_and_examples(api: Client) -> None:
    schema = api.get("/schema/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    operations: list[tuple[str, str, dict[str, Any]]] = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        if path.startswith(PREFIXES)
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) >= 25
    for path, method, operation in operations:
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        success = next(r for code, r in operation["responses"].items() if code.startswith("2"))
        assert success["content"]["application/json"].get("examples"), where
        if "requestBody" in operation:
            body = operation["requestBody"]["content"]["application/json"]
            assert body.get("examples") or body["schema"].get("examples"), where
    assert api.get("/schema").status_code == 200


def _api_operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        if path.startswith("/api/")
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def test_every_problem_is_documented_as_problem_json(api: Client) -> None:
    """What schemathesis's checks hold the API to: each 4xx an operation can give is listed,
    as ``application/problem+json`` with the Problem schema (Litestar's own 400 described a
    body the service never sends)."""
    schema = api.get("/schema/openapi.json").json()
    assert "Problem" in schema["components"]["schemas"]
    for path, method, operation in _api_operations(schema):
        where = f"{method.upper()} {path}"
        answers = operation["responses"]
        for code, answer in answers.items():
            if code.startswith("4"):
                content = answer["content"]
                assert list(content) == ["application/problem+json"], (where, code)
                assert content["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"
                }, (where, code)
        body = operation.get("requestBody", {}).get("content", {})
        if operation.get("parameters") or body:
            assert "400" in answers, where
        if "{" in path:
            assert "404" in answers, where
        if "application/json" in body:
            assert {"413", "415"} <= set(answers), where
    paths = schema["paths"]
    # 401 where the caller's credentials are read (an unknown key is refused), not elsewhere
    assert "401" in paths["/api/v1/territories/{code}/results"]["get"]["responses"]
    assert "401" in paths["/api/v1/assistant/ask"]["post"]["responses"]
    assert "401" not in paths["/api/v1/model"]["get"]["responses"]
    assert "429" in paths["/api/v1/assistant/ask"]["post"]["responses"]
    assert "Retry-After" in paths["/api/v1/assistant/ask"]["post"]["responses"]["429"]["headers"]


def test_successes_list_every_media_type(api: Client) -> None:
    paths = api.get("/schema/openapi.json").json()["paths"]
    aggregates = paths["/api/v1/benchmarks/aggregates"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv", "application/vnd.apache.parquet"} <= set(aggregates)
    ask = paths["/api/v1/assistant/ask"]["post"]["responses"]["200"]["content"]
    assert set(ask) == {"application/json", "text/event-stream"}
    stream = paths["/api/v1/assistant/stream"]["post"]["responses"]["200"]["content"]
    assert set(stream) == {"text/event-stream"}
    assert stream["text/event-stream"]["schema"]["properties"]["data"] == {"type": "string"}


def test_struct_schemas_say_what_msgspec_checks(api: Client) -> None:
    components = api.get("/schema/openapi.json").json()["components"]["schemas"]
    # structs that refuse unknown fields say so; the others do not
    assert components["AnswersPayload"]["additionalProperties"] is False
    assert components["AskRequest"]["additionalProperties"] is False
    assert "additionalProperties" not in components["AssessmentView"]
    # a bound of 0 (Litestar 2 leaves falsy bounds out)
    assert components["AnswersPayload"]["properties"]["expected_revision"]["minimum"] == 0


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/api/v1/campaigns", "GET, OPTIONS, POST"),
        ("/api/v1/assistant/feedback", "GET, OPTIONS, POST"),
        ("/api/v1/assessments/0b6f7c1e-5d0e-4a57-9a55-2f4c1c0d9e21/answers", "OPTIONS, PATCH, PUT"),
    ],
)
def test_options_lists_every_method_of_the_path(api: Client, path: str, methods: str) -> None:
    """Litestar 2 listed only the first handler's method (litestar-org/litestar#4169)."""
    response = api.options(path)
    assert response.status_code == 204
    assert response.headers["allow"] == methods


@pytest.mark.parametrize(("path", "html"), [("/ready", True), ("/api/v1/model", False)])
def test_a_405_says_which_methods_are_allowed(api: Client, path: str, html: bool) -> None:
    """RFC 9110: on a page too, where the error is rendered as HTML."""
    response = api.request("TRACE", path)
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]
    assert response.headers["content-type"].startswith("text/html" if html else "application/")


def test_operations_say_which_credentials_they_read(api: Client) -> None:
    schema = api.get("/schema/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["cle"] == {**schemes["cle"], "type": "http", "scheme": "bearer"}
    paths = schema["paths"]
    assert paths["/api/v1/me"]["get"]["security"] == [{"cle": []}]
    assert paths["/api/v1/territories/{code}/results"]["get"]["security"] == [{}, {"cle": []}]
    assert paths["/api/v1/api-keys"]["post"]["security"] == [{"cle": []}, {"identifiants": []}]
    assert "security" not in paths["/api/v1/model"]["get"]
