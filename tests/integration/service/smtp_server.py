"""A real SMTP server on loopback for the mail tests (aiosmtpd, in its own thread), which can
refuse the first messages (temporarily, 451) or every recipient (permanently, 550)."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller

from service.platform.db import run_blocking


def free_port() -> int:
    """A TCP port nothing listens on (right now) on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Recorder:
    """The server's handler: refuses `refuse` messages with 451 first, or every recipient
    with 550 when `reject_all`, and keeps what it accepts."""

    refuse: int = 0
    reject_all: bool = False
    received: list[EmailMessage] = field(default_factory=list)
    refused: int = 0

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.reject_all:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refused < self.refuse:
            self.refused += 1
            return "451 4.3.0 Try again later"
        message = message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        return "250 Message accepted"


@contextmanager
def smtp_server(recorder: Recorder) -> Iterator[int]:
    """Run an SMTP server with `recorder` on 127.0.0.1; yields its port."""
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def received(recorder: Recorder, to: str, count: int = 1) -> list[EmailMessage]:
    """The messages the server received for `to`, once `count` of them arrived."""
    for _ in range(400):  # the queue sends after the request: wait, within a bound
        found = [m for m in recorder.received if m["To"] == to]
        if len(found) >= count:
            return found
        run_blocking(_pause)
    raise AssertionError(f"{count} message(s) attendu(s) pour {to}, reçu(s) : {len(found)}")


async def _pause() -> None:
    import asyncio

    await asyncio.sleep(0.05)


def link_in(message: EmailMessage, prefix: str) -> str:
    """The path of the first link of `message` starting with `prefix`."""
    part = message.get_body(("plain",))
    assert part is not None
    body = part.get_content()
    match = re.search(rf"https?://[^/\s]+({re.escape(prefix)}\S+)", body)
    assert match, body
    return match.group(1)
