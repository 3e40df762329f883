"""With ``TERRITOIRES_REDIS_URL``, two application instances (as two workers would be) share
their sessions, login throttling and assistant rate limits through the real Redis server of
the project's machines (127.0.0.1:6379)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator

import pytest
import redis
from litestar import Litestar
from litestar.testing import TestClient

from maturity.model import Model
from service.app import create_app
from service.platform.settings import Settings
from service.platform.throttle import MAX_FAILURES
from tests.integration.service.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, People

Client = TestClient[Litestar]


@pytest.fixture(scope="module")
def workers(db_settings: Settings, model: Model, redis_url: str) -> Iterator[tuple[Client, Client]]:
    """Two apps over the same database and the same Redis, like two workers."""
    settings = Settings(
        **{
            f: getattr(db_settings, f)
            for f in db_settings.__struct_fields__
            if f not in {"redis_url", "assistant_rate_limit"}
        },
        redis_url=redis_url,
        assistant_rate_limit=3,
    )
    redis.Redis.from_url(redis_url).flushdb()
    with (
        TestClient(create_app(settings, model)) as one,
        TestClient(create_app(settings, model)) as two,
    ):
        yield one, two


def basic(email: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()}


def test_login_failures_count_across_workers(workers: tuple[Client, Client]) -> None:
    one, two = workers
    headers = basic(f"{secrets.token_hex(4)}@exemple.fr", "faux")
    for i in range(MAX_FAILURES):
        client = one if i % 2 else two
        assert (
            client.post("/api/v1/api-keys", json={"name": "x"}, headers=headers).status_code == 401
        )
    assert one.post("/api/v1/api-keys", json={"name": "x"}, headers=headers).status_code == 429
    assert two.post("/api/v1/api-keys", json={"name": "x"}, headers=headers).status_code == 429


def test_assistant_rate_limit_is_shared(workers: tuple[Client, Client]) -> None:
    one, two = workers
    body = {"question": "Qu'est-ce que la co-évaluation ?"}
    statuses = [
        (one if i % 2 else two).post("/api/v1/assistant/ask", json=body).status_code
        for i in range(5)
    ]
    assert statuses.count(429) >= 2, statuses  # 3 a minute between both workers


def test_a_session_opened_on_one_worker_is_known_to_the_other(
    workers: tuple[Client, Client], people: People
) -> None:
    one, two = workers
    page = one.get("/connexion")
    csrf = page.cookies.get("tc_csrf") or ""
    login = one.post(
        "/connexion",
        data={
            "email": ADMIN_EMAIL,
            "password": ADMIN_PASSWORD,
            "_csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert login.status_code == 303, login.text
    two.cookies.update(one.cookies)
    assert two.get("/espace", follow_redirects=False).status_code == 200
