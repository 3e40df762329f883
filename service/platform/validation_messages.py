"""Validation messages of msgspec and Litestar, which explain a refused input in English,
rewritten through the catalogue in the caller's language.

Apart from `service.platform.errors` (which re-exports `validation_message`) because it is a
table of the validators' wording, to extend when a library words a refusal differently, and
has nothing to do with choosing a status or building a response.
"""

from __future__ import annotations

import re
from typing import Final

from service.platform.i18n import N_, MessageId, translate

__all__ = ["validation_message"]


_MSGSPEC_MESSAGES: Final[tuple[tuple[re.Pattern[str], MessageId], ...]] = (
    # msgspec (and Litestar's parameter checks) explain a refused input in English: each
    # message they write is matched here once and replaced by its catalogue text
    (
        re.compile(r"Object contains unknown field `(?P<field>[^`]*)`"),
        N_("champ inconnu « %(field)s »"),
    ),
    (
        re.compile(r"Object missing required field `(?P<field>[^`]*)`"),
        N_("champ obligatoire « %(field)s » manquant"),
    ),
    (
        re.compile(r"Expected `(?P<expected>[^`]*)`, got `(?P<got>[^`]*)`"),
        N_("type attendu %(expected)s, reçu %(got)s"),
    ),
    (re.compile(r"Expected `str` matching regex '.*?'(?= - at|$)"), N_("texte au format invalide")),
    (
        re.compile(r"Expected `str` of length <= (?P<limit>\d+)"),
        N_("texte de %(limit)s caractères au plus"),
    ),
    (
        re.compile(r"Expected `str` of length >= (?P<limit>\d+)"),
        N_("texte de %(limit)s caractères au moins"),
    ),
    (
        re.compile(r"Expected `(?:int|float)` >= (?P<limit>[-\d.e]+)"),
        N_("nombre supérieur ou égal à %(limit)s attendu"),
    ),
    (
        re.compile(r"Expected `(?:int|float)` <= (?P<limit>[-\d.e]+)"),
        N_("nombre inférieur ou égal à %(limit)s attendu"),
    ),
    (re.compile(r"Invalid enum value (?P<value>'[^']*'|\S+)"), N_("valeur non permise %(value)s")),
    (re.compile(r"Invalid UUID"), N_("identifiant (UUID) invalide")),
    (
        re.compile(r"Invalid RFC3339 encoded datetime"),
        N_("date et heure invalides (RFC 3339 attendu)"),
    ),
    (
        re.compile(r"Expected `datetime` with a timezone component"),
        N_("date et heure avec fuseau attendues"),
    ),
    (re.compile(r"Number out of range"), N_("nombre hors limites")),
    (re.compile(r"JSON is malformed: (?P<reason>.*)"), N_("JSON mal formé (%(reason)s)")),
    (re.compile(r"Input data was truncated"), N_("JSON tronqué")),
    (re.compile(r" - at `(?P<path>[^`]*)`"), N_(" (à %(path)s)")),
)


def validation_message(message: str, lang: str) -> str:
    """A validation message of msgspec or Litestar in `lang`, through the catalogue (a message
    the table does not know is left as it is)."""
    for pattern, message_id in _MSGSPEC_MESSAGES:

        def replace(match: re.Match[str], message_id: MessageId = message_id) -> str:
            return translate(lang, message_id, **match.groupdict())

        message = pattern.sub(replace, message)
    return message
