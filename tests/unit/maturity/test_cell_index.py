"""The directory's finest cells indexed once (`maturity.cells`) and what reads them: the peer
groups as arrays (`maturity.peer_index`), the statistics, the disclosure control and the
aggregates handed the index, against the same functions without it (the frame paths, which
the other tests check against direct computations), on small random networks — regular ones
and ones with unknown kinds, bands or régions. The seed is printed: it reproduces a failure."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from maturity import suppression
from maturity.aggregates import network_aggregates
from maturity.cells import CellIndex
from maturity.disclosure import Disclosure, protect
from maturity.peer_groups import scoped_peer_groups
from maturity.peer_index import indexed_peer_groups
from maturity.peers import Scope, campaign_comparison, campaign_statistics
from maturity.publication import group_verdicts, publish_peers
from maturity.score_matrix import ScoreMatrix, Segments, score_matrix
from tests.unit.maturity.test_peers import BANDS, long, population

SCOPES: tuple[Scope, ...] = ("national", "region")


def directory(rng: random.Random, size: int, irregular: bool) -> pl.DataFrame:
    """Territories (territory, kind, band, region, public); `irregular`: some with a kind,
    band or région the model does not know (or none)."""
    kinds = ["commune", "commune", "cc", "ca", "cu", "metropole"]
    rows = []
    for i in range(size):
        kind, band = rng.choice(kinds), rng.choice(BANDS)
        region: str | None = rng.choice(["11", "84", "75"])
        if irregular and (i == 0 or rng.random() < 0.1):
            odd = [(kind, "?", region), (kind, band, None), ("x", band, region)]
            kind, band, region = rng.choice(odd)
        rows.append((f"t{i:04}", kind, band, region, rng.random() < 0.1))
    return pl.DataFrame(
        rows,
        schema={"territory": pl.String, "kind": pl.String, "band": pl.String,
                "region": pl.String, "public": pl.Boolean},
        orient="row",
    )  # fmt: skip


@pytest.mark.parametrize("irregular", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_indexed_groups_are_the_groups_of_the_frames(seed: int, irregular: bool) -> None:
    print(f"seed={seed} irregular={irregular}")
    rng = random.Random(seed)
    territories = directory(rng, rng.choice([30, 200, 900]), irregular)
    index = CellIndex.of(territories)
    assert index.regular is not irregular
    for share in (0.05, 0.5, 1.0):
        submitted = np.array([rng.random() < share for _ in range(territories.height)])
        codes = territories.get_column("territory")
        frames = scoped_peer_groups(territories, codes.filter(submitted).to_frame(), SCOPES)
        arrays = indexed_peer_groups(index, submitted, SCOPES)
        for scope in SCOPES:
            assert_frame_equal(arrays[scope].frame(), frames[scope])


def matrices(seed: int) -> tuple[pl.DataFrame, ScoreMatrix, ScoreMatrix]:
    """A small network of the peer tests (with public profiles) and two campaigns' scores."""
    rng = random.Random(seed)
    rows, now, before = population(rng, rng.choice([80, 400]))
    territories = pl.DataFrame(
        [(*r, rng.random() < 0.1) for r in rows],
        schema=["territory", "kind", "band", "region", "public"],
        orient="row",
    )
    codes = territories.get_column("territory")
    return territories, score_matrix(codes, long(now)), score_matrix(codes, long(before))


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("seed", [11, 12, 13])
def test_statistics_with_the_index_are_the_statistics_without(seed: int, scope: Scope) -> None:
    print(f"seed={seed} scope={scope}")
    territories, now, before = matrices(seed)
    attributes = territories.drop("public")
    index = CellIndex.of(territories)
    groups = indexed_peer_groups(index, now.submitted, SCOPES)
    basis = ScoreMatrix(now.codes, now.metrics, now.values * 0.5)
    for at in (None, basis):
        plain = campaign_statistics(attributes, now, before, scope, at)
        fast = campaign_comparison(attributes, now, before, scope, at, groups[scope], index)
        assert_frame_equal(fast.rows.frame(), plain.statistics)
        assert_frame_equal(fast.groups, plain.groups)
        assert_frame_equal(fast.histograms, plain.histograms)
        # and published: the group figures published once per segment, then gathered
        disclosure = protect(territories, now, groups, cells=index)
        verdicts = group_verdicts(plain.groups, disclosure, protect(territories, before))
        assert_frame_equal(
            publish_peers(fast, verdicts).statistics,
            publish_peers(plain, verdicts).statistics,
            check_row_order=False,  # a frame's rows are published through a join
        )


@pytest.mark.parametrize("seed", [21, 22])
def test_askers_in_another_order_or_fewer_are_the_same_rows(seed: int) -> None:
    # groups listing other territories than the matrix, in another order: the rows are
    # matched on the codes, not taken as every score of the matrix in order
    print(f"seed={seed}")
    territories, now, before = matrices(seed)
    attributes = territories.drop("public")
    codes = attributes.get_column("territory")
    groups = scoped_peer_groups(attributes, codes.filter(now.submitted).to_frame(), SCOPES)
    plain = campaign_comparison(attributes, now, before, groups=groups["national"])
    some = groups["national"].sample(fraction=0.7, seed=seed, shuffle=True)
    fewer = campaign_comparison(attributes, now, before, groups=some)
    key = ["territory", "metric"]
    asking = some.get_column("territory").implode()
    kept = plain.rows.frame().filter(pl.col("territory").is_in(asking))
    assert_frame_equal(fewer.rows.frame().sort(key), kept.sort(key))


def same_disclosure(a: Disclosure, b: Disclosure) -> None:
    assert a.verdicts == b.verdicts and a.rounds == b.rounds
    assert np.array_equal(a.sums_null, b.sums_null)
    assert np.array_equal(a.counts_null, b.counts_null)


@pytest.mark.parametrize("seed", [31, 32, 33])
def test_disclosure_and_aggregates_with_the_index_are_the_same(seed: int) -> None:
    print(f"seed={seed}")
    territories, now, _ = matrices(seed)
    index = CellIndex.of(territories)
    groups = indexed_peer_groups(index, now.submitted, SCOPES)
    plain = protect(territories, now)
    same_disclosure(protect(territories, now, groups, cells=index), plain)
    same_disclosure(protect(territories, now, cells=index), plain)
    attributes = territories.drop("public")
    tables = network_aggregates(attributes, now, plain)
    for name, table in network_aggregates(attributes, now, plain, cells=index).items():
        assert_frame_equal(table, tables[name])


def test_an_index_of_other_territories_is_not_used() -> None:
    territories, now, _ = matrices(41)
    other = CellIndex.of(territories.reverse())
    assert not other.of_frame(territories) and CellIndex.of(territories).of_frame(territories)
    same_disclosure(protect(territories, now, cells=other), protect(territories, now))


def test_histograms_are_read_off_the_sorted_scores() -> None:
    rng = np.random.default_rng(5)
    values = np.sort(np.concatenate([rng.uniform(-5, 105, 500), [0, 10, 20, 99.99, 100, 100]]))
    segment = rng.integers(0, 4, len(values))
    segments = Segments.of(segment, values, np.arange(len(values)), 4)
    expected = np.zeros((4, 10), np.int64)
    np.add.at(expected, (segment, np.clip(values // 10, 0, 9).astype(np.int64)), 1)
    assert segments.histogram(10).tolist() == expected.tolist()


def test_the_finest_cells_alone_are_determined_as_the_identity_rows() -> None:
    rng = np.random.default_rng(3)
    rows = (rng.random((30, 12)) < 0.3).astype(float)
    null = suppression.null_space(rows, 12)
    assert suppression.determined_cells(null).tolist() == (
        suppression.determined(null, np.eye(12)).tolist()
    )
