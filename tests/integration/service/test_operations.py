"""Readiness, Prometheus metrics, request ids and JSON logs."""

from __future__ import annotations

import json
import logging

import msgspec
from litestar import Litestar
from litestar.testing import TestClient

from maturity.model import Model
from service.app import create_app
from service.platform.operations import JsonFormatter, configure_logging
from service.platform.settings import Settings

Client = TestClient[Litestar]


def test_ready_checks_the_database(api: Client) -> None:
    response = api.get("/ready")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_request_id_is_echoed_or_made(api: Client) -> None:
    given = api.get("/health", headers={"X-Request-Id": "essai-123"})
    assert given.headers["x-request-id"] == "essai-123"
    made = api.get("/health")
    assert len(made.headers["x-request-id"]) == 32


def test_metrics_count_requests_by_route_template(api: Client) -> None:
    api.get("/api/v1/territories/64122")
    api.post("/api/v1/score", json={"answers": {}})
    text = api.get("/metrics").text
    assert 'route="/api/v1/territories/{code}"' in text
    assert "territoires_http_request_duration_seconds_bucket" in text
    assert 'territoires_work_duration_seconds_count{operation="score"}' in text
    api.post("/api/v1/assistant/ask", json={"question": "Qu'est-ce qu'un jumeau numérique ?"})
    text = api.get("/metrics").text
    assert 'territoires_work_duration_seconds_count{operation="assistant"}' in text
    assert "/api/v1/territories/64122" not in text  # raw paths would grow without bound


def test_json_logs_carry_the_request_id() -> None:
    record = logging.LogRecord("service", logging.ERROR, __file__, 1, "échec %s", ("x",), None)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "échec x" and line["level"] == "ERROR"
    assert {"time", "request_id", "pid", "logger"} <= set(line)
    config = configure_logging("INFO")
    assert config["loggers"]["uvicorn.access"]["handlers"] == ["default"]


def test_metrics_need_their_token_when_one_is_set(db_settings: Settings, model: Model) -> None:
    settings = msgspec.structs.replace(db_settings, metrics_token="jeton-de-supervision")
    with TestClient(create_app(settings, model)) as client:
        assert client.get("/metrics").status_code == 404
        wrong = {"Authorization": "Bearer autre-chose"}
        assert client.get("/metrics", headers=wrong).status_code == 404
        right = {"Authorization": "Bearer jeton-de-supervision"}
        assert "territoires_http_requests_total" in client.get("/metrics", headers=right).text


def test_metrics_are_never_public_in_production(db_settings: Settings, model: Model) -> None:
    secret = "9f1c3e7a5b2d4f6081a3c5e7b9d1f2a4c6e8b0d2"
    settings = msgspec.structs.replace(db_settings, env="production", secret_key=secret)
    with TestClient(create_app(settings, model)) as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/health").status_code == 200
