"""`X-Forwarded-For` is believed from the configured proxies only: a client on loopback that
rotates the header is still one client for the login throttle and the assistant's limit."""

from __future__ import annotations

from base64 import b64encode
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.live import DEMO_MEMBER, Server

pytestmark = pytest.mark.reliability

EMAIL = DEMO_MEMBER[0]


def _guess(server: Server, number: int) -> int:
    """One wrong password for the demo member, from a forged client address."""
    basic = b64encode(f"{EMAIL}:faux-{number}".encode()).decode()
    status, _ = server.request(
        "POST",
        "/api/v1/api-keys",
        {"name": "essai"},
        {"Authorization": f"Basic {basic}", "X-Forwarded-For": f"203.0.113.{number}"},
    )
    return status


def _statuses(server: Server, attempts: int) -> list[int]:
    return [_guess(server, n) for n in range(1, attempts + 1)]


def test_forged_forwarded_for_does_not_escape_the_login_throttle(
    fresh_data: Callable[[], tuple[dict[str, str], Path]],
) -> None:
    env, directory = fresh_data()
    server = Server(env, directory / "serve.log").start()
    try:
        statuses = _statuses(server, 8)
        headers = _last_headers(server)
    finally:
        server.stop()
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429] * 3, statuses
    assert int(headers["retry-after"]) > 0


def test_a_configured_proxy_is_believed(
    fresh_data: Callable[[], tuple[dict[str, str], Path]],
) -> None:
    env, directory = fresh_data()
    env = env | {"TERRITOIRES_TRUSTED_PROXIES": "127.0.0.1"}
    server = Server(env, directory / "serve.log").start()
    try:
        statuses = _statuses(server, 8)
    finally:
        server.stop()
    # every guess comes from another client address, as the trusted proxy says
    assert statuses == [401] * 8


def test_the_assistant_limit_holds_against_forged_addresses(
    fresh_data: Callable[[], tuple[dict[str, str], Path]],
) -> None:
    env, directory = fresh_data()
    env = env | {"TERRITOIRES_ASSISTANT_RATE_LIMIT": "3"}
    server = Server(env, directory / "serve.log").start()
    try:
        statuses = []
        for n in range(5):
            status, _ = server.request(
                "POST",
                "/api/v1/assistant/ask",
                {"question": "Qu'est-ce qu'un jumeau numérique ?"},
                {"X-Forwarded-For": f"198.51.100.{n}"},
            )
            statuses.append(status)
        last = _last_headers(server, "/api/v1/assistant/ask")
    finally:
        server.stop()
    assert statuses[3:] == [429, 429], statuses
    assert int(last["retry-after"]) > 0


def _last_headers(server: Server, path: str = "/api/v1/api-keys") -> dict[str, str]:
    """The headers of one more refused request (the throttled state persists)."""
    import json
    import urllib.error
    import urllib.request

    if path.endswith("/ask"):
        body, headers = {"question": "Et Mulhouse ?"}, {}
    else:
        basic = b64encode(f"{EMAIL}:encore-faux".encode()).decode()
        body, headers = {"name": "essai"}, {"Authorization": f"Basic {basic}"}
    request = urllib.request.Request(
        server.url + path,
        json.dumps(body).encode(),
        {"Content-Type": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        assert exc.code == 429, exc.code
        return {k.lower(): v for k, v in exc.headers.items()}
