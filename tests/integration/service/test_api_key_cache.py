"""The in-process cache of verified API keys: a cached key is not read again, a revocation
made through this process is refused at once, 0 disables the cache, expiry is still honoured."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from litestar.testing import TestClient
from sqlalchemy import event, update

from maturity.model import Model
from service.app import create_app
from service.platform.db import run_blocking, session_scope
from service.platform.db.tables import ApiKey
from service.platform.settings import Settings
from tests.integration.service.conftest import Client, People, bearer


@contextmanager
def serving(settings: Settings, model: Model, seconds: float) -> Iterator[tuple[Client, list[str]]]:
    """A client on an app whose key cache keeps keys `seconds`, and the SQL reading keys."""
    app = create_app(msgspec.structs.replace(settings, api_key_cache_seconds=seconds), model)
    reads: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "api_key.secret_hash" in statement:
            reads.append(statement)

    with TestClient(app) as client:
        event.listen(app.state["db_engine"].sync_engine, "before_cursor_execute", seen)
        yield client, reads


def revoke_in_sql(settings: Settings, user_id: str) -> None:
    """Revoke a user's keys in SQL, as a tool outside the service would."""

    async def run() -> None:
        async with session_scope(settings) as session:
            table = ApiKey.__table__  # Core, not the ORM entity: no session event sees it
            await session.execute(
                update(table)
                .where(table.c.user_id == uuid.UUID(user_id))
                .values(revoked_at=datetime.now(UTC))
            )

    run_blocking(run)


def test_a_cached_key_is_read_once_and_revoked_at_once_in_this_process(
    db_settings: Settings, model: Model, people: People
) -> None:
    headers = people.member(people.territory())
    with serving(db_settings, model, 3600) as (client, reads):
        for _ in range(3):
            assert client.get("/api/v1/me", headers=headers).status_code == 200
        assert len(reads) == 1
        key = client.get("/api/v1/api-keys", headers=headers).json()["items"][0]
        assert client.delete(f"/api/v1/api-keys/{key['id']}", headers=headers).status_code == 200
        refused = client.get("/api/v1/me", headers=headers)
        assert refused.status_code == 401 and "révoquée" in refused.json()["detail"]


def test_deactivating_the_owner_drops_the_cached_key(
    db_settings: Settings, model: Model, people: People
) -> None:
    headers = people.member(people.territory())
    with serving(db_settings, model, 3600) as (client, _):
        me = client.get("/api/v1/me", headers=headers).json()
        off = client.patch(
            f"/api/v1/users/{me['id']}", json={"active": False}, headers=people.admin
        )
        assert off.status_code == 200
        assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_zero_seconds_reads_the_key_on_every_request(
    db_settings: Settings, model: Model, people: People
) -> None:
    headers = people.member(people.territory())
    with serving(db_settings, model, 0) as (client, reads):
        for _ in range(3):
            assert client.get("/api/v1/me", headers=headers).status_code == 200
        assert len(reads) == 3
        user_id = client.get("/api/v1/me", headers=headers).json()["id"]
        revoke_in_sql(db_settings, user_id)  # unseen by the service's session events
        assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_change_made_outside_the_service_waits_for_the_delay(
    db_settings: Settings, model: Model, people: People
) -> None:
    """What README states for other workers: a key stays accepted until its entry ages out."""
    headers = people.member(people.territory())
    with serving(db_settings, model, 3600) as (client, _):
        user_id = client.get("/api/v1/me", headers=headers).json()["id"]
        revoke_in_sql(db_settings, user_id)
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    with serving(db_settings, model, 3600) as (client, _):  # a process that never cached it
        assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_an_expired_key_is_refused_even_when_cached(
    db_settings: Settings, model: Model, people: People
) -> None:
    member = people.member(people.territory())
    with serving(db_settings, model, 3600) as (client, _):
        expires = datetime.now(UTC) + timedelta(seconds=2)
        created = client.post(
            "/api/v1/api-keys",
            json={"name": "brève", "expires_at": expires.isoformat()},
            headers=member,
        )
        assert created.status_code == 201, created.text
        headers = bearer(created.json()["secret"])
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        time.sleep(max(0.0, (expires - datetime.now(UTC)).total_seconds()) + 0.05)
        assert client.get("/api/v1/me", headers=headers).status_code == 401
