"""Rendering of pages: the Jinja environment (filters, globals) and the context every page shares.

A page handler builds its own context out of the domain functions' Structs (the same ones the
JSON API returns) and hands it to `page`, which adds the layout's needs: language, the signed-in
user, the current path for the language switch and the ``next`` of the login link."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, urlencode

from jinja2 import pass_context
from jinja2.runtime import Context
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from service.accounts.auth import Principal
from service.web.i18n import LANG_COOKIE, Lang, negotiate, translate
from service.web.messages import FR

__all__ = [
    "STATIC_DIR",
    "TEMPLATE_DIR",
    "format_number",
    "page",
    "request_lang",
    "safe_next",
    "sessions",
    "template_config",
]

WEB_ROOT: Final = Path(__file__).resolve().parent
TEMPLATE_DIR: Final = WEB_ROOT / "templates"
STATIC_DIR: Final = WEB_ROOT / "static"


def request_lang(request: Request[Any, Any, Any]) -> Lang:
    """The language of the page being rendered for `request`."""
    settings = request.app.state.get("settings")
    default = settings.default_lang if settings is not None else "fr"
    return negotiate(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE), default)


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to after a login or a language switch, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def format_number(value: float | int | None, lang: str = "fr", digits: int = 1) -> str:
    """A number as people read it: ``45,3`` in French, ``45.3`` in English, ``–`` for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{digits}f}" if digits else f"{round(value):,d}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


@pass_context
def _t(context: Context, key: str, **values: Any) -> str:
    return translate(context.get("lang", "fr"), key, **values)


@pass_context
def _num(context: Context, value: float | int | None, digits: int = 1) -> str:
    return format_number(value, context.get("lang", "fr"), digits)


@pass_context
def _label(context: Context, text: Any) -> str:
    """A model `Text` (``fr``/``en``) in the page's language."""
    return str(text.get(context.get("lang", "fr"))) if text is not None else ""


def _url(path: str, **query: Any) -> str:
    params = {k: v for k, v in query.items() if v is not None}
    return f"{quote(path)}?{urlencode(params)}" if params else quote(path)


def _configure(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.globals.update(t=_t, url=_url)
    env.filters.update(num=_num, label=_label)
    env.trim_blocks = True
    env.lstrip_blocks = True


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja2 templates of ``service/templates`` (autoescaped)."""
    return TemplateConfig(
        directory=TEMPLATE_DIR, engine=JinjaTemplateEngine, engine_callback=_configure
    )


def base_context(request: Request[Any, Any, Any], principal: Principal | None) -> dict[str, Any]:
    """What the layout needs on every page."""
    path = request.url.path
    query = request.url.query
    here = f"{path}?{query}" if query else path
    lang = request_lang(request)
    message = request.query_params.get("message")
    flash_key = f"flash.{message}"
    return {
        "lang": lang,
        "flash": translate(lang, flash_key) if message and flash_key in FR else None,
        "user": principal,
        "path": path,
        "here": here,
        "settings": request.app.state.get("settings"),
    }


def page(
    request: Request[Any, Any, Any],
    template: str,
    principal: Principal | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """A page rendered from `template` with `context` plus the layout's own context.

    Pages of a signed-in user are never cached (a shared computer's back button must not show
    them after the logout)."""
    all_headers = dict(headers or {})
    if principal is not None:
        all_headers["Cache-Control"] = "no-store"
    return Template(
        template_name=template,
        context=base_context(request, principal) | context,
        status_code=status_code,
        headers=all_headers or None,
    )


def sessions(request: Request[Any, Any, Any]) -> Any:
    """The application's session factory (for the benchmark cache, which opens a session only
    when its cached frames are due for a check)."""
    return request.app.state["db_sessionmaker"]


def svg(markup: str) -> Markup:
    """Trusted SVG built by `service.web.charts` (every text in it is escaped there)."""
    return Markup(markup)
