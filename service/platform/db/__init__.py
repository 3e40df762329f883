"""Persistence: tables, engines and sessions, migrations."""

from service.platform.db.engine import (
    DatabaseNotReadyError,
    Sessions,
    check_database,
    lifespan,
    make_engine,
    provide_db_session,
    provide_db_sessions,
    run_blocking,
    session_scope,
    upgrade,
)

__all__ = [
    "DatabaseNotReadyError",
    "Sessions",
    "check_database",
    "lifespan",
    "make_engine",
    "provide_db_session",
    "provide_db_sessions",
    "run_blocking",
    "session_scope",
    "upgrade",
]
