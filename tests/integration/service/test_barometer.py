"""The dashboard and the national barometer on the demo population (SQLite): who may see
what, the publication workflow (prepare, review and flag, publish), and k-anonymity in every
output of an edition (page, PDF text, CSV, Parquet), the data package validated by the
`frictionless` library."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from bs4 import BeautifulSoup
from litestar import Litestar
from litestar.testing import TestClient

from maturity.disclosure import K_MIN
from maturity.model import Model, load_model
from service.app import create_app
from service.demo.synthetic import DEMO_ACCOUNTS
from tests.integration.service.conftest import (
    HTML,
    basic,
    bearer,
    log_in,
)
from tests.prepared import DemoDatabases

Client = TestClient[Litestar]
ADMIN, MEMBER, ANALYST = ((email, password) for email, password, _, _ in DEMO_ACCOUNTS)
YEAR = 2025
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
EDITION_2027 = Path(__file__).resolve().parents[3] / "maturity" / "models" / "2027.1.toml"


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, model: Model, demo_databases: DemoDatabases
) -> Iterator[Client]:
    """An application over the demo population (2025 closed, 2026 open)."""
    with (
        demo_databases.copy("sqlite", tmp_path_factory.mktemp("barometer"), model) as settings,
        TestClient(create_app(settings, model)) as client,
    ):
        yield client


def login(client: Client, account: tuple[str, str]) -> None:
    """Sign `client` in with the demo account's password (its cookies are reset first)."""
    client.cookies.clear()
    response = log_in(client, *account)
    assert response.status_code == 303, response.text[:300]


def post(client: Client, path: str, **data: str) -> Any:
    """A form posted with the CSRF token of the signed-in client (the logout form's)."""
    token = soup(client.get("/espace", headers=HTML)).select_one("input[name=_csrf_token]")
    assert token is not None
    return client.post(
        path,
        data=data | {"_csrf_token": str(token["value"])},
        headers=HTML,
        follow_redirects=False,
    )


def soup(response: Any) -> BeautifulSoup:
    """The parsed page (after checking it is one)."""
    assert response.status_code == 200, response.text[:500]
    return BeautifulSoup(response.text, "html.parser")


def test_dashboard_rights(demo: Client) -> None:
    demo.cookies.clear()
    anonymous = demo.get("/tableau-de-bord", headers=HTML, follow_redirects=False)
    assert anonymous.status_code in (302, 303)
    assert anonymous.headers["location"].startswith("/connexion")
    login(demo, MEMBER)
    assert demo.get("/tableau-de-bord", headers=HTML).status_code == 403
    assert demo.get("/tableau-de-bord/export", headers=HTML).status_code == 403
    assert demo.get("/tableau-de-bord/barometre", headers=HTML).status_code == 403
    login(demo, ANALYST)
    space = soup(demo.get("/espace", headers=HTML))
    assert space.select_one("main a[href='/tableau-de-bord']") is not None
    assert demo.get("/tableau-de-bord/barometre", headers=HTML).status_code == 403


def test_analyst_sees_aggregates_only_with_the_api_suppression(demo: Client) -> None:
    login(demo, ANALYST)
    page = soup(demo.get(f"/tableau-de-bord?campagne={YEAR}", headers=HTML))
    assert page.select_one("#departements") is None  # finer than the published hierarchy
    assert page.select_one("svg[aria-labelledby='timeline-title timeline-desc']") is not None
    api = demo.get(f"/api/v1/benchmarks/aggregates?campaign={YEAR}&group_by=region").json()
    index = {r["region"]: r for r in api["rows"] if r["metric"] == "index"}
    rows = page.select("#table-region tbody tr")
    assert len(rows) == len(index)
    withheld = sum(1 for r in index.values() if r["n"] is None)
    assert withheld == len([r for r in rows if r.select_one("td.withheld")]) > 0
    shown = sorted(int(r.select("td.num")[1].text) for r in rows if not r.select_one("td.withheld"))
    assert shown == sorted(r["n"] for r in index.values() if r["n"] is not None)
    assert min(shown) >= K_MIN
    export = demo.get(f"/tableau-de-bord/export?tableau=participation&campagne={YEAR}")
    table = pl.read_csv(io.BytesIO(export.content))
    assert table.filter(pl.col("grouping") == "region")["submitted"].null_count() == withheld
    assert demo.get("/tableau-de-bord/export?tableau=departements").status_code == 404


def test_admin_sees_the_departements(demo: Client) -> None:
    login(demo, ADMIN)
    page = soup(demo.get(f"/tableau-de-bord?campagne={YEAR}", headers=HTML))
    assert len(page.select("#departements ~ details tbody tr")) > 90
    assert soup(demo.get("/admin", headers=HTML)).select_one("a[href='/tableau-de-bord']")


def test_publication_review_and_flags(demo: Client) -> None:
    demo.cookies.clear()
    assert demo.get(f"/barometre/{YEAR}", headers=HTML).status_code == 404
    login(demo, ANALYST)
    assert demo.post(f"/api/v1/barometer/{YEAR}/prepare").status_code in (401, 403)
    login(demo, ADMIN)
    refused = post(demo, "/tableau-de-bord/barometre/2026/preparer")  # 2026 is still open
    assert refused.status_code == 409
    assert post(demo, f"/tableau-de-bord/barometre/{YEAR}/preparer").status_code == 303
    demo.cookies.clear()
    assert demo.get(f"/barometre/{YEAR}", headers=HTML).status_code == 404  # a draft
    assert demo.get(f"/barometre/{YEAR}/donnees/datapackage.json").status_code == 404
    login(demo, MEMBER)  # Biarritz: commune, 20 000 to 50 000, Nouvelle-Aquitaine
    draft = soup(demo.get(f"/barometre/{YEAR}", headers=HTML))
    for section, label in (("kind", "Commune"), ("population_band", "20 000 à 50 000 hab."),
                           ("region", "Nouvelle-Aquitaine")):  # fmt: skip
        rows = draft.select(f"#table-{section} tbody th")
        assert [r.text for r in rows] == [label]
    key = demo.post("/api/v1/api-keys", json={"name": "relecture"}, headers=basic(*MEMBER))
    draft_api = demo.get(f"/api/v1/barometer/{YEAR}", headers=bearer(key.json()["secret"]))
    shares = draft_api.json()["content"]["participation"]
    assert {r["region"] for r in shares if r["grouping"] == "region"} == {"75"}
    flagged = post(demo, f"/barometre/{YEAR}/signaler", message="La région semble incomplète.")
    assert flagged.status_code == 303
    login(demo, ADMIN)
    desk = soup(demo.get("/tableau-de-bord/barometre", headers=HTML))
    assert "La région semble incomplète." in desk.text and "Biarritz" in desk.text
    assert post(demo, f"/tableau-de-bord/barometre/{YEAR}/publier").status_code == 303
    assert post(demo, f"/tableau-de-bord/barometre/{YEAR}/preparer").status_code == 409
    demo.cookies.clear()
    public = soup(demo.get(f"/barometre/{YEAR}", headers=HTML))
    assert public.select_one("a[href$='/pdf']") is not None
    assert len(public.select("#table-region tbody tr")) >= 13
    listing = soup(demo.get("/barometre", headers=HTML))
    assert listing.select_one(f"a[href='/barometre/{YEAR}']") is not None
    api = demo.get(f"/api/v1/barometer/{YEAR}").json()
    assert api["status"] == "published" and api["content"]["previous"] is None
    assert [e["year"] for e in demo.get("/api/v1/barometer").json()] == [YEAR]
    login(demo, MEMBER)
    assert post(demo, f"/barometre/{YEAR}/signaler", message="Trop tard ?").status_code == 409


def test_a_published_campaign_cannot_be_reopened(demo: Client) -> None:
    published(demo)
    key = demo.post("/api/v1/api-keys", json={"name": "campagnes"}, headers=basic(*ADMIN))
    admin = bearer(key.json()["secret"])
    reopen = demo.patch(f"/api/v1/campaigns/{YEAR}", json={"status": "open"}, headers=admin)
    assert reopen.status_code == 409 and "publié" in reopen.json()["detail"]
    campaigns = demo.get("/api/v1/campaigns", headers=admin).json()["items"]
    assert [c["status"] for c in campaigns if c["year"] == YEAR] == ["closed"]


def published(demo: Client) -> dict[str, Any]:
    """The published edition (publishing it first when this test runs alone)."""
    found = demo.get(f"/api/v1/barometer/{YEAR}")
    if found.status_code == 404:
        login(demo, ADMIN)
        post(demo, f"/tableau-de-bord/barometre/{YEAR}/preparer")
        post(demo, f"/tableau-de-bord/barometre/{YEAR}/publier")
        demo.cookies.clear()
        found = demo.get(f"/api/v1/barometer/{YEAR}")
    content: dict[str, Any] = found.json()["content"]
    return content


def check_published(frame: pl.DataFrame, count: str) -> None:
    """Every withheld row states neither figures nor count; every published one holds k."""
    withheld = frame.filter(pl.col("withheld").is_not_null())
    assert withheld.height > 0
    figures = [c for c in (count, "mean", "median", "rate") if c in frame.columns]
    assert withheld.select(pl.col(figures).is_not_null().any()).row(0) == (False,) * len(figures)
    shown = frame.filter(pl.col("withheld").is_null())[count].drop_nulls()
    assert shown.len() > 0 and shown.min() >= K_MIN  # type: ignore[operator]


def test_no_group_under_k_in_any_output(demo: Client, tmp_path: Path) -> None:
    content = published(demo)
    api = demo.get(f"/api/v1/benchmarks/aggregates?campaign={YEAR}&group_by=region").json()
    published_regions = {r["region"] for r in api["rows"] if r["metric"] == "index" and r["n"]}
    regions = [
        r for r in content["aggregates"] if r["grouping"] == "region" and r["metric"] == "index"
    ]
    assert {r["region"] for r in regions if r["n"] is not None} == published_regions
    files = {n: demo.get(f"/barometre/{YEAR}/donnees/{n}").content for n in (
        "agregats.csv", "agregats-fr.csv", "agregats.parquet", "participation.csv",
        "participation-fr.csv", "participation.parquet")}  # fmt: skip
    for table, count in (("agregats", "n"), ("participation", "submitted")):
        parquet = pl.read_parquet(io.BytesIO(files[f"{table}.parquet"]))
        plain = pl.read_csv(io.BytesIO(files[f"{table}.csv"]), schema=parquet.schema)
        french = files[f"{table}-fr.csv"]
        assert french.startswith("\ufeff".encode())
        parsed = pl.read_csv(io.BytesIO(french[3:]), separator=";", decimal_comma=True,
                             schema=parquet.schema)  # fmt: skip
        for frame in (plain, parsed, parquet):
            check_published(frame, count)
        assert parsed.equals(plain) and parquet.equals(plain)
    page = soup(demo.get(f"/barometre/{YEAR}", headers=HTML))
    counts = [int(cell.text) for cell in page.select("table.figures td.count")]
    assert counts and min(counts) >= K_MIN
    assert len(page.select("#table-region td.withheld")) == len(regions) - len(published_regions)
    pdf = demo.get(f"/barometre/{YEAR}/pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"barometre-{YEAR}.pdf").write_bytes(pdf.content)  # to look at
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    withheld_names = [content["regions"][r["region"]] for r in regions if r["n"] is None]
    for name in withheld_names:
        line = next(line for line in text.splitlines() if line.startswith(name))
        assert "non diffusé" in line or "moins de 5" in line, line
        assert "%" not in line, line
    assert "Baromètre national des territoires connectés 2025" in text


def test_data_package_is_valid(demo: Client, tmp_path: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    published(demo)
    archive = demo.get(f"/barometre/{YEAR}/donnees/barometre-{YEAR}.zip")
    zipfile.ZipFile(io.BytesIO(archive.content)).extractall(tmp_path)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"
    assert "Secret statistique" in descriptor["description"]
    assert {r["path"] for r in descriptor["resources"]} == {
        p.name for p in tmp_path.iterdir() if p.name != "datapackage.json"
    }
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])
    served = demo.get(f"/barometre/{YEAR}/donnees/datapackage.json").json()
    assert served == descriptor


@pytest.fixture(scope="module")
def editions_demo(
    tmp_path_factory: pytest.TempPathFactory, demo_databases: DemoDatabases
) -> Iterator[Client]:
    """The demo with the 2027.1 edition in force: 2025 and 2026 closed on 2026.1, 2027 open
    on 2027.1 (the index changed between the two, strategy did not)."""
    edition = load_model(EDITION_2027)
    data_dir = tmp_path_factory.mktemp("barometer-editions")
    with (
        demo_databases.copy("sqlite", data_dir, edition) as settings,
        TestClient(create_app(settings, edition)) as client,
    ):
        yield client


def test_trends_compare_only_what_two_editions_compute_alike(editions_demo: Client) -> None:
    login(editions_demo, ANALYST)
    csv = editions_demo.get("/tableau-de-bord/export?tableau=trends&campagne=2027")
    trends = pl.read_csv(io.BytesIO(csv.content), schema_overrides={"model_version": pl.String})
    assert set(trends["model_version"]) == {"2026.1", "2027.1"}
    assert trends.filter(pl.col("model_version") == "2027.1")["comparable"].all()
    before = trends.filter(pl.col("campaign") == 2026)
    comparable = dict(before.select("metric", "comparable").iter_rows())
    assert comparable["strategy"] is True and comparable["index"] is False  # full, partial
    page = soup(editions_demo.get("/tableau-de-bord?campagne=2027", headers=HTML))
    table = page.select_one("#tendances ~ div table")
    assert table is not None
    headers = [th.get_text(" ", strip=True) for th in table.select("thead th")]
    assert "2026 (modèle 2026.1)" in headers and "2027 (modèle 2027.1)" in headers
    index = next(
        tr for tr in table.select("tbody tr") if tr.th and tr.th.get_text() == "Indice global"
    )
    cells = [td.get_text(strip=True) for td in index.select("td")]
    assert cells[headers.index("2026 (modèle 2026.1)") - 1] == "n.c."
    assert cells[headers.index("2027 (modèle 2027.1)") - 1] not in ("n.c.", "", "–")
    assert "non comparable" in page.get_text()
    on_2026 = soup(editions_demo.get("/tableau-de-bord?campagne=2026", headers=HTML))
    assert "n.c." not in on_2026.get_text()  # 2025 and 2026: the same edition


def test_change_since_a_campaign_on_another_edition(editions_demo: Client) -> None:
    key = editions_demo.post("/api/v1/api-keys", json={"name": "c"}, headers=basic(*ADMIN))
    admin = bearer(key.json()["secret"])
    closed = editions_demo.patch("/api/v1/campaigns/2027", json={"status": "closed"}, headers=admin)
    assert closed.status_code == 200, closed.text
    login(editions_demo, ADMIN)
    assert post(editions_demo, "/tableau-de-bord/barometre/2027/preparer").status_code == 303
    content = editions_demo.get("/api/v1/barometer/2027", headers=admin).json()["content"]
    assert (content["previous"], content["previous_model_version"]) == (2026, "2026.1")
    national = {r["metric"]: r for r in content["aggregates"] if r["grouping"] == "national"}
    assert national["strategy"]["change_basis"] == "full"
    assert national["index"]["change_basis"] == "partial"
    before = editions_demo.get(
        "/api/v1/benchmarks/aggregates?campaign=2026&group_by=", headers=admin
    ).json()
    mean_2026 = next(r["mean"] for r in before["rows"] if r["metric"] == "strategy")
    # a full metric compares its published means as they are
    expected = round(national["strategy"]["mean"] - mean_2026, 1)
    assert national["strategy"]["change"] == pytest.approx(expected, abs=0.051)
    assert national["index"]["change"] is not None  # on the questions both editions share
    # 2027.1 has no dimension without anything comparable in 2026.1 (see the unit test)
    assert content["not_comparable"] == []
    page = soup(editions_demo.get("/barometre/2027", headers=HTML)).get_text(" ")
    assert "version 2026.1 du modèle" in page
    assert post(editions_demo, "/tableau-de-bord/barometre/2027/publier").status_code == 303
    data = editions_demo.get("/barometre/2027/donnees/agregats.csv")
    agregats = pl.read_csv(io.BytesIO(data.content), infer_schema_length=None)
    assert set(agregats["change_basis"].drop_nulls()) == {"full", "partial"}  # nothing new
    assert agregats.filter(pl.col("change_basis").is_null()).is_empty()
