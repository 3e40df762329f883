"""Co-évaluation e-mails through the mail outbox and queue, to a real SMTP server on loopback:
the invitation carries the personal link, a reminder carries the fresh one (the old stops
working) with the opt-out, and no address means no message."""

from __future__ import annotations

import secrets

from litestar import Litestar
from litestar.testing import TestClient

from tests.integration.service.conftest import People, start
from tests.integration.service.smtp_server import Recorder, link_in, received

Client = TestClient[Litestar]
Q1 = "open_governance.resident_co_creation"


def _new_lead(client: Client, people: People) -> tuple[dict[str, str], str]:
    """A member of a territory of their own, and the respondents address of their new
    assessment."""
    lead = people.member(people.territory())
    assessment = start(client, lead)["id"]
    return lead, f"/api/v1/assessments/{assessment}/voices/respondents"


def test_invitation_and_reminder_go_out_by_mail_with_the_personal_link(
    mailing: Client,
    recorder: tuple[Recorder, int],
    people: People,
) -> None:
    lead, voices = _new_lead(mailing, people)
    address = f"urbanisme.{secrets.token_hex(3)}@exemple.fr"
    made = mailing.post(
        voices, json={"role": "service", "label": "Urbanisme", "email": address}, headers=lead
    ).json()
    assert made["emailed"] is True
    [invitation] = received(recorder[0], address)
    assert "vous invite à donner votre regard" in invitation["Subject"]
    assert link_in(invitation, "/voix/") == made["path"]
    assert invitation["List-Unsubscribe"] is None  # an invitation, not a reminder
    assert mailing.patch(f"{made['path'].replace('/voix/', '/api/v1/voices/')}/answers",
                         json={"answers": {Q1: 2}}).status_code == 200  # fmt: skip

    fresh = mailing.post(f"{voices}/{made['respondent']['id']}/remind", headers=lead).json()
    assert fresh["emailed"] is True
    reminder = received(recorder[0], address, 2)[1]
    assert reminder["Subject"].startswith("Rappel")
    path = link_in(reminder, "/voix/")
    assert path == fresh["path"] != made["path"]
    assert "/courriels/desinscription/" in str(reminder["List-Unsubscribe"])
    assert mailing.get(made["path"].replace("/voix/", "/api/v1/voices/")).status_code == 404
    kept = mailing.get(path.replace("/voix/", "/api/v1/voices/")).json()
    assert kept["answers"] == {Q1: 2}  # the draft survives the new link


def test_no_address_no_message_and_a_bad_address_is_refused(
    mailing: Client,
    recorder: tuple[Recorder, int],
    people: People,
) -> None:
    lead, voices = _new_lead(mailing, people)
    before = len(recorder[0].received)
    made = mailing.post(voices, json={"role": "elu", "label": "Maire"}, headers=lead).json()
    assert made["emailed"] is False
    bad = mailing.post(
        voices, json={"role": "elu", "label": "Adjoint", "email": "pas-une-adresse"}, headers=lead
    )
    assert bad.status_code == 422
    reminded = mailing.post(f"{voices}/{made['respondent']['id']}/remind", headers=lead).json()
    assert reminded["emailed"] is False
    assert len(recorder[0].received) == before
