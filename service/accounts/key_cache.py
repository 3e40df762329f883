"""Verified API keys kept in process for a few seconds, so that a busy client's requests do not
each query the database to check the same key.

An entry is keyed by the key's SHA-256 (never the secret) and ignored once it is older than
``TERRITOIRES_API_KEY_CACHE_SECONDS``, once the key's expiry date has passed (checked on every
use), or as soon as this process commits any change to an API key or an account (revocation,
deactivation, role, territory…): such a commit, seen through SQLAlchemy's session events (which
`watch_credentials` registers, once, when the application is made), moves a process-wide
generation, and entries of an older generation are dropped. Other processes
sharing the database see the change when their entry ages out, at most that many seconds
later."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import event, inspect
from sqlalchemy.orm import InstanceState, ORMExecuteState, Session

from service.platform.db.tables import ApiKey, User

if TYPE_CHECKING:
    from service.accounts.auth import Principal

__all__ = [
    "MAX_ENTRIES",
    "VerifiedKeys",
    "generation",
    "watch_credentials",
    "watching_credentials",
]

MAX_ENTRIES: Final = 10_000
"""Keys kept at most per process (a few hundred bytes each)."""
_FLAG: Final = "territoires_credentials_changed"
_WATCHED: Final = (ApiKey, User)
_UNTRACKED: Final = frozenset({"last_used_at"})
"""Columns whose change does not alter what a key grants (written on use)."""

_counter = itertools.count(1)
_generation = 0


def generation() -> int:
    """The current generation: it moves whenever this process commits a credential change."""
    return _generation


def _bump() -> None:
    global _generation
    _generation = next(_counter)


def _grants_changed(obj: object) -> bool:
    """Whether a pending change of `obj` may alter what an API key grants."""
    if not isinstance(obj, _WATCHED):
        return False
    state: InstanceState[ApiKey | User] = inspect(obj)
    return any(a.history.has_changes() for a in state.attrs if a.key not in _UNTRACKED)


def _after_flush(session: Session, _context: Any) -> None:
    """A flush updating or deleting a key or an account marks the session, and invalidates."""
    if any(isinstance(o, _WATCHED) for o in session.deleted) or any(
        _grants_changed(o) for o in session.dirty
    ):
        session.info[_FLAG] = True
        _bump()


def _on_execute(state: ORMExecuteState) -> None:
    """Bulk ``update(ApiKey)`` / ``delete(User)`` statements do the same."""
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and mapper.class_ in _WATCHED:
        state.session.info[_FLAG] = True
        _bump()


def _after_commit(session: Session) -> None:
    """Once committed, entries read before the commit (and maybe stale) are dropped too."""
    if session.info.pop(_FLAG, False):
        _bump()


def _after_rollback(session: Session) -> None:
    session.info.pop(_FLAG, None)


_LISTENERS: Final[tuple[tuple[str, Callable[..., None]], ...]] = (
    ("after_flush", _after_flush),
    ("do_orm_execute", _on_execute),
    ("after_commit", _after_commit),
    ("after_rollback", _after_rollback),
)


def watch_credentials() -> None:
    """Listen to every ORM session of the process for credential changes (what moves the
    generation); called by the application factory, and harmless when called again."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def watching_credentials() -> bool:
    """Whether `watch_credentials` has been called in this process."""
    return all(event.contains(Session, name, listener) for name, listener in _LISTENERS)


@dataclass(frozen=True, slots=True)
class _Entry:
    principal: Principal
    expires_at: datetime | None
    until: float
    generation: int


class VerifiedKeys:
    """Principals of API keys verified less than `seconds` ago, by the key's SHA-256."""

    def __init__(self, seconds: float, max_entries: int = MAX_ENTRIES) -> None:
        self.seconds = seconds
        self._max = max_entries
        self._entries: dict[str, _Entry] = {}

    def get(self, digest: str) -> Principal | None:
        """The principal of a key verified recently and still valid, or None (ask the database)."""
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if (
            entry.generation != _generation
            or time.monotonic() >= entry.until
            or (entry.expires_at is not None and entry.expires_at <= datetime.now(UTC))
        ):
            self._entries.pop(digest, None)
            return None
        return entry.principal

    def put(
        self, digest: str, principal: Principal, expires_at: datetime | None, read_at: int
    ) -> None:
        """Remember a key checked in the database while the generation was `read_at` (a
        change committed since then makes the reading worthless: it is not kept). Nothing is
        kept either while the process does not watch credential changes (`watch_credentials`):
        a revocation would go unseen."""
        if self.seconds <= 0 or read_at != _generation or not watching_credentials():
            return
        if digest not in self._entries and len(self._entries) >= self._max:
            now = time.monotonic()
            stale = [
                d for d, e in self._entries.items() if e.until <= now or e.generation != read_at
            ]
            for d in stale or [next(iter(self._entries))]:  # else the oldest
                del self._entries[d]
        until = time.monotonic() + self.seconds
        self._entries[digest] = _Entry(principal, expires_at, until, read_at)

    def __len__(self) -> int:
        return len(self._entries)
