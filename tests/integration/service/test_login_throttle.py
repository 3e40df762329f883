"""Login throttling: repeated wrong passwords from one address get a 429 with Retry-After,
on the API (Basic, to get a key) and on the login page."""

from __future__ import annotations

import base64

import pytest
from litestar import Litestar
from litestar.stores.memory import MemoryStore
from litestar.testing import TestClient

from service.platform.throttle import MAX_FAILURES, LoginThrottle

Client = TestClient[Litestar]


@pytest.fixture
def throttled(api: Client) -> Client:
    """A fresh throttle for each test (the app's counts every test's failures)."""
    api.app.state["login_throttle"] = LoginThrottle(MemoryStore())
    return api


def basic(email: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_api_refuses_after_repeated_failures(throttled: Client) -> None:
    headers = basic("inconnu@exemple.fr", "mauvais")
    for _ in range(MAX_FAILURES):
        response = throttled.post("/api/v1/api-keys", json={"name": "x"}, headers=headers)
        assert response.status_code == 401
    blocked = throttled.post("/api/v1/api-keys", json={"name": "x"}, headers=headers)
    assert blocked.status_code == 429
    assert blocked.headers["retry-after"] == "900"
    assert "Trop de tentatives" in blocked.json()["detail"]


def test_login_page_says_so_and_keeps_the_email(throttled: Client) -> None:
    throttled.get("/connexion")  # the form's CSRF cookie, set now or by an earlier test
    csrf = throttled.cookies.get("tc_csrf") or ""
    form = {"email": "quelquun@exemple.fr", "password": "faux", "_csrf_token": csrf}
    for _ in range(MAX_FAILURES + 1):
        response = throttled.post("/connexion", data=form)
    assert "Trop de tentatives de connexion" in response.text
    assert 'value="quelquun@exemple.fr"' in response.text
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 0
