"""One attempt at delivering one logged message, and its outcome written back to the outbox.

Called by whichever queue runs the job (SAQ's worker, or the in-process queue). A temporary
failure before the last attempt raises `TryAgainError` for the queue to try again after its
backoff; a permanent failure, or the last attempt's, leaves the message ``failed``."""

from __future__ import annotations

import logging
import uuid

from service.accounts.auth import utcnow
from service.mail.optout import opt_out_path
from service.mail.outbox import SECRET_KINDS, MessageStatus
from service.mail.smtp import DeliveryError, SmtpSender, build_message
from service.platform.db import Sessions
from service.platform.db.tables import OutboxMessage
from service.platform.settings import Settings

__all__ = ["NOT_CONFIGURED", "TryAgainError", "deliver", "retry_delay"]

log = logging.getLogger(__name__)
NOT_CONFIGURED = "aucun serveur SMTP configuré (TERRITOIRES_SMTP_HOST)"
MAX_DELAY = 3600.0


class TryAgainError(Exception):
    """The attempt failed for a reason that may pass: try again after the backoff."""


def retry_delay(settings: Settings, attempt: int) -> float:
    """Seconds to wait after failed `attempt` (1-based): doubling, at most an hour."""
    return float(min(settings.mail_retry_seconds * 2 ** (attempt - 1), MAX_DELAY))


async def deliver(
    sessions: Sessions,
    settings: Settings,
    sender: SmtpSender,
    message_id: uuid.UUID,
    *,
    final: bool,
) -> MessageStatus | None:
    """Send message `message_id` if still queued; returns its new status (None when it is not
    in the outbox, e.g. its transaction was rolled back)."""
    async with sessions() as session:
        row = await session.get(OutboxMessage, message_id)
        if row is None:
            if final:
                return None
            raise TryAgainError("message absent de la file (transaction pas encore validée ?)")
        if row.status != "queued":
            return row.status  # type: ignore[return-value]
        status = await _attempt(settings, sender, row, final)
        await session.commit()
    if status == "queued":
        raise TryAgainError(row.last_error or "")
    return status


async def _attempt(
    settings: Settings, sender: SmtpSender, row: OutboxMessage, final: bool
) -> MessageStatus:
    now = utcnow()
    row.updated_at = now
    if not sender.configured:
        row.status, row.last_error = "skipped", NOT_CONFIGURED
        _forget_secret(row)
        return "skipped"
    unsubscribe = None
    if row.kind in ("reminder", "notice"):
        unsubscribe = settings.public_url.rstrip("/") + opt_out_path(
            settings.secret_key, row.recipient
        )
    message = build_message(settings, row.recipient, row.subject, row.body, unsubscribe)
    row.attempts += 1
    try:
        await sender.send(message)
    except DeliveryError as exc:
        row.last_error = str(exc)
        log.warning("envoi %s échoué (essai %s) : %s", row.id, row.attempts, exc)
        if exc.permanent or final:
            row.status = "failed"
            _forget_secret(row)
        return row.status  # type: ignore[return-value]
    row.status, row.sent_at = "sent", now
    _forget_secret(row)
    return "sent"


def _forget_secret(row: OutboxMessage) -> None:
    if row.kind in SECRET_KINDS:
        row.body = ""
