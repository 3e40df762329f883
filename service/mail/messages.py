"""The texts of the messages, French first (the service's default language), each a `Draft`
for the outbox. Links are absolute: they start with the ``public_url`` setting, or with the
address of the request that asked for the message."""

from __future__ import annotations

from datetime import date, datetime

from service.mail.optout import opt_out_path
from service.mail.outbox import Draft
from service.platform.i18n import N_, translate
from service.platform.settings import Settings

__all__ = ["invitation", "notice", "password_reset", "reminder"]


def _footer(settings: Settings, lang: str, base: str, email: str) -> str:
    link = base + opt_out_path(settings.secret_key, email)
    text = N_("Pour ne plus recevoir de rappels ni d'annonces de campagne : %(link)s")
    return "\n\n-- \n" + translate(lang, text, link=link)


def invitation(
    lang: str, base: str, email: str, territory: str | None, path: str, expires: datetime
) -> Draft:
    """The invitation to set a password and join (for `territory`, when a member)."""
    if territory:
        subject = translate(lang, N_("Invitation à Territoires connectés : %(t)s"), t=territory)
        who = translate(lang, N_("pour le territoire %(t)s"), t=territory)
    else:
        subject = translate(lang, N_("Invitation à Territoires connectés"))
        who = translate(lang, N_("pour le réseau"))
    body = translate(
        lang,
        N_(
            "Bonjour,\n\nVous êtes invité(e) à rejoindre Territoires connectés %(who)s, "
            "l'auto-évaluation de la maturité numérique des territoires.\n\nChoisissez votre "
            "mot de passe en suivant ce lien, valable jusqu'au %(expires)s :\n%(link)s\n\n"
            "Si vous n'attendiez pas ce message, ignorez-le."
        ),
        who=who,
        expires=expires.date().isoformat(),
        link=base + path,
    )
    return Draft("invitation", email, subject, body)


def password_reset(lang: str, base: str, email: str, path: str) -> Draft:
    """The link that lets the owner of `email` choose a new password."""
    subject = translate(lang, N_("Territoires connectés : nouveau mot de passe"))
    body = translate(
        lang,
        N_(
            "Bonjour,\n\nUne demande de nouveau mot de passe a été faite pour votre compte. "
            "Choisissez-le en suivant ce lien, valable une heure et une seule fois :\n%(link)s"
            "\n\nSi vous n'avez rien demandé, ignorez ce message : votre mot de passe ne "
            "change pas."
        ),
        link=base + path,
    )
    return Draft("password_reset", email, subject, body)


def reminder(
    settings: Settings,
    email: str,
    territory: str,
    year: int,
    closes_on: date,
    days: int,
) -> Draft:
    """A reminder to a member whose territory has not submitted yet."""
    lang, base = settings.default_lang, settings.public_url.rstrip("/")
    subject = translate(
        lang,
        N_("Campagne %(year)s : l'évaluation de %(t)s est attendue avant le %(closes)s"),
        year=year,
        t=territory,
        closes=closes_on.isoformat(),
    )
    body = translate(
        lang,
        N_(
            "Bonjour,\n\nLa campagne %(year)s se termine le %(closes)s, dans %(days)s jours, "
            "et l'évaluation de %(t)s n'est pas encore soumise.\n\nPour la compléter et la "
            "soumettre : %(link)s"
        ),
        year=year,
        closes=closes_on.isoformat(),
        days=days,
        t=territory,
        link=base + "/espace",
    )
    body += _footer(settings, lang, base, email)
    return Draft("reminder", email, subject, body, campaign_year=year)


def notice(settings: Settings, email: str, year: int, closes_on: date | None, text: str) -> Draft:
    """The announcement of a campaign, with the admin's own words when given."""
    lang, base = settings.default_lang, settings.public_url.rstrip("/")
    subject = translate(lang, N_("Territoires connectés : campagne %(year)s"), year=year)
    lines = [translate(lang, N_("Bonjour,"))]
    if closes_on is not None:
        message = N_("La campagne %(year)s d'auto-évaluation est ouverte jusqu'au %(closes)s.")
        lines.append(translate(lang, message, year=year, closes=closes_on.isoformat()))
    else:
        lines.append(translate(lang, N_("La campagne %(year)s d'auto-évaluation."), year=year))
    if text.strip():
        lines.append(text.strip())
    lines.append(translate(lang, N_("Votre espace : %(link)s"), link=base + "/espace"))
    body = "\n\n".join(lines) + _footer(settings, lang, base, email)
    return Draft("notice", email, subject, body, campaign_year=year)
