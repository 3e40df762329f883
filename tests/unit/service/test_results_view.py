"""The results page's data: one peer count for the page, its chart and the CSV; the three
next steps shown first (the synthesis' ranking) and the others folded, none lost or repeated;
a gap diagnostic that names its weaker side."""

from __future__ import annotations

import pytest

from maturity.model import Model
from maturity.priorities import rank_next_steps
from maturity.results import score_answers
from service.peers.views import Benchmark, MetricStats, PeerGroupView
from service.reports.exports import HEADER, peer_count, results_rows
from service.web.results_view import diagnostics, dimension_rows, next_steps


def _stats(n: int | None, own: float | None = 40.0) -> MetricStats:
    return MetricStats(
        n=n, mean=50.0, median=50.0, p25=40.0, p75=60.0, p90=70.0, withheld=None,
        id="index", label="Indice", own=own, percentile=45.0, gap_median=-10.0,
        gap_p75=-20.0, own_change=None, group_change=None, histogram=None,
    )  # fmt: skip


def _benchmark(kind: str, n: int | None) -> Benchmark:
    group = PeerGroupView(kind=kind, description="d", step=0, widened=[], n=n)  # type: ignore[arg-type]
    return Benchmark(
        territory="64122", campaign=2026, scope="national", k_min=5, group=group,
        metrics=[_stats(None if n is None else n + (kind == "default"))], nearest=[],
        learn_from=[], notice=None,
    )  # fmt: skip


@pytest.mark.parametrize(("kind", "others"), [("default", 264), ("custom", 12), ("default", None)])
def test_the_page_and_the_csv_state_the_group_s_own_count(
    model: Model, kind: str, others: int | None
) -> None:
    benchmark = _benchmark(kind, others)
    assert peer_count(benchmark.metrics[0], benchmark) == benchmark.group.n == others
    result = score_answers(model, {q.id: 2 for _, q in model.iter_questions()})
    index_row = results_rows(model, result, benchmark, "64122", 2026)[0]
    assert index_row[HEADER.index("pairs_n")] == others


def test_three_next_steps_first_the_others_folded(model: Model) -> None:
    answers = {q.id: k % 3 for k, (_, q) in enumerate(model.iter_questions())}
    result = score_answers(model, answers)
    steps = next_steps(model, result)
    assert steps["first"] == [r.step for r in rank_next_steps(model, result, 3)]
    rest = [s for group in steps["rest"] for s in group["steps"]]
    assert not set(map(id, rest)) & set(map(id, steps["first"]))
    assert len(steps["first"]) + len(rest) == len(result.next_steps)


def test_an_imbalance_names_its_weaker_side(model: Model) -> None:
    answers = {
        q.id: 1 if d.id == "proactive_governance" else 4 if d.id == "open_governance" else 2
        for d, q in model.iter_questions()
    }
    result = score_answers(model, answers)
    found = {d["label"]: d["side"] for d in diagnostics(model, result, "fr")}
    sides = [side for side in found.values() if side]
    assert sides and "Gouvernance proactive" in sides[0], found


def test_the_dimension_table_says_the_position_in_words(model: Model) -> None:
    result = score_answers(model, {q.id: 2 for _, q in model.iter_questions()})
    rows = dimension_rows(result, None, None, "fr")
    assert len(rows) == len(model.dimensions)
    assert all(r["position"] is None and r["compared"] is None for r in rows)  # no peers
    before = score_answers(model, {q.id: 1 for _, q in model.iter_questions()})
    against = dimension_rows(result, None, before, "fr")
    assert all(r["gap"] is not None and r["gap"] > 0 for r in against)
