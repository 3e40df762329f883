"""Conversation history per conversation id, behind a small interface.

`MemoryConversations` keeps them in the process (the default); a shared store (Redis, the
database) only has to implement `ConversationStore` to serve several workers.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Final, Protocol

from knowledge.assistant.types import Turn

__all__ = ["MAX_TURNS", "ConversationStore", "MemoryConversations"]

MAX_TURNS: Final = 12
"""Turns kept per conversation (the oldest go first)."""


class ConversationStore(Protocol):
    """Where conversations are kept, by an opaque key."""

    def history(self, key: str) -> list[Turn]:
        """The turns of conversation `key`, oldest first (empty when unknown or expired)."""
        ...

    def append(self, key: str, *turns: Turn) -> None:
        """Add `turns` to conversation `key`."""
        ...


class MemoryConversations:
    """In-process store: least recently used conversations dropped beyond `capacity`,
    conversations idle for `ttl` seconds forgotten."""

    def __init__(
        self, capacity: int = 10_000, ttl: float = 6 * 3600, max_turns: int = MAX_TURNS
    ) -> None:
        self._items: OrderedDict[str, tuple[float, list[Turn]]] = OrderedDict()
        self._capacity = capacity
        self._ttl = ttl
        self._max_turns = max_turns
        self._lock = threading.Lock()

    def history(self, key: str) -> list[Turn]:
        """The turns of conversation `key`, oldest first."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return []
            if time.monotonic() - found[0] > self._ttl:
                del self._items[key]
                return []
            return list(found[1])

    def append(self, key: str, *turns: Turn) -> None:
        """Add `turns` to conversation `key`, keeping the last `max_turns`."""
        with self._lock:
            _, kept = self._items.pop(key, (0.0, []))
            kept = [*kept, *turns][-self._max_turns :]
            self._items[key] = (time.monotonic(), kept)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
