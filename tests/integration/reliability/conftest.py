"""A data directory prepared once (migrations, territories, demo data) and copied per test."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.live import environment, prepare


@pytest.fixture(scope="session")
def prepared_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("prepared")
    prepare(environment(directory))
    return directory


@pytest.fixture
def fresh_data(
    prepared_template: Path, tmp_path: Path
) -> Callable[[], tuple[dict[str, str], Path]]:
    """A copy of the prepared data directory, and the environment of a server over it."""

    def make() -> tuple[dict[str, str], Path]:
        directory = tmp_path / "data"
        shutil.copytree(prepared_template, directory)
        return environment(directory), directory

    return make
