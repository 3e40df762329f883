"""Explicitly named dependencies of the handlers, the one way pages and API alike receive what
`service.app.create_app` provides (a handler parameter of that name and type)."""

from __future__ import annotations

from typing import TypeAlias

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.model import Model
from service.accounts.auth import Principal
from service.platform.db import Sessions

__all__ = ["CurrentModel", "CurrentPrincipal", "DbSession", "DbSessions"]

DbSession: TypeAlias = NamedDependency[AsyncSession]
"""``db_session``: the request's database session (committed when the handler succeeds)."""
DbSessions: TypeAlias = NamedDependency[Sessions]
"""``db_sessions``: the application's session factory, for code that opens a session only when
it must."""
CurrentPrincipal: TypeAlias = NamedDependency[Principal | None]
"""``principal``: the authenticated caller, or None when anonymous."""
CurrentModel: TypeAlias = NamedDependency[Model]
"""``model``: the maturity model in force."""
