"""Schemathesis against the service's own OpenAPI schema, over real HTTP, as an admin: every
operation, generated and fuzzed inputs, and stateful sequences; no 5xx and every response
conforming to the documented schema."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.live import DEMO_ADMIN, Server

pytestmark = pytest.mark.reliability

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def test_no_server_error_and_responses_match_the_schema(
    fresh_data: Callable[[], tuple[dict[str, str], Path]],
) -> None:
    if not SCHEMATHESIS.exists() and shutil.which("schemathesis") is None:
        pytest.fail("schemathesis absent : il fait partie des dépendances de développement")
    env, directory = fresh_data()
    env = env | {"TERRITOIRES_ASSISTANT_RATE_LIMIT": "0"}
    server = Server(env, directory / "serve.log").start()
    try:
        admin = server.api_key(*DEMO_ADMIN)
        result = subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                f"{server.url}/schema/openapi.json",
                "--max-examples",
                "10",
                "--seed",
                "2026",
                "--checks",
                "not_a_server_error,response_schema_conformance",
                "--header",
                f"Authorization: {admin['Authorization']}",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        server.stop()
    summary = result.stdout[-4000:]
    print(summary)
    assert result.returncode == 0, summary
    counts = re.search(r"(\d+) generated, (\d+) passed", summary)
    assert counts is not None and counts.group(1) == counts.group(2), summary
