"""The attacker of issue 14 in the suite: a demo campaign, every public output downloaded
(aggregates in every grouping asked for and every format, the home page, the campaign list,
public profiles, the benchmarks of every public territory in both perimeters and with custom
lists, both campaigns), plus the benchmark every member sees of its own territory; then the
reconstruction, linear-system and participation attacks of `sdc_attack` (the widening step
of every group shown included: it bounds how many submitted in the narrower groups).

Pinned: the published figures *determine* a non-public territory's value within ±2 points,
i.e. the attacker can prove the bounds from what is published (every sum, count, rounding and
public profile together), not guess close by chance. Confirmed: the published counts prove
that every non-public territory of a finest cell (kind × band × région, as matched with
``GET /api/v1/territories``) submitted.

SQLite only: what is published does not depend on the database, and the attack is long."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl
import pytest
from litestar.testing import TestClient

from maturity.model import Model
from maturity.peers import long_scores
from maturity.scoring import score
from maturity.territories import population_band_expr
from service.app import create_app
from service.assessments.scores import submitted_answers_frame
from service.platform.db import run_blocking, session_scope
from service.territories.directory import territories_frame
from tests.integration.service.conftest import basic, bearer
from tests.integration.service.sdc_attack import Report, attack
from tests.integration.service.sdc_download import Atom, Published, download, territory_cells
from tests.prepared import DemoDatabases

CAMPAIGNS = [2025, 2026]
Truth = tuple[dict[int, pl.DataFrame], dict[str, Atom]]
"""The true scores by campaign and the finest cell of every territory (to check the attack
and to skip what cannot succeed, never as the attack's input)."""


@pytest.fixture(scope="module")
def downloaded(
    tmp_path_factory: pytest.TempPathFactory, model: Model, demo_databases: DemoDatabases
) -> Iterator[tuple[Published, Truth]]:
    """Every output of the demo population, and the truth."""
    with demo_databases.copy("sqlite", tmp_path_factory.mktemp("attack"), model) as settings:
        truth: dict[int, pl.DataFrame] = {}
        where: dict[str, Atom] = {}

        async def load() -> None:
            async with session_scope(settings) as session:
                refs = (await territories_frame(session)).select(
                    "code", "kind", population_band_expr(pl.col("population")), "region_code"
                )
                where.update({code: (k, b, r) for code, k, b, r in refs.iter_rows()})
                for year in CAMPAIGNS:
                    answers = await submitted_answers_frame(session, year, model)
                    truth[year] = long_scores(score(model, answers)).rename(
                        {"assessment": "territory"}
                    )

        run_blocking(load)
        with TestClient(create_app(settings, model)) as client:
            secret = client.post(
                "/api/v1/api-keys",
                json={"name": "attaquant"},
                headers=basic("admin.demo@territoires-connectes.example", "demo-admin-2026"),
            ).json()["secret"]
            cells = territory_cells(client)
            members = {year: representatives(where, truth[year]) for year in CAMPAIGNS}
            yield download(client, cells, CAMPAIGNS, bearer(secret), members), (truth, where)


def representatives(where: dict[str, Atom], truth: pl.DataFrame) -> list[tuple[str, Atom, bool]]:
    """One territory per default group a member can see: in each finest cell, one that
    submitted and one that did not (their groups may differ by the widening)."""
    submitted = set(truth["territory"])
    chosen: dict[tuple[Atom, bool], str] = {}
    for code, atom in sorted(where.items()):
        chosen.setdefault((atom, code in submitted), code)
    return [(code, atom, took_part) for (atom, took_part), code in sorted(chosen.items(), key=str)]


def test_only_the_fixed_hierarchy_of_groupings_is_offered(
    downloaded: tuple[Published, Truth],
) -> None:
    published, _ = downloaded
    offered = {o.source.split()[1] for o in published.of("aggregates")}
    assert offered == {"national", "kind", "population_band", "kind,population_band", "region"}


def test_no_value_is_pinned_and_no_participation_confirmed(
    downloaded: tuple[Published, Truth],
) -> None:
    published, (truth, where) = downloaded
    outsider = published.of("aggregates", "home", "campaigns")
    public = [*outsider, *published.of("public")]
    reports: dict[str, Report] = {}
    for name, observations, widenings in (
        ("aggregates", outsider, []),
        ("with public benchmarks", public, published.widened("public")),
        ("with every member's benchmark", published.observations, published.widened("")),
    ):
        reports[name] = attack(published, observations, widenings, truth, where)
        print(f"{name}: {reports[name].summary()}")
    everything = reports["with every member's benchmark"]
    assert not everything.rebuilt, sorted(everything.rebuilt, key=str)[:5]
    assert not everything.pins, everything.pins[:5]
    assert not any(everything.confirmed.values()), everything.confirmed
