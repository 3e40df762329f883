"""The MCP server mounted in the application at ``/mcp`` (streamable HTTP), behind the API keys.

Each HTTP request is authenticated the way the JSON API is (``Authorization: Bearer <clé>``;
none: anonymous, public data only; a bad key: 401), and the caller is left in the ASGI scope for
the tools to read (`service.mcp.server.CALLER_KEY`): the rights are those of the request that
carries the call, never of an earlier one. The transport is stateless and answers in plain JSON,
so any worker of ``territoires serve --workers N`` answers any request. A browser session
cookie never authenticates here: no page can call a tool in its visitor's name."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import msgspec
from litestar import Litestar, Request
from litestar.handlers import asgi
from litestar.handlers.asgi_handlers import ASGIRouteHandler
from litestar.types import Receive, Scope, Send
from mcp.server.mcpserver import MCPServer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from maturity.model import Model
from service.accounts.auth import DEFAULT_RESOLVERS, client_address, resolve_principal
from service.datatools.context import DataContext
from service.mcp.server import CALLER_KEY, McpServices, build_server
from service.peers.cache import BenchmarkCache
from service.platform.errors import TooManyRequestsError
from service.platform.i18n import N_
from service.platform.settings import Settings

__all__ = ["McpMount", "mcp_mount"]

MCP_PATH = "/mcp"


@asynccontextmanager
async def _committed(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session of its own for the key check, committed (``last_used_at``)."""
    async with maker() as session:
        yield session
        await session.commit()


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, Receive]:
    """The request's body (at most `limit` bytes read: a longer one is refused by the
    transport) and a `receive` that hands it over again."""
    chunks: list[bytes] = []
    size, more, trailing = 0, True, None
    while more and size <= limit:
        message = await receive()
        if message["type"] != "http.request":
            trailing = message
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        more = message.get("more_body", False)
    queue: list[Any] = [{"type": "http.request", "body": b"".join(chunks), "more_body": more}]
    if trailing is not None:
        queue.append(trailing)

    async def replay() -> Any:
        return queue.pop(0) if queue else await receive()

    return b"".join(chunks), replay


def _asks(body: bytes) -> bool:
    """Whether the JSON-RPC message (or batch) calls the ``ask`` tool: a question to the
    assistant, which counts against its rate limit as through the API."""
    if b'"ask"' not in body:
        return False
    try:
        decoded = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return False
    messages = decoded if isinstance(decoded, list) else [decoded]
    return any(
        isinstance(m, dict)
        and m.get("method") == "tools/call"
        and isinstance(m.get("params"), dict)
        and m["params"].get("name") == "ask"
        for m in messages
    )


async def _within_limit(request: Request[Any, Any, Any], name: str, per_minute: int) -> bool:
    """Count a question of this client address in the assistant's rate-limit store `name`.

    The minute starts at the address's first question, as in the API's limiter (Litestar's
    `RateLimitMiddleware`), not at the clock's minute: two questions a second apart never fall
    in two different windows."""
    if per_minute <= 0:
        return True
    store = request.app.stores.get(name)
    key = f"mcp-ask:{client_address(request)}"
    count = int(await store.get(key) or 0) + 1
    remaining = await store.expires_in(key) if count > 1 else None
    await store.set(key, str(count), expires_in=remaining if remaining and remaining > 0 else 60)
    return count <= per_minute


@dataclass(frozen=True)
class McpMount:
    """The route handler to register and the lifespan that runs the MCP transport."""

    handler: ASGIRouteHandler
    lifespan: Callable[[Litestar], AbstractAsyncContextManager[None]]
    server: MCPServer


def mcp_mount(
    settings: Settings,
    model: Model,
    peers: BenchmarkCache,
    services: McpServices,
    rate_limit_store: str,
) -> McpMount:
    """The ``/mcp`` endpoint over a new MCP server; the ``ask`` tool counts against the
    assistant's rate limit, in the application's store named `rate_limit_store`."""
    server = build_server(services)

    def start_transport() -> None:
        # a transport manager runs once: each start of the application (a test client may
        # start the same one twice) makes its own
        server.streamable_http_app(
            stateless_http=True,
            json_response=True,
            max_request_body_size=settings.max_body_bytes,
            # on a loopback address the SDK checks Host and Origin (DNS rebinding); behind a
            # proxy the API keys are the barrier, as for the JSON API
            host=settings.host,
        )

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        start_transport()
        async with server.session_manager.run():
            yield

    @asgi(MCP_PATH, is_mount=True, copy_scope=True, exclude_from_csrf=True)
    async def mcp_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        """MCP (streamable HTTP): the data tools and the assistant for AI clients."""
        request: Request[Any, Any, Any] = Request(scope)
        state = request.app.state
        sessions = state["db_sessionmaker"]
        # API keys only (a bad key raises the API's 401 problem); no cookie session
        principal = await resolve_principal(
            request, partial(_committed, sessions), DEFAULT_RESOLVERS
        )
        caller = DataContext(principal, sessions, model, peers, services.knowledge)
        scope[CALLER_KEY] = caller  # type: ignore[literal-required]
        body, replay = await _read_body(receive, settings.max_body_bytes)
        limit = settings.assistant_rate_limit
        if _asks(body) and not await _within_limit(request, rate_limit_store, limit):
            raise TooManyRequestsError(
                N_("Trop de questions à l'assistant : réessayez dans une minute."), retry_after=60
            )
        await server.session_manager.handle_request(scope, replay, send)  # type: ignore[arg-type]

    return McpMount(handler=mcp_endpoint, lifespan=lifespan, server=server)
