"""The assistant's prompt templates (Jinja2, one ``.j2`` file each), versioned like code.

Each template starts with a ``{# version: X #}`` comment; `version(name)` reads it and
`versions()` lists them all, so that an answer can record which prompts produced it. Rendering
is strict: a variable the template uses but the caller forgot is an error, not an empty string.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined

__all__ = ["PROMPT_DIR", "PROMPT_NAMES", "PromptError", "render", "version", "versions"]

PROMPT_DIR: Final = Path(__file__).resolve().parent
PROMPT_NAMES: Final = (
    "system",
    "answer",
    "rewrite",
    "refusal",
    "extractive",
    "territory",
    "tools",
)
"""The templates the assistant uses (files ``<name>.j2``)."""
_VERSION = re.compile(r"\{#-?\s*version:\s*([\w.\-]+)\s*-?#\}")


class PromptError(LookupError):
    """An unknown template, or one without its version comment."""


@cache
def _environment() -> Environment:
    # Prompts are plain text sent to a model, not HTML: no autoescaping. Passages are
    # delimited by the templates themselves.
    return Environment(
        loader=FileSystemLoader(PROMPT_DIR),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def _check(name: str) -> Path:
    if name not in PROMPT_NAMES:
        valid = ", ".join(PROMPT_NAMES)
        raise PromptError(f"Gabarit inconnu « {name} » ; gabarits valides : {valid}.")
    return PROMPT_DIR / f"{name}.j2"


def render(name: str, /, **context: Any) -> str:
    """The template `name` rendered with `context`, surrounding blank lines stripped."""
    _check(name)
    return _environment().get_template(f"{name}.j2").render(**context).strip()


@cache
def version(name: str) -> str:
    """The version written at the top of template `name`."""
    path = _check(name)
    found = _VERSION.search(path.read_text(encoding="utf-8"))
    if found is None:
        raise PromptError(f"{path} : commentaire « {{# version: … #}} » manquant.")
    return found.group(1)


def versions() -> dict[str, str]:
    """Version of every template, by name."""
    return {name: version(name) for name in PROMPT_NAMES}
