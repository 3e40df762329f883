"""Operations: readiness, Prometheus metrics, request ids and structured JSON logs.

One ASGI middleware times every request, labels it by route template (not by raw path, so
that the metrics stay bounded) and tags it with a request id, taken from ``X-Request-Id`` when
a proxy set one, echoed in the response and carried by every log record of the request.
"""

from __future__ import annotations

import contextvars
import hmac
import json
import logging
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client import generate_latest as _generate_latest
from sqlalchemy import text

from service.platform.settings import Settings

__all__ = [
    "REGISTRY",
    "JsonFormatter",
    "configure_logging",
    "metrics",
    "observe",
    "ready",
    "request_id",
    "request_id_middleware",
]

REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "territoires_http_requests_total",
    "Requêtes HTTP par méthode, route et statut.",
    ("method", "route", "status"),
    registry=REGISTRY,
)
LATENCY = Histogram(
    "territoires_http_request_duration_seconds",
    "Durée des requêtes HTTP par route.",
    ("method", "route"),
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
WORK = Histogram(
    "territoires_work_duration_seconds",
    "Durée des calculs du service (score, parangonnage, recherche, assistant).",
    ("operation",),
    registry=REGISTRY,
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def request_id() -> str | None:
    """The id of the request being handled (None outside a request)."""
    return _request_id.get()


@contextmanager
def observe(operation: str) -> Iterator[None]:
    """Time a block of domain work into ``territoires_work_duration_seconds``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        WORK.labels(operation).observe(time.perf_counter() - start)


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Request id, metrics by route template, and the ``X-Request-Id`` response header."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming[:64] if incoming.isprintable() and incoming else uuid.uuid4().hex
        token = _request_id.set(rid)
        status = 500
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            route = scope.get("path_template") or "(inconnue)"  # set by Litestar's router
            method = scope.get("method", "GET")
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - start)
            _request_id.reset(token)

    return middleware


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise `record` as one line of JSON."""
        payload: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id(),
            "pid": os.getpid(),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def configure_logging(level: str) -> dict[str, Any]:
    """A `logging.config` dict sending the service's and the server's logs as JSON lines."""
    handler = {"class": "logging.StreamHandler", "formatter": "json"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            name: {"handlers": ["default"], "level": level, "propagate": False}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "litestar")
        },
    }


@get("/ready", tags=["Exploitation"], summary="Disponibilité")
async def ready(request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
    """Readiness: the database answers and the knowledge index can be opened; 503 otherwise."""
    checks: dict[str, str] = {}
    try:
        maker = request.app.state["db_sessionmaker"]
        async with maker() as session:
            await session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # the probe reports, it never raises
        checks["database"] = f"indisponible : {type(exc).__name__}"
    probe = request.app.state.get("index_probe")
    if probe is not None:
        try:
            checks["index"] = str(await probe())
        except Exception as exc:  # same: report, don't raise
            checks["index"] = f"indisponible : {type(exc).__name__}"
    healthy = all(v == "ok" or v.startswith("ok") for v in checks.values())
    body = {"status": "prêt" if healthy else "pas prêt", **checks}
    return Response(body, status_code=200 if healthy else 503)


@get("/metrics", tags=["Exploitation"], summary="Métriques Prometheus", include_in_schema=False)
async def metrics(
    request: Request[Any, Any, Any], settings: NamedDependency[Settings]
) -> Response[bytes]:
    """Prometheus exposition of this worker's counters and histograms: behind
    `TERRITOIRES_METRICS_TOKEN` when it is set, and never public in production."""
    token = settings.metrics_token
    if token is None and settings.env == "production":
        raise NotFoundException()
    if token is not None:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise NotFoundException()
    return Response(_generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
