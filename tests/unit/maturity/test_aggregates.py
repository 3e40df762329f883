"""Network aggregates under statistical disclosure control, nearest peers: and attempts to
break them (the whole attack on the demo campaign: tests/integration/service/
test_disclosure_attack.py; the decision itself: test_disclosure.py)."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from maturity.aggregates import (
    GROUPINGS,
    aggregates,
    grouping,
    network_aggregates,
)
from maturity.disclosure import FEWER, K_QUANTILES, SECRET, protect

Sizes = dict[tuple[str, str, str], int]


def population(
    sizes: Sizes, public: int = 0, idle: Sizes | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Territories and index scores, `n` per (kind, band, region) cell that submitted (the
    first `public` of each with a public profile), plus `idle` ones that did not."""
    rows, scores = [], []
    for (kind, band, region), n in sizes.items():
        for i in range(n):
            code = f"{kind}-{band}-{region}-{i}"
            rows.append((code, kind, band, region, i < public))
            scores.append((code, "index", 10 + 7.37 * i % 80))
    for (kind, band, region), n in (idle or {}).items():
        rows += [(f"{kind}-{band}-{region}-idle{i}", kind, band, region, False) for i in range(n)]
    return (
        pl.DataFrame(rows, schema=["territory", "kind", "band", "region", "public"], orient="row"),
        pl.DataFrame(scores, schema=["territory", "metric", "score"], orient="row"),
    )


def table(territories: pl.DataFrame, scores: pl.DataFrame, name: str) -> pl.DataFrame:
    return aggregates(territories, scores, GROUPINGS[name], protect(territories, scores))


def test_only_the_fixed_hierarchy_is_offered() -> None:
    assert list(GROUPINGS) == [
        "national",
        "kind",
        "population_band",
        "kind,population_band",
        "region",
    ]
    assert grouping("") == () and grouping("kind, population_band") == ("kind", "band")
    with pytest.raises(ValueError, match=r"non proposé : kind,region .*kind,population_band"):
        grouping("kind,region")


def test_a_cell_needs_five_territories_without_a_public_profile() -> None:
    # six participants, two of them public: four unknown scores, and the mean would give
    # their sum to anyone who knows the public profiles'
    territories, scores = population(
        {("ca", "50k-100k", "84"): 6}, public=2, idle={("ca", "50k-100k", "84"): 3}
    )
    row = table(territories, scores, "region").row(0, named=True)
    assert row["n"] is None and row["mean"] is None and row["withheld"] == SECRET
    # a reference population under five: it cannot hold five, and says so
    territories, scores = population({("cu", "250k+", "84"): 4})
    assert table(territories, scores, "kind")["withheld"].to_list() == [FEWER]


def test_quantiles_need_twenty_and_everything_is_rounded() -> None:
    small = {("commune", "3.5k-20k", r): 6 for r in ("11", "24")}
    territories, scores = population(small, idle={("commune", "3.5k-20k", "11"): 30})
    row = table(territories, scores, "kind").row(0, named=True)
    assert row["n"] == 12 and row["median"] is None and row["p90"] is None
    assert row["mean"] == round(row["mean"], 1)
    large = {("commune", "3.5k-20k", r): 11 for r in ("11", "24")}
    territories, scores = population(large, idle={("commune", "3.5k-20k", "11"): 30})
    row = table(territories, scores, "kind").row(0, named=True)
    assert row["n"] == 22 >= K_QUANTILES
    assert all(row[q] == round(row[q], 1) for q in ("median", "p25", "p75", "p90"))


def test_a_cell_where_everyone_took_part_is_withheld() -> None:
    """Publishing n = 7 for a cell of 7 reference territories confirms each participation;
    so would the kind's total minus the other régions."""
    territories, scores = population(
        {("cu", "100k-250k", "84"): 7, ("cu", "100k-250k", "11"): 8},
        idle={("cu", "100k-250k", "11"): 8},
    )
    rows = {r["region"]: r for r in table(territories, scores, "region").iter_rows(named=True)}
    assert rows["84"]["n"] is None and rows["84"]["withheld"] == SECRET
    total = table(territories, scores, "kind")["n"][0]
    assert total is None or rows["11"]["n"] is None


def test_differencing_cannot_isolate_a_region() -> None:
    # a région holding one participant: the kind's total minus the published régions would
    # give its score; one more région is withheld with it
    sizes = {("cu", "100k-250k", "84"): 7, ("cu", "100k-250k", "11"): 1}
    sizes |= {("cu", "100k-250k", "24"): 9}
    idle = {k: 10 for k in sizes}
    territories, scores = population(sizes, idle=idle)
    national = table(territories, scores, "kind").row(0, named=True)
    regional = table(territories, scores, "region")
    assert national["n"] == 17 and national["mean"] is not None
    hidden = regional.filter(pl.col("n").is_null())
    assert hidden.height >= 2 and set(hidden["withheld"]) == {SECRET}


def test_every_cell_is_listed_even_without_submissions() -> None:
    territories, scores = population(
        {("ca", "50k-100k", "84"): 6}, idle={("ca", "50k-100k", "11"): 12}
    )
    regions = table(territories, scores, "region")
    assert set(regions["region"]) == {"84", "11"}  # an absent row would say "nobody"
    assert regions.filter(pl.col("region") == "11")["n"].to_list() == [None]


def test_every_grouping_at_once_is_each_grouping_alone() -> None:
    sizes = {
        (kind, band, region): 4 + 7 * i
        for i, (kind, band, region) in enumerate(
            (k, b, r)
            for k in ("commune", "cc")
            for b in ("0-3.5k", "3.5k-20k")
            for r in ("11", "84")
        )
    }
    territories, scores = population(sizes, public=1, idle={("cc", "0-3.5k", "84"): 5})
    stray = pl.DataFrame({"territory": ["elsewhere"], "metric": ["index"], "score": [50.0]})
    scores = pl.concat([scores, stray])  # a score outside the directory counts nowhere
    disclosure = protect(territories, scores)
    together = network_aggregates(territories, scores, disclosure)
    assert list(together) == list(GROUPINGS)
    for name, by in GROUPINGS.items():
        alone = aggregates(territories, scores, by, disclosure)
        assert_frame_equal(together[name], alone)
    assert together["national"]["n"].to_list() == [sum(sizes.values())]
