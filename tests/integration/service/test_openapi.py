"""The OpenAPI document describes every persistence endpoint, with examples."""

from __future__ import annotations

from typing import Any

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
