"""Browser sessions: server-side, in an HttpOnly SameSite cookie, and the CSRF protection of forms.

The cookie only carries a random session id; the data (the user id) lives in a store: Redis
when ``TERRITOIRES_REDIS_URL`` is set (shared by workers), otherwise files under the data
directory (shared by the workers of one machine, kept across restarts). The session id is
renewed at login, so that an id planted before the login is worthless after it.

Sessions only identify callers of the pages: the JSON API under ``/api`` answers to API keys,
never to the cookie, so that a forged cross-site request cannot use a member's session there
(the API is exempt from the CSRF token that the pages' forms carry)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any, Final

from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

from service.accounts.auth import Principal, principal_for_user
from service.platform.db import Sessions
from service.platform.settings import Settings

__all__ = [
    "SESSION_COOKIE",
    "SESSION_STORE",
    "csrf_config",
    "end_session",
    "session_config",
    "session_principal",
    "session_store",
    "start_session",
]

SESSION_COOKIE: Final = "tc_session"
SESSION_STORE: Final = "web_sessions"
SESSION_AGE: Final = timedelta(hours=8)
"""A working day: a member filling the questionnaire is not logged out in the middle."""
USER_KEY: Final = "user_id"
_ROTATE: Final = "_rotate"
API_PREFIX: Final = "/api/"


class RotatingSessionBackend(ServerSideSessionBackend):
    """Server-side sessions whose id is replaced when the session asks for it (at login)."""

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        """Store the session; on a rotation, drop the old id and send a fresh one. An empty
        session is never stored: a visitor who only reads pages gets no cookie and leaves
        nothing in the store (200 anonymous views used to leave 200 sessions behind)."""
        if isinstance(scope_session, dict) and not scope_session:
            if connection.cookies.get(self.config.key):
                await super().store_in_message(Empty, message, connection)
            return
        if scope_session is Empty or not (
            isinstance(scope_session, dict) and scope_session.pop(_ROTATE, False)
        ):
            await super().store_in_message(scope_session, message, connection)
            return
        store = self.config.get_store_from_app(connection.scope["app"])
        if old := connection.cookies.get(self.config.key):
            await self.delete(old, store=store)
        session_id = self.generate_session_id()
        await self.set(session_id, self.serialize_data(scope_session, connection.scope), store)
        params = dict(
            extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys())
        )
        MutableScopeHeaders.from_message(message).add(
            "Set-Cookie",
            Cookie(value=session_id, key=self.config.key, **params).to_header(header=""),
        )


class RotatingSessionConfig(ServerSideSessionConfig):
    """`ServerSideSessionConfig` with `RotatingSessionBackend`."""

    _backend_class = RotatingSessionBackend


def session_store(settings: Settings) -> Store:
    """Where session data lives: Redis when configured, files under the data directory."""
    if settings.redis_url:
        from litestar.stores.redis import RedisStore

        return RedisStore.with_client(url=settings.redis_url, namespace="territoires_sessions")
    return FileStore(settings.data_dir / "sessions", create_directories=True)


def session_config(settings: Settings) -> RotatingSessionConfig:
    """Session cookie: HttpOnly, SameSite=Lax, Secure in production."""
    return RotatingSessionConfig(
        key=SESSION_COOKIE,
        store=SESSION_STORE,
        max_age=int(SESSION_AGE.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.env == "production",
        exclude=[r"^/static/", r"^/health$", r"^/ready$", r"^/metrics$", r"^/api/"],
    )


def csrf_config(settings: Settings) -> CSRFConfig:
    """A CSRF token on every form of the pages (double submit, signed with the secret key)."""
    return CSRFConfig(
        secret=settings.secret_key,
        cookie_name="tc_csrf",
        cookie_secure=settings.env == "production",
        cookie_httponly=False,  # the autosave script sends it back in a header
        cookie_samesite="lax",
        header_name="x-csrftoken",
        exclude=[r"^/api/", r"^/schema", r"^/health$", r"^/ready$", r"^/metrics$"],
    )


def start_session(request: Request[Any, Any, Any], principal: Principal) -> None:
    """Sign `principal` in: a new session (new id) holding only the user id."""
    request.set_session({USER_KEY: str(principal.user_id), _ROTATE: True})


def end_session(request: Request[Any, Any, Any]) -> None:
    """Sign out: the session is deleted from the store and its cookie cleared."""
    request.clear_session()


async def session_principal(
    request: Request[Any, Any, Any], sessions: Sessions
) -> Principal | None:
    """Principal resolver of the pages: the signed-in user of the session cookie."""
    if request.scope["path"].startswith(API_PREFIX) or "session" not in request.scope:
        return None
    raw = request.session.get(USER_KEY) if request.session else None
    if not raw:
        return None
    try:
        user_id = uuid.UUID(str(raw))
    except ValueError:
        return None
    async with sessions() as session:
        principal = await principal_for_user(session, user_id)
    if principal is None:  # account deactivated or password reset since the login
        request.clear_session()
    return principal
