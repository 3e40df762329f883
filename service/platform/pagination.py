"""Pagination shared by every list: ``?page=`` (from 1) and ``?per_page=`` (1 to 100)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeAlias, TypeVar

import msgspec
from litestar.params import QueryParameter
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["MAX_PER_PAGE", "AnySelect", "Page", "PageParam", "PerPageParam", "paginate"]

T = TypeVar("T")
AnySelect: TypeAlias = Select[*tuple[Any, ...]]
"""A SELECT of any columns (SQLAlchemy 2.1 types a SELECT by its row's column types)."""
MAX_PER_PAGE = 100

PageParam = Annotated[
    int, QueryParameter(ge=1, le=1_000_000, description="Numéro de page (dès 1).")
]
PerPageParam = Annotated[
    int, QueryParameter(ge=1, le=MAX_PER_PAGE, description="Éléments par page (1 à 100).")
]


class Page(msgspec.Struct, Generic[T]):
    """One page of a list: the items, where we are, and how many there are in all."""

    items: list[T]
    page: int
    per_page: int
    total: int
    pages: int


async def paginate(
    session: AsyncSession,
    statement: AnySelect,
    page: int,
    per_page: int,
    convert: Callable[[Any], T],
    *,
    scalars: bool = True,
) -> Page[T]:
    """Run `statement` for one page (it must already be ordered) and count all its rows."""
    total = (
        await session.execute(select(func.count()).select_from(statement.order_by(None).subquery()))
    ).scalar_one()
    result = await session.execute(statement.limit(per_page).offset((page - 1) * per_page))
    rows: Sequence[Any] = result.scalars().all() if scalars else result.all()
    return Page(
        items=[convert(row) for row in rows],
        page=page,
        per_page=per_page,
        total=total,
        pages=max(1, -(-total // per_page)),
    )
