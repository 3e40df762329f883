"""The README's AI-client examples run as written (only the port changes) against a real
`territoires serve` over the data `make run` prepares: the shell line that makes an API key,
the MCP client that lists the tools and calls `aggregates`, the `openai` script that prints a
cited, streamed answer."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.live import Server

pytestmark = pytest.mark.reliability  # real server processes

README = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Clients IA", 1)[1].split("\n## ", 1)[0]
DEFAULT_URL = "http://127.0.0.1:8000"


def blocks(language: str) -> list[str]:
    """The fenced blocks of `language` in the README's AI-client section."""
    return re.findall(rf"```{language}\n(.*?)```", SECTION, flags=re.DOTALL)


@pytest.fixture(scope="module")
def server(serve: Callable[..., Server]) -> Server:
    return serve()


@pytest.fixture(scope="module")
def api_key(server: Server) -> str:
    """The key the README's shell line makes (curl and jq, as a reader runs it)."""
    if shutil.which("jq") is None or shutil.which("curl") is None:
        pytest.skip("curl ou jq absent : la ligne du README qui crée la clé en a besoin")
    (line,) = [b for b in blocks("sh") if "TC_API_KEY" in b]
    script = line.replace(DEFAULT_URL, server.url) + '\nprintf %s "$TC_API_KEY"\n'
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("tc_"), done.stderr
    return done.stdout


def run(code: str, server: Server, api_key: str) -> str:
    """Run a README example with the test server's address; its standard output."""
    done = subprocess.run(
        [sys.executable, "-c", code.replace(DEFAULT_URL, server.url)],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"TC_API_KEY": api_key},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_mcp_example_lists_the_tools_and_calls_aggregates(server: Server, api_key: str) -> None:
    (code,) = [b for b in blocks("python") if "streamable_http_client" in b]
    out = run(code, server, api_key)
    assert "'aggregates'" in out and "'public_profile'" in out
    assert re.search(r"^Commune \d+ \d+\.\d+", out, flags=re.MULTILINE), out


def test_the_openai_example_prints_a_cited_streamed_answer(server: Server, api_key: str) -> None:
    (code,) = [b for b in blocks("python") if "from openai import OpenAI" in b]
    out = run(code, server, api_key)
    assert "îlots de chaleur" in out and "Sources :" in out
    cited = re.findall(r"^\[(\d+)\] .+ \(.+\)$", out, flags=re.MULTILINE)
    assert cited and all(f"[{n}]" in out.split("Sources :")[0] for n in cited)
