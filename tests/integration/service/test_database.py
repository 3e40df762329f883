"""Migrations, the start-up check and the database commands, on real databases."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, update

from maturity.model import Model
from service.app import create_app
from service.cli.main import main
from service.platform.db import (
    DatabaseNotReadyError,
    make_engine,
    run_blocking,
    session_scope,
    upgrade,
)
from service.platform.db.tables import Territory, metadata
from service.platform.settings import Settings, load_settings


def test_migrations_create_exactly_the_tables(db_settings: Settings) -> None:
    async def differences() -> list[object]:
        engine = make_engine(db_settings.effective_database_url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
                )
        finally:
            await engine.dispose()

    assert run_blocking(differences) == []


def test_upgrade_is_idempotent(db_settings: Settings) -> None:
    upgrade(db_settings)
    upgrade(db_settings)


def test_app_refuses_an_unmigrated_database(tmp_path: Path, model: Model) -> None:
    settings = load_settings({}, data_dir=tmp_path)
    with pytest.raises(DatabaseNotReadyError, match="« territoires db upgrade »"):
        create_app(settings, model)
    upgrade(settings)
    create_app(settings, model)
    from alembic import command

    from service.platform.db.engine import _alembic_config

    command.downgrade(_alembic_config(settings.effective_database_url), "base")
    with pytest.raises(DatabaseNotReadyError, match=r"jamais migrée.*territoires db upgrade"):
        create_app(settings, model)


def test_unreachable_database_is_named(tmp_path: Path, model: Model) -> None:
    settings = load_settings(
        {}, data_dir=tmp_path, database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none"
    )
    with pytest.raises(DatabaseNotReadyError, match="injoignable"):
        create_app(settings, model)


def test_sqlite_migrates_a_database_that_holds_rows(tmp_path: Path) -> None:
    """SQLite rewrites a table to alter it: the tables that point to it must not stop that."""
    settings = load_settings({}, data_dir=tmp_path)
    upgrade(settings, "0002")
    now = datetime.now(UTC).isoformat()
    with sqlite3.connect(settings.sqlite_path) as conn:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(
            "INSERT INTO territory (code, name, search_name, kind, public_profile) "
            "VALUES ('64122', 'Biarritz', 'biarritz', 'commune', 0)"
        )
        conn.execute(
            "INSERT INTO campaign (year, status, created_at) VALUES (2025, 'closed', ?)", (now,)
        )
        conn.execute(
            "INSERT INTO assessment (id, territory_code, campaign_year, status, model_version, "
            "revision, created_at, updated_at, synthetic) "
            "VALUES ('0123456789abcdef0123456789abcdef', '64122', 2025, 'draft', '2026.1', 0, "
            "?, ?, 0)",
            (now, now),
        )
    upgrade(settings)
    with sqlite3.connect(settings.sqlite_path) as conn:
        assert conn.execute("SELECT model_version FROM campaign").fetchone() == ("2026.1",)
        assert conn.execute("SELECT count(*) FROM assessment").fetchone() == (1,)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    settings = load_settings({}, data_dir=tmp_path)
    upgrade(settings)
    with sqlite3.connect(settings.sqlite_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_db_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(tmp_path))
    assert main(["db", "status"]) == 1
    assert "territoires db upgrade" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "status"]) == 0
    assert main(["db", "load-territories"]) == 0
    assert "36130 territoires chargés" in capsys.readouterr().out
    settings = load_settings({}, data_dir=tmp_path)

    async def opt_in() -> None:
        async with session_scope(settings) as session:
            await session.execute(
                update(Territory).where(Territory.code == "64122").values(public_profile=True)
            )

    run_blocking(opt_in)
    assert main(["db", "load-territories"]) == 0
    assert "déjà à jour" in capsys.readouterr().out
    assert main(["db", "load-territories", "--force"]) == 0

    async def profile() -> bool:
        async with session_scope(settings) as session:
            query = select(Territory.public_profile).where(Territory.code == "64122")
            return bool((await session.execute(query)).scalar_one())

    assert run_blocking(profile), "reloading keeps the opt-ins"
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("un mot de passe sûr\n"))
    assert main(["users", "create-admin", "--email", "Admin@Exemple.fr", "--password-stdin"]) == 0
    assert "admin@exemple.fr créé" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("un mot de passe sûr\n"))
    assert main(["users", "create-admin", "--email", "admin@exemple.fr", "--password-stdin"]) == 1
    assert "existe déjà" in capsys.readouterr().err


def test_request_sessions_commit_roll_back_or_are_dropped_unused(db_settings: Settings) -> None:
    """`provide_db_session`: what a handler wrote is kept, an error undoes it, and a session
    the request never used is dropped without beginning (and committing) a transaction."""
    from litestar.datastructures import State
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import async_sessionmaker
    from sqlalchemy.orm import Session

    from service.platform.db import provide_db_session
    from service.platform.db.tables import Campaign

    async def scenario() -> tuple[int, list[int]]:
        engine = make_engine(db_settings.effective_database_url)
        begun: list[int] = []

        class Watched(Session):
            """Sessions of this test only, counting the transactions they begin."""

        event.listen(Watched, "after_transaction_create", lambda *_: begun.append(1))
        maker = async_sessionmaker(engine, expire_on_commit=False, sync_session_class=Watched)
        state = State({"db_sessionmaker": maker})
        try:
            unused = provide_db_session(state)
            await anext(unused)
            with pytest.raises(StopAsyncIteration):
                await anext(unused)
            untouched = len(begun)
            for year, fails in ((1990, False), (1991, True)):
                request = provide_db_session(state)
                session = await anext(request)
                session.add(
                    Campaign(
                        year=year,
                        status="closed",
                        created_at=datetime.now(UTC),
                        model_version="2026.1",
                    )
                )
                with pytest.raises(RuntimeError if fails else StopAsyncIteration):
                    await (request.athrow(RuntimeError("échec")) if fails else anext(request))
            async with state["db_sessionmaker"]() as session:
                years = select(Campaign.year).where(Campaign.year.in_([1990, 1991]))
                kept = list((await session.execute(years)).scalars())
                await session.execute(Campaign.__table__.delete().where(Campaign.year == 1990))
                await session.commit()
            return untouched, kept
        finally:
            await engine.dispose()

    untouched, kept = run_blocking(scenario)
    assert untouched == 0
    assert kept == [1990]
