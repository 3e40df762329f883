"""Interface strings in French and English, and the visitor's language.

The model's own labels (dimensions, questions, descriptors) come in both languages from the
model file; this catalogue holds only the interface's words. French is the reference: a key
missing in English falls back to French, and a test checks that both have the same keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

from service.web.messages import EN, FR

__all__ = [
    "CATALOGUES",
    "LANGS",
    "LANG_COOKIE",
    "Lang",
    "negotiate",
    "translate",
]

Lang = Literal["fr", "en"]
LANGS: Final[tuple[Lang, ...]] = ("fr", "en")
LANG_COOKIE: Final = "tc_lang"
"""Cookie remembering the language chosen with the switch (not a session: anonymous visitors
get no server-side state)."""
CATALOGUES: Final[Mapping[str, Mapping[str, str]]] = {"fr": FR, "en": EN}


def translate(lang: str, key: str, **values: Any) -> str:
    """The interface string `key` in `lang` (French when missing), formatted with `values`."""
    text = CATALOGUES.get(lang, FR).get(key) or FR.get(key)
    if text is None:
        raise KeyError(f"message d'interface inconnu : {key!r}")
    return text.format(**values) if values else text


def negotiate(query: str | None, cookie: str | None, default: str) -> Lang:
    """The language of a page: ``?lang=``, then the switch's cookie, then the service default.

    ``Accept-Language`` is deliberately ignored: the service is French first, and a civil
    servant on an English-language browser still gets French until choosing otherwise."""
    for candidate in (query, cookie, default):
        if candidate in LANGS:
            return candidate  # type: ignore[return-value]
    return "fr"
