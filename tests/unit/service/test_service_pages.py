"""The personal-data page covers every table that holds data about a person; the comparison
chooser reads its address strictly."""

from __future__ import annotations

import pytest

from service.peers.comparison import COMPARISONS, comparison_key, listed_codes
from service.platform.db.tables import Base
from service.web.service_pages import PERSONAL_TABLES

PERSONAL_COLUMNS = {
    "email", "name", "recipient", "user_id", "author_id", "author_email", "created_by",
    "prepared_by", "password_hash", "comment", "comments", "message", "question",
}  # fmt: skip
"""Columns that say who someone is or what they wrote."""
NOT_ABOUT_PEOPLE = {"territory", "meta", "campaign"}
"""Tables with a ``name`` column that names no person."""


def test_every_table_about_people_is_described_on_the_personal_data_page() -> None:
    about_people = {
        table.name
        for table in Base.metadata.sorted_tables
        if table.name not in NOT_ABOUT_PEOPLE and PERSONAL_COLUMNS & set(table.columns.keys())
    }
    missing = about_people - set(PERSONAL_TABLES)
    assert not missing, f"à décrire dans templates/service/donnees.html : {sorted(missing)}"
    assert set(PERSONAL_TABLES) <= {t.name for t in Base.metadata.sorted_tables}


@pytest.mark.parametrize(
    ("asked", "expected"), [(None, "auto"), ("", "auto"), ("region", "region"), ("REGION", "auto"),
                            ("annee", "annee"), ("drop table", "auto")]
)  # fmt: skip
def test_an_unknown_comparison_is_the_automatic_group(asked: str | None, expected: str) -> None:
    assert comparison_key(asked) == expected
    assert expected in COMPARISONS


def test_a_typed_list_keeps_valid_codes_once() -> None:
    assert listed_codes(" 49007, 68224;49007 64122\n<script> 2440000156789") == [
        "49007",
        "68224",
        "64122",
    ]
    assert listed_codes(None) == []
