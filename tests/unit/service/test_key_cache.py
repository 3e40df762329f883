"""`VerifiedKeys` on its own: expiry, age, generation and size bound, with no database; the
session listeners that move the generation, registered on demand (never on import)."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from service.accounts import key_cache
from service.accounts.auth import Principal
from service.accounts.key_cache import VerifiedKeys, generation, watch_credentials

ROOT = Path(__file__).resolve().parents[3]
WHO = Principal(uuid.uuid4(), "a@exemple.fr", "A", "member", "64122", "api_key", uuid.uuid4())


@pytest.fixture(autouse=True)
def watching() -> None:
    """The listeners, as `create_app` registers them."""
    watch_credentials()


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
    monkeypatch.setattr(time, "monotonic", lambda: now)
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


def test_importing_the_module_registers_nothing() -> None:
    code = (
        "from sqlalchemy import event; from sqlalchemy.orm import Session;"
        "from service.accounts import key_cache as k;"
        "print(event.contains(Session, 'after_flush', k._after_flush), k.watching_credentials())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]


def test_watching_is_idempotent() -> None:
    watch_credentials()
    watch_credentials()
    for name, listener in key_cache._LISTENERS:
        registered = list(getattr(Session.dispatch, name)._clslevel[Session])
        assert registered.count(listener) == 1, name


@pytest.fixture
def unwatched() -> Iterator[None]:
    """A process that does not watch credential changes (as before `create_app`)."""
    for name, listener in key_cache._LISTENERS:
        event.remove(Session, name, listener)
    yield
    watch_credentials()


@pytest.mark.usefixtures("unwatched")
def test_nothing_is_kept_while_revocations_would_go_unseen() -> None:
    assert not key_cache.watching_credentials()
    keys = VerifiedKeys(60)
    keys.put("h", WHO, None, generation())
    assert keys.get("h") is None and len(keys) == 0
