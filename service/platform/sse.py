"""Server-Sent Events out of ``(name, data)`` pairs: each pair becomes one event whose data is
the JSON of `data` (msgspec: Structs, dicts, lists…). Shared by the API and the pages."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

import msgspec
from litestar.response import ServerSentEvent, ServerSentEventMessage

__all__ = ["event_stream"]


def event_stream(messages: AsyncIterable[tuple[str, object]]) -> ServerSentEvent:
    """A response streaming `messages` as Server-Sent Events, never cached."""

    async def events() -> AsyncIterator[ServerSentEventMessage]:
        async for name, data in messages:
            yield ServerSentEventMessage(event=name, data=msgspec.json.encode(data).decode())

    return ServerSentEvent(events(), headers={"Cache-Control": "no-store"})
