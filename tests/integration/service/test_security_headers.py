"""Security headers on every response."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import TestClient

Client = TestClient[Litestar]


def test_strict_headers_on_api_and_errors(api: Client) -> None:
    for response in (api.get("/api/v1/model"), api.get("/introuvable")):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in response.headers  # plain HTTP here


def test_hsts_only_behind_tls(api: Client) -> None:
    response = api.get("/health", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def test_api_reference_is_local_under_the_strict_policy(api: Client) -> None:
    page = api.get("/schema")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp and "https:" not in csp and "cdn" not in csp
    assert "<script>" not in page.text  # no inline script: only files of the service
    for asset in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        assert asset.startswith("/"), asset
        served = api.get(asset)
        assert served.status_code == 200, asset
    assert api.get("/schema/swagger").status_code == 200
