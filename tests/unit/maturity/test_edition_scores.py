"""Peer statistics across editions (`maturity.edition_scores`): on generated editions and
mappings, a campaign's changes are the very trends `maturity.editions.compare` gives one
territory; the 2026.1 → 2027.1 statuses; and `campaign_statistics` compares on the basis."""

from __future__ import annotations

import math

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.edition_scores import metric_statuses, scored, scores_across
from maturity.editions import comparability, compare
from maturity.mapping import MAPPINGS_DIR, identity_mapping, load_mapping
from maturity.model import INDEX, Model
from maturity.peers import campaign_statistics
from maturity.scoring import answers_frame, validate_answers
from tests.unit.maturity.test_mapping import answers_for, editions_and_mapping


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None or math.isnan(a) or math.isnan(b):
        return (a is None or math.isnan(a)) and (b is None or math.isnan(b))
    return abs(a - b) <= 0.006  # `compare` rounds to two decimals


def _by_metric(frame: pl.DataFrame, territory: str) -> dict[str, float]:
    rows = frame.filter(pl.col("territory") == territory).select("metric", "score").iter_rows()
    return dict(rows)


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_changes_across_editions_are_the_territories_trends(data: st.DataObject) -> None:
    source, target, mapping = data.draw(editions_and_mapping())
    basis = comparability(mapping, source, target)
    codes = [f"t{i}" for i in range(data.draw(st.integers(1, 4)))]
    old = {c: data.draw(answers_for(source)) for c in codes}
    new = {c: validate_answers(target, data.draw(answers_for(target))) for c in codes}
    across = scores_across(
        basis,
        mapping,
        source,
        target,
        answers_frame(old),
        answers_frame(new),
    )
    assert set(across.statuses) == {INDEX, "pillar:p", *(d.id for d in target.dimensions)}
    for code in codes:
        trend = compare(basis, mapping, (source, old[code]), (target, new[code]))
        before, after = _by_metric(across.previous, code), _by_metric(across.basis, code)
        for change in (trend.index, *trend.dimensions):
            assert across.statuses[change.id] == change.status
            if change.status == "none":
                assert change.id not in before and change.id not in after
                continue
            assert _close(before.get(change.id), change.before), (code, change)
            assert _close(after.get(change.id), change.after), (code, change)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_the_same_edition_compares_its_own_scores(data: st.DataObject) -> None:
    source, _, _ = data.draw(editions_and_mapping())
    mapping = identity_mapping(source)
    old = answers_frame({"a": data.draw(answers_for(source))})
    new = answers_frame({"a": data.draw(answers_for(source))})
    across = scores_across(
        comparability(mapping, source, source), mapping, source, source, old, new
    )
    assert set(across.statuses.values()) == {"full"}
    for got, want in ((across.previous, scored(source, old)), (across.basis, scored(source, new))):
        assert got.sort("metric").to_dicts() == want.sort("metric").to_dicts()


def test_2026_1_to_2027_1_statuses(model: Model, current_model: Model) -> None:
    mapping = load_mapping(MAPPINGS_DIR / "2026.1--2027.1.toml", model, current_model)
    statuses = metric_statuses(comparability(mapping, model, current_model))
    assert statuses[INDEX] == "partial"
    assert statuses["strategy"] == statuses["foundations"] == "full"
    assert statuses["use_cases"] == "partial"  # its deployment questions were reframed


def test_changes_compare_the_basis_not_the_current_scores() -> None:
    territories = pl.DataFrame(
        {
            "territory": [f"t{i}" for i in range(8)],
            "kind": ["commune"] * 8,
            "band": ["0-3.5k"] * 8,
            "region": ["11"] * 8,
        }
    )
    codes = territories["territory"].to_list()

    def long(values: list[float]) -> pl.DataFrame:
        return pl.DataFrame({"territory": codes, "metric": [INDEX] * 8, "score": values})

    now, basis, before = long([90.0] * 8), long([30.0 + i for i in range(8)]), long([20.0] * 8)
    stats = campaign_statistics(territories, now, before, "national", basis).statistics
    rows = {r["territory"]: r for r in stats.iter_rows(named=True)}
    assert rows["t3"]["own"] == 90.0  # the statistics are the current scores'
    assert rows["t3"]["own_change"] == 13.0  # the change, the basis against the previous
    assert rows["t3"]["group_change"] == 33.5 - 20.0
    plain = campaign_statistics(territories, now, before, "national").statistics
    assert plain.filter(pl.col("territory") == "t3")["own_change"].item() == 70.0
