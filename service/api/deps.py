"""Explicitly named dependencies of the handlers (provided by `service.app.create_app`)."""

from __future__ import annotations

from typing import TypeAlias

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.model import Model
from service.accounts.auth import Principal

__all__ = ["CurrentModel", "CurrentPrincipal", "DbSession"]

DbSession: TypeAlias = NamedDependency[AsyncSession]
"""``db_session``: the request's database session (committed when the handler succeeds)."""
CurrentPrincipal: TypeAlias = NamedDependency[Principal | None]
"""``principal``: the authenticated caller, or None when anonymous."""
CurrentModel: TypeAlias = NamedDependency[Model]
"""``model``: the maturity model in force."""
