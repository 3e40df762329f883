"""Real `territoires serve` processes on loopback for the reliability tests: start, wait until
they answer, stop gracefully or kill -9, restart on the same data."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from base64 import b64encode
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TERRITOIRES = Path(sys.executable).parent / "territoires"
DEMO_MEMBER = ("biarritz.demo@territoires-connectes.example", "demo-biarritz-2026")
DEMO_ADMIN = ("admin.demo@territoires-connectes.example", "demo-admin-2026")
DEMO_ANALYST = ("analyste.demo@territoires-connectes.example", "demo-analyste-2026")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    """The process environment of a server over `data_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TERRITOIRES_")}
    return env | {"TERRITOIRES_DATA_DIR": str(data_dir), "TERRITOIRES_LOG_LEVEL": "WARNING"} | extra


class Server:
    """One `territoires serve` process."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 1) -> None:
        self.env, self.log, self.workers = env, log, workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> Server:
        """Start the process and wait until /health answers."""
        args = [str(TERRITOIRES), "serve", "--port", str(self.port)]
        if self.workers > 1:
            args += ["--workers", str(self.workers)]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                args, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"le serveur s'est arrêté :\n{self.log.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(self.url + "/health", timeout=1)
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"le serveur ne répond pas :\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """kill -9 the whole process group (workers included): no chance to clean up."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """Graceful stop (SIGTERM), or kill if it does not stop in time."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """One HTTP request; returns (status, decoded JSON body or None)."""
        data = None if body is None else json.dumps(body).encode()
        all_headers = {"Content-Type": "application/json"} | (headers or {})
        req = urllib.request.Request(self.url + path, data, all_headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            return exc.code, json.loads(raw) if raw else None

    def new_api_key(self, email: str, password: str) -> dict[str, Any]:
        """A fresh API key of that account: ``{"key": {"id": …}, "secret": …}``."""
        basic = b64encode(f"{email}:{password}".encode()).decode()
        status, body = self.request(
            "POST", "/api/v1/api-keys", {"name": "tests"}, {"Authorization": f"Basic {basic}"}
        )
        assert status == 201, body
        return dict(body)

    def api_key(self, email: str, password: str) -> dict[str, str]:
        """A Bearer header for a fresh API key of that account."""
        return {"Authorization": f"Bearer {self.new_api_key(email, password)['secret']}"}
