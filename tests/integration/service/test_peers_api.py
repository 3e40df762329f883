"""Peer benchmarking through the API, on the demo population, on SQLite and PostgreSQL:
what each caller may see, groups and aggregates agreeing, what is withheld (the attack on
everything published: test_disclosure_attack.py), exports, and a submission invalidating the
cached campaign."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from maturity.model import Model
from maturity.peers import K_MIN
from service.app import create_app
from service.demo.synthetic import DEMO_TERRITORY
from service.peers.cache import STAMP_TTL
from tests.integration.service.conftest import (
    BACKENDS,
    People,
    basic,
    bearer,
)
from tests.prepared import DemoDatabases

Client = TestClient[Litestar]
PUBLIC = "49007"  # Angers: always in the demo data, with a public profile


@pytest.fixture(scope="module", params=BACKENDS)
def demo(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    model: Model,
    demo_databases: DemoDatabases,
) -> Iterator[tuple[Client, People]]:
    """An app over a fresh database holding the demo population (two campaigns)."""
    with (
        demo_databases.copy(request.param, tmp_path_factory.mktemp("bench"), model) as settings,
        TestClient(create_app(settings, model)) as client,
    ):
        secret = client.post(
            "/api/v1/api-keys",
            json={"name": "admin"},
            headers=basic("admin.demo@territoires-connectes.example", "demo-admin-2026"),
        ).json()["secret"]
        yield client, People(client, settings, bearer(secret))


def metrics(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["id"]: m for m in body["metrics"]}


def test_member_sees_its_benchmark_with_a_k_anonymous_group(demo: tuple[Client, People]) -> None:
    client, people = demo
    response = client.get(
        f"/api/v1/territories/{DEMO_TERRITORY}/benchmark",
        params={"campaign": 2025},
        headers=people.member(DEMO_TERRITORY),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["group"]["n"] >= K_MIN and body["k_min"] == K_MIN
    assert body["notice"]  # synthetic data says so
    index = metrics(body)["index"]
    assert index["own"] is not None and 0 <= index["percentile"] <= 100
    assert index["gap_median"] == pytest.approx(index["own"] - index["median"], abs=0.02)
    assert sum(index["histogram"]) == index["n"]


def test_hidden_territory_is_a_404_for_others(demo: tuple[Client, People]) -> None:
    client, people = demo
    url = f"/api/v1/territories/{DEMO_TERRITORY}/benchmark"
    for headers in ({}, people.member("68224"), people.user("analyst")):
        assert client.get(url, params={"campaign": 2025}, headers=headers).status_code == 404
    assert client.get(url, params={"campaign": 2025}, headers=people.admin).status_code == 200


def test_an_unchanged_benchmark_is_a_304_only_for_who_may_see_it(
    demo: tuple[Client, People],
) -> None:
    client, people = demo
    member = people.member(DEMO_TERRITORY)
    url = f"/api/v1/territories/{DEMO_TERRITORY}/benchmark"
    params: dict[str, str | int] = {"campaign": 2025, "lang": "en"}
    first = client.get(url, params=params, headers=member)
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and "private" in first.headers["cache-control"]
    again = client.get(url, params=params, headers=member | {"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["x-content-type-options"] == "nosniff"  # same headers as any response
    assert client.get(url, params=params, headers=member | {"If-None-Match": '"autre"'}).json()
    for other in ({}, people.member("68224")):  # knowing the tag reveals nothing
        hidden = client.get(url, params=params, headers=other | {"If-None-Match": etag})
        assert hidden.status_code == 404
    # one encoding per campaign state, whoever may see it
    assert first.json() == client.get(url, params=params, headers=people.admin).json()
    peers = client.get(f"/api/v1/territories/{DEMO_TERRITORY}/peers", params=params, headers=member)
    assert peers.headers["etag"] != etag and peers.json()["metrics"] == []


def test_public_profile_is_visible_to_anyone(demo: tuple[Client, People]) -> None:
    client, _ = demo
    response = client.get(f"/api/v1/territories/{PUBLIC}/benchmark")
    assert response.status_code == 200
    assert response.json()["territory"] == PUBLIC


def test_group_statistics_agree_with_the_network_aggregates(
    demo: tuple[Client, People],
) -> None:
    """Two code paths, one truth: a step-1 group (same kind and band, all régions) is exactly
    the cell (kind, population_band) of the network aggregates."""
    client, people = demo
    body = client.get(
        f"/api/v1/territories/{PUBLIC}/benchmark",
        params={"campaign": 2026},
        headers=people.admin,
    ).json()
    assert body["group"]["step"] == 1, body["group"]
    view = client.get(f"/api/v1/territories/{PUBLIC}").json()
    cells = client.get(
        "/api/v1/benchmarks/aggregates",
        params={"campaign": 2026, "group_by": "kind,population_band"},
    ).json()["rows"]
    cell = {
        r["metric"]: r
        for r in cells
        if r["kind"] == view["kind"] and r["population_band"] == view["population_band"]
    }
    for metric, stats in metrics(body).items():
        for field in ("n", "mean", "median", "p25", "p75", "p90", "withheld"):
            assert stats[field] == cell[metric][field], (metric, field)  # same cell, same verdict


@pytest.mark.parametrize(
    "group_by", ["", "kind", "population_band", "kind,population_band", "region"]
)
def test_aggregates_never_state_a_withheld_count(
    demo: tuple[Client, People], group_by: str
) -> None:
    client, _ = demo
    body = client.get("/api/v1/benchmarks/aggregates", params={"group_by": group_by}).json()
    assert body["rows"] and "Secret statistique" in body["notice"]
    withheld = [r for r in body["rows"] if r["withheld"]]
    assert all(r["n"] is None and r["mean"] is None and r["median"] is None for r in withheld)
    assert all(r["n"] >= K_MIN for r in body["rows"] if not r["withheld"])
    # quantiles only from 20 territories (at five they give every value back), rounded
    assert all(r["n"] >= 20 for r in body["rows"] if r["median"] is not None)
    assert all(r["mean"] == round(r["mean"], 1) for r in body["rows"] if r["mean"] is not None)


def test_differencing_with_a_custom_list_reveals_nothing(demo: tuple[Client, People]) -> None:
    client, people = demo
    headers = people.member(DEMO_TERRITORY)
    profiles = client.get("/api/v1/profiles", params={"per_page": 100}).json()["items"]
    public = [p["territory"]["code"] for p in profiles if p["territory"]["code"] != DEMO_TERRITORY]
    hidden = next(c for c in ("06088", "75056", "13055", "31555") if c not in public)
    url = f"/api/v1/territories/{DEMO_TERRITORY}/benchmark"
    base = client.get(url, params={"peers": ",".join(public[:6])}, headers=headers).json()
    more = client.get(
        url, params={"peers": ",".join([*public[:6], hidden])}, headers=headers
    ).json()
    assert more["group"]["ignored"] == [hidden]
    assert metrics(base)["index"]["mean"] == metrics(more)["index"]["mean"]
    few = client.get(url, params={"peers": ",".join(public[:3])}, headers=headers).json()
    assert metrics(few)["index"]["mean"] is None and metrics(few)["index"]["withheld"]


def test_listing_oneself_in_a_custom_list_changes_nothing(demo: tuple[Client, People]) -> None:
    client, people = demo
    headers = people.member(DEMO_TERRITORY)
    profiles = client.get("/api/v1/profiles", params={"per_page": 100}).json()["items"]
    public = [p["territory"]["code"] for p in profiles if p["territory"]["code"] != DEMO_TERRITORY]
    url = f"/api/v1/territories/{DEMO_TERRITORY}/benchmark"
    params: dict[str, str | int] = {"campaign": 2025}
    alone = client.get(url, params=params | {"peers": ",".join(public[:6])}, headers=headers)
    listed = [DEMO_TERRITORY, *public[:6], public[0], DEMO_TERRITORY]
    me_too = client.get(url, params=params | {"peers": ",".join(listed)}, headers=headers)
    assert alone.status_code == me_too.status_code == 200
    assert me_too.json()["group"] == alone.json()["group"]
    assert me_too.json()["metrics"] == alone.json()["metrics"]
    index = metrics(alone.json())["index"]
    assert index["own"] is not None and index["percentile"] is not None


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_aggregate_exports(demo: tuple[Client, People], fmt: str) -> None:
    client, _ = demo
    response = client.get(
        "/api/v1/benchmarks/aggregates", params={"group_by": "kind", "format": fmt}
    )
    assert response.status_code == 200
    assert f'filename="agregats-2026.{fmt}"' in response.headers["content-disposition"]
    if fmt == "csv":
        table = pl.read_csv(io.BytesIO(response.content))
    elif fmt == "parquet":
        table = pl.read_parquet(io.BytesIO(response.content))
    else:
        assert response.content[:2] == b"PK"  # a zip container, as every xlsx
        return
    assert {"kind", "metric", "n", "mean", "withheld"} <= set(table.columns)


@pytest.mark.parametrize("group_by", ["couleur", "kind,region", "population_band,region"])
def test_a_grouping_outside_the_hierarchy_is_a_french_400(
    demo: tuple[Client, People], group_by: str
) -> None:
    client, _ = demo
    response = client.get("/api/v1/benchmarks/aggregates", params={"group_by": group_by})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert f"Regroupement non proposé : « {group_by} »" in detail
    assert "« kind,population_band »" in detail and "« region »" in detail


def test_peers_names_only_public_profiles(demo: tuple[Client, People]) -> None:
    client, people = demo
    body = client.get(
        f"/api/v1/territories/{DEMO_TERRITORY}/peers",
        params={"campaign": 2025},
        headers=people.member(DEMO_TERRITORY),
    ).json()
    profiles = client.get("/api/v1/profiles", params={"per_page": 100}).json()
    public = {p["territory"]["code"] for p in profiles["items"]}
    named = {p["code"] for p in body["nearest"]} | {
        p["code"] for item in body["learn_from"] for p in item["peers"]
    }
    assert named and named <= public
    assert body["metrics"] == []


def test_a_submission_refreshes_the_cached_statistics(demo: tuple[Client, People]) -> None:
    client, people = demo
    headers = people.member(DEMO_TERRITORY)
    url = f"/api/v1/territories/{DEMO_TERRITORY}/benchmark"
    first = client.get(url, params={"campaign": 2026}, headers=headers)
    before = first.json()
    assert metrics(before)["index"]["own"] is None  # the demo member has not answered 2026
    created = client.post("/api/v1/assessments", json={}, headers=headers)
    assessment = created.json()["id"] if created.status_code == 201 else None
    if assessment is None:  # a previous run of this module on this backend made it already
        listing = client.get("/api/v1/assessments", headers=headers).json()["items"]
        assessment = next(a["id"] for a in listing if a["campaign"] == 2026)
    model = client.get("/api/v1/model").json()
    answers = {q["id"]: 3 for d in model["dimensions"] for q in d["questions"]}
    saved = client.put(
        f"/api/v1/assessments/{assessment}/answers", json={"answers": answers}, headers=headers
    )
    assert saved.status_code == 200, saved.text
    assert (
        client.post(f"/api/v1/assessments/{assessment}/submit", headers=headers).status_code == 200
    )
    time.sleep(STAMP_TTL + 0.1)
    stale = {"If-None-Match": first.headers["etag"]} | headers
    refreshed = client.get(url, params={"campaign": 2026}, headers=stale)
    assert refreshed.status_code == 200 and refreshed.headers["etag"] != first.headers["etag"]
    after = refreshed.json()
    assert metrics(after)["index"]["own"] == 75.0
    assert metrics(after)["index"]["percentile"] is not None
