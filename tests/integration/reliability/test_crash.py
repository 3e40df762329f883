"""kill -9 under load: every save acknowledged with a 2xx is still there after a restart, and
the SQLite database passes its integrity check."""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.live import DEMO_ADMIN, Server

pytestmark = pytest.mark.reliability

WRITERS = 6
LOAD_SECONDS = 2.0


def test_acknowledged_saves_survive_kill_9(
    fresh_data: Callable[[], tuple[dict[str, str], Path]],
) -> None:
    env, directory = fresh_data()
    log = directory / "serve.log"
    server = Server(env, log).start()
    admin = server.api_key(*DEMO_ADMIN)
    _, model = server.request("GET", "/api/v1/model")
    questions = [q["id"] for d in model["dimensions"] for q in d["questions"]]
    rng = random.Random(9)
    print("seed=9")

    # assessments of territories the demo data left alone, one per writer
    assessments: list[str] = []
    while len(assessments) < WRITERS:
        code = f"{rng.randint(1, 95):02d}{rng.randint(1, 400):03d}"
        status, body = server.request(
            "POST", "/api/v1/assessments", {"territory_code": code}, admin
        )
        if status == 201:
            assessments.append(body["id"])

    acknowledged: list[tuple[str, int, dict[str, int]]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(assessment: str, seed: int) -> None:
        local = random.Random(seed)
        while not stop.is_set():
            answers = {q: local.randint(0, 4) for q in local.sample(questions, 8)}
            try:
                status, body = server.request(
                    "PUT", f"/api/v1/assessments/{assessment}/answers", {"answers": answers}, admin
                )
            except OSError:
                return  # the server died under us: this save was never acknowledged
            if 200 <= status < 300:
                with lock:
                    acknowledged.append((assessment, body["revision"], answers))
            if local.random() < 0.1:
                try:
                    server.request("POST", f"/api/v1/assessments/{assessment}/submit", None, admin)
                    server.request(
                        "POST",
                        f"/api/v1/assessments/{assessment}/reopen",
                        {"reason": "essai de robustesse"},
                        admin,
                    )
                except OSError:
                    return

    threads = [
        threading.Thread(target=writer, args=(a, i), daemon=True) for i, a in enumerate(assessments)
    ]
    for t in threads:
        t.start()
    time.sleep(LOAD_SECONDS)
    server.kill()  # mid-load, no graceful shutdown
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acknowledged) > WRITERS, "the load never got going"

    check = sqlite3.connect(directory / "territoires.sqlite3")
    try:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        check.close()

    restarted = Server(env, log).start()
    try:
        admin = restarted.api_key(*DEMO_ADMIN)
        for assessment, revision, answers in acknowledged:
            status, body = restarted.request(
                "GET", f"/api/v1/assessments/{assessment}/revisions/{revision}", None, admin
            )
            assert status == 200, (assessment, revision, body)
            kept = body["answers"]
            assert all(kept.get(q) == v for q, v in answers.items()), (assessment, revision)
    finally:
        restarted.stop()
