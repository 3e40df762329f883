"""The demo's voices through the demo loader, with either edition in force (2026.1, or 2027.1
where a third campaign is open): they sit on Biarritz's latest submitted assessment, whose
results the demo member reaches from their space and where the divergence map shows at once,
even when Biarritz has started a later campaign."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select, update

from maturity.model import FIRST_MODEL_PATH, Model, load_model
from service.app import create_app
from service.demo.synthetic import DEMO_ACCOUNTS, DEMO_TERRITORY
from service.demo.voices import DEMO_VOICES, load_demo_voices, remove_demo_voices
from service.platform.db import run_blocking, session_scope
from service.platform.db.tables import Assessment, VoiceRespondent
from service.platform.settings import Settings
from tests.integration.service.conftest import (
    HTML,
    csrf,
    soup,
)
from tests.prepared import DemoDatabases

Client = TestClient[Litestar]
EDITIONS = {"2026.1": FIRST_MODEL_PATH, "2027.1": FIRST_MODEL_PATH.with_name("2027.1.toml")}
EMAIL, PASSWORD = next((e, p) for e, p, role, _ in DEMO_ACCOUNTS if role == "member")


PARAMS = [pytest.param(("sqlite", e), id=f"sqlite-{e}") for e in EDITIONS] + [
    pytest.param(("postgresql", e), id=f"postgresql-{e}", marks=pytest.mark.postgres)
    for e in EDITIONS
]
"""Each backend (as `BACKENDS`) with each edition in force."""


@pytest.fixture(scope="module", params=PARAMS)
def demo(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    demo_databases: DemoDatabases,
) -> Iterator[tuple[Settings, Model]]:
    """The demo data loaded with an edition in force, on a database of its own."""
    backend, version = request.param
    edition = load_model(Path(EDITIONS[version]))
    data_dir = tmp_path_factory.mktemp(f"voices-demo-{version}")
    with demo_databases.copy(backend, data_dir, edition) as settings:
        yield settings, edition


def _voiced(settings: Settings) -> tuple[str, int, set[str]]:
    """The assessment the voices sit on, its campaign, and the statuses of Biarritz's ones."""

    async def read() -> tuple[str, int, set[str]]:
        async with session_scope(settings) as session:
            ids = set((await session.scalars(select(VoiceRespondent.assessment_id))).all())
            assert len(ids) == 1
            voiced = await session.get(Assessment, ids.pop())
            assert voiced is not None and voiced.territory_code == DEMO_TERRITORY
            later = await session.scalars(
                select(Assessment.status).where(
                    Assessment.territory_code == DEMO_TERRITORY,
                    Assessment.campaign_year > voiced.campaign_year,
                )
            )
            return str(voiced.id), voiced.campaign_year, set(later) | {voiced.status}

    return run_blocking(read)


def _the_member_sees_the_map(client: Client, assessment: str) -> None:
    space = soup(client.get("/espace", headers=HTML))
    links = {str(a["href"]) for a in space.select("a[href]")}
    assert f"/evaluations/{assessment}/resultats" in links  # reachable from the space
    results = soup(client.get(f"/evaluations/{assessment}/resultats", headers=HTML))
    img = results.select_one("section.voices-section img.voices-map")
    assert img is not None
    chart = client.get(str(img["src"]))
    assert chart.status_code == 200 and "<rect" in chart.text  # shown groups: a real map
    assert "Aucun groupe de rôle" not in chart.text


def test_the_demo_member_reaches_the_divergence_map_from_their_space(
    demo: tuple[Settings, Model],
) -> None:
    settings, edition = demo
    assessment, year, statuses = _voiced(settings)
    assert statuses == {"submitted"}  # the latest submitted one, nothing later answered
    with TestClient(create_app(settings, edition)) as client:
        token = csrf(client)
        signed = client.post(
            "/connexion",
            data={"_csrf_token": token, "email": EMAIL, "password": PASSWORD},
            headers=HTML,
            follow_redirects=False,
        )
        assert signed.status_code == 303
        _the_member_sees_the_map(client, assessment)

        # Biarritz starts the open campaign: the voices stay where the results are
        started = client.post(
            "/evaluations", data={"_csrf_token": csrf(client, "/espace")}, headers=HTML
        )
        assert started.status_code == 200
        draft = re.search(r"/evaluations/([0-9a-f-]{36})", str(started.url))
        assert draft is not None and draft.group(1) != assessment

        async def reload() -> int:
            async with session_scope(settings) as session:
                await session.execute(
                    update(Assessment)
                    .where(Assessment.id == uuid.UUID(draft.group(1)))
                    .values(synthetic=True)
                )
                await remove_demo_voices(session)
                return await load_demo_voices(session, edition, DEMO_TERRITORY, 2026)

        assert run_blocking(reload) == sum(DEMO_VOICES.values())
        assert _voiced(settings)[:2] == (assessment, year)
        _the_member_sees_the_map(client, assessment)
