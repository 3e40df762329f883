"""Pure parts of the mail and the invitation import: reading a CSV file, the shipped demo
file, signed opt-out links, reminder days and the retry backoff."""

from __future__ import annotations

import pytest

from service.accounts.invitation_import import parse_invitations
from service.demo.invitations import DEMO_INVITATIONS, demo_invitations_csv
from service.mail.delivery import MAX_DELAY, retry_delay
from service.mail.optout import email_for_token, opt_out_path
from service.mail.reminders import parse_days
from service.platform.errors import InvalidInputError
from service.platform.settings import load_settings
from service.territories.reference import read_reference


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_a_csv_file_is_read_whatever_its_separator(separator: str) -> None:
    text = "\ufeff# commentaire\n\n" + separator.join(["code", "courriel", "role"]) + "\n"
    text += separator.join(["64024", " Marie@Example.org ", "member"]) + "\n\n"
    text += separator.join(["", "analyste@example.org", "analyst", "Analyste"]) + "\n"
    rows = parse_invitations(text)
    assert [(r.line, r.territory_code, r.email, r.role, r.name) for r in rows] == [
        (4, "64024", "marie@example.org", "member", ""),
        (6, "", "analyste@example.org", "analyst", "Analyste"),
    ]


def test_a_file_without_a_row_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        parse_invitations("# rien\ncode,courriel,role\n")


def test_the_shipped_demo_file_is_what_the_generator_makes_from_real_territories() -> None:
    reference = read_reference()
    text = DEMO_INVITATIONS.read_text(encoding="utf-8")
    assert text == demo_invitations_csv(reference)
    assert text.startswith("# Données fictives (synthétiques)")
    rows = parse_invitations(text)
    assert len(rows) == 500 and len({r.email for r in rows}) == 500
    assert all(r.email.endswith("@example.org") for r in rows)
    codes = set(reference["code"].to_list())
    members = [r for r in rows if r.role == "member"]
    assert all(r.territory_code in codes for r in members)
    assert len({r.territory_code for r in members}) == len(members)


def test_opt_out_links_are_signed() -> None:
    path = opt_out_path("clé", "Marie@Example.org")
    token = path.rsplit("/", 1)[1]
    assert email_for_token("clé", token) == "marie@example.org"
    assert email_for_token("autre clé", token) is None
    _encoded, signature = token.split(".")
    other = opt_out_path("clé", "paul@example.org").rsplit("/", 1)[1].split(".")[0]
    assert email_for_token("clé", f"{other}.{signature}") is None
    assert email_for_token("clé", "%%%.zz") is None


@pytest.mark.parametrize(
    ("text", "days"), [("14,3", [14, 3]), (" 3 ; 14 ;7", [14, 7, 3]), ("3,3", [3])]
)
def test_reminder_days(text: str, days: list[int]) -> None:
    assert parse_days(text) == days


@pytest.mark.parametrize("text", ["", "quatorze", "0", "91", "14,-1"])
def test_reminder_days_refused(text: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_days(text)


def test_the_backoff_doubles_up_to_an_hour() -> None:
    settings = load_settings({}, mail_retry_seconds=30)
    delays = [retry_delay(settings, n) for n in range(1, 10)]
    assert delays[:4] == [30, 60, 120, 240]
    assert max(delays) == MAX_DELAY and delays == sorted(delays)
