"""What may be published about a campaign (`maturity.disclosure`) and how it is published
(`maturity.publication`), checked by a small attacker on random populations: every published
count and mean, of every grouping and every default peer group in both perimeters, as one
linear system (rank tests, numpy), and the participations it proves (integer programming).
The seed of a failing example is printed by hypothesis."""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from maturity import suppression
from maturity.aggregates import GROUPINGS, aggregates
from maturity.disclosure import FEWER, K_MIN, K_QUANTILES, SECRET, protect
from maturity.peers import Scope, campaign_comparison, campaign_statistics
from maturity.publication import group_verdicts, publish_peers

KINDS, BANDS, REGIONS = ("commune", "cc", "ca"), ("0-3.5k", "3.5k-20k", "20k-50k"), ("11", "84")
Atom = tuple[str, str, str]
Layout = dict[Atom, tuple[int, int, int]]
"""Per finest cell: reference territories, participants, public profiles among them."""


def frames(layout: Layout, shift: float = 0.0) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Territories (territory, kind, band, region, public) and index scores."""
    rows, scores = [], []
    for (kind, band, region), (refs, took_part, public) in layout.items():
        for i in range(refs):
            code = f"{kind}-{band}-{region}-{i}"
            rows.append((code, kind, band, region, i < public))
            if i < took_part:
                scores.append((code, "index", round((13.7 * i + 7 * len(rows) + shift) % 100, 2)))
    schema = {"territory": pl.String, "metric": pl.String, "score": pl.Float64}
    return (
        pl.DataFrame(rows, schema=["territory", "kind", "band", "region", "public"], orient="row"),
        pl.DataFrame(scores, schema=schema, orient="row"),
    )


def published_cells(territories: pl.DataFrame, scores: pl.DataFrame) -> list[set[Atom]]:
    """The finest cells of every published count, read from the outputs themselves."""
    disclosure = protect(territories, scores)
    atoms = {(k, b, r) for k, b, r in territories.select("kind", "band", "region").iter_rows()}
    cells = []
    for by in GROUPINGS.values():
        for row in aggregates(territories, scores, by, disclosure).iter_rows(named=True):
            if row["n"] is not None:
                keys = {"kind": 0, "band": 1, "region": 2}
                cells.append({a for a in atoms if all(a[keys[k]] == row[k] for k in by)})
    attributes = territories.select("territory", "kind", "band", "region")
    for scope in ("national", "region"):
        peers = campaign_statistics(attributes, scores, scope=scope)
        shown = publish_peers(peers, group_verdicts(peers.groups, disclosure, None))
        published = set(shown.statistics.filter(pl.col("n").is_not_null())["group"].to_list())
        for group, kinds, bands, region in peers.groups.select(
            "group", "kinds", "bands", "region"
        ).iter_rows():
            if group in published:
                cells.append(
                    {a for a in atoms if a[0] in kinds and a[1] in bands and region in (None, a[2])}
                )
    return cells


def unions(atoms: list[Atom]) -> list[set[Atom]]:
    """Every finest cell and every cell of every combination of attributes."""
    out: list[set[Atom]] = []
    for r in (0, 1, 2, 3):
        for keys in itertools.combinations(range(3), r):
            cells: dict[tuple[str, ...], set[Atom]] = {}
            for a in atoms:
                cells.setdefault(tuple(a[k] for k in keys), set()).add(a)
            out += cells.values()
    return out


layouts = st.dictionaries(
    st.tuples(st.sampled_from(KINDS), st.sampled_from(BANDS[:2]), st.sampled_from(REGIONS)),
    st.integers(1, 14).flatmap(
        lambda refs: st.tuples(
            st.just(refs), st.integers(0, refs), st.integers(0, min(2, refs))
        ).map(lambda t: (t[0], t[1], min(t[2], t[1])))
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(layout=layouts, idle=st.integers(0, 6))
def test_no_published_equation_isolates_a_score_or_confirms_a_participation(
    layout: Layout, idle: int
) -> None:
    """`idle`: the participants of a large finest cell most of whose territories never
    answer (as in the network), so that the campaign's count of submissions, published
    whatever happens, does not confirm everybody's participation by itself."""
    layout = {**layout, ("cc", "20k-50k", "84"): (40, idle, 0)}
    territories, scores = frames(layout)
    atoms = sorted(layout)
    hidden = {
        a: (refs - public, took_part - public) for a, (refs, took_part, public) in layout.items()
    }
    cells = published_cells(territories, scores)
    matrix = np.array([[a in c for a in atoms] for c in cells], dtype=float).reshape(-1, len(atoms))
    rank = np.linalg.matrix_rank(matrix) if cells else 0
    total = np.ones((1, len(atoms)))  # the campaign's count of submissions, always published
    counts = np.vstack([matrix, total])
    count_rank = np.linalg.matrix_rank(counts)
    for union in unions(atoms):
        v = np.array([[a in union for a in atoms]], dtype=float)
        refs = sum(hidden[a][0] for a in union)
        took_part = sum(hidden[a][1] for a in union)
        if 1 <= took_part < K_MIN and cells:
            assert np.linalg.matrix_rank(np.vstack([matrix, v])) > rank, (union, layout)
        if took_part == refs >= 1:
            assert np.linalg.matrix_rank(np.vstack([counts, v])) > count_rank, (union, layout)
    # bounds too: no finest cell is proved to have taken part in full
    values = [sum(hidden[a][1] for a in c) for c in cells] + [sum(t for _, t in hidden.values())]
    upper = np.array([hidden[a][0] for a in atoms], dtype=float)
    for i, a in enumerate(atoms):
        if hidden[a][0] and hidden[a][1] == hidden[a][0]:
            objective = np.zeros(len(atoms))
            objective[i] = 1
            best = milp(objective, integrality=np.ones(len(atoms)), bounds=Bounds(0, upper),
                        constraints=[LinearConstraint(counts, values, values)])  # fmt: skip
            assert best.success and best.fun < upper[i] - 0.5, (a, layout)


def test_the_wording_never_tells_which_rule_applied() -> None:
    """«moins de 5» only where the reference population itself is under five (public
    knowledge); every other withheld cell says the same, whatever held it back."""
    layout = {
        ("commune", "0-3.5k", "11"): (4, 4, 0),  # cannot hold five
        ("cc", "0-3.5k", "84"): (12, 3, 0),  # fewer than five took part
        ("ca", "3.5k-20k", "11"): (9, 9, 0),  # everyone took part
        ("cu", "3.5k-20k", "84"): (30, 12, 0),
    }
    territories, scores = frames(layout)
    table = aggregates(territories, scores, ("kind",), protect(territories, scores))
    withheld = dict(table.select("kind", "withheld").iter_rows())
    assert [withheld[k] for k in ("commune", "cc", "ca")] == [FEWER, SECRET, SECRET]
    assert table.filter(pl.col("withheld").is_not_null())["n"].is_null().all()


def test_a_group_and_the_aggregate_of_the_same_territories_agree() -> None:
    layout = {("ca", "20k-50k", r): (30, 12 if r == "11" else 3, 1) for r in REGIONS}
    territories, scores = frames(layout)
    disclosure = protect(territories, scores)
    row = aggregates(territories, scores, ("kind", "band"), disclosure).row(0, named=True)
    peers = campaign_statistics(territories.drop("public"), scores)
    shown = publish_peers(peers, group_verdicts(peers.groups, disclosure, None)).statistics
    group = shown.filter(pl.col("step") == 1).row(0, named=True)
    assert (group["n"], group["mean"]) == (row["n"], row["mean"]) == (15, row["mean"])
    assert row["median"] is None and group["percentile"] is None  # 12 non-public: no quantile


def test_ranks_and_changes_are_published_rounded_and_only_where_determined() -> None:
    layout = {("commune", "3.5k-20k", r): (60, 25, 0) for r in REGIONS}
    territories, scores = frames(layout)
    _, before = frames(layout, shift=4.0)
    now_disclosure, then = protect(territories, scores), protect(territories, before)
    peers = campaign_statistics(territories.drop("public"), scores, before)
    stats = publish_peers(peers, group_verdicts(peers.groups, now_disclosure, then)).statistics
    row = stats.filter(pl.col("step") == 1, pl.col("own").is_not_null()).row(0, named=True)
    assert row["n"] == 50 >= K_QUANTILES and row["percentile"] % 5 == 0
    assert row["median"] == round(row["median"], 1)
    assert row["group_change"] == round(
        row["mean"] - round(row["mean"] - row["group_change"], 1), 1
    )
    assert row["gap_median"] == round(row["own"] - row["median"], 2)
    # without the campaign before's published figures, no change is published
    alone = publish_peers(peers, group_verdicts(peers.groups, now_disclosure, None)).statistics
    assert alone["group_change"].is_null().all()


@pytest.mark.parametrize("scope", ["national", "region"])
def test_the_rows_as_arrays_are_published_as_their_frame(scope: Scope) -> None:
    layout: Layout = {
        ("commune", "3.5k-20k", "11"): (60, 25, 0),
        ("commune", "3.5k-20k", "84"): (40, 22, 2),
        ("commune", "20k-50k", "84"): (30, 28, 1),
        ("ca", "20k-50k", "11"): (30, 3, 1),
    }
    territories, scores = frames(layout)
    _, before = frames(layout, shift=4.0)
    attributes = territories.drop("public")
    framed = campaign_statistics(attributes, scores, before, scope)
    compared = campaign_comparison(attributes, scores, before, scope)
    verdicts = group_verdicts(
        framed.groups, protect(territories, scores), protect(territories, before)
    )
    assert verdicts["published"].any() and not verdicts["published"].all()
    # a group without a verdict is published by neither
    for given_ in (verdicts, verdicts.filter(pl.col("group") != verdicts["group"].max())):
        assert_frame_equal(
            publish_peers(compared, given_).statistics,
            publish_peers(framed, given_).statistics,
            check_row_order=False,
        )


def test_with_the_total_published_the_sums_null_space_is_the_counts_own() -> None:
    """The network's total among the published cells: the finest cells whose count is known
    to be 0 (their sum is known too) lie in the published counts' row space already, so the
    sums determine what the counts do (`protect` decomposes the counts alone in its rounds)."""
    layout: Layout = {
        ("cc", "0-3.5k", "11"): (14, 5, 0),
        ("cc", "20k-50k", "11"): (5, 5, 0),
        ("cc", "3.5k-20k", "84"): (24, 0, 0),
        ("cc", "3.5k-20k", "11"): (20, 0, 0),
        ("ca", "3.5k-20k", "84"): (6, 0, 0),
        ("ca", "0-3.5k", "11"): (19, 0, 0),
        ("cc", "20k-50k", "84"): (29, 12, 0),
        ("commune", "20k-50k", "84"): (21, 13, 0),
    }
    territories, scores = frames(layout)
    disclosure = protect(territories, scores)
    assert disclosure.verdict(tuple(range(disclosure.atoms.height))).published
    sums, counts = disclosure.sums_null, disclosure.counts_null
    assert sums.shape == counts.shape == (8, 2)
    assert np.allclose(sums @ sums.T, counts @ counts.T, atol=1e-12)
    atoms = disclosure.atoms.select("kind", "band", "region").rows()
    empty = [i for i, a in enumerate(atoms) if layout[(a[0], a[1], a[2])][1] == 0]
    assert sum(disclosure.determined((i,)) for i in empty) == 2


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_one_decomposition_answers_as_least_squares_and_dense_products(seed: int) -> None:
    """`suppression.Equations` reads the least-squares weights of the carriers from the SVD
    of its null space (rank-deficient 0/1 rows, as the published cells), and the finest cells'
    rows are tested as a sparse array: the same weights, picks and decisions as
    ``np.linalg.lstsq``, a loop over the disclosed unions and dense products."""
    rng = np.random.default_rng(seed)
    width = int(rng.integers(2, 25))
    # three disjoint unions: their sum is the total
    parts = (rng.integers(0, 3, width) == np.arange(3)[:, None]).astype(float)
    random = (rng.random((int(rng.integers(0, 30)), width)) < 0.3).astype(float)
    rows = np.vstack([parts, random, random[: len(random) // 3]])
    rows = rows[rows.any(axis=1)]
    counts = np.vstack([rows, np.ones((1, width))])
    targets = np.vstack([rows[: len(rows) // 2], (rng.random((6, width)) < 0.3).astype(float)])
    equations = suppression.Equations.of(counts, width)
    weights = np.linalg.lstsq(counts.T, targets.T, rcond=None)[0]
    assert np.allclose(equations.combination(targets), weights, atol=1e-9)
    published = np.sort(rng.choice(3 * len(rows), len(rows), replace=False))
    sizes = rng.integers(5, 9, 3 * len(rows)).astype(float)  # ties: the first one is picked
    picks = set()
    for j in range(len(targets)):
        carrying = published[np.abs(weights[:-1, j]) > 1e-9]
        if carrying.size:
            picks.add(int(carrying[np.argmin(sizes[carrying])]))
    assert suppression.carriers(equations, targets, published, sizes) == picks
    determined = suppression.determined(equations.null, targets)
    assert np.array_equal(
        suppression.determined(equations.null, sparse.csr_array(targets)), determined
    )


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_the_participations_forced_are_those_no_integer_solution_lowers(seed: int) -> None:
    """`suppression.forced` (the linear relaxation first, integer programming where it
    cannot tell) against the definition, one integer programme per candidate: a finest cell
    whose participants are its whole reference population is forced when no integer
    solution of the published counts, the bounds and the widening rows has fewer there."""
    rng = np.random.default_rng(seed)
    width = int(rng.integers(3, 14))
    refs = rng.integers(1, 6, width).astype(float)
    taking = np.where(rng.random(width) < 0.5, refs, rng.integers(0, 6, width) % (refs + 1))
    # cells as unions of finest cells (two crossing partitions and a few others) and the
    # widening rows' upper bounds, both true of the participations `taking`
    parts = [rng.integers(0, 3, width) == k for k in range(3)]
    parts += [rng.integers(0, 2, width) == k for k in range(2)]
    parts += [rng.random(width) < 0.4 for _ in range(int(rng.integers(0, 4)))]
    cells = np.array([p for p in parts if p.any()], dtype=float)
    published = np.sort(rng.choice(len(cells), int(rng.integers(1, len(cells) + 1)), False))
    sizes = cells @ taking
    counts = np.vstack([cells[published], np.ones((1, width))])
    told_rows = (rng.random((int(rng.integers(0, 4)), width)) < 0.3).astype(bool)
    upper = told_rows.astype(float) @ taking + rng.integers(0, 2, len(told_rows))
    owner = rng.integers(0, len(cells), len(told_rows))
    found = suppression.forced(counts, published, sizes, taking, refs, (told_rows, upper, owner))
    constraints = [LinearConstraint(counts, counts @ taking, counts @ taking)]
    if len(told_rows):
        constraints.append(LinearConstraint(told_rows.astype(float), -np.inf, upper))
    expected = set()
    for i in np.flatnonzero(taking == refs):
        objective = np.eye(width)[i]
        least = milp(objective, integrality=np.ones(width), bounds=Bounds(0, refs),
                     constraints=constraints)  # fmt: skip
        if least.success and least.fun > refs[i] - 0.5:
            expected.add(int(i))
    assert set(found) == expected
