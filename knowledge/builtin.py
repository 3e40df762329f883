"""The project's own cards (``knowledge/corpus/``): where they are, which ids they hold, and the
public names documents are shown under instead of server paths.

Light on purpose (no Chroma, no embedding model): the extraction worker process imports it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from knowledge.types import Provenance

__all__ = [
    "CORPUS_DIR",
    "PRACTICES_FOLDER",
    "PRACTICE_PREFIX",
    "builtin_ids",
    "document_id_for",
    "is_web_url",
    "provenance_of",
    "public_source",
]

CORPUS_DIR: Final = Path(__file__).resolve().parent / "corpus"
"""The project's own knowledge cards, indexed by `territoires prepare`."""
PRACTICES_FOLDER: Final = "practices"
"""Folder (under ``<data_dir>/knowledge``) of the members' published practice cards."""
PRACTICE_PREFIX: Final = "pratique-"
"""File name (and document id) prefix of a practice card: ``pratique-<uuid>.md``."""
_CARD_SUFFIXES: Final = frozenset({".md", ".markdown"})
_FRONT_ID = re.compile(r"^id:\s*[\"']?([A-Za-z0-9_.-]+)[\"']?\s*$", re.MULTILINE)


def document_id_for(path: Path) -> str:
    """A stable id from the file name: lowercase ASCII words joined by hyphens."""
    folded = unicodedata.normalize("NFKD", path.stem)
    ascii_name = folded.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:80] or "document"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
    except ValueError:
        return False
    return True


def provenance_of(path: Path) -> Provenance:
    """``builtin`` for a file of the project's corpus, ``practice`` for a member's published
    practice card (``…/practices/pratique-<uuid>.md``), ``upload`` for any other file."""
    if _inside(path, CORPUS_DIR):
        return "builtin"
    if path.parent.name == PRACTICES_FOLDER and path.name.startswith(PRACTICE_PREFIX):
        return "practice"
    return "upload"


def is_web_url(value: str) -> bool:
    """Whether `value` is an absolute http(s) URL with a host, without spaces or controls."""
    if not value or len(value) > 2000 or any(c.isspace() or ord(c) < 32 for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def public_source(path: Path) -> str:
    """What a document read from `path` is shown as when it has no URL of its own:
    ``corpus/<language>/<file>`` for a built-in card, the bare file name otherwise."""
    if _inside(path, CORPUS_DIR):
        return "corpus/" + path.resolve().relative_to(CORPUS_DIR).as_posix()
    return path.name


@cache
def builtin_ids() -> frozenset[str]:
    """Ids of the built-in cards (their front matter ``id``, else their file name's id)."""
    ids: set[str] = set()
    for card in sorted(CORPUS_DIR.rglob("*")):
        if card.suffix.lower() not in _CARD_SUFFIXES or not card.is_file():
            continue
        head = card.read_text(encoding="utf-8", errors="replace")[:4096]
        found = _FRONT_ID.search(head.split("\n---", 1)[0]) if head.startswith("---") else None
        ids.add(found.group(1) if found else document_id_for(card))
    return frozenset(ids)
