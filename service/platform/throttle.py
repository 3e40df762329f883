"""Login throttling: after `MAX_FAILURES` failed passwords for one address and account (or
`MAX_FAILURES_PER_ADDRESS` for one address whatever the account) within `WINDOW`, further
attempts are refused until the window has passed. Counters live in a Litestar store: in memory
by default, in Redis when ``TERRITOIRES_REDIS_URL`` is set, so that every worker counts alike."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Final

from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore

from service.platform.errors import TooManyRequestsError
from service.platform.i18n import N_
from service.platform.settings import Settings

__all__ = ["MAX_FAILURES", "WINDOW", "LoginThrottle", "login_store"]

MAX_FAILURES: Final = 5
MAX_FAILURES_PER_ADDRESS: Final = 20
WINDOW: Final = timedelta(minutes=15)


def login_store(settings: Settings, namespace: str = "territoires_logins") -> Store:
    """Where the counters live: Redis when configured (shared by workers), else memory."""
    if settings.redis_url:
        from litestar.stores.redis import RedisStore

        return RedisStore.with_client(url=settings.redis_url, namespace=namespace)
    return MemoryStore()


class LoginThrottle:
    """Counts failed logins per (address, account) and per address."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @staticmethod
    def _keys(address: str, email: str) -> tuple[str, str]:
        account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        return f"pair:{address}:{account}", f"addr:{address}"

    async def _count(self, key: str) -> int:
        raw = await self._store.get(key)
        return int(raw) if raw else 0

    async def check(self, address: str, email: str) -> None:
        """Raise `TooManyRequestsError` when this address (for this account) is blocked."""
        pair, addr = self._keys(address, email)
        if (
            await self._count(pair) >= MAX_FAILURES
            or await self._count(addr) >= MAX_FAILURES_PER_ADDRESS
        ):
            minutes = int(WINDOW.total_seconds() // 60)
            raise TooManyRequestsError(
                N_("Trop de tentatives de connexion : réessayez dans %(minutes)s minutes."),
                minutes=minutes,
                retry_after=int(WINDOW.total_seconds()),
            )

    async def failed(self, address: str, email: str) -> None:
        """Record one failed attempt (the window restarts at each failure)."""
        for key in self._keys(address, email):
            count = await self._count(key) + 1
            await self._store.set(key, str(count), expires_in=WINDOW)

    async def succeeded(self, address: str, email: str) -> None:
        """A success clears the account's counter for this address."""
        await self._store.delete(self._keys(address, email)[0])
