"""The application's postman: writes messages to the outbox in the caller's transaction and
hands them to the queue once that transaction is committed (a rolled-back request sends
nothing; a slow mail server never holds a request)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from litestar import Litestar
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from service.mail.outbox import Draft, record
from service.mail.queue import LocalQueue, MailQueue, SaqQueue, mail_queue
from service.platform.db import Sessions
from service.platform.settings import Settings

__all__ = ["REMINDER_INTERVAL", "Postman"]

log = logging.getLogger(__name__)
REMINDER_INTERVAL: Final = 3600.0
"""Seconds between two looks for due reminders (in-process queue; SAQ uses its cron)."""


class Postman:
    """Records messages and queues them after commit."""

    def __init__(self, settings: Settings, queue: MailQueue | None = None) -> None:
        self.settings = settings
        self.queue: MailQueue = queue or mail_queue(settings)

    async def post(self, session: AsyncSession, drafts: Sequence[Draft]) -> list[uuid.UUID]:
        """Log `drafts` (reminders already sent are skipped) and queue them at commit."""
        ids = await record(session, drafts)
        if ids:
            pending: list[uuid.UUID] = session.info.setdefault("mail_pending", [])
            if not pending:
                event.listen(session.sync_session, "after_commit", self._after_commit, once=True)
                event.listen(session.sync_session, "after_rollback", self._forget, once=True)
            pending += ids
        return ids

    def _after_commit(self, sync_session: Any) -> None:
        ids = sync_session.info.pop("mail_pending", [])
        self.queue.submit(ids)

    @staticmethod
    def _forget(sync_session: Any) -> None:
        sync_session.info.pop("mail_pending", None)

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        """Start the queue on the application's sessions; with the in-process queue, also
        look for due reminders every hour."""
        sessions: Sessions = app.state["db_sessionmaker"]
        await self.queue.start(sessions)
        loop = None
        if isinstance(self.queue, LocalQueue):
            loop = asyncio.get_running_loop().create_task(self._reminders(sessions))
        try:
            yield
        finally:
            if loop is not None:
                loop.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await loop
            await self.queue.close()

    async def _reminders(self, sessions: Sessions) -> None:
        from service.mail.reminders import queue_due_reminders

        while True:
            await asyncio.sleep(60)
            try:
                async with sessions() as session:
                    await queue_due_reminders(session, self, datetime.now(UTC).date())
                    await session.commit()
            except Exception:
                log.exception("rappels de campagne")
            await asyncio.sleep(REMINDER_INTERVAL - 60)


def is_shared(postman: Postman) -> bool:
    """Whether deliveries run in separate workers (SAQ on Redis)."""
    return isinstance(postman.queue, SaqQueue)
