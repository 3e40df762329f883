"""Alembic environment: runs the migrations on the async engine of the configured URL.

`service.platform.db.engine.upgrade` builds the configuration (no ``alembic.ini`` needed)."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import event, pool
from sqlalchemy.engine import Connection

from service.platform.db.engine import make_engine, run_blocking
from service.platform.db.tables import metadata

config = context.config
URL: str = config.attributes.get("url") or config.get_main_option("sqlalchemy.url") or ""


def run_migrations_offline() -> None:
    """Emit the SQL instead of running it (``alembic upgrade --sql``)."""
    context.configure(
        url=URL,
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    """Run the migrations on one connection (batch mode lets SQLite alter tables)."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _foreign_keys_off(dbapi_connection: Any, _record: Any) -> None:
    """SQLite alters a table by copying it and dropping the original ("batch" mode): with its
    foreign keys enforced, dropping a table that others reference fails on a database that
    holds rows. They are off while migrating, and checked once the migrations are done."""
    dbapi_connection.execute("PRAGMA foreign_keys=OFF")


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"clés étrangères rompues après la migration : {broken[:5]}")


async def run_async_migrations() -> None:
    """Open an async engine on the URL and run the migrations on it."""
    engine = make_engine(URL, poolclass=pool.NullPool)
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        event.listen(engine.sync_engine, "connect", _foreign_keys_off)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
            if sqlite:
                await connection.run_sync(_check_foreign_keys)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_blocking(run_async_migrations)
