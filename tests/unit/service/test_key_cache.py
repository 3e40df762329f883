"""`VerifiedKeys` on its own: expiry, age, generation and size bound, with no database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from service.accounts import key_cache
from service.accounts.auth import Principal
from service.accounts.key_cache import VerifiedKeys, generation

WHO = Principal(uuid.uuid4(), "a@exemple.fr", "A", "member", "64122", "api_key", uuid.uuid4())


def test_a_fresh_entry_is_served() -> None:
    keys = VerifiedKeys(60)
    keys.put("h", WHO, None, generation())
    assert keys.get("h") is WHO
    assert keys.get("autre") is None


def test_expiry_is_checked_on_every_use() -> None:
    keys = VerifiedKeys(60)
    keys.put("h", WHO, datetime.now(UTC) - timedelta(seconds=1), generation())
    assert keys.get("h") is None


def test_entries_age_out(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = VerifiedKeys(5)
    now = 1000.0
    monkeypatch.setattr(key_cache.time, "monotonic", lambda: now)
    keys.put("h", WHO, None, generation())
    now += 4.9
    assert keys.get("h") is WHO
    now += 0.2
    assert keys.get("h") is None


def test_zero_seconds_keeps_nothing() -> None:
    keys = VerifiedKeys(0)
    keys.put("h", WHO, None, generation())
    assert keys.get("h") is None and len(keys) == 0


def test_a_credential_change_drops_every_entry_and_stale_readings() -> None:
    keys = VerifiedKeys(60)
    before = generation()
    keys.put("h", WHO, None, before)
    key_cache._bump()  # what a commit changing a key or an account does
    assert keys.get("h") is None
    keys.put("h", WHO, None, before)  # read before the change: not kept
    assert keys.get("h") is None


def test_the_number_of_entries_is_bounded() -> None:
    keys = VerifiedKeys(60, max_entries=3)
    for i in range(5):
        keys.put(f"h{i}", WHO, None, generation())
    assert len(keys) == 3
    assert keys.get("h4") is WHO and keys.get("h0") is None
