"""The service's languages and its gettext catalogue: French source texts, English translations.

Every interface text and error message is written in French where it is used and marked for
extraction: ``N_("…")`` in Python, ``_()`` or ``{% trans %}`` in the templates. The French text
is the message id; placeholders are named (``%(year)s``) and filled when the text is shown, in
the language of the page or of the API request. ``make messages`` extracts the ids into
``service/locale/messages.pot`` and updates ``service/locale/en/LC_MESSAGES/messages.po``;
``make catalogues`` compiles the ``.mo`` read here (committed, and checked against its ``.po``
by a test). French needs no catalogue: its ids are its texts."""

from __future__ import annotations

import functools
import gettext
from pathlib import Path
from typing import Final, Literal, NewType

from babel.support import Translations

__all__ = [
    "DOMAIN",
    "LANGS",
    "LOCALE_DIR",
    "N_",
    "SOURCE_LANG",
    "Lang",
    "MessageId",
    "accept_language",
    "as_lang",
    "translate",
    "translations",
]

Lang = Literal["fr", "en"]
LANGS: Final[tuple[Lang, ...]] = ("fr", "en")
SOURCE_LANG: Final[Lang] = "fr"
LOCALE_DIR: Final = Path(__file__).resolve().parent.parent / "locale"
DOMAIN: Final = "messages"

MessageId = NewType("MessageId", str)
"""A French source text marked for the catalogue (made by `N_`): only such ids are translated,
so a function that takes a `MessageId` cannot be handed a text that escaped extraction."""


def N_(text: str) -> MessageId:  # noqa: N802 - the name gettext tools look for
    """Mark `text` (French, with ``%(name)s`` placeholders) as a catalogue message id."""
    return MessageId(text)


def as_lang(value: object) -> Lang | None:
    """`value` if it names a language of the service, else None."""
    for lang in LANGS:
        if value == lang:
            return lang
    return None


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of `lang`; the source texts themselves for French (or any
    language the service does not have)."""
    if as_lang(lang) in (None, SOURCE_LANG):
        return gettext.NullTranslations()
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not path.exists():  # Babel would silently fall back to French: say what to run
        raise FileNotFoundError(f"{path} introuvable : lancez « make catalogues »")
    with path.open("rb") as catalogue:
        return Translations(catalogue, DOMAIN)


def translate(lang: str, message: MessageId, /, **params: object) -> str:
    """`message` in `lang`, its ``%(name)s`` placeholders filled with `params`."""
    text = translations(lang).gettext(message)
    return text % params if params else text


def accept_language(header: str | None) -> Lang | None:
    """The service language an ``Accept-Language`` header prefers (highest quality first,
    ``en-GB`` counting as ``en``), or None when it names none of them."""
    best: tuple[float, int, Lang] | None = None
    for position, item in enumerate((header or "").split(",")):
        tag, _, options = item.strip().partition(";")
        lang = as_lang(tag.strip().split("-")[0].lower())
        if lang is None:
            continue
        quality = 1.0
        for option in options.split(";"):
            name, _, value = option.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and (best is None or (quality, -position) > (best[0], best[1])):
            best = (quality, -position, lang)
    return best[2] if best else None
