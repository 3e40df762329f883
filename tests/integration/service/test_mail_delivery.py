"""E-mail delivery against a real SMTP server on loopback: the outbox, the in-process queue
with its retries and backoff, a server that refuses then accepts, permanent refusals, an
unreachable server, a rolled-back transaction, and the SAQ queue on the real Redis."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.mail.outbox import Draft, record
from service.mail.postman import Postman
from service.mail.queue import LocalQueue, SaqQueue
from service.platform.db import make_engine
from service.platform.db.tables import OutboxMessage
from service.platform.settings import Settings, load_settings
from tests.integration.service.conftest import provision
from tests.integration.service.smtp_server import Recorder, free_port, smtp_server

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A migrated SQLite database for this module."""
    settings, cleanup = provision("sqlite", tmp_path_factory.mktemp("mail"))
    yield settings.data_dir
    cleanup()


def mail_settings(data_dir: Path, port: int | None, **overrides: Any) -> Settings:
    """Settings on the module's database, sending to 127.0.0.1:`port` in clear."""
    options: dict[str, Any] = {"mail_retry_seconds": 0.01, "mail_max_attempts": 4}
    if port is not None:
        options |= {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_tls": "none"}
    return load_settings({}, data_dir=data_dir, **(options | overrides))


@pytest.fixture
async def sessions(database: Path) -> AsyncIterator[Sessions]:
    """Sessions on the module's database."""
    engine = make_engine(mail_settings(database, None).effective_database_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


def draft(kind: str = "invitation", body: str = "Bonjour") -> Draft:
    """A message to a fresh address."""
    address = f"destinataire.{secrets.token_hex(4)}@example.org"
    return Draft(kind, address, f"Objet {kind} é", body)  # type: ignore[arg-type]


async def send(sessions: Sessions, settings: Settings, drafts: list[Draft]) -> list[OutboxMessage]:
    """Post `drafts` through a postman on a started local queue, commit, wait for delivery;
    the outbox rows afterwards."""
    queue = LocalQueue(settings)
    await queue.start(sessions)
    postman = Postman(settings, queue)
    async with sessions() as session:
        ids = await postman.post(session, drafts)
        await session.commit()
    await queue.drain()
    await queue.close()
    return await rows(sessions, ids)


async def rows(sessions: Sessions, ids: list[uuid.UUID]) -> list[OutboxMessage]:
    """The outbox rows of `ids`, in that order."""
    async with sessions() as session:
        found = (
            await session.execute(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))
        ).scalars()
        by_id = {row.id: row for row in found}
    return [by_id[i] for i in ids]


async def test_messages_reach_a_real_smtp_server(sessions: Sessions, database: Path) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        settings = mail_settings(database, port)
        sent = await send(sessions, settings, [draft(), draft("reminder")])
    assert [r.status for r in sent] == ["sent", "sent"]
    assert [r.attempts for r in sent] == [1, 1]
    assert sorted(m["To"] for m in recorder.received) == sorted(r.recipient for r in sent)
    by_to = {m["To"]: m for m in recorder.received}
    invitation, reminder = by_to[sent[0].recipient], by_to[sent[1].recipient]
    assert invitation["Subject"] == "Objet invitation é"
    assert invitation["From"] == settings.mail_sender
    assert invitation["List-Unsubscribe"] is None  # answers a request: no opt-out
    assert "/courriels/desinscription/" in reminder["List-Unsubscribe"]
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


async def test_a_server_that_refuses_then_accepts_gets_the_message_on_a_retry(
    sessions: Sessions, database: Path
) -> None:
    recorder = Recorder(refuse=2)
    with smtp_server(recorder) as port:
        [row] = await send(sessions, mail_settings(database, port), [draft()])
    assert row.status == "sent" and row.attempts == 3
    assert row.last_error is not None and "451" in row.last_error  # the refusals are logged
    assert recorder.refused == 2 and len(recorder.received) == 1


async def test_a_permanent_refusal_is_not_retried(sessions: Sessions, database: Path) -> None:
    recorder = Recorder(reject_all=True)
    with smtp_server(recorder) as port:
        [row] = await send(sessions, mail_settings(database, port), [draft()])
    assert row.status == "failed" and row.attempts == 1
    assert row.last_error is not None and "550" in row.last_error
    assert recorder.received == []


async def test_an_unreachable_server_is_retried_then_given_up_and_secrets_forgotten(
    sessions: Sessions, database: Path
) -> None:
    settings = mail_settings(database, free_port(), mail_max_attempts=3)
    [row] = await send(sessions, settings, [draft("password_reset", "lien secret")])
    assert row.status == "failed" and row.attempts == 3
    assert row.body == ""  # the reset link does not stay in the database


async def test_without_a_server_messages_are_logged_as_not_sent(
    sessions: Sessions, database: Path
) -> None:
    [row] = await send(sessions, mail_settings(database, None), [draft()])
    assert row.status == "skipped" and row.attempts == 0
    assert "TERRITOIRES_SMTP_HOST" in (row.last_error or "")


async def test_a_rolled_back_transaction_sends_nothing(sessions: Sessions, database: Path) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        settings = mail_settings(database, port)
        queue = LocalQueue(settings)
        await queue.start(sessions)
        message = draft()
        async with sessions() as session:
            await Postman(settings, queue).post(session, [message])
            await session.rollback()
        await queue.drain()
        await queue.close()
    async with sessions() as session:
        found = await session.execute(
            select(OutboxMessage).where(OutboxMessage.recipient == message.recipient)
        )
        assert found.first() is None
    assert recorder.received == []


async def test_messages_left_queued_are_sent_when_the_queue_starts(
    sessions: Sessions, database: Path
) -> None:
    async with sessions() as session:  # e.g. the process stopped before sending them
        ids = await record(session, [draft(), draft()])
        await session.commit()
    recorder = Recorder()
    with smtp_server(recorder) as port:
        queue = LocalQueue(mail_settings(database, port))
        await queue.start(sessions)
        await queue.drain()
        await queue.close()
    assert [r.status for r in await rows(sessions, ids)] == ["sent", "sent"]


async def test_a_reminder_key_is_logged_once(sessions: Sessions, database: Path) -> None:
    key = f"reminder:2030:14:{secrets.token_hex(4)}"
    message = Draft("reminder", "x@example.org", "Rappel", "…", dedupe_key=key)
    async with sessions() as session:
        assert len(await record(session, [message])) == 1
        assert await record(session, [message]) == []
        await session.commit()


def _redis_available(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


async def test_the_saq_queue_on_redis_retries_until_the_server_accepts(
    sessions: Sessions, database: Path
) -> None:
    from service.mail.worker import mail_worker

    url = "redis://127.0.0.1:6379/0"
    if not _redis_available(url):
        pytest.skip("Redis absent sur 127.0.0.1:6379 : la file SAQ n'est pas testée")
    name = f"test-mail-{secrets.token_hex(4)}"
    recorder = Recorder(refuse=1)
    with smtp_server(recorder) as port:
        settings = mail_settings(database, port, redis_url=url)
        queue = SaqQueue(settings, name)
        await queue.start(sessions)
        async with sessions() as session:
            ids = await Postman(settings, queue).post(session, [draft(), draft("notice")])
            await session.commit()
        await queue.close()  # enqueued in Redis; this side is done
        worker = mail_worker(settings, name=name, concurrency=2)
        worker.SIGNALS = []  # pytest keeps its own signal handlers
        running = asyncio.create_task(worker.start())
        try:
            for _ in range(300):  # a bound, not a timing assertion
                found = await rows(sessions, ids)
                if all(r.status != "queued" for r in found):
                    break
                await asyncio.sleep(0.1)
        finally:
            await worker.stop()
            running.cancel()
            await _forget_queue(url, name)
    assert [r.status for r in found] == ["sent", "sent"]
    assert sorted(r.attempts for r in found) == [1, 2]  # one was refused once, then retried
    assert len(recorder.received) == 2


async def _forget_queue(url: str, name: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(f"*{name}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
