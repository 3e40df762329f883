"""Two server processes over one database behave as one service: a submission made through
one invalidates the peer statistics the other has cached."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from service.peers.cache import STAMP_TTL
from tests.integration.live import DEMO_MEMBER, Server

pytestmark = pytest.mark.reliability


def test_submission_on_one_process_refreshes_the_other(
    fresh_data: Callable[[], tuple[dict[str, str], Path]],
) -> None:
    env, directory = fresh_data()
    first = Server(env, directory / "a.log").start()
    second = Server(env, directory / "b.log").start()
    try:
        member = first.api_key(*DEMO_MEMBER)
        _, campaigns = first.request("GET", "/api/v1/campaigns", None, member)
        year = next(c["year"] for c in campaigns["items"] if c["status"] == "open")
        url = f"/api/v1/territories/64122/benchmark?campaign={year}"
        status, before = second.request("GET", url, None, member)
        assert status == 200, before
        index = next(m for m in before["metrics"] if m["id"] == "index")
        assert index["own"] is None  # cached on the second process: not answered yet

        _, model = first.request("GET", "/api/v1/model")
        answers = {q["id"]: 2 for d in model["dimensions"] for q in d["questions"]}
        status, created = first.request("POST", "/api/v1/assessments", {}, member)
        assert status == 201, created
        path = f"/api/v1/assessments/{created['id']}"
        assert first.request("PUT", path + "/answers", {"answers": answers}, member)[0] == 200
        assert first.request("POST", path + "/submit", None, member)[0] == 200

        deadline = time.monotonic() + STAMP_TTL + 5
        while True:
            _, after = second.request("GET", url, None, member)
            index = next(m for m in after["metrics"] if m["id"] == "index")
            if index["own"] is not None or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert index["own"] == 50.0
        assert index["percentile"] is not None
    finally:
        first.stop()
        second.stop()
