"""Validated types shared by every request: one-line names, territory codes, stored integers."""

from __future__ import annotations

import re
from typing import Annotated, Final

from msgspec import Meta

__all__ = [
    "CODE_PATTERN",
    "CONTROL",
    "DB_INT_MAX",
    "LINE_PATTERN",
    "NOT_BLANK_PATTERN",
    "Count",
    "Line",
]

CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters refused in any text (tabs and line breaks are fine)."""
LINE_PATTERN: Final = r"^[^\x00-\x1f\x7f]*$"
NOT_BLANK_PATTERN: Final = r"[^\s\x1c-\x1f\x85]"
r"""A text that is not blank: one character ``str.split`` keeps (it also splits on the
separators U+001C-U+001F and U+0085, which JSON Schema's ``\s`` does not match)."""
CODE_PATTERN: Final = r"^[0-9A-Za-z]{1,9}$"
"""Territory codes: INSEE (``2A004``) or SIREN (``200067106``)."""
Line = Annotated[str, Meta(max_length=200, pattern=LINE_PATTERN)]
"""A one-line text without control characters (names)."""
DB_INT_MAX: Final = 2**31 - 1
"""The largest value of an INTEGER column on PostgreSQL (SQLite's are wider)."""
Count = Annotated[int, Meta(ge=0, le=DB_INT_MAX)]
"""A stored counter (a revision number): larger values are refused before any query."""
