"""The analysts' sensitivity page pieces (rows, chart) and the grounding on the model page."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from litestar.testing import TestClient

from maturity.model import Model, load_model
from maturity.scoring import answers_frame
from maturity.sensitivity import SensitivityReport, sensitivity
from service.app import create_app
from service.platform.settings import Settings
from service.web.sensitivity_view import scheme_rows, sensitivity_chart, share

EDITION = Path(__file__).resolve().parents[3] / "maturity" / "models" / "2027.1.toml"


def _report(mini_model: Model) -> SensitivityReport:
    sets = {
        "capped": {"a1": 4, "a2": 4, "b1": 4, "b2": 10, "c1": 0},
        "even": {"a1": 2, "a2": 2, "b1": 2, "b2": 5, "c1": 2},
        "low": {"a1": 4, "a2": 0, "b1": 1, "b2": 3, "c1": 1},
    }
    return sensitivity(mini_model, answers_frame(sets, mini_model))


def test_shares_are_written_as_people_read_them() -> None:
    assert share(1 / 3, "fr") == "33,3\xa0%"
    assert share(1 / 3, "en") == "33.3%"
    assert share(None, "fr") == "–"


def test_rows_and_chart_in_both_languages(mini_model: Model) -> None:
    report = _report(mini_model)
    rows = {r.id: r for r in scheme_rows(report, "fr")}
    assert rows["cap_off"].capped_level_changed == "33,3\xa0%"
    assert rows["cap_off"].label == "Sans plafond de niveau"
    english = {r.id: r for r in scheme_rows(report, "en")}
    assert english["cap_off"].label == "Without the level cap"
    chart = sensitivity_chart(report, "fr")
    svg = BeautifulSoup(chart.svg, "html.parser")
    groups = svg.select("g.scheme")
    assert [g["data-scheme"] for g in groups] == [i.scheme for i in report.schemes]
    # each bar says its series and value in words, not only by colour
    cap = next(g for g in groups if g["data-scheme"] == "cap_off")
    assert "niveau plafonné : 33,3\xa0%" in cap.get_text()
    assert chart.table.rows[[i.scheme for i in report.schemes].index("cap_off")][2] == "33,3\xa0%"
    assert svg.select_one("svg")["role"] == "img"  # type: ignore[index]


def test_the_model_page_shows_what_each_question_rests_on(settings: Settings) -> None:
    from service.platform.db import upgrade

    upgrade(settings)
    edition = load_model(EDITION)
    with TestClient(create_app(settings, edition)) as client:
        page = BeautifulSoup(client.get("/modele/open_governance").text, "html.parser")
        inclusion = page.select_one("#q-open_governance\\.digital_inclusion")
        assert inclusion is not None
        section = inclusion.find_parent("section")
        items = [li.get_text(" ", strip=True) for li in section.select(".grounding li")]  # type: ignore[union-attr]
        assert any(i.startswith("MiNumEco, section « 5. Mise en place") for i in items)
        assert any("L’article ne traite pas de l’inclusion numérique" in i for i in items)
        english = client.get("/modele/open_governance?lang=en").text
        assert "The article does not deal with digital inclusion" in english
