"""Demo data built once per test session and handed out as copies.

Loading the demo (migrations, reference territories, synthetic population) takes 10 to 25
seconds, so the suite builds each kind once: the data directory `territoires prepare` makes,
for the tests of real server processes, and a demo database per (backend, model edition), for
the in-process API tests. Every consumer gets its own copy, never the original: a copied
SQLite file, or a PostgreSQL database created from the built one as a template."""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from maturity.model import Model
from service.platform.db import make_engine, run_blocking, session_scope, upgrade
from service.platform.settings import Settings, load_settings
from tests.integration.live import ROOT, TERRITOIRES, environment
from tests.knowledge_fixtures import CACHE

POSTGRES_ENV = "TERRITOIRES_TEST_POSTGRES_URL"
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
Cleanup = Callable[[], None]


def prepare_data(directory: Path) -> None:
    """Run `territoires prepare` in `directory` (database, territories, demo data, knowledge
    index), the suite's embedding cache copied in first so that indexing takes seconds."""
    if CACHE.exists():
        (directory / "knowledge").mkdir(parents=True, exist_ok=True)
        shutil.copy(CACHE, directory / "knowledge" / "embedding-cache.sqlite3")
    subprocess.run(
        [str(TERRITOIRES), "prepare"],
        env=environment(directory),
        check=True,
        capture_output=True,
        cwd=ROOT,
    )


def admin_sql(url: str, statement: str) -> None:
    """Run one statement outside any transaction (``CREATE``/``DROP DATABASE``)."""

    async def run() -> None:
        engine = make_engine(url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(statement))
        finally:
            await engine.dispose()

    run_blocking(run)


def _postgres_database(data_dir: Path, template: str | None = None) -> tuple[Settings, Cleanup]:
    """Settings on a new PostgreSQL database (a copy of `template` when given), or skip/fail
    when the server is unreachable; the cleanup drops the database."""
    server = os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES
    name = f"tc_test_{os.getpid()}_{secrets.token_hex(4)}"
    source = f' TEMPLATE "{template}"' if template else ""
    try:
        admin_sql(server, f'CREATE DATABASE "{name}"{source}')
    except Exception as exc:  # any driver or network error means "not reachable"
        reason = f"PostgreSQL injoignable ({server}) : {type(exc).__name__} : {exc}"
        if os.environ.get(POSTGRES_ENV):
            pytest.fail(f"{reason} — {POSTGRES_ENV} est défini, la passe PostgreSQL est exigée.")
        pytest.skip(reason)
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    settings = load_settings({}, data_dir=data_dir, database_url=url)
    return settings, lambda: admin_sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def provision(backend: str, data_dir: Path) -> tuple[Settings, Cleanup]:
    """Fresh, migrated settings for `backend` and a cleanup function (or skip/fail)."""
    if backend == "sqlite":
        settings = load_settings({}, data_dir=data_dir)
        upgrade(settings)
        return settings, lambda: None
    settings, cleanup = _postgres_database(data_dir)
    upgrade(settings)
    return settings, cleanup


def load_reference_territories(settings: Settings) -> None:
    """Load the shipped reference territories into the database of `settings`."""
    from service.territories.directory import load_territories

    async def run() -> None:
        async with session_scope(settings) as session:
            await load_territories(session)

    run_blocking(run)


def load_demo_population(settings: Settings, model: Model) -> None:
    """Load the reference territories and the demo data into the database of `settings`."""
    from service.demo.synthetic import load_demo_data

    load_reference_territories(settings)

    async def run() -> None:
        async with session_scope(settings) as session:
            await load_demo_data(session, model)

    run_blocking(run)


class DemoDatabases:
    """Demo databases (reference territories and the demo data of an edition) built once per
    backend and model version in `root`, and copied for each caller of `copy`."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._built: dict[tuple[str, str], Settings] = {}
        self._cleanups: list[Cleanup] = []

    def _template(self, backend: str, model: Model) -> Settings:
        """The built database of `backend` for `model` (built on first use). Every engine on
        it is disposed once loaded (`session_scope` does): PostgreSQL copies a template only
        while nobody is connected to it."""
        key = (backend, model.version)
        if key not in self._built:
            settings, cleanup = provision(backend, self._root / f"{backend}-{model.version}")
            self._cleanups.append(cleanup)
            load_demo_population(settings, model)
            self._built[key] = settings
        return self._built[key]

    @contextmanager
    def copy(self, backend: str, data_dir: Path, model: Model) -> Iterator[Settings]:
        """Settings in `data_dir` on a database of their own holding the reference territories
        and the demo data of `model`, until the block ends (then a PostgreSQL copy is dropped)."""
        built = self._template(backend, model)
        if backend == "sqlite":
            settings, cleanup = load_settings({}, data_dir=data_dir), _nothing
            data_dir.mkdir(parents=True, exist_ok=True)
            _copy_sqlite(built.sqlite_path, settings.sqlite_path)
        else:
            template = make_url(built.effective_database_url).database
            settings, cleanup = _postgres_database(data_dir, template)
        try:
            yield settings
        finally:
            cleanup()

    def close(self) -> None:
        """Drop the built PostgreSQL databases (SQLite files go with the temporary folder)."""
        for cleanup in self._cleanups:
            cleanup()


def _nothing() -> None:
    """The cleanup of a SQLite copy: its file goes with its temporary folder."""


def _copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database through SQLite's backup API, which also carries what a WAL
    file still holds and replaces whatever `target` held."""
    with (
        closing(sqlite3.connect(source)) as built,
        closing(sqlite3.connect(target)) as copy,
    ):
        built.backup(copy)
