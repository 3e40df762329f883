"""The session's prepared data directory (`prepared_data`: migrations, territories, demo data,
knowledge index), copied per test."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.live import environment


@pytest.fixture(scope="session")
def prepared_template(prepared_data: Path) -> Path:
    """The data directory every test copies: the session's, after `territoires prepare`."""
    return prepared_data


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
