"""Population bands, kinds and name folding (pure functions)."""

from __future__ import annotations

import itertools

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from maturity.territories import (
    POPULATION_BANDS,
    adjacent_bands,
    band_by_id,
    fold,
    kind_family,
    kind_from_source,
    population_band,
    population_band_expr,
)


@pytest.mark.parametrize(
    ("population", "band"),
    [
        (0, "0-3.5k"),
        (3_499, "0-3.5k"),
        (3_500, "3.5k-20k"),
        (19_999, "3.5k-20k"),
        (20_000, "20k-50k"),
        (26_206, "20k-50k"),  # Biarritz
        (50_000, "50k-100k"),
        (104_978, "100k-250k"),  # Mulhouse
        (249_999, "100k-250k"),
        (250_000, "250k+"),
        (2_113_705, "250k+"),
    ],
)
def test_bands_follow_design_boundaries(population: int, band: str) -> None:
    found = population_band(population)
    assert found is not None and found.id == band


def test_unknown_population_has_no_band() -> None:
    assert population_band(None) is None and population_band(-1) is None


def test_bands_tile_the_line() -> None:
    assert POPULATION_BANDS[0].min == 0 and POPULATION_BANDS[-1].max is None
    for lower, upper in itertools.pairwise(POPULATION_BANDS):
        assert lower.max == upper.min


@given(st.lists(st.one_of(st.none(), st.integers(-10, 5_000_000)), max_size=50))
def test_vectorised_band_matches_the_function(populations: list[int | None]) -> None:
    frame = pl.DataFrame({"p": populations}, schema={"p": pl.Int64})
    got = frame.select(band=population_band_expr(pl.col("p")))["band"].to_list()
    expected = [(b.id if (b := population_band(p)) else None) for p in populations]
    assert got == expected


def test_adjacent_bands_and_lookup() -> None:
    assert adjacent_bands("0-3.5k") == ("3.5k-20k",)
    assert adjacent_bands("20k-50k") == ("3.5k-20k", "50k-100k")
    assert adjacent_bands("250k+") == ("100k-250k",)
    assert band_by_id("20k-50k").label("en") == "20,000 to 50,000"
    with pytest.raises(ValueError, match=r"0-3\.5k, 3\.5k-20k"):
        band_by_id("1k")


def test_kinds() -> None:
    assert kind_from_source("MET69") == kind_from_source("METRO") == "metropole"
    assert kind_from_source("CU") == "cu"
    assert kind_family("commune") == "commune" and kind_family("ca") == "epci"
    with pytest.raises(ValueError, match="commune, cc, ca, cu, metropole"):
        kind_family("canton")
    with pytest.raises(ValueError, match="MET69"):
        kind_from_source("EPT")


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Saint-Étienne-du-Rouvray", "saint etienne du rouvray"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("Île-de-Bréhat", "ile de brehat"),
        ("Œuilly", "oeuilly"),
        ("CU Angers Loire Métropole", "cu angers loire metropole"),
        ("  BIARRITZ  ", "biarritz"),
    ],
)
def test_fold(name: str, folded: str) -> None:
    assert fold(name) == folded
