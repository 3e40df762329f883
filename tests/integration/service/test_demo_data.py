"""``territoires demo-data`` on a fresh database of each backend: fast, deterministic,
idempotent, flagged synthetic, and usable by the demo member."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from maturity.model import FIRST_MODEL_PATH, Model
from maturity.territories import population_band
from service.app import create_app
from service.cli.main import main
from service.demo.synthetic import DEMO_ACCOUNTS, DEMO_TERRITORY
from service.platform.db import run_blocking, session_scope
from service.platform.db.tables import Assessment, Campaign, Revision, Territory
from service.platform.settings import Settings
from tests.integration.service.conftest import (
    BACKENDS,
    basic,
    bearer,
    load_reference_territories,
    provision,
)


@pytest.fixture(scope="module", params=BACKENDS)
def demo_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """A fresh database with the territories, for the demo data only."""
    settings, cleanup = provision(request.param, tmp_path_factory.mktemp("demo"))
    try:
        load_reference_territories(settings)
        yield settings
    finally:
        cleanup()


def run_cli(settings: Settings, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """``territoires demo-data`` with the first edition (2026.1) in force: two campaigns (the
    three campaigns of the edition in force by default: test_demo_editions.py)."""
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TERRITOIRES_MODEL_FILE", str(FIRST_MODEL_PATH))
    if settings.database_url:
        monkeypatch.setenv("TERRITOIRES_DATABASE_URL", settings.database_url)
    return main(["demo-data", *args])


def digest(settings: Settings) -> tuple[str, dict[str, Any]]:
    """A fingerprint of the synthetic content and a few facts about it."""

    async def read() -> tuple[str, dict[str, Any]]:
        async with session_scope(settings) as session:
            rows = (
                await session.execute(
                    select(
                        Assessment.territory_code,
                        Assessment.campaign_year,
                        Assessment.status,
                        Assessment.synthetic,
                        Revision.number,
                        Revision.answers,
                        Revision.targets,
                    )
                    .join(Revision, Revision.assessment_id == Assessment.id)
                    .order_by(Assessment.territory_code, Assessment.campaign_year, Revision.number)
                )
            ).all()
            campaigns = dict((await session.execute(select(Campaign.year, Campaign.status))).all())
            public = (
                await session.execute(
                    select(func.count()).select_from(Territory).where(Territory.public_profile)
                )
            ).scalar_one()
            peers = (
                await session.execute(
                    select(Territory.population)
                    .join(Assessment, Assessment.territory_code == Territory.code)
                    .where(
                        Territory.kind == "commune",
                        Assessment.campaign_year == 2026,
                        Assessment.status == "submitted",
                    )
                )
            ).scalars()
            band = population_band(26206)
            assert band is not None
            same_band = sum(1 for p in peers if band.contains(p))
        text = msgspec.json.encode([list(r) for r in rows])
        facts = {
            "rows": rows,
            "campaigns": campaigns,
            "public": public,
            "peers_2026": same_band,
        }
        return hashlib.sha256(text).hexdigest(), facts

    return run_blocking(read)


def test_demo_data(
    demo_settings: Settings,
    model: Model,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    started = time.perf_counter()
    assert run_cli(demo_settings, monkeypatch) == 0
    elapsed = time.perf_counter() - started
    print(f"demo-data : {elapsed:.1f} s")
    assert "Démonstration chargée" in capsys.readouterr().out
    first, facts = digest(demo_settings)
    rows = facts["rows"]
    per_year = {y: {r[0] for r in rows if r[1] == y} for y in (2025, 2026)}
    assert all(2_000 <= len(codes) <= 5_000 for codes in per_year.values())
    assert all(r[3] for r in rows), "every demo assessment is flagged synthetic"
    assert {r[2] for r in rows if r[1] == 2025} == {"submitted"}
    assert facts["campaigns"] == {2025: "closed", 2026: "open"}
    assert 10 <= facts["public"] <= 200
    assert facts["peers_2026"] >= 5, "the demo member's peer group has enough assessments"
    assert DEMO_TERRITORY in per_year[2025] and DEMO_TERRITORY not in per_year[2026]
    assert len(per_year[2025] & per_year[2026]) > 1_000, "many territories answer twice"

    assert run_cli(demo_settings, monkeypatch) == 0
    assert "déjà chargées" in capsys.readouterr().out
    assert run_cli(demo_settings, monkeypatch, "--reset") == 0
    assert digest(demo_settings)[0] == first, "same seed, same data"

    with TestClient(create_app(demo_settings, model)) as client:
        email, password, _, territory = DEMO_ACCOUNTS[1]
        key = client.post("/api/v1/api-keys", json={"name": "demo"}, headers=basic(email, password))
        assert key.status_code == 201
        member = bearer(key.json()["secret"])
        results = client.get(f"/api/v1/territories/{territory}/results", headers=member).json()
        assert [c["campaign"] for c in results["campaigns"]] == [2025]
        assert results["campaigns"][0]["synthetic"] is True
        assert "synthétiques" in results["campaigns"][0]["notice"]
        created = client.post("/api/v1/assessments", json={}, headers=member)
        assert created.status_code == 201 and created.json()["synthetic"] is False
        profiles = client.get("/api/v1/profiles").json()["items"]
        assert profiles and all(p["notice"] for p in profiles if p["synthetic"])

    assert run_cli(demo_settings, monkeypatch, "--remove") == 0
    leftover = digest(demo_settings)[1]
    assert [r for r in leftover["rows"] if r[3]] == []
    assert leftover["public"] == 0
