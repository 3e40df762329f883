"""French interface texts of the gettext catalogue, to check that an English page shows none.

Every message id of ``service/locale/en/LC_MESSAGES/messages.po`` whose English translation
differs is cut at its placeholders and tags; the French fragments longer than a few words'
worth of characters are what an English page must not contain. Data (territory names,
answers, the assistant's French sources) is never a message id, so it never matches."""

from __future__ import annotations

import re
from functools import cache

from babel.messages.pofile import read_po

from service.platform.i18n import LOCALE_DIR

__all__ = ["french_in", "french_interface_texts", "normalise"]

_CUTS = re.compile(r"%\(\w+\)s|<[^>]+>")


def normalise(text: str) -> str:
    """`text` with every run of white space (no-break spaces included) as one space."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


@cache
def french_interface_texts(longer_than: int = 12) -> tuple[str, ...]:
    """The French fragments of the catalogue that no English page may show."""
    with (LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalogue = read_po(file)
    english = " | ".join(normalise(str(m.string)) for m in catalogue if m.id and m.string)
    found: set[str] = set()
    for message in catalogue:
        if not message.id or not message.string or message.string == message.id:
            continue
        for part in _CUTS.split(str(message.id).replace("%%", "%")):
            part = normalise(part)
            if len(part) > longer_than and part not in english:
                found.add(part)
    return tuple(sorted(found))


def french_in(text: str) -> list[str]:
    """The catalogue's French fragments found in `text` (an English page's visible text)."""
    text = normalise(text)
    return [fragment for fragment in french_interface_texts() if fragment in text]
