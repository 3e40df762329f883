"""Peer groups and their statistics, checked against a direct computation."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest

from maturity.benchmark import K_MIN, campaign_statistics, peer_groups
from maturity.territories import KIND_FAMILIES, POPULATION_BANDS

BANDS = [b.id for b in POPULATION_BANDS]


def territories_frame(rows: list[tuple[str, str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["territory", "kind", "band", "region"], orient="row")


def submitted(codes: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"territory": codes}, schema={"territory": pl.String})


def test_default_group_is_same_kind_and_band() -> None:
    rows = [(f"c{i}", "commune", "3.5k-20k", "84" if i % 2 else "11") for i in range(8)]
    rows += [("x", "commune", "20k-50k", "84")]
    groups = peer_groups(territories_frame(rows), submitted([f"c{i}" for i in range(8)]))
    c0 = groups.filter(pl.col("territory") == "c0").row(0, named=True)
    assert (c0["step"], c0["n_others"], c0["region"]) == (1, 7, None)
    assert c0["kinds"] == ["commune"] and c0["band_positions"] == [1]
    # x has no peer in its band: its group merges the neighbouring bands
    x = groups.filter(pl.col("territory") == "x").row(0, named=True)
    assert (x["step"], x["n_others"], x["band_positions"]) == (2, 8, [1, 2, 3])


def test_region_scope_starts_in_the_region_and_widens() -> None:
    rows = [(f"a{i}", "ca", "50k-100k", "84") for i in range(6)]
    rows += [(f"b{i}", "ca", "50k-100k", "11") for i in range(3)]
    codes = [r[0] for r in rows]
    groups = peer_groups(territories_frame(rows), submitted(codes), scope="region")
    a0 = groups.filter(pl.col("territory") == "a0").row(0, named=True)
    assert (a0["step"], a0["region"], a0["n_others"]) == (0, "84", 5)
    b0 = groups.filter(pl.col("territory") == "b0").row(0, named=True)
    assert (b0["step"], b0["region"], b0["n_others"]) == (1, None, 8)


def test_widening_goes_to_kind_family_then_everyone() -> None:
    rows = [("m1", "metropole", "250k+", "84"), ("m2", "metropole", "250k+", "11")]
    rows += [(f"cu{i}", "cu", "100k-250k", "11") for i in range(2)]
    rows += [(f"cc{i}", "cc", "3.5k-20k", "11") for i in range(3)]
    rows += [(f"c{i}", "commune", "0-3.5k", "11") for i in range(4)]
    codes = [r[0] for r in rows]
    groups = peer_groups(territories_frame(rows), submitted(codes))
    m1 = groups.filter(pl.col("territory") == "m1").row(0, named=True)
    # metropole + cu with neighbouring bands: 1 + 2 = 3 others; family, all bands: 6 others
    assert (m1["step"], m1["n_others"]) == (4, 6)
    assert sorted(m1["kinds"]) == sorted(k for k, f in KIND_FAMILIES.items() if f == "epci")
    c0 = groups.filter(pl.col("territory") == "c0").row(0, named=True)
    assert (c0["step"], c0["n_others"]) == (5, 10)


def test_a_territory_without_assessment_counts_all_members() -> None:
    rows = [(f"c{i}", "commune", "0-3.5k", "11") for i in range(6)]
    groups = peer_groups(territories_frame(rows), submitted([f"c{i}" for i in range(1, 6)]))
    c0 = groups.filter(pl.col("territory") == "c0").row(0, named=True)
    assert (c0["step"], c0["n_others"]) == (1, 5)


def test_statistics_withheld_below_k_others() -> None:
    rows = [(f"c{i}", "commune", "0-3.5k", "11") for i in range(5)]
    scores = pl.DataFrame(
        {
            "territory": [f"c{i}" for i in range(5)],
            "metric": "index",
            "score": [10.0, 20, 30, 40, 50],
        }
    )
    stats = campaign_statistics(territories_frame(rows), scores)
    row = stats.filter(pl.col("territory") == "c0").row(0, named=True)
    assert row["n_others"] == 4 and row["withheld"] is not None
    assert all(row[c] is None for c in ("mean", "median", "p25", "p75", "p90", "percentile"))
    assert row["own"] == 10.0  # a territory always sees its own score


def direct_group(
    territories: list[tuple[str, str, str, str]], me: tuple[str, str, str, str], have: set[str]
) -> tuple[int, list[str]]:
    """The widening rule of DESIGN §4, written out plainly (national scope)."""
    _, kind, band, _ = me
    pos = BANDS.index(band)
    near = {BANDS[p] for p in (pos - 1, pos, pos + 1) if 0 <= p < len(BANDS)}
    fam = KIND_FAMILIES[kind]
    steps = [
        (1, lambda t: t[1] == kind and t[2] == band),
        (2, lambda t: t[1] == kind and t[2] in near),
        (3, lambda t: KIND_FAMILIES[t[1]] == fam and t[2] in near),
        (4, lambda t: KIND_FAMILIES[t[1]] == fam),
        (5, lambda t: True),
    ]
    for step, keep in steps:
        members = [t[0] for t in territories if keep(t) and t[0] in have]
        if len([m for m in members if m != me[0]]) >= K_MIN or step == 5:
            return step, members
    raise AssertionError  # pragma: no cover


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_statistics_match_a_direct_computation(seed: int) -> None:
    print(f"seed={seed}")  # reproduces a failure
    rng = random.Random(seed)
    kinds = ["commune", "commune", "commune", "cc", "ca", "cu", "metropole"]
    territories = [
        (f"t{i}", rng.choice(kinds), rng.choice(BANDS), rng.choice(["11", "84", "75"]))
        for i in range(300)
    ]
    have = {t[0] for t in territories if rng.random() < 0.6}
    current = pl.DataFrame(
        [(c, m, round(rng.uniform(0, 100), 1)) for c in sorted(have) for m in ("index", "a")],
        schema=["territory", "metric", "score"],
        orient="row",
    )
    before = current.with_columns(pl.col("score") - 3).filter(pl.col("territory") != "t1")
    stats = campaign_statistics(territories_frame(territories), current, before)
    scores = {(c, m): s for c, m, s in current.iter_rows()}
    old = {(c, m): s for c, m, s in before.iter_rows()}
    for me in rng.sample(territories, 40):
        step, members = direct_group(territories, me, have)
        for metric in ("index", "a"):
            row = stats.filter(pl.col("territory") == me[0], pl.col("metric") == metric).row(
                0, named=True
            )
            values = np.array([scores[(m, metric)] for m in members])
            assert row["step"] == step and row["n"] == len(values)
            own = scores.get((me[0], metric))
            others = [scores[(m, metric)] for m in members if m != me[0]]
            if len(others) < K_MIN:
                assert row["mean"] is None
                continue
            assert row["mean"] == pytest.approx(values.mean())
            assert row["median"] == pytest.approx(np.median(values))
            for q, name in ((25, "p25"), (75, "p75"), (90, "p90")):
                assert row[name] == pytest.approx(np.percentile(values, q)), name
            if own is None:
                assert row["percentile"] is None
            else:
                below = sum(v < own for v in others)
                ties = sum(v == own for v in others)
                assert row["percentile"] == pytest.approx(100 * (below + ties / 2) / len(others))
                assert row["gap_median"] == pytest.approx(own - np.median(values))
                assert row["gap_p75"] == pytest.approx(own - np.percentile(values, 75))
                prev = old.get((me[0], metric))
                expected = None if prev is None else own - prev
                assert row["own_change"] == pytest.approx(expected)
            earlier = [old[(m, metric)] for m in members if (m, metric) in old]
            if len(earlier) >= K_MIN + 1:
                assert row["group_change"] == pytest.approx(values.mean() - np.mean(earlier))
