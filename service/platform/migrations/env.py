"""Alembic environment: runs the migrations on the async engine of the configured URL.

`service.platform.db.engine.upgrade` builds the configuration (no ``alembic.ini`` needed)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool
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


async def run_async_migrations() -> None:
    """Open an async engine on the URL and run the migrations on it."""
    engine = make_engine(URL, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_blocking(run_async_migrations)
