"""Sending one message over SMTP (aiosmtplib) with the server, TLS mode and credentials of
the settings. Failures are sorted: a temporary one (server down, 4xx) is worth retrying, a
permanent one (5xx: address refused) is not."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from service.platform.settings import Settings

__all__ = ["DeliveryError", "SmtpSender", "build_message"]


class DeliveryError(Exception):
    """A failed attempt; ``permanent`` when retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def build_message(
    settings: Settings, recipient: str, subject: str, body: str, unsubscribe: str | None = None
) -> EmailMessage:
    """A plain-text UTF-8 message; `unsubscribe` adds the one-click opt-out headers."""
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=_domain(settings.mail_sender))
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(body)
    return message


def _domain(sender: str) -> str:
    return sender.rsplit("@", 1)[-1].strip(" >") or "localhost"


class SmtpSender:
    """Sends messages to the SMTP server of the settings."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @property
    def configured(self) -> bool:
        """Whether a server is set (without one, messages are logged as not sent)."""
        return bool(self._settings.smtp_host)

    async def send(self, message: EmailMessage) -> None:
        """Send `message`, or raise `DeliveryError`."""
        s = self._settings
        try:
            await aiosmtplib.send(
                message,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username,
                password=s.smtp_password,
                use_tls=s.smtp_tls == "tls",
                start_tls=s.smtp_tls == "starttls",
                timeout=s.smtp_timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [error.code for error in exc.recipients]
            raise DeliveryError(_describe(exc), permanent=all(c >= 500 for c in codes)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise DeliveryError(_describe(exc), permanent=exc.code >= 500) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise DeliveryError(_describe(exc)) from exc


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]
