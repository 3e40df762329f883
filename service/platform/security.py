"""Security headers on every response: a strict CSP without inline scripts, no framing, a
same-origin referrer policy, and HSTS when the service is reached over TLS."""

from __future__ import annotations

from litestar.types import Message, Scope

__all__ = ["CSP", "security_headers"]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""Everything from the app itself: pages, scripts, styles, charts and the API reference
(``/schema``, Swagger UI from local files) are served by it."""


_COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def _over_tls(scope: Scope) -> bool:
    """Whether the client reached us over TLS, directly or through a proxy that says so."""
    if scope.get("scheme") == "https":
        return True
    headers = dict(scope.get("headers", []))
    return headers.get(b"x-forwarded-proto", b"").split(b",")[0].strip() == b"https"


async def security_headers(message: Message, scope: Scope) -> None:
    """``before_send`` hook adding the security headers to every HTTP response (404s of
    unknown routes included, which never reach route middleware), unless already set."""
    if message["type"] != "http.response.start":
        return
    extra = [*_COMMON, (b"content-security-policy", CSP.encode())]
    if _over_tls(scope):
        extra.append(_HSTS)
    headers = list(message.get("headers", []))
    present = {name.lower() for name, _ in headers}
    message["headers"] = headers + [(k, v) for k, v in extra if k not in present]
