"""A real `territoires serve` for the AI-client tests (MCP, OpenAI-compatible facade): the
session's data directory prepared as `make run` prepares it (database, territories, demo data
and the knowledge index: `prepared_data`), copied for each server."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.integration.live import Server, environment

DEMO_ANALYST = ("analyste.demo@territoires-connectes.example", "demo-analyste-2026")
BIARRITZ = "64122"
"""The demo member's territory: answered 2025, no public profile."""
ANGERS = "49007"
"""Always in the demo data, with a public profile."""


@pytest.fixture(scope="session")
def served_template(prepared_data: Path) -> Path:
    """The data directory the servers copy: the session's, after `territoires prepare`."""
    return prepared_data


@pytest.fixture(scope="module")
def serve(
    served_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Server]]:
    """Start servers over copies of the prepared directory (``extra``: more settings); all
    are stopped at the end of the module."""
    started: list[Server] = []

    def start(**extra: str) -> Server:
        directory = tmp_path_factory.mktemp("data") / "data"
        shutil.copytree(served_template, directory)
        env = environment(directory, **({"TERRITOIRES_ASSISTANT_RATE_LIMIT": "0"} | extra))
        server = Server(env, directory / "serve.log").start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@contextmanager
def timed(out: list[float]) -> Iterator[None]:
    """Append the block's duration (seconds) to `out`."""
    import time

    start = time.perf_counter()
    yield
    out.append(time.perf_counter() - start)
