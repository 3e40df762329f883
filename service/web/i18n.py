"""The language of a page, and numbers and dates written as its readers expect.

Interface texts live in the gettext catalogue of `service.platform.i18n` (French source texts
as message ids, ``service/locale/en`` for English); the model's own labels (dimensions,
questions, descriptors) come in both languages from the model file. Numbers and dates are
formatted by Babel with the conventions of the page's language."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Final, Literal

from babel.dates import format_date, format_time, get_datetime_format
from babel.numbers import format_decimal, format_percent

from service.platform.i18n import LANGS, N_, Lang, MessageId, as_lang, translate

__all__ = [
    "CHOICES",
    "FLASH",
    "LANGS",
    "LANG_COOKIE",
    "Lang",
    "choice",
    "format_day",
    "format_moment",
    "format_number",
    "format_share",
    "negotiate",
]

LANG_COOKIE: Final = "tc_lang"
"""Cookie remembering the language chosen with the switch (not a session: anonymous visitors
get no server-side state)."""

NONE: Final = "–"
DATE_FORMATS: Final[dict[str, Literal["short", "medium"]]] = {"fr": "short", "en": "medium"}
"""Babel date formats: ``31/01/2027`` in French; in English ``Jan 31, 2027``, because the
short English date (``1/31/27``) reads as the 1st of a 31st month to most of Europe."""

FLASH: Final[dict[str, MessageId]] = {
    "saved": N_("Brouillon enregistré."),
    "carried_over": N_(
        "Réponses de l'an dernier reprises là où vous n'aviez pas encore répondu : "
        "confirmez-les ou modifiez-les, question par question."
    ),
    "submitted": N_("Évaluation soumise : voici vos résultats."),
    "logged_out": N_("Vous êtes déconnecté·e."),
    "welcome": N_("Bienvenue : votre mot de passe est enregistré et vous êtes connecté·e."),
    "reopened": N_("Évaluation rouverte : le territoire peut la modifier."),
    "campaign_saved": N_("Campagne mise à jour."),
    "campaign_closed": N_("Campagne close : ses évaluations ne peuvent plus être modifiées."),
    "campaign_opened": N_("Campagne rouverte : les territoires peuvent de nouveau répondre."),
    "user_saved": N_("Compte mis à jour."),
    "user_deactivated": N_("Compte désactivé : il ne peut plus se connecter ni utiliser l'API."),
    "user_reactivated": N_("Compte réactivé."),
    "invitation_revoked": N_("Invitation révoquée."),
    "key_revoked": N_("Clé d'API révoquée."),
    "barometer_prepared": N_(
        "Brouillon du baromètre préparé : les membres peuvent le relire et signaler une erreur."
    ),
    "barometer_flagged": N_("Merci : votre signalement est transmis à l'administration."),
    "password_changed": N_("Mot de passe changé : connectez-vous avec le nouveau."),
    "schedule_saved": N_("Calendrier des rappels enregistré."),
    "reminders_queued": N_("Rappels dus mis dans la file d'envoi."),
    "notice_queued": N_("Annonce de campagne mise dans la file d'envoi."),
}
"""The confirmation shown after a redirection, by the ``?message=`` it carries."""

CHOICES: Final[dict[str, dict[str, MessageId]]] = {
    "assessment_status": {"draft": N_("Brouillon"), "submitted": N_("Soumise")},
    "campaign_status": {"open": N_("Ouverte"), "closed": N_("Close")},
    "role": {"admin": N_("Administrateur"), "member": N_("Membre"), "analyst": N_("Analyste")},
    "invitation_status": {
        "pending": N_("En attente"),
        "accepted": N_("Acceptée"),
        "expired": N_("Expirée"),
        "revoked": N_("Révoquée"),
    },
    "mail_status": {
        "queued": N_("En file"),
        "sent": N_("Envoyé"),
        "failed": N_("Échec"),
        "skipped": N_("Non envoyé"),
    },
    "mail_kind": {
        "invitation": N_("Invitation"),
        "reminder": N_("Rappel"),
        "notice": N_("Annonce"),
        "password_reset": N_("Mot de passe"),
    },
}
"""Labels of the values the domain stores as codes, by kind of value."""


def negotiate(query: str | None, cookie: str | None, default: str) -> Lang:
    """The language of a page: ``?lang=``, then the switch's cookie, then the service default.

    ``Accept-Language`` is deliberately ignored: the service is French first, and a civil
    servant on an English-language browser still gets French until choosing otherwise."""
    return as_lang(query) or as_lang(cookie) or as_lang(default) or "fr"


def choice(lang: str, kind: str, value: str) -> str:
    """The label of the stored code `value` of `kind` (the code itself when unknown)."""
    message = CHOICES[kind].get(value)
    return translate(lang, message) if message is not None else value


def _lang(lang: str) -> str:
    return as_lang(lang) or "fr"


def format_number(value: float | None, lang: str = "fr", digits: int = 1) -> str:
    """A number as people read it: ``45,3`` in French, ``45.3`` in English, ``–`` for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NONE
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    # Python's rounding of the binary value first, as the pages always showed it (Babel
    # would round the decimal text half to even: 45.45 would become 45,4)
    return format_decimal(round(value, digits), format=pattern, locale=_lang(lang))


def format_share(value: float | None, lang: str = "fr") -> str:
    """A share of 0 to 1 as a percentage: ``80 %`` in French, ``80%`` in English."""
    if value is None or math.isnan(value):
        return NONE
    return format_percent(round(value, 2), locale=_lang(lang))


def format_day(value: date | None, lang: str = "fr") -> str:
    """A date: ``31/01/2027`` in French, ``Jan 31, 2027`` in English."""
    if value is None:
        return NONE
    return format_date(value, DATE_FORMATS[_lang(lang)], locale=_lang(lang))


def format_moment(value: datetime | None, lang: str = "fr") -> str:
    """A date and time to the minute: ``31/01/2027 14:05``, ``Jan 31, 2027, 2:05 PM``."""
    if value is None:
        return NONE
    locale = _lang(lang)
    style = DATE_FORMATS[locale]
    when = format_date(value, style, locale=locale)
    hour = format_time(value, "short", tzinfo=value.tzinfo, locale=locale)
    pattern = str(get_datetime_format(style, locale=locale))  # "{1} {0}": date, then time
    return pattern.replace("{1}", when).replace("{0}", hour)
