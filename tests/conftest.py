"""Fixtures shared by the whole suite: settings → model → app → client, built once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from maturity.model import DEFAULT_MODEL_PATH, FIRST_MODEL_PATH, Model, load_model
from service.app import create_app
from service.platform.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
SHARED = ROOT.parent / "shared"


def _distributing(config: pytest.Config) -> bool:
    """Whether this process is the controller of a run on several worker processes."""
    return bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under `make test` (workers), fill the embedding cache before the workers start."""
    if _distributing(session.config):
        from tests.parallel import warm_embedding_cache

        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        warm_embedding_cache(reporter.write_line if reporter else print)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``--dist loadfile`` with the browser lane (see `tests.parallel`)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from tests.parallel import LaneScheduling

    return LaneScheduling(config, log)


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when that folder is absent (clone without it)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"../shared absent : {path} introuvable (ce test a besoin des données partagées)"
        )
    return path


@pytest.fixture(scope="session")
def model() -> Model:
    """The first edition of the model (2026.1), named explicitly: the shared test app runs
    on it, and the figures the suite pins (oracle, published index) are its own."""
    return load_model(FIRST_MODEL_PATH)


@pytest.fixture(scope="session")
def current_model() -> Model:
    """The edition in force by default (2027.1: `DEFAULT_MODEL_PATH`)."""
    return load_model(DEFAULT_MODEL_PATH)


@pytest.fixture(scope="session")
def mini_model() -> Model:
    """A tiny hand-computable model used for formula tests."""
    return load_model(FIXTURES / "mini-model.toml")


@pytest.fixture(scope="session")
def prepared_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory after `territoires prepare`, made once for the session: the servers
    the tests start run over copies of it, never over it."""
    from tests.prepared import prepare_data

    directory = tmp_path_factory.mktemp("prepared")
    prepare_data(directory)
    return directory


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the test app: a fresh data directory, everything else default."""
    return load_settings({}, data_dir=tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def app(settings: Settings, model: Model) -> Litestar:
    """The application on a migrated (empty) SQLite database, built once per session."""
    from service.platform.db import upgrade

    upgrade(settings)
    return create_app(settings, model)


@pytest.fixture(scope="session")
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    """A test client on the shared app."""
    with TestClient(app) as c:
        yield c
