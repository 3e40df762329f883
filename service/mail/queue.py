"""The job queues that deliver logged messages: SAQ on Redis when ``TERRITOIRES_REDIS_URL``
is set (jobs survive a restart and any number of workers share them; the ``worker`` service
runs them), otherwise an in-process asyncio queue with the same retries and backoff (messages
still queued at start, e.g. after a restart, are picked up again)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Coroutine, Iterable
from typing import Any, Final, Protocol

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from service.mail.delivery import TryAgainError, deliver, retry_delay
from service.mail.smtp import SmtpSender
from service.platform.db import Sessions
from service.platform.db.tables import OutboxMessage
from service.platform.settings import Settings

__all__ = ["QUEUE_NAME", "LocalQueue", "MailQueue", "SaqQueue", "mail_queue", "queued_ids"]

log = logging.getLogger(__name__)
QUEUE_NAME: Final = "territoires-mail"
LOCAL_CONCURRENCY: Final = 4


class MailQueue(Protocol):
    """Where message ids go to be delivered."""

    def submit(self, ids: Iterable[uuid.UUID]) -> None:
        """Queue these messages (called in the event loop, after their commit)."""

    async def start(self, sessions: Sessions) -> None:
        """Begin (with the application's sessions)."""

    async def close(self) -> None:
        """Stop."""


class _Tasks:
    """Background tasks kept referenced until they end."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def wait(self) -> None:
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    async def cancel(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await self.wait()


async def queued_ids(sessions: Sessions) -> list[uuid.UUID]:
    """Messages still waiting to be sent, oldest first."""
    async with sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == "queued")
            .order_by(OutboxMessage.created_at)
        )
        return list(rows.scalars())


class LocalQueue:
    """Delivery in this process: a few messages at a time, each retried with backoff."""

    def __init__(self, settings: Settings, sender: SmtpSender | None = None) -> None:
        self._settings = settings
        self._sender = sender or SmtpSender(settings)
        self._sessions: Sessions | None = None
        self._slots = asyncio.Semaphore(LOCAL_CONCURRENCY)
        self._tasks = _Tasks()

    def submit(self, ids: Iterable[uuid.UUID]) -> None:
        """Deliver these messages in the background."""
        for message_id in ids:
            self._tasks.spawn(self._run(message_id))

    async def start(self, sessions: Sessions) -> None:
        """Take the sessions, and pick up the messages left queued (an outbox that cannot be
        read, e.g. a database not migrated yet, is logged: the service starts all the same)."""
        self._sessions = sessions
        try:
            self.submit(await queued_ids(sessions))
        except SQLAlchemyError:
            log.exception("messages en attente illisibles : ils partiront au prochain démarrage")

    async def drain(self) -> None:
        """Wait until every submitted message is sent or given up."""
        await self._tasks.wait()

    async def close(self) -> None:
        """Stop; unsent messages stay queued in the outbox for the next start."""
        await self._tasks.cancel()

    async def _run(self, message_id: uuid.UUID) -> None:
        attempts = self._settings.mail_max_attempts
        for attempt in range(1, attempts + 1):
            try:
                async with self._slots:
                    assert self._sessions is not None, "LocalQueue.start() not called"
                    await deliver(
                        self._sessions,
                        self._settings,
                        self._sender,
                        message_id,
                        final=attempt == attempts,
                    )
                return
            except TryAgainError:
                await asyncio.sleep(retry_delay(self._settings, attempt))
            except Exception:
                log.exception("envoi du message %s", message_id)
                return


class SaqQueue:
    """Delivery by SAQ workers over Redis: this side only enqueues."""

    def __init__(self, settings: Settings, name: str = QUEUE_NAME) -> None:
        from saq import Queue

        assert settings.redis_url, "SaqQueue needs TERRITOIRES_REDIS_URL"
        self._settings = settings
        self.queue = Queue.from_url(settings.redis_url, name=name)
        self._tasks = _Tasks()

    def submit(self, ids: Iterable[uuid.UUID]) -> None:
        """Enqueue a delivery job per message (its id is the job key: never twice)."""
        self._tasks.spawn(self.enqueue(list(ids)))

    async def enqueue(self, ids: Iterable[uuid.UUID]) -> None:
        """Enqueue now (awaited)."""
        s = self._settings
        for message_id in ids:
            await self.queue.enqueue(
                "deliver",
                message_id=str(message_id),
                key=f"mail:{message_id}",
                retries=s.mail_max_attempts,
                retry_delay=s.mail_retry_seconds,
                retry_backoff=3600.0,
                timeout=int(s.smtp_timeout * 2) + 5,
            )

    async def start(self, sessions: Sessions) -> None:
        """Connect to Redis."""
        await self.queue.connect()

    async def close(self) -> None:
        """Finish enqueuing, then disconnect."""
        await self._tasks.wait()
        await self.queue.disconnect()


def mail_queue(settings: Settings) -> LocalQueue | SaqQueue:
    """The queue the settings call for."""
    return SaqQueue(settings) if settings.redis_url else LocalQueue(settings)
