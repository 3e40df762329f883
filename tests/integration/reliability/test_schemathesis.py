"""Schemathesis against the service's own OpenAPI schema, over real HTTP, as each of the four
roles (anonymous, member of Biarritz, analyst, admin): every operation, its examples, boundary
and negative cases (coverage), random inputs (fuzzing) and stateful sequences, with every check
(``--checks all``). No 5xx, and every response, status and media type as documented.

Each role has its own server over its own copy of the demo data (an admin's run deactivates
accounts and closes campaigns), two runs at a time: a run waits on its server about half of the
time, and the machine has two cores. The settings are in schemathesis.toml and the hooks in
schemathesis_hooks.py, next to this file; the counts per role are printed for the report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.integration.live import DEMO_ADMIN, DEMO_ANALYST, DEMO_MEMBER, Server, environment

pytestmark = pytest.mark.reliability

HERE = Path(__file__).resolve().parent
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
ROLES: dict[str, tuple[str, str] | None] = {
    # the longest runs first, so that the two slots end together
    "admin": DEMO_ADMIN,
    "membre": DEMO_MEMBER,
    "analyste": DEMO_ANALYST,
    "anonyme": None,
}
SERVER_ERRORS = {"ST101", "ST102"}
"""Schemathesis's codes for a 5xx (``not_a_server_error``, and with an undeclared media type)."""


@dataclass(frozen=True)
class RoleRun:
    """One role's schemathesis run: its JSON report, its output and the server's log."""

    role: str
    report: dict[str, Any]
    output: str
    server_log: str
    seconds: float

    @property
    def generated(self) -> int:
        """Test cases generated."""
        return int(self.report["test_cases"]["generated"])

    @property
    def skipped(self) -> int:
        """Test cases no check applied to (the probes of ``ignored_auth``, among others)."""
        return int(self.report["test_cases"]["without_checks"])

    @property
    def passed(self) -> int:
        """Test cases whose every check passed."""
        cases = self.report["test_cases"]
        failed = int(cases["with_failures"]) + int(cases["errored"])
        return self.generated - failed - self.skipped

    @property
    def server_errors(self) -> int:
        """Failures that are a 5xx, plus the unhandled errors the server logged."""
        failures = sum(
            int(f["count"]) for f in self.report["failures"] if f["code"] in SERVER_ERRORS
        )
        return failures + self.server_log.count("Erreur non gérée")

    def line(self) -> str:
        """The counts, for the report."""
        return (
            f"{self.role:9} {self.generated:5d} générés, {self.passed:5d} réussis, "
            f"{self.skipped:3d} sans vérification, "
            f"{self.report['test_cases']['unique_failures']} échec(s) distinct(s), "
            f"{self.server_errors} erreur(s) serveur, {self.seconds:.0f} s"
        )


def run_role(role: str, credentials: tuple[str, str] | None, template: Path, work: Path) -> RoleRun:
    """Start a server over a copy of `template` and run schemathesis as `role` against it."""
    started = time.monotonic()
    shutil.copytree(template, work / "data")
    env = environment(work / "data", TERRITOIRES_ASSISTANT_RATE_LIMIT="0")
    server = Server(env, work / "serve.log").start()
    try:
        headers, key_id = [], ""
        if credentials is not None:
            key = server.new_api_key(*credentials)
            headers = ["--header", f"Authorization: Bearer {key['secret']}"]
            key_id = key["key"]["id"]
        report = work / "report.json"
        result = subprocess.run(
            [
                str(SCHEMATHESIS),
                "--config-file",
                str(HERE / "schemathesis.toml"),
                "run",
                f"{server.url}/schema/openapi.json",
                "--checks",
                "all",
                *headers,
                "--report",
                "json",
                "--report-json-path",
                str(report),
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=work,  # schemathesis writes its caches in the working directory
            env=os.environ
            | {
                "SCHEMATHESIS_HOOKS": str(HERE / "schemathesis_hooks.py"),
                "TERRITOIRES_RUN_KEY_ID": key_id,
            },
        )
    finally:
        server.stop()
    if not report.exists():
        pytest.fail(f"schemathesis sans rapport ({role}) :\n{result.stdout[-3000:]}{result.stderr}")
    return RoleRun(
        role,
        json.loads(report.read_text()),
        result.stdout,
        (work / "serve.log").read_text(),
        time.monotonic() - started,
    )


def test_every_role_gets_no_server_error_and_documented_responses(
    prepared_template: Path, tmp_path: Path
) -> None:
    if not SCHEMATHESIS.exists() and shutil.which("schemathesis") is None:
        pytest.fail("schemathesis absent : il fait partie des dépendances de développement")
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(
            pool.map(
                lambda role: run_role(role, ROLES[role], prepared_template, tmp_path / role),
                ROLES,
            )
        )
    print("\n".join(["schemathesis --checks all, par rôle :", *(run.line() for run in runs)]))
    for run in runs:
        summary = run.output[run.output.find("=== FAILURES") :][-6000:] or run.output[-3000:]
        assert run.server_errors == 0, f"{run.role} : erreurs serveur\n{summary}"
        assert run.report["exit_code"] == 0, f"{run.role} :\n{summary}"
        assert run.generated > 1000, f"{run.role} :\n{summary}"
        assert run.passed + run.skipped == run.generated, f"{run.role} :\n{summary}"
        assert run.report["operations"]["tested"] == run.report["operations"]["selected"]
