"""SIGTERM while a request is being served: the request completes, then the server exits."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.live import Server

pytestmark = pytest.mark.reliability


def test_in_flight_request_finishes_after_sigterm(
    fresh_data: Callable[[], tuple[dict[str, str], Path]],
) -> None:
    env, directory = fresh_data()
    env = env | {"TERRITOIRES_LOG_LEVEL": "INFO"}  # the shutdown lines are at INFO
    server = Server(env, directory / "serve.log").start()
    assert server.process is not None
    result: dict[str, object] = {}

    def slow_request() -> None:
        # the first benchmark of a campaign scores it and builds every peer group: ~1 s
        result["status"], result["body"] = server.request(
            "GET", "/api/v1/territories/49007/benchmark"
        )
        result["done"] = time.monotonic()

    worker = threading.Thread(target=slow_request)
    worker.start()
    time.sleep(0.1)
    os.killpg(server.process.pid, signal.SIGTERM)
    sent = time.monotonic()
    worker.join(timeout=60)
    server.process.wait(timeout=30)
    assert result.get("status") == 200, result
    assert result["done"] > sent  # the request really was in flight at SIGTERM
    # uvicorn shuts down cleanly, then re-raises SIGTERM so the exit status tells why it stopped
    assert server.process.returncode in (0, -signal.SIGTERM)
    log = (directory / "serve.log").read_text(encoding="utf-8")
    assert "Finished server process" in log
