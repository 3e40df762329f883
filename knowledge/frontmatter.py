"""The YAML header of a Markdown file, read so that it cannot be turned against the service.

YAML anchors and aliases (``&a`` / ``*a``) let a few hundred bytes stand for millions of
characters once the values are turned into text (the "billion laughs"): they are refused
outright, by looking at the scanner's tokens before anything is built. The header is also
limited in size and in number of tokens, tags are refused, and the keys the knowledge base
reads must have the expected shape. Every refusal is a `DocumentError` with a French reason.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Final

import yaml

from knowledge.builtin import is_web_url
from knowledge.errors import DocumentError

__all__ = ["ID_PATTERN", "MAX_FRONT_MATTER_CHARS", "MAX_FRONT_MATTER_TOKENS", "read_front_matter"]

MAX_FRONT_MATTER_CHARS: Final = 16_384
"""Longest YAML header accepted (our cards use under 2,000 characters)."""
MAX_FRONT_MATTER_TOKENS: Final = 2_000
"""Most YAML tokens accepted in a header (a card uses about 150)."""
ID_PATTERN: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")
"""A document id: lowercase ASCII letters, digits, ``-`` and ``_`` (80 characters at most)."""
_OPEN = re.compile(r"---[ \t]*\r?\n")
_CLOSE = re.compile(r"\r?\n---[ \t]*(?:\r?\n|$)")
_FORBIDDEN: Final = {
    yaml.AnchorToken: "les ancres (&) et alias (*) YAML ne sont pas acceptés",
    yaml.AliasToken: "les ancres (&) et alias (*) YAML ne sont pas acceptés",
    yaml.TagToken: "les étiquettes de type YAML (!) ne sont pas acceptées",
}
_TEXTS: Final = ("id", "title", "language", "lang", "source", "url")
_LISTS: Final = ("sources", "references", "dimensions")


def _refuse(reason: str) -> DocumentError:
    return DocumentError(f"en-tête YAML (front matter) refusé : {reason}")


def _scan(raw: str) -> None:
    """Refuse anchors, aliases, tags and over-long headers from the token stream alone."""
    count = 0
    try:
        for token in yaml.scan(raw, Loader=yaml.SafeLoader):
            count += 1
            if count > MAX_FRONT_MATTER_TOKENS:
                raise _refuse(f"trop d'éléments (plus de {MAX_FRONT_MATTER_TOKENS})")
            reason = _FORBIDDEN.get(type(token))
            if reason is not None:
                raise _refuse(reason)
    except yaml.YAMLError as exc:
        raise DocumentError(f"en-tête YAML (front matter) invalide : {exc}") from exc


def _scalar(value: object) -> bool:
    return isinstance(value, str | int | float | date) and not isinstance(value, bool)


def _checked(meta: dict[Any, Any]) -> dict[str, Any]:
    """The header's keys as the knowledge base reads them, or a refusal saying which is wrong."""
    out: dict[str, Any] = {str(k): v for k, v in meta.items()}
    for key in _TEXTS:
        if key in out and out[key] is not None:
            if not _scalar(out[key]):
                raise _refuse(f"« {key} » doit être un texte")
            out[key] = str(out[key]).strip()
    for key in _LISTS:
        value = out.get(key)
        if value is None:
            continue
        items = [value] if _scalar(value) else value
        if not isinstance(items, list) or not all(_scalar(i) for i in items):
            raise _refuse(f"« {key} » doit être une liste de textes")
        out[key] = [str(i).strip() for i in items if str(i).strip()]
    if out.get("id") and not ID_PATTERN.fullmatch(out["id"]):
        raise _refuse(
            f"identifiant « {out['id'][:80]} » invalide (lettres minuscules sans accents, "
            "chiffres, - et _ ; 80 caractères au plus)"
        )
    for key in ("source", "url"):
        if out.get(key) and not is_web_url(out[key]):
            raise _refuse(f"« {key} » doit être une adresse web complète (http:// ou https://)")
    if len(out.get("title") or "") > 300:
        raise _refuse("titre de plus de 300 caractères")
    return out


def read_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The header's values and the text after it (``{}`` and the whole text when there is
    none); a header that is malformed, too big or uses anchors, aliases or tags is refused."""
    opening = _OPEN.match(text)
    if opening is None:
        return {}, text
    # Look for the closing line only within the size limit: no scan of a huge body.
    window = text[: opening.end() + MAX_FRONT_MATTER_CHARS + 8]
    closing = _CLOSE.search(window, opening.end() - 1)
    if closing is None:  # no header closed within the limit: a rule, not a header
        return {}, text
    raw = text[opening.end() : closing.start()]
    if len(raw) > MAX_FRONT_MATTER_CHARS:
        raise _refuse(f"plus de {MAX_FRONT_MATTER_CHARS} caractères")
    _scan(raw)
    try:
        meta = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise DocumentError(f"en-tête YAML (front matter) invalide : {exc}") from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise DocumentError("en-tête YAML (front matter) invalide : un dictionnaire est attendu")
    return _checked(meta), text[closing.end() :]
