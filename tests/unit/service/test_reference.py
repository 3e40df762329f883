"""The shipped reference territories file: content, and reproducible from the shared data."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from service.territories.reference import REFERENCE_FILE, build_reference, read_reference
from tests.conftest import shared_path


def test_shipped_file_holds_every_commune_and_epci() -> None:
    frame = read_reference()
    counts = dict(frame.group_by("kind").len().iter_rows())
    assert counts == {"commune": 34_875, "cc": 989, "ca": 230, "cu": 14, "metropole": 22}
    assert frame["code"].is_unique().all()
    biarritz = frame.filter(pl.col("code") == "64122").row(0, named=True)
    assert biarritz | {"search_name": None} == {
        "code": "64122",
        "name": "Biarritz",
        "kind": "commune",
        "population": 26206,
        "population_year": 2023,
        "departement_code": "64",
        "departement_name": "Pyrénées-Atlantiques",
        "region_code": "75",
        "region_name": "Nouvelle-Aquitaine",
        "epci_code": "200067106",
        "second_home_pct": 41.6,
        "search_name": None,
    }
    lyon = frame.filter(pl.col("code") == "200046977").row(0, named=True)
    assert (lyon["kind"], lyon["epci_code"]) == ("metropole", None)
    mayotte = frame.filter(pl.col("departement_code") == "976")
    assert set(mayotte["population_year"].to_list()) == {2017}
    assert frame.filter(pl.col("code") == "01001")["code"].to_list() == ["01001"]  # zeros kept


def test_file_is_rebuilt_byte_for_byte_from_the_shared_data(tmp_path: Path) -> None:
    source = shared_path("data", "territories")
    output = tmp_path / "territories.csv.gz"
    build_reference(source, output)
    assert output.read_bytes() == REFERENCE_FILE.read_bytes()
