"""Marking of the French texts the engine hands to the interfaces (peer-group wordings…).

The engine stays free of any translation machinery: `N_` returns its text unchanged and only
tells the service's catalogue extraction (``make messages``) that the text is an interface
text; the interfaces show it through the catalogue, in the reader's language."""

from __future__ import annotations

__all__ = ["N_"]


def N_(text: str) -> str:  # noqa: N802 - the name gettext tools look for
    """`text` itself, marked as a catalogue message id."""
    return text
