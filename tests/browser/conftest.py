"""Browser suite: one real server process and one headless Debian Chromium for the session.

The server is `territoires serve` on a free loopback port, over a copy of the session's data
directory prepared like ``make run`` does (`prepared_data`: migrations, reference territories,
demo data, the assistant's index). Without /usr/bin/chromium the tests are
skipped with the reason, except under ``CI=true`` where a missing browser is a failure.
axe-core comes from the npm registry (``tests/browser/package.json``), installed with
``npm ci`` the first time. Screenshots go to ``tests/artifacts/`` (not versioned)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
TERRITOIRES = Path(sys.executable).with_name("territoires")


def in_ci() -> bool:
    """Whether this is the CI run, where nothing the suite needs may be missing."""
    return os.environ.get("CI", "").lower() == "true"


def missing(reason: str) -> None:
    """Skip the test for `reason`, or fail it in CI."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true : exigé en intégration continue)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"le serveur s'est arrêté :\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"le serveur ne répond pas sur {url} :\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def server_env(prepared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment of the server process: its own copy of the session's prepared data."""
    data_dir = tmp_path_factory.mktemp("browser-data")
    shutil.copytree(prepared_data, data_dir, dirs_exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TERRITOIRES_")}
    env |= {"TERRITOIRES_DATA_DIR": str(data_dir), "TERRITOIRES_LOG_LEVEL": "WARNING"}
    return env


@pytest.fixture(scope="session")
def live_server(
    server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Base URL of a real `territoires serve` process for the session."""
    with serve(server_env, tmp_path_factory.mktemp("server-log") / "serve.log") as url:
        yield url


@contextmanager
def serve(env: dict[str, str], log: Path, port: int | None = None) -> Iterator[str]:
    """Run `territoires serve` with `env` on a loopback port until the block ends; yields its
    base URL (its output goes to `log`)."""
    port = port or _free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(TERRITOIRES), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium for the whole session (never a downloaded browser)."""
    if not CHROMIUM.exists():
        missing(f"navigateur absent : {CHROMIUM} introuvable (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The axe-core script, installed from the npm registry with ``npm ci`` when needed."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            missing("npm absent : impossible d'installer axe-core (tests/browser/package.json)")
        subprocess.run(
            [str(npm), "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, capture_output=True
        )
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def context(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser context (own cookies) on the live server."""
    ctx = browser.new_context(
        base_url=live_server, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    """A page in a fresh context."""
    return context.new_page()


@pytest.fixture
def member_page(browser: Any, live_server: str) -> Iterator[Any]:
    """The demo member (Biarritz), logged in through the form, in a fresh context at 1366 px."""
    from tests.browser.support import log_in

    ctx = browser.new_context(
        base_url=live_server, locale="fr-FR", viewport={"width": 1366, "height": 900}
    )
    ctx.set_default_timeout(15_000)
    member = ctx.new_page()
    log_in(member, "member")
    try:
        yield member
    finally:
        ctx.close()
