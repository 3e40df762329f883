"""The SAQ worker that delivers e-mails from Redis and looks for due reminders every hour:
``python -m service.mail.worker`` (the ``worker`` service of ``docker-compose.yml``), with
the same ``TERRITOIRES_*`` settings as the web service."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from saq import CronJob, Worker
from sqlalchemy.ext.asyncio import async_sessionmaker

from service.mail.delivery import deliver
from service.mail.postman import Postman
from service.mail.queue import QUEUE_NAME, SaqQueue
from service.mail.reminders import queue_due_reminders
from service.mail.smtp import SmtpSender
from service.platform.db import make_engine
from service.platform.settings import Settings, load_settings

__all__ = ["mail_worker", "main"]

Context = Any


async def deliver_job(ctx: Context, *, message_id: str) -> str | None:
    """One attempt at a message; SAQ retries it with backoff on `TryAgainError`."""
    return await deliver(
        ctx["sessions"],
        ctx["settings"],
        ctx["sender"],
        uuid.UUID(message_id),
        final=not ctx["job"].retryable,
    )


async def reminders(ctx: Context) -> int:
    """Log and queue the reminders due today."""
    async with ctx["sessions"]() as session:
        count = await queue_due_reminders(session, ctx["postman"], datetime.now(UTC).date())
        await session.commit()
    return count


def mail_worker(
    settings: Settings, *, name: str = QUEUE_NAME, concurrency: int = 10, **options: Any
) -> Worker[Any]:
    """A SAQ worker on the Redis of `settings` (``TERRITOIRES_REDIS_URL``)."""
    queue = SaqQueue(settings, name)
    engine = make_engine(settings.effective_database_url, pool_pre_ping=True)

    async def startup(ctx: Context) -> None:
        ctx["settings"] = settings
        ctx["sessions"] = async_sessionmaker(engine, expire_on_commit=False)
        ctx["sender"] = SmtpSender(settings)
        ctx["postman"] = Postman(settings, queue)

    async def shutdown(ctx: Context) -> None:
        await queue.close()
        await engine.dispose()

    return Worker(
        queue.queue,
        functions=[("deliver", deliver_job), reminders],
        cron_jobs=[CronJob(reminders, cron="7 * * * *")],
        startup=startup,
        shutdown=shutdown,
        concurrency=concurrency,
        **options,
    )


def main() -> None:
    """Run the worker until SIGINT or SIGTERM."""
    settings = load_settings()
    if not settings.redis_url:
        raise SystemExit(
            "TERRITOIRES_REDIS_URL n'est pas défini : sans Redis, le service web envoie les "
            "courriels lui-même (file interne) et aucun worker n'est nécessaire."
        )
    logging.basicConfig(level=settings.log_level)
    asyncio.run(mail_worker(settings).start())


if __name__ == "__main__":
    main()
