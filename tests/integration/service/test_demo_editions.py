"""The demo with the 2027.1 edition in force: 2025 and 2026 closed on 2026.1, 2027 open on
2027.1; Biarritz's 2026 answers carry over to 2027 through the mapping and its trends compare
the two editions; the sensitivity report of 2027 uses the campaign's own edition."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from maturity.model import Model, load_model
from maturity.scoring import validate_answers
from service.app import create_app
from service.assessments.sensitivity import campaign_sensitivity
from service.demo.synthetic import (
    DEMO_ACCOUNTS,
    DEMO_TERRITORY,
    MEASURED,
    campaign_plan,
)
from service.platform.db import run_blocking, session_scope
from service.platform.db.tables import Assessment, Campaign, Revision
from service.platform.settings import Settings
from tests.integration.service.conftest import (
    BACKENDS,
    basic,
    bearer,
)
from tests.prepared import DemoDatabases

EDITION = Path(__file__).resolve().parents[3] / "maturity" / "models" / "2027.1.toml"
Client = TestClient[Litestar]


@pytest.fixture(scope="module")
def edition() -> Model:
    return load_model(EDITION)


@pytest.fixture(scope="module", params=BACKENDS)
def demo(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    edition: Model,
    demo_databases: DemoDatabases,
) -> Iterator[Settings]:
    """A database of its own holding the demo data loaded with the 2027.1 edition in force."""
    data_dir = tmp_path_factory.mktemp("editions-demo")
    with demo_databases.copy(request.param, data_dir, edition) as settings:
        yield settings


def _read(settings: Settings) -> tuple[dict[int, tuple[str, str]], list[Any]]:
    async def run() -> tuple[dict[int, tuple[str, str]], list[Any]]:
        async with session_scope(settings) as session:
            campaigns = {
                c.year: (c.status, c.model_version)
                for c in (await session.execute(select(Campaign))).scalars()
            }
            rows = (
                await session.execute(
                    select(
                        Assessment.territory_code,
                        Assessment.campaign_year,
                        Assessment.status,
                        Assessment.model_version,
                        Revision.answers,
                    )
                    .join(Revision, Revision.assessment_id == Assessment.id)
                    .where(Revision.number == Assessment.revision)
                )
            ).all()
            return campaigns, list(rows)

    return run_blocking(run)


def test_three_campaigns_two_editions(demo: Settings, edition: Model, model: Model) -> None:
    campaigns, rows = _read(demo)
    assert campaigns == {
        2025: ("closed", "2026.1"),
        2026: ("closed", "2026.1"),
        2027: ("open", "2027.1"),
    }
    per_year = Counter((r.campaign_year, r.status) for r in rows)
    assert per_year[(2026, "draft")] == 0 and per_year[(2027, "draft")] > 0
    assert per_year[(2027, "submitted")] >= 1_000
    biarritz = sorted(
        (r.campaign_year, r.status) for r in rows if r.territory_code == DEMO_TERRITORY
    )
    assert biarritz == [(2025, "submitted"), (2026, "submitted")]
    for r in rows:
        version = edition if r.campaign_year == 2027 else model
        assert r.model_version == version.version
        validate_answers(version, r.answers)  # raises on any answer the edition does not have
    # small territories often have no tool of a family: « non concerné » appears
    family = [r.answers.get(next(iter(MEASURED))) for r in rows if r.campaign_year == 2027]
    assert 0.05 < family.count("na") / len(family) < 0.5


def test_biarritz_carries_2026_over_and_sees_its_trend(demo: Settings, edition: Model) -> None:
    email, password, _, _ = DEMO_ACCOUNTS[1]
    with TestClient(create_app(demo, edition)) as client:
        key = client.post("/api/v1/api-keys", json={"name": "t"}, headers=basic(email, password))
        member = bearer(key.json()["secret"])

        def call(method: str, path: str, **kw: Any) -> Any:
            response = client.request(method, f"/api/v1{path}", headers=member, **kw)
            assert response.status_code < 300, response.text
            return response.json()

        created = call("POST", "/assessments", json={})
        assert (created["campaign"], created["model_version"]) == (2027, "2027.1")
        filled = call("POST", f"/assessments/{created['id']}/carry-over")
        assert "use_cases.proximity_use" in filled["to_confirm"]
        assert "open_governance.digital_inclusion" not in filled["answers"]  # new: to answer
        call(
            "PATCH",
            f"/assessments/{created['id']}/answers",
            json={"answers": {q: 2 for q in edition.questions if q not in filled["answers"]}},
        )
        call("POST", f"/assessments/{created['id']}/submit")
        now, before, _ = call("GET", f"/territories/{DEMO_TERRITORY}/results")["campaigns"]
        assert (now["campaign"], before["campaign"]) == (2027, 2026)
        trend = now["trend"]
        assert (trend["source"], trend["target"]) == ("2026.1", "2027.1")
        dims = {d["id"]: d["status"] for d in trend["dimensions"]}
        assert dims["strategy"] == "full" and dims["use_cases"] == "partial"


def test_the_2027_sensitivity_report_uses_the_campaign_edition(
    demo: Settings, edition: Model, model: Model
) -> None:
    async def run() -> Any:
        async with session_scope(demo) as session:
            return await campaign_sensitivity(session, model, 2027)

    found = run_blocking(run)
    assert found.model_version == "2027.1" and found.report is not None
    assert "risque_dispersion" in found.report.reference.diagnostics
    assert found.report.assessments == found.submitted


def test_peer_changes_across_editions_are_the_territorys_trends(demo: Settings) -> None:
    """Angers answered 2026 on 2026.1 and 2027 on 2027.1: its benchmark's changes are
    computed on its campaign's edition and through the mapping, the very trend its results
    show, and every metric says what the change rests on."""
    with TestClient(create_app(demo)) as client:  # the edition in force by default: 2027.1
        bench = client.get("/api/v1/territories/49007/benchmark?campaign=2027").json()
        results = client.get("/api/v1/territories/49007/results").json()["campaigns"]
    now = next(c for c in results if c["campaign"] == 2027)
    trend = {c["id"]: c for c in [now["trend"]["index"], *now["trend"]["dimensions"]]}
    metrics = {m["id"]: m for m in bench["metrics"]}
    assert metrics["use_cases"]["label"] and "risque_dispersion" not in metrics
    assert {m["change_basis"] for m in metrics.values()} <= {"full", "partial", "none"}
    for name, change in trend.items():
        metric = metrics[name]
        assert metric["change_basis"] == change["status"], name
        if change["status"] == "none":
            assert metric["own_change"] is None
            continue
        expected = change["after"] - change["before"]
        assert abs(metric["own_change"] - expected) <= 0.02, (name, metric, change)
    assert metrics["strategy"]["change_basis"] == "full"
    assert metrics["use_cases"]["change_basis"] == "partial"
    assert metrics["use_cases"]["own"] == next(
        d["score"] for d in now["result"]["dimensions"] if d["id"] == "use_cases"
    )


def test_plain_prepare_plans_2027_on_the_edition_in_force() -> None:
    plan = campaign_plan(load_model())  # no TERRITOIRES_MODEL_FILE: the default edition
    assert [(y, s, m.version) for y, s, m in plan] == [
        (2025, "closed", "2026.1"),
        (2026, "closed", "2026.1"),
        (2027, "open", "2027.1"),
    ]
