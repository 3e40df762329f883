"""The e-mails of co-évaluation: when the lead gives a respondent's address, the invitation
and each reminder are written to the mail outbox in the same transaction and sent by the mail
queue once it is committed (`service.mail.postman`). The message holds the personal link; a
reminder holds the fresh one (the previous link stops working) and honours the opt-out."""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.model import Model
from service.accounts.auth import Principal
from service.mail.optout import opt_out_path, opted_out
from service.mail.outbox import Draft
from service.mail.postman import Postman
from service.platform.db.tables import Assessment, Territory, VoiceRespondent
from service.platform.i18n import N_, translate
from service.voices.respondents import (
    VoiceInvite,
    VoiceLink,
    invite_respondent,
    remind_respondent,
)

__all__ = ["invite_and_send", "remind_and_send", "voice_message"]

INVITE_TEXT = N_(
    "Bonjour,\n\n%(territory)s mène son auto-évaluation de territoire connecté (campagne "
    "%(year)s) et souhaite avoir votre regard, en tant que « %(label)s ».\n\nVous répondez "
    "par ce lien personnel, sans créer de compte, jusqu'au %(expires)s : vous pouvez enregistrer "
    "un brouillon et revenir par le même lien.\n%(link)s\n\nVos réponses restent les vôtres : la "
    "collectivité ne voit que les répartitions par groupe de rôle, jamais une réponse seule "
    "d'un groupe de moins de trois personnes. Si vous avez un compte à cette adresse, vous "
    "pouvez aussi répondre depuis votre espace.\n\nSi vous n'attendiez pas ce message, "
    "ignorez-le."
)
REMIND_TEXT = N_(
    "Bonjour,\n\n%(territory)s attend encore votre regard sur son auto-évaluation (campagne "
    "%(year)s), en tant que « %(label)s ». Voici un nouveau lien personnel, valable jusqu'au "
    "%(expires)s (le précédent ne fonctionne plus ; votre brouillon est conservé) :\n%(link)s"
)


def voice_message(
    lang: str,
    base: str,
    secret_key: str,
    row: VoiceRespondent,
    year: int,
    territory: str,
    link: VoiceLink,
    *,
    reminder: bool,
) -> Draft:
    """The invitation (or reminder) e-mail to the respondent `row`, with their personal link."""
    assert row.email is not None
    fields = {
        "territory": territory,
        "year": year,
        "label": row.label,
        "expires": link.respondent.expires_at.date().isoformat(),
        "link": base + link.path,
    }
    if reminder:
        subject = translate(lang, N_("Rappel : votre regard sur %(t)s est attendu"), t=territory)
        body = translate(lang, REMIND_TEXT, **fields)
        footer = N_("Pour ne plus recevoir de rappels ni d'annonces de campagne : %(link)s")
        body += "\n\n-- \n" + translate(
            lang, footer, link=base + opt_out_path(secret_key, row.email)
        )
        return Draft("reminder", row.email, subject, body, campaign_year=year)
    subject = translate(lang, N_("%(t)s vous invite à donner votre regard"), t=territory)
    return Draft("invitation", row.email, subject, translate(lang, INVITE_TEXT, **fields))


async def _send(
    session: AsyncSession, postman: Postman, link: VoiceLink, base: str, *, reminder: bool
) -> VoiceLink:
    """Queue the e-mail of `link` when its respondent has an address (and, for a reminder,
    has not opted out); the link says whether it went to the outbox."""
    row = await session.get(VoiceRespondent, link.respondent.id)
    if row is None or row.email is None:
        return link
    if reminder and await opted_out(session, [row.email.lower()]):
        return link
    assessment = await session.get(Assessment, row.assessment_id)
    assert assessment is not None
    territory = await session.get(Territory, assessment.territory_code)
    name = territory.name if territory is not None else assessment.territory_code
    settings = postman.settings
    draft = voice_message(
        settings.default_lang,
        base.rstrip("/"),
        settings.secret_key,
        row,
        assessment.campaign_year,
        name,
        link,
        reminder=reminder,
    )
    sent = await postman.post(session, [draft])
    return msgspec.structs.replace(link, emailed=bool(sent))


async def invite_and_send(
    session: AsyncSession,
    principal: Principal | None,
    postman: Postman,
    model: Model,
    assessment_id: uuid.UUID,
    data: VoiceInvite,
    *,
    valid_days: int,
    base: str,
) -> VoiceLink:
    """Invite a respondent and, when their address is given, e-mail them their link."""
    link = await invite_respondent(
        session, principal, model, assessment_id, data, valid_days=valid_days
    )
    return await _send(session, postman, link, base, reminder=False)


async def remind_and_send(
    session: AsyncSession,
    principal: Principal | None,
    postman: Postman,
    assessment_id: uuid.UUID,
    respondent_id: uuid.UUID,
    *,
    valid_days: int,
    base: str,
) -> VoiceLink:
    """A fresh link for a respondent who has not answered, e-mailed when there is an address."""
    link = await remind_respondent(
        session, principal, assessment_id, respondent_id, valid_days=valid_days
    )
    return await _send(session, postman, link, base, reminder=True)
