"""Engines, sessions and migrations: SQLite (WAL) by default, PostgreSQL when configured.

The application makes one engine and one session factory in its lifespan (`lifespan`) and
injects a session per request (`provide_db_session`), committed when the handler succeeds and
rolled back when it raises. Commands use `session_scope` the same way."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, Final, TypeVar

import msgspec
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from litestar import Litestar
from litestar.datastructures import State
from sqlalchemy import event, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.pool import NullPool

from service.platform.settings import Settings

__all__ = [
    "MIGRATIONS_DIR",
    "DatabaseNotReadyError",
    "Sessions",
    "check_database",
    "current_revision",
    "head_revision",
    "lifespan",
    "make_engine",
    "provide_db_session",
    "provide_db_sessions",
    "run_blocking",
    "session_scope",
    "upgrade",
]

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent.parent / "migrations"
T = TypeVar("T")
Sessions = Callable[[], AbstractAsyncContextManager[AsyncSession]]
"""A session factory (the app's ``async_sessionmaker``, or one handing out a held session):
code that needs the database only sometimes takes this rather than an open session."""


class DatabaseNotReadyError(RuntimeError):
    """The database is unreachable or not migrated to the code's schema version."""


def _json_dumps(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers work while one writer writes; foreign keys are off by default."""
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        "busy_timeout=10000",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`, with SQLite pragmas (WAL, foreign keys) when it is SQLite."""
    engine = _create_async_engine(
        url, json_serializer=_json_dumps, json_deserializer=msgspec.json.decode, **kwargs
    )
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _engine_for(settings: Settings, **kwargs: Any) -> AsyncEngine:
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.effective_database_url, **kwargs)


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """Make the engine and session factory once, dispose of them at shutdown."""
    settings: Settings = app.state["settings"]
    engine = _engine_for(settings, pool_pre_ping=True)
    app.state["db_engine"] = engine
    app.state["db_sessionmaker"] = async_sessionmaker(engine, expire_on_commit=False)
    try:
        yield
    finally:
        await engine.dispose()


def provide_db_sessions(state: State) -> Sessions:
    """The application's session factory, for code that opens a session only when it must
    (the peer cache checks its stamp at most once a second)."""
    maker: Sessions = state["db_sessionmaker"]
    return maker


async def provide_db_session(state: State) -> AsyncIterator[AsyncSession]:
    """One session per request: committed when the handler returns, rolled back if it raises.

    The commit runs before the response is sent, so a failed commit is an error response,
    never a success the database did not keep. A session the request never used (no
    transaction begun, nothing loaded) holds no connection: it is simply dropped, which
    spares cached reads three round trips through SQLAlchemy's greenlet bridge."""
    maker: async_sessionmaker[AsyncSession] = state["db_sessionmaker"]
    session = maker()
    try:
        yield session
    except BaseException:
        if session.in_transaction():
            await session.rollback()
        raise
    else:
        if session.in_transaction():
            await session.commit()
    finally:
        if session.in_transaction() or session.identity_map:
            await session.close()


@asynccontextmanager
async def session_scope(settings: Settings) -> AsyncIterator[AsyncSession]:
    """A session on a short-lived engine for commands: commit on success, dispose at the end."""
    engine = _engine_for(settings, poolclass=NullPool)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise
            else:
                await session.commit()
    finally:
        await engine.dispose()


def run_blocking(factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from sync code, even when an event loop is running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_await(factory))
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(_await(factory)))
        except BaseException as exc:
            error.append(exc)

    thread = threading.Thread(target=target, name="territoires-db")
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


async def _await(factory: Callable[[], Awaitable[T]]) -> T:
    return await factory()


def _alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = url
    return config


def head_revision() -> str:
    """The migration revision the code expects."""
    head = ScriptDirectory.from_config(_alembic_config("")).get_current_head()
    assert head is not None, "no migration found"
    return head


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Apply the migrations up to `revision` (idempotent)."""
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(_alembic_config(settings.effective_database_url), revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    """The migration revision the database is at (None: never migrated)."""
    async with engine.connect() as conn:
        has_table = await conn.run_sync(lambda c: inspect(c).has_table("alembic_version"))
        if not has_table:
            return None
        result = await conn.execute(text("SELECT version_num FROM alembic_version"))
        return result.scalar_one_or_none()


def check_database(settings: Settings) -> None:
    """Raise `DatabaseNotReadyError`, naming the command to run, unless the schema is current."""
    advice = "lancez « territoires db upgrade »"
    if settings.database_url is None and not settings.sqlite_path.exists():
        raise DatabaseNotReadyError(
            f"La base de données {settings.sqlite_path} n'existe pas encore : {advice} "
            "(ou « territoires prepare »)."
        )

    async def probe() -> str | None:
        engine = _engine_for(settings, poolclass=NullPool)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    try:
        current = run_blocking(probe)
    except (SQLAlchemyError, OSError) as exc:
        raise DatabaseNotReadyError(
            f"Base de données injoignable ({type(exc).__name__} : {exc}). "
            "Vérifiez TERRITOIRES_DATABASE_URL."
        ) from exc
    expected = head_revision()
    if current != expected:
        state = "jamais migrée" if current is None else f"à la révision {current}"
        raise DatabaseNotReadyError(
            f"La base de données n'est pas à jour ({state}, attendue : {expected}) : {advice}."
        )
