"""Conversations in the shared store: with ``TERRITOIRES_REDIS_URL``, every worker sees the
same conversation (the real Redis server of the project's machines, 127.0.0.1:6379)."""

from __future__ import annotations

import uuid

import redis

from knowledge.assistant import MemoryConversations, Turn
from service.assistant.conversations import RedisConversations, conversation_store
from service.platform.settings import Settings


def test_two_workers_share_a_conversation(redis_url: str) -> None:
    one, two = RedisConversations(redis_url), RedisConversations(redis_url)
    key = f"test:{uuid.uuid4().hex}"
    one.append(key, Turn("user", "Comment Angers utilise-t-elle un jumeau numérique ?"))
    one.append(key, Turn("assistant", "Pour les îlots de chaleur [1].", refused=False))
    seen = two.history(key)
    assert [t.text for t in seen] == [
        "Comment Angers utilise-t-elle un jumeau numérique ?",
        "Pour les îlots de chaleur [1].",
    ]
    assert seen[1].role == "assistant"
    assert two.history(f"test:{uuid.uuid4().hex}") == []


def test_only_the_last_turns_are_kept_and_they_expire(redis_url: str) -> None:
    store = RedisConversations(redis_url, ttl=60, max_turns=3)
    key = f"test:{uuid.uuid4().hex}"
    for i in range(5):
        store.append(key, Turn("user", f"q{i}"))
    assert [t.text for t in store.history(key)] == ["q2", "q3", "q4"]
    ttl = redis.Redis.from_url(redis_url).ttl(f"territoires_conversations:{key}")
    assert 0 < ttl <= 60


def test_the_store_follows_the_settings(redis_url: str) -> None:
    assert isinstance(conversation_store(Settings(redis_url=redis_url)), RedisConversations)
    assert isinstance(conversation_store(Settings()), MemoryConversations)
