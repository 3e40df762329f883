"""JSON request bodies checked before any handler reads them, so that no input ends in a 500.

The API's handlers declare a JSON ``data`` parameter; for those, the body must be sent as
``application/json`` (415 otherwise: a form or ``text/plain`` is not silently read as JSON), be
valid UTF-8, nest at most `MAX_JSON_DEPTH` levels (a thousand nested arrays used to exhaust the
decoder's recursion), carry no NUL character (PostgreSQL refuses it in text) and hold JSON's
own types: Litestar converts the body leniently (``0`` as false, ``"2027"`` as a number, ``0`` as
a date), which the schema does not allow, so such a body is refused here with msgspec's strict
message (an integral number such as ``2027.0`` stays an integer, as in JSON Schema). Pages read
their forms themselves and are not concerned."""

from __future__ import annotations

import re
from typing import Any, Final

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import ValidationException
from litestar.response.base import ASGIResponse
from litestar.types import ASGIApp, Receive, Scope, Send

from service.platform.errors import (
    PROBLEM_JSON,
    MalformedRequestError,
    UnsupportedMediaTypeError,
)
from service.platform.i18n import N_

__all__ = ["MAX_JSON_DEPTH", "coerced", "guard_json_body", "json_depth", "refuse_nul_in_path"]

MAX_JSON_DEPTH: Final = 32
_WRITES: Final = frozenset({"POST", "PUT", "PATCH"})
_TOKENS: Final = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')
"""Strings (skipped whole, so that a bracket inside one does not count) and brackets."""


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (0 for a scalar)."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return min(body.count(b"[") + body.count(b"{"), MAX_JSON_DEPTH)
    depth = deepest = 0
    for token in _TOKENS.finditer(body):
        first = token.group()[:1]
        if first in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif first in (b"]", b"}"):
            depth -= 1
    return deepest


def _json_data(request: Request[Any, Any, Any]) -> Any:
    """The type of the handler's JSON ``data``, or None when it reads no JSON body."""
    if request.method not in _WRITES:
        return None
    parameter = request.route_handler.parsed_fn_signature.parameters.get("data")
    if parameter is None:
        return None
    media_type = getattr(parameter.kwarg_definition, "media_type", RequestEncodingType.JSON)
    return parameter.annotation if media_type == RequestEncodingType.JSON else None


def _whole_numbers(value: Any) -> Any:
    """JSON numbers as JSON Schema reads them: ``2027.0`` is the integer 2027."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    return value


def coerced(body: bytes, kind: Any) -> str | None:
    """msgspec's message when the JSON `body` fits `kind` only once its types are converted
    (Litestar's lenient decoding), else None (a body that does not fit at all is left to
    Litestar, which says why)."""
    try:
        value = _whole_numbers(msgspec.json.decode(body))
    except msgspec.DecodeError:
        return None
    try:
        msgspec.convert(value, kind, strict=True)
    except TypeError:
        return None  # a type msgspec cannot convert on its own: Litestar's decoders do
    except msgspec.ValidationError as strict:
        try:
            msgspec.convert(value, kind, strict=False)
        except msgspec.ValidationError:
            return None
        return str(strict)
    return None


async def guard_json_body(request: Request[Any, Any, Any]) -> None:
    """``before_request`` hook: refuse a JSON body the decoder would choke on, in French."""
    kind = _json_data(request)
    if kind is None:
        return
    body = await request.body()
    if not body.strip():
        return  # the handler says what is missing
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaTypeError(
            N_("Le corps de la requête doit être du JSON (Content-Type: application/json).")
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedRequestError(
            N_("Le corps de la requête n'est pas de l'UTF-8 valide (octet %(position)s)."),
            position=exc.start,
        ) from None
    if "\x00" in text or "\\u0000" in text:
        raise MalformedRequestError(N_("Le caractère NUL n'est accepté dans aucun texte."))
    if json_depth(body) > MAX_JSON_DEPTH:
        raise MalformedRequestError(
            N_("Le JSON est imbriqué sur plus de %(depth)s niveaux."), depth=MAX_JSON_DEPTH
        )
    if (message := coerced(body, kind)) is not None:
        # the shape of Litestar's own refusal, so that it reads the same (errors.py)
        raise ValidationException(
            f"Validation failed for {request.method} {request.url.path}",
            extra=[{"key": "data", "source": "body", "message": message}],
        )


def refuse_nul_in_path(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: a path holding a NUL character (``/static/%00``) is a 400, answered
    before any route or file lookup can trip on it."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and "\x00" in scope.get("path", ""):
            body = msgspec.json.encode(
                {"title": "Requête invalide", "status": 400, "detail": "Chemin invalide."}
            )
            refusal = ASGIResponse(body=body, status_code=400, media_type=PROBLEM_JSON)
            await refusal(scope, receive, send)
            return
        await app(scope, receive, send)

    return middleware
