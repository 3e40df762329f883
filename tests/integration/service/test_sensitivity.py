"""``territoires model sensitivity`` and the analysts' page ``/analyse/sensibilite`` on the demo
campaigns, on SQLite and PostgreSQL: what they show, and to whom."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from maturity.model import Model
from maturity.sensitivity import alternative_schemes
from service.app import create_app
from service.cli.main import main
from service.demo.synthetic import DEMO_ACCOUNTS
from service.platform.db import run_blocking, session_scope
from service.platform.db.tables import Campaign
from service.platform.settings import Settings
from tests.integration.service.conftest import (
    BACKENDS,
    HTML,
    load_reference_territories,
    log_in,
    provision,
    soup,
)

Client = TestClient[Litestar]
ADMIN, MEMBER, ANALYST = ((email, password) for email, password, _, _ in DEMO_ACCOUNTS)


@pytest.fixture(scope="module", params=BACKENDS)
def demo(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch_module: pytest.MonkeyPatch,
) -> Iterator[Settings]:
    """A fresh database with the territories and the demo data, named in the environment."""
    settings, cleanup = provision(request.param, tmp_path_factory.mktemp("sensitivity"))
    try:
        load_reference_territories(settings)
        monkeypatch_module.setenv("TERRITOIRES_DATA_DIR", str(settings.data_dir))
        if settings.database_url:
            monkeypatch_module.setenv("TERRITOIRES_DATABASE_URL", settings.database_url)
        assert main(["demo-data"]) == 0
        yield settings
    finally:
        cleanup()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def web(demo: Settings, model: Model) -> Iterator[Client]:
    with TestClient(create_app(demo, model)) as client:
        yield client


def test_the_command_reports_every_scheme_on_the_latest_campaign(
    demo: Settings, current_model: Model, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["model", "sensitivity", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    # the demo under the edition in force (2027.1): 2027 is the latest campaign, on 2027.1
    assert (found["campaign"], found["model_version"], found["synthetic"]) == (2027, "2027.1", True)
    report = found["report"]
    assert report["assessments"] == found["submitted"] >= 1_000
    schemes = [s.id for s in alternative_schemes(current_model)]
    assert [s["scheme"] for s in report["schemes"]] == schemes
    for scheme in report["schemes"]:
        assert -1 <= scheme["spearman"] <= 1
        assert 0 <= scheme["capped_level_changed"] <= 1
        assert sum(scheme["outcome"]["levels"].values()) == report["reference"]["scored"]
    by_id = {s["scheme"]: s for s in report["schemes"]}
    assert by_id["cap_off"]["level_changed"] == 0 < by_id["cap_off"]["capped_level_changed"]

    assert main(["model", "sensitivity", "--campaign", "2025"]) == 0
    text = capsys.readouterr().out
    assert "campagne 2025" in text and "Poids égaux" in text and "Seuils − 5" in text
    # a campaign that does not exist is an error; one without enough answers publishes nothing
    assert main(["model", "sensitivity", "--campaign", "2030"]) == 1
    assert "Aucune campagne 2030" in capsys.readouterr().err
    _campaign(demo, 2030)
    assert main(["model", "sensitivity", "--campaign", "2030", "--json"]) == 0
    empty = json.loads(capsys.readouterr().out)
    assert empty["report"] is None and empty["withheld"] and empty["submitted"] == 0


def _campaign(settings: Settings, year: int) -> None:
    """A closed campaign without any assessment."""

    async def run() -> None:
        async with session_scope(settings) as session:
            session.add(
                Campaign(
                    year=year,
                    status="closed",
                    created_at=datetime(year, 1, 5, tzinfo=UTC),
                    closed_at=datetime(year, 7, 1, tzinfo=UTC),
                    model_version="2026.1",
                )
            )

    run_blocking(run)


def test_the_page_is_for_analysts_and_admins(web: Client) -> None:
    web.cookies.clear()
    anonymous = web.get("/analyse/sensibilite", headers=HTML, follow_redirects=False)
    assert anonymous.status_code in (302, 303, 401)
    assert log_in(web, *MEMBER).status_code == 303
    assert web.get("/analyse/sensibilite", headers=HTML).status_code == 403
    assert "/analyse/sensibilite" not in web.get("/espace", headers=HTML).text
    web.cookies.clear()
    for email, password in (ANALYST, ADMIN):
        assert log_in(web, email, password).status_code == 303
        page = soup(web.get("/analyse/sensibilite", headers=HTML))
        assert page.select_one('nav a[href="/analyse/sensibilite"][aria-current="page"]')
        web.cookies.clear()


def test_the_page_shows_the_table_and_the_chart(web: Client, model: Model) -> None:
    web.cookies.clear()
    assert log_in(web, *ANALYST).status_code == 303
    page = soup(web.get("/analyse/sensibilite?campagne=2025", headers=HTML))
    assert page.select_one("#f-campagne option[selected]").get_text() == "2025"  # type: ignore[union-attr]
    rows = page.select("table.sensitivity tbody tr")
    assert [r["data-scheme"] for r in rows] == [s.id for s in alternative_schemes(model)]
    cells = {r["data-scheme"]: [td.get_text() for td in r.select("td")] for r in rows}
    assert cells["pillar_balanced"][:2] == ["1,0000", "0,0\xa0%"]  # same relative weights
    assert "(identique à : modèle publié)" in rows[1].get_text()
    chart = page.select_one("figure.chart svg[role=img]")
    assert chart is not None and len(chart.select("g.scheme")) == len(rows)
    assert "données synthétiques" in page.get_text()
    english = web.get("/analyse/sensibilite?campagne=2025&lang=en", headers=HTML)
    assert "Sensitivity to weights and thresholds" in english.text
    web.cookies.clear()
