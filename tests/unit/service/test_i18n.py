"""The gettext catalogue: every source text translated, the committed files up to date, and the
texts rendered at the edge (errors, numbers, dates, languages) in the caller's language."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

import msgspec
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from service.platform.errors import ConflictError, FieldError, InvalidInputError, validation_message
from service.platform.i18n import LOCALE_DIR, N_, accept_language, translate
from service.web.i18n import format_day, format_moment, format_number, format_share

ROOT = Path(__file__).resolve().parents[3]
POT = LOCALE_DIR / "messages.pot"
PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")


@cache
def source_ids() -> frozenset[str]:
    """Every message id in the code and the templates, extracted as ``make messages`` does."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config, "babel.cfg")  # type: ignore[no-untyped-call]
    found = extract_from_dir(ROOT, method_map, options_map, keywords=DEFAULT_KEYWORDS)
    return frozenset(m if isinstance(m, str) else m[0] for _, _, m, _, _ in found)


def catalogue(path: Path) -> Catalog:
    """A committed ``.po`` or ``.pot`` file."""
    with path.open("rb") as file:
        return read_po(file)


def test_the_sources_have_texts_to_translate() -> None:
    assert len(source_ids()) > 300
    assert "Voir les données du graphique" in source_ids()  # from a template
    assert "Compte introuvable." in source_ids()  # from a domain error


def test_every_source_text_has_an_english_translation() -> None:
    english = catalogue(PO)
    missing = [i for i in sorted(source_ids()) if i not in english or not english[i].string]
    fuzzy = [m.id for m in english if m.id and m.fuzzy]
    assert missing == [], "sans traduction anglaise (make messages, puis traduire) : " + repr(
        missing
    )
    assert fuzzy == [], f"traductions à revoir (fuzzy) : {fuzzy}"
    # placeholders (python-format) must match between the French id and the English text
    problems = [(m.id, [str(e) for e in errors]) for m, errors in english.check() if errors]
    assert problems == []


def test_the_committed_catalogues_are_up_to_date_with_the_sources() -> None:
    template = {m.id for m in catalogue(POT) if m.id}
    english = {m.id for m in catalogue(PO) if m.id}
    advice = "catalogue périmé : lancez « make messages »"
    assert sorted(source_ids() - template) == [], advice
    assert sorted(template - source_ids()) == [], advice
    assert english == template, advice


def test_the_compiled_catalogue_is_the_po_file_compiled() -> None:
    with MO.open("rb") as file:
        compiled = {m.id: m.string for m in read_mo(file) if m.id}
    expected = {m.id: m.string for m in catalogue(PO) if m.id and m.string and not m.fuzzy}
    assert compiled == expected, f"{MO.name} périmé : lancez « make catalogues »"


SAME_IN_BOTH = {
    ", ",
    "%(gap)s points",
    "%(n)s questions",
    "%(name)s (%(kind)s)",
    "Action",
    "Actions",
    "Administration",
    "Assistant",
    "Code",
    "Confirmation",
    "Contact",
    "Conversation",
    "Cookies",
    "Diagnostics",
    "Dimension",
    "divergence",
    "Exports",
    "Invitation",
    "Pages",
    "Participation",
    "Participation (CSV)",
    "passages",
    "Population",
    "Question",
    "Score",
    "score %(score)s",
    "Sources",
}
"""The only texts written the same in French and English."""


def test_no_french_text_is_copied_as_its_translation() -> None:
    """A French text pasted as its own translation would pass the completeness check."""
    same = {m.id for m in catalogue(PO) if m.id and m.id == m.string}
    assert same <= SAME_IN_BOTH, "traduction identique au français : " + repr(same - SAME_IN_BOTH)


def test_translate_fills_placeholders_and_falls_back_to_french() -> None:
    message = N_("Campagne %(year)s introuvable.")
    assert translate("fr", message, year=2026) == "Campagne 2026 introuvable."
    assert translate("en", message, year=2026) == "Campaign 2026 not found."
    assert translate("de", message, year=2026) == "Campagne 2026 introuvable."
    assert translate("en", N_("un texte hors catalogue")) == "un texte hors catalogue"


def test_domain_errors_carry_an_id_and_parameters() -> None:
    error = InvalidInputError(
        N_("Le mot de passe doit compter au moins %(minimum)s caractères."),
        minimum=10,
        errors=[FieldError("password", N_("au moins %(minimum)s caractères"), {"minimum": 10})],
    )
    assert error.detail == str(error) == "Le mot de passe doit compter au moins 10 caractères."
    assert error.translate("en") == "The password must have at least 10 characters."
    assert error.field_errors("en") == [{"champ": "password", "message": "at least 10 characters"}]
    assert ConflictError(N_("Évaluation déjà soumise.")).translate("en") == (
        "Assessment already submitted."
    )


class Sample(msgspec.Struct, forbid_unknown_fields=True):
    year: int
    name: str = ""


@pytest.mark.parametrize(
    ("body", "french", "english"),
    [
        (b'{"year": 1, "x": 2}', "champ inconnu « x »", "unknown field “x”"),
        (b"{}", "champ obligatoire « year » manquant", "required field “year” missing"),
        (b'{"year": "a"}', "type attendu int, reçu str (à $.year)", "expected type int, got str"),
        (b"{", "JSON tronqué", "truncated JSON"),
        (b"{pas", "JSON mal formé (", "malformed JSON ("),
    ],
)
def test_msgspec_messages_go_through_the_catalogue(body: bytes, french: str, english: str) -> None:
    with pytest.raises((msgspec.ValidationError, msgspec.DecodeError)) as raised:
        msgspec.json.decode(body, type=Sample)
    message = str(raised.value)
    assert french in validation_message(message, "fr")
    assert english in validation_message(message, "en")
    assert validation_message("Something msgspec never said", "fr") == (
        "Something msgspec never said"
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("de-DE,de;q=0.9,en;q=0.5", "en"),
        ("fr;q=0.4, en;q=0.8", "en"),
        ("en;q=0, fr", "fr"),
        ("de, es", None),
        ("en;q=abc, fr;q=0.1", "fr"),
    ],
)
def test_accept_language(header: str | None, expected: str | None) -> None:
    assert accept_language(header) == expected


def test_numbers_and_dates_follow_the_language() -> None:
    assert format_number(45.75, "fr") == "45,8"
    assert format_number(45.45, "fr") == "45,5"  # Python's rounding, as the pages always did
    assert format_number(12345.6, "fr", 1) == "12\u202f345,6"
    assert format_number(12345.6, "en", 1) == "12,345.6"
    assert format_number(26206, "fr", 0) == "26\u202f206"
    assert format_number(None, "fr") == "–"
    assert format_number(float("nan"), "en") == "–"
    assert format_share(0.8, "fr") == "80\xa0%"
    assert format_share(0.8, "en") == "80%"
    assert format_share(None, "en") == "–"
    assert format_day(date(2027, 1, 31), "fr") == "31/01/2027"
    assert format_day(date(2027, 1, 31), "en") == "Jan 31, 2027"
    moment = datetime(2027, 1, 31, 14, 5, tzinfo=UTC)
    assert format_moment(moment, "fr") == "31/01/2027 14:05"
    assert format_moment(moment, "en").replace("\u202f", " ") == "Jan 31, 2027, 2:05 PM"
    assert format_day(None, "fr") == "–"
