"""Errors as friendly pages in the page's language for browsers, problem JSON for the API.

`html_aware` wraps the handlers of `service.platform.errors` without changing them: the JSON handler
still decides the status and the message (one map from domain errors to HTTP), and for a page
(any path outside ``/api``, ``/schema`` and ``/health`` whose caller does not ask for JSON) that
answer, written in the page's language, is rendered through ``error.html`` instead. An
anonymous visitor on a members' page is sent to the login page, with the page to come back to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from litestar import Request, Response
from litestar.exceptions import PermissionDeniedException
from litestar.response import Redirect, Template

from service.platform.errors import PAGE_LANG, Problem
from service.web.rendering import base_context, request_lang

__all__ = ["html_aware", "is_page_request"]

Handler = Callable[[Request[Any, Any, Any], Any], Response[Any]]
NON_PAGE_PREFIXES: Final = ("/api/", "/schema", "/health", "/static/")
CSRF_FAILURE: Final = "CSRF token verification failed"
KEPT_HEADERS: Final = frozenset({"allow", "retry-after"})


def is_page_request(request: Request[Any, Any, Any]) -> bool:
    """Whether `request` is for a page (HTML) rather than for the API (problem JSON)."""
    path = request.url.path
    if path == "/api" or path.startswith(NON_PAGE_PREFIXES):
        return False
    accept = request.headers.get("accept", "")
    wants_json = "json" in accept and "text/html" not in accept
    return not wants_json


def _login_redirect(request: Request[Any, Any, Any]) -> Response[Any]:
    path, query = request.url.path, request.url.query
    here = f"{path}?{query}" if query else path
    if request.method != "GET":  # a form posted after the session ended: back to its page
        here = path
    return Redirect(path="/connexion", query_params={"next": here}, status_code=303)


def _error_page(
    request: Request[Any, Any, Any], status: int, detail: str, headers: dict[str, str]
) -> Template:
    context = base_context(request, None)
    context |= {"status": status, "detail": detail, "session_active": _has_session(request)}
    return Template(
        template_name="error.html", context=context, status_code=status, headers=headers
    )


def _has_session(request: Request[Any, Any, Any]) -> bool:
    try:
        return bool(request.session)
    except Exception:  # no session middleware on this path
        return False


def html_aware(handlers: dict[Any, Handler]) -> dict[Any, Handler]:
    """The same handlers, answering pages with an HTML error page."""

    def wrap(json_handler: Handler) -> Handler:
        def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
            if not is_page_request(request):
                return json_handler(request, exc)
            request.state[PAGE_LANG] = request_lang(request)  # the message in the page's words
            response = json_handler(request, exc)
            status = response.status_code or 500
            if status == 401:
                return _login_redirect(request)
            problem = response.content
            detail = problem.detail if isinstance(problem, Problem) else ""
            if isinstance(exc, PermissionDeniedException) and CSRF_FAILURE in str(exc.detail):
                detail = "csrf"
            elif status >= 500 or status in (404, 405):
                detail = ""  # the page's own wording; never internals
            # what the client needs to act on the page's answer too (RFC 9110: a 405 lists the
            # methods allowed, a 429 says when to come back)
            kept = {k: v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS}
            return _error_page(request, status, detail, kept)

        return handler

    return {kind: wrap(handler) for kind, handler in handlers.items()}
