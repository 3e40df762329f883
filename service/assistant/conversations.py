"""Where the assistant keeps its conversations: in Redis when ``TERRITOIRES_REDIS_URL`` is set,
so that every worker sees the same conversation (a follow-up may reach another worker than
the question before it), else in the process."""

from __future__ import annotations

from typing import Final

import msgspec
import redis

from knowledge.assistant import ConversationStore, MemoryConversations, Turn
from knowledge.assistant.history import MAX_TURNS
from service.platform.settings import Settings

__all__ = ["RedisConversations", "conversation_store"]

TTL: Final = 6 * 3600
"""Seconds a conversation is kept after its last turn (as in memory)."""
_PREFIX: Final = "territoires_conversations:"
_ENCODER: Final = msgspec.json.Encoder()
_DECODER: Final = msgspec.json.Decoder(Turn)


class RedisConversations:
    """Conversations as Redis lists of JSON turns: the last `max_turns` kept, forgotten `ttl`
    seconds after the last turn."""

    def __init__(self, url: str, ttl: int = TTL, max_turns: int = MAX_TURNS) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=2)
        self._ttl = ttl
        self._max_turns = max_turns

    def history(self, key: str) -> list[Turn]:
        """The turns of conversation `key`, oldest first."""
        raw: list[bytes] = self._redis.lrange(_PREFIX + key, 0, -1)  # type: ignore[assignment]
        return [_DECODER.decode(item) for item in raw]

    def append(self, key: str, *turns: Turn) -> None:
        """Add `turns` to conversation `key`, keeping the last `max_turns`."""
        if not turns:
            return
        name = _PREFIX + key
        with self._redis.pipeline() as pipe:
            pipe.rpush(name, *(_ENCODER.encode(t) for t in turns))
            pipe.ltrim(name, -self._max_turns, -1)
            pipe.expire(name, self._ttl)
            pipe.execute()


def conversation_store(settings: Settings) -> ConversationStore:
    """Redis when the settings name one, else memory."""
    if settings.redis_url:
        return RedisConversations(settings.redis_url)
    return MemoryConversations()
