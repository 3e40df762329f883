"""API suite fixtures: every test runs once on SQLite and once on PostgreSQL.

Each backend gets a fresh database for the session (a new SQLite file; a new PostgreSQL
database created on the server named by ``TERRITOIRES_TEST_POSTGRES_URL``, default
``postgresql+asyncpg://postgres@127.0.0.1:5432/test``, dropped at the end), migrated and
loaded with the reference territories once. Without that variable an unreachable server skips
the PostgreSQL pass; with it (as ``.ci/run`` sets it) an unreachable server fails it. A test
module that needs the demo population gets its own copy of a demo database built once per
backend and edition (`demo_databases`)."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import msgspec
import pytest
from bs4 import BeautifulSoup
from litestar import Litestar
from litestar.testing import TestClient

from maturity.model import Model
from service.accounts.members import create_user
from service.app import create_app
from service.platform.db import run_blocking, session_scope
from service.platform.settings import Settings
from tests.integration.service.smtp_server import Recorder, smtp_server
from tests.parallel import worker_number
from tests.prepared import DemoDatabases
from tests.prepared import load_reference_territories as load_reference_territories
from tests.prepared import provision as provision

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
Client = TestClient[Litestar]


@pytest.fixture(scope="session")
def demo_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDatabases]:
    """The demo databases of the session: each built once, copied for every test module that
    needs a fresh one (`DemoDatabases.copy`)."""
    databases = DemoDatabases(tmp_path_factory.mktemp("demo-databases"))
    try:
        yield databases
    finally:
        databases.close()


@pytest.fixture(scope="session", params=BACKENDS)
def db_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """Settings on a fresh, migrated database with the reference territories."""
    settings, cleanup = provision(request.param, tmp_path_factory.mktemp(request.param))
    try:
        load_reference_territories(settings)
        yield settings
    finally:
        cleanup()


@pytest.fixture(scope="session")
def api(db_settings: Settings, model: Model) -> Iterator[Client]:
    """A test client on the application over that database (built once per backend)."""
    with TestClient(create_app(db_settings, model)) as client:
        yield client


def basic(email: str, password: str) -> dict[str, str]:
    """An ``Authorization: Basic`` header."""
    token = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def bearer(secret: str) -> dict[str, str]:
    """An ``Authorization: Bearer`` header."""
    return {"Authorization": f"Bearer {secret}"}


@dataclass
class People:
    """Accounts with an API key each, made once per backend. Setting them up goes through the
    domain functions (no password hashing, to keep the suite fast); the invitation and
    password flows have their own tests."""

    client: Client
    settings: Settings
    admin: dict[str, str]
    cache: dict[tuple[str, str | None], dict[str, str]] = field(default_factory=dict)
    pool: Iterator[str] = field(default_factory=lambda: iter(_territory_pool()))

    def territory(self) -> str:
        """A commune that no other test of the session is handed: tests share one database,
        so each takes its own territory rather than a famous one another test may use."""
        return next(self.pool)

    def user(self, role: str, territory: str | None = None) -> dict[str, str]:
        """Headers of a user of `role` (of `territory` for members)."""
        from service.accounts.api_keys import ApiKeyCreate, create_api_key
        from service.accounts.auth import Principal

        async def make() -> str:
            email = f"{role}.{territory or 'reseau'}.{secrets.token_hex(3)}@exemple.fr"
            async with session_scope(self.settings) as session:
                user = await create_user(session, email, role, territory_code=territory)  # type: ignore[arg-type]
                owner = Principal(user.id, email, "", role, territory, "session")  # type: ignore[arg-type]
                created = await create_api_key(session, owner, ApiKeyCreate(name="tests"))
            return created.secret

        key = (role, territory)
        if key not in self.cache:
            self.cache[key] = bearer(run_blocking(make))
        return self.cache[key]

    def member(self, territory: str) -> dict[str, str]:
        """Headers of a member of `territory`."""
        return self.user("member", territory)


def _territory_pool() -> list[str]:
    import polars as pl

    from service.territories.reference import read_reference

    frame = read_reference().filter(
        (pl.col("kind") == "commune") & pl.col("population").is_between(3_500, 19_999)
    )
    return sorted(frame["code"].to_list(), reverse=True)


ADMIN_EMAIL = "admin.tests@exemple.fr"
ADMIN_PASSWORD = "mot de passe de l'administrateur"


@pytest.fixture(scope="session")
def people(api: Client, db_settings: Settings) -> People:
    """The first admin (made like ``territoires users create-admin``), an open 2026 campaign
    and a closed 2025 one, and a factory of other accounts."""

    async def bootstrap() -> None:
        async with session_scope(db_settings) as session:
            await create_user(session, ADMIN_EMAIL, "admin", password=ADMIN_PASSWORD)

    run_blocking(bootstrap)
    key = api.post(
        "/api/v1/api-keys", json={"name": "admin"}, headers=basic(ADMIN_EMAIL, ADMIN_PASSWORD)
    )
    assert key.status_code == 201, key.text
    admin = bearer(key.json()["secret"])
    for year, status in ((2025, "closed"), (2026, "open")):
        created = api.post(
            "/api/v1/campaigns", json={"year": year, "status": status}, headers=admin
        )
        assert created.status_code == 201, created.text
    return People(api, db_settings, admin)


def start(client: Client, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    """Create an assessment (the caller's territory, open campaign unless given)."""
    response = client.post("/api/v1/assessments", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


HTML = {"accept": "text/html"}
PASSWORD = "un mot de passe solide"
"""The password of the accounts `member_account` makes."""


def soup(response: Any) -> BeautifulSoup:
    """The parsed HTML of a response."""
    assert "text/html" in response.headers["content-type"], response.text[:300]
    return BeautifulSoup(response.text, "html.parser")


def csrf(client: Client, path: str = "/connexion") -> str:
    """A CSRF token for the client's cookie, read from a form of `path`."""
    field = soup(client.get(path, headers=HTML)).select_one("input[name=_csrf_token]")
    assert field is not None
    return str(field["value"])


def log_in(client: Client, email: str, password: str = PASSWORD) -> Any:
    """Post the login form."""
    token = csrf(client)
    return client.post(
        "/connexion",
        data={"_csrf_token": token, "email": email, "password": password},
        headers=HTML,
        follow_redirects=False,
    )


def without_cookies(client: Client) -> Iterator[Client]:
    """`client` with no cookie at the start and the end of a test (a fixture's body)."""
    client.cookies.clear()
    yield client
    client.cookies.clear()


@pytest.fixture(scope="module")
def web(db_settings: Settings, model: Model, people: People) -> Iterator[Client]:
    """A client of its own (its own cookies) on an application over the suite's database."""
    with TestClient(create_app(db_settings, model)) as client:
        yield client


@pytest.fixture
def browser(web: Client) -> Iterator[Client]:
    """The web client with no cookie at the start and the end of a test."""
    yield from without_cookies(web)


@pytest.fixture(scope="module")
def member_account(db_settings: Settings) -> Callable[[str], str]:
    """Make a member of a territory with a password; returns the email."""

    def make(territory: str) -> str:
        email = f"membre.{territory}.{secrets.token_hex(3)}@exemple.fr"

        async def run() -> None:
            async with session_scope(db_settings) as session:
                await create_user(
                    session, email, "member", territory_code=territory, password=PASSWORD
                )

        run_blocking(run)
        return email

    return make


# One Redis database per worker process (15, 14, …): the tests empty theirs.
REDIS_URL = os.environ.get(
    "TERRITOIRES_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - worker_number()}"
)


@pytest.fixture(scope="module")
def redis_url() -> str:
    """The URL of the test Redis server (skipped when unreachable, failed on CI)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:
        reason = f"Redis injoignable ({REDIS_URL}) : {exc}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return REDIS_URL


@pytest.fixture(scope="module")
def recorder() -> Iterator[tuple[Recorder, int]]:
    """A real SMTP server for this module."""
    keeper = Recorder()
    with smtp_server(keeper) as port:
        yield keeper, port


@pytest.fixture(scope="module")
def mailing(
    db_settings: Settings, model: Model, people: People, recorder: tuple[Recorder, int]
) -> Iterator[Client]:
    """A client on an application that sends its e-mails to the module's server."""
    settings = msgspec.structs.replace(
        db_settings,
        smtp_host="127.0.0.1",
        smtp_port=recorder[1],
        smtp_tls="none",
        public_url="http://testserver.local",
    )
    with TestClient(create_app(settings, model)) as client:
        yield client
