"""Validated text types shared by every request body: one-line names, territory codes."""

from __future__ import annotations

import re
from typing import Annotated, Final

from msgspec import Meta

__all__ = ["CODE_PATTERN", "CONTROL", "LINE_PATTERN", "Line"]

CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters refused in any text (tabs and line breaks are fine)."""
LINE_PATTERN: Final = r"^[^\x00-\x1f\x7f]*$"
CODE_PATTERN: Final = r"^[0-9A-Za-z]{1,9}$"
"""Territory codes: INSEE (``2A004``) or SIREN (``200067106``)."""
Line = Annotated[str, Meta(max_length=200, pattern=LINE_PATTERN)]
"""A one-line text without control characters (names)."""
