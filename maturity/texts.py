"""The engine's texts: `Text`, a model file's label in French and English, and the marking of
the French texts the engine hands to the interfaces (peer-group wordings…).

The engine stays free of any translation machinery: `N_` returns its text unchanged and only
tells the service's catalogue extraction (``make messages``) that the text is an interface
text; the interfaces show it through the catalogue, in the reader's language."""

from __future__ import annotations

import msgspec

__all__ = ["N_", "Text"]


def N_(text: str) -> str:  # noqa: N802 - the name gettext tools look for
    """`text` itself, marked as a catalogue message id."""
    return text


class Text(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A label in French (required) and English (optional: falls back to French)."""

    fr: str
    en: str | None = None

    def get(self, lang: str = "fr") -> str:
        """The text in `lang`, or in French when that translation is missing."""
        return self.en if lang == "en" and self.en else self.fr
