"""Reading the pages' HTML forms and turning domain errors into messages next to the fields.

Forms are read as plain strings (never through a schema that would answer a bare 400): the
page re-renders itself with what was typed and an error next to each offending field."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from litestar import Request

__all__ = ["FormData", "field_errors", "read_form"]

FormData = dict[str, str]


async def read_form(request: Request[Any, Any, Any]) -> FormData:
    """The submitted form's fields (the last value of a repeated field), stripped of the CSRF
    token."""
    form = await request.form()
    data = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    data.pop("_csrf_token", None)
    return data


def field_errors(errors: Iterable[Mapping[str, Any]] | None, default: str = "") -> dict[str, str]:
    """Messages by field from a domain error's ``errors`` list (``champ`` or ``question``)."""
    found: dict[str, str] = {}
    for error in errors or ():
        field = str(error.get("champ") or error.get("question") or default)
        message = str(error.get("message") or "")
        found[field] = f"{found[field]} ; {message}" if field in found else message
    return found
