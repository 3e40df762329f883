"""Rendering of pages: the Jinja environment (filters, globals) and the context every page shares.

A page handler builds its own context out of the domain functions' Structs (the same ones the
JSON API returns) and hands it to `page`, which adds the layout's needs: language, the signed-in
user, the current path for the language switch and the ``next`` of the login link."""

from __future__ import annotations

from datetime import date, datetime
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
from service.platform.i18n import translate, translations
from service.web.i18n import (
    FLASH,
    LANG_COOKIE,
    Lang,
    choice,
    format_day,
    format_moment,
    format_number,
    format_share,
    negotiate,
)

__all__ = [
    "STATIC_DIR",
    "TEMPLATE_DIR",
    "format_number",
    "page",
    "request_lang",
    "safe_next",
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


def _lang(context: Context) -> str:
    return str(context.get("lang", "fr"))


@pass_context
def _gettext(context: Context, message: str) -> str:
    """The template's message in the page's language (Jinja's newstyle gettext then escapes
    and fills its ``%(name)s`` placeholders)."""
    return translations(_lang(context)).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return translations(_lang(context)).ngettext(singular, plural, n)


@pass_context
def _translated(context: Context, text: str | None) -> str:
    """A French text the domain hands over as a catalogue id (a notice, a peer group's
    wording), in the page's language: ``{{ notice | translated }}``."""
    return translations(_lang(context)).gettext(text) if text else ""


@pass_context
def _num(context: Context, value: float | None, digits: int = 1) -> str:
    return format_number(value, _lang(context), digits)


@pass_context
def _share(context: Context, value: float | None) -> str:
    return format_share(value, _lang(context))


@pass_context
def _day(context: Context, value: date | None) -> str:
    return format_day(value, _lang(context))


@pass_context
def _moment(context: Context, value: datetime | None) -> str:
    return format_moment(value, _lang(context))


@pass_context
def _choice(context: Context, value: str, kind: str) -> str:
    """The label of a stored code: ``{{ a.status | choice("assessment_status") }}``."""
    return choice(_lang(context), kind, value)


@pass_context
def _label(context: Context, text: Any) -> str:
    """A model `Text` (``fr``/``en``) in the page's language."""
    return str(text.get(_lang(context))) if text is not None else ""


def _url(path: str, **query: Any) -> str:
    params = {k: v for k, v in query.items() if v is not None}
    return f"{quote(path)}?{urlencode(params)}" if params else quote(path)


def _configure(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.add_extension("jinja2.ext.i18n")
    # the catalogue is chosen per page from the context's ``lang``: macros that translate
    # are therefore imported ``with context``
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.policies["ext.i18n.trimmed"] = True  # same whitespace as babel.cfg's ``trimmed``
    env.globals.update(url=_url)
    env.filters.update(
        num=_num,
        share=_share,
        day=_day,
        moment=_moment,
        choice=_choice,
        label=_label,
        translated=_translated,
    )
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
    flash = FLASH.get(request.query_params.get("message") or "")
    return {
        "lang": lang,
        "flash": translate(lang, flash) if flash is not None else None,
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


def svg(markup: str) -> Markup:
    """Trusted SVG built by `service.web.charts` (every text in it is escaped there)."""
    return Markup(markup)
