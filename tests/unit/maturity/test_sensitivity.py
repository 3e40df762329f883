"""Sensitivity to weights and thresholds: the schemes built by hand on the mini model, and the
figures against a plain-Python recomputation (the oracle) on generated campaigns."""

from __future__ import annotations

import math

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.model import GapRule, Model, ThresholdRule
from maturity.scoring import answers_frame
from maturity.sensitivity import alternative_schemes, outcomes, sensitivity
from tests.oracle import oracle_score
from tests.unit.maturity.test_properties import answer_sets

Answers = dict[str, int | str]


def _weights(model: Model) -> tuple[dict[str, float], dict[str, float]]:
    questions = {q.id: q.weight for _, q in model.iter_questions()}
    return questions, {d.id: d.weight for d in model.dimensions}


def test_schemes_of_the_mini_model(mini_model: Model) -> None:
    # a1 w1, a2 w3, b1 w1, b2 w1, c1 w1; dimensions a 1, b 2 (pillar p1), c 1 (pillar p2)
    schemes = {s.id: s.model for s in alternative_schemes(mini_model)}
    assert list(schemes) == [
        "equal_weights",
        "pillar_balanced",
        "core_x0.5",
        "core_x1.5",
        "cap_off",
        "thresholds_plus_5",
        "thresholds_minus_5",
    ]
    ones = {"a1": 1.0, "a2": 1.0, "b1": 1.0, "b2": 1.0, "c1": 1.0}
    assert _weights(schemes["equal_weights"]) == (ones, {"a": 1.0, "b": 1.0, "c": 1.0})
    assert _weights(schemes["pillar_balanced"]) == (
        ones | {"a2": 3.0},
        {"a": 1 / 3, "b": 2 / 3, "c": 1.0},
    )
    assert _weights(schemes["core_x0.5"])[0] == ones | {"a2": 1.5}
    assert _weights(schemes["core_x1.5"])[0] == ones | {"a2": 4.5}
    assert not schemes["cap_off"].cap_levels
    plus, minus = schemes["thresholds_plus_5"], schemes["thresholds_minus_5"]
    assert [lv.min for lv in plus.levels] == [0, 25, 45, 65, 85]
    assert [lv.min for lv in minus.levels] == [0, 15, 35, 55, 75]
    gap, _, low = (d.rule for d in plus.diagnostics)
    assert isinstance(gap, GapRule) and gap.min_gap == 30
    assert isinstance(low, ThresholdRule) and (low.below, low.index_at_least) == (25, 45)
    # the published model itself is left alone
    assert [lv.min for lv in mini_model.levels] == [0, 20, 40, 60, 80]


def test_a_model_without_the_cap_gets_a_cap_on_scheme(mini_model: Model) -> None:
    uncapped = msgspec.structs.replace(mini_model, cap_levels=False)
    ids = [s.id for s in alternative_schemes(uncapped)]
    assert "cap_on" in ids and "cap_off" not in ids


def test_hand_computed_campaign(mini_model: Model) -> None:
    sets: dict[str, Answers] = {
        # a 100, b 100, c 0: index (100 + 2·100 + 0) / 4 = 75, level 4 capped at 1 + 1 = 2
        "capped": {"a1": 4, "a2": 4, "b1": 4, "b2": 10, "c1": 0},
        # every dimension 50: index 50, level 3
        "even": {"a1": 2, "a2": 2, "b1": 2, "b2": 5, "c1": 2},
        # a = 100 × (1·4/4 + 3·0) / 4 = 25, b = 100 × (1/4 + 3/10) / 2 = 27.5, c = 25:
        # index (25 + 2·27.5 + 25) / 4 = 26.25, level 2
        "low": {"a1": 4, "a2": 0, "b1": 1, "b2": 3, "c1": 1},
    }
    frame, _ = outcomes(mini_model, answers_frame(sets, mini_model))
    rows = {r["assessment"]: r for r in frame.to_dicts()}
    assert [rows[k]["index"] for k in ("low", "even", "capped")] == [26.25, 50.0, 75.0]
    assert (rows["capped"]["level"], rows["capped"]["capped_level"]) == (4, 2)
    # three assessments, each ranked among the two others
    assert [rows[k]["percentile"] for k in ("low", "even", "capped")] == [0.0, 50.0, 100.0]
    assert [rows[k]["band"] for k in ("low", "even", "capped")] == [0, 2, 3]

    report = sensitivity(mini_model, answers_frame(sets, mini_model))
    assert report.reference.levels == {1: 0, 2: 2, 3: 1, 4: 0, 5: 0}
    assert report.reference.diagnostics == {"gap_ac": 1, "b_over_ac": 1, "c_low": 1}
    impacts = {i.scheme: i for i in report.schemes}
    cap = impacts["cap_off"]
    assert (cap.level_changed, cap.capped_level_changed, cap.band_changed) == (0.0, 1 / 3, 0.0)
    assert (cap.spearman, cap.mean_index_change, cap.compared) == (1.0, 0.0, 3)
    assert cap.outcome.levels == {1: 0, 2: 1, 3: 1, 4: 1, 5: 0}
    # equal weights: "low" gets a = 50, index (50 + 27.5 + 25) / 3; "capped" (100 + 100 + 0) / 3
    equal = impacts["equal_weights"]
    assert equal.max_index_change == pytest.approx(75 - 200 / 3)
    assert equal.mean_index_change == pytest.approx((102.5 / 3 - 26.25 + 75 - 200 / 3) / 3)
    assert (equal.spearman, equal.level_changed, equal.capped_level_changed) == (1.0, 0.0, 0.0)
    # halving a2 (3 → 1.5) keeps b's double weight: not the equal-weights variant
    assert equal.same_as is None and impacts["core_x0.5"].same_as is None
    # lowering the thresholds by 5 (15, 35, 55, 75): 75 reaches level 5, but its cap holds
    minus = impacts["thresholds_minus_5"]
    assert minus.level_changed == pytest.approx(1 / 3)
    assert minus.capped_level_changed == 0.0
    # raising them (min_gap 30, c below 25 with an index of 45): "capped" still triggers all
    assert impacts["thresholds_plus_5"].outcome.diagnostics == report.reference.diagnostics


def test_identical_variants_are_named(model: Model) -> None:
    # the published model: both pillars have four dimensions of weight 1, and its core
    # questions weigh 2, so halving them is the equal-weights scheme
    sets = {"x": {q.id: 2 for _, q in model.iter_questions()}}
    report = sensitivity(model, answers_frame(sets, model))
    same = {i.scheme: i.same_as for i in report.schemes}
    assert same["pillar_balanced"] == "reference"
    assert same["core_x0.5"] == "equal_weights"
    assert same["core_x1.5"] is None
    assert all(i.spearman is None for i in report.schemes)  # one assessment: no correlation


def _ranks(values: list[float]) -> list[float]:
    """Average ranks (1-based), ties sharing their mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in order[i : j + 1]:
            ranks[k] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def _pearson(x: list[float], y: list[float]) -> float | None:
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sx = math.sqrt(sum((a - mx) ** 2 for a in x))
    sy = math.sqrt(sum((b - my) ** 2 for b in y))
    return None if sx == 0 or sy == 0 else sxy / (sx * sy)


def _oracle(model: Model, sets: list[Answers]) -> list[tuple[float | None, int | None, int | None]]:
    """(index, level from the index alone, capped level) of each set, the slow way."""
    free = msgspec.structs.replace(model, cap_levels=False)
    out = []
    for answers in sets:
        capped = oracle_score(model, answers, with_next_steps=False)
        alone = oracle_score(free, answers, with_next_steps=False)
        out.append((capped.index, alone.level, capped.level))
    return out


def _percentiles(indices: list[float | None]) -> list[float | None]:
    """Peers' definition: among the m others with an index, b lower and e equal."""
    known = [round(i, 9) for i in indices if i is not None]
    out: list[float | None] = []
    for value in indices:
        if value is None or len(known) < 2:
            out.append(None)
            continue
        v = round(value, 9)
        lower = sum(k < v for k in known)
        equal = sum(k == v for k in known) - 1
        out.append(100 * (lower + equal / 2) / (len(known) - 1))
    return out


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_figures_match_a_plain_recomputation(mini_model: Model, data: st.DataObject) -> None:
    sets = data.draw(st.lists(answer_sets(mini_model), min_size=1, max_size=12), label="sets")
    keyed = {f"t{i:02d}": s for i, s in enumerate(sets)}
    report = sensitivity(mini_model, answers_frame(keyed, mini_model))
    reference = _oracle(mini_model, sets)
    ref_pct = _percentiles([r[0] for r in reference])
    assert report.assessments == len(sets)
    assert sum(report.reference.levels.values()) == sum(r[2] is not None for r in reference)
    for scheme, impact in zip(alternative_schemes(mini_model), report.schemes, strict=True):
        alternative = _oracle(scheme.model, sets)
        alt_pct = _percentiles([a[0] for a in alternative])
        both = [
            i
            for i in range(len(sets))
            if reference[i][0] is not None and alternative[i][0] is not None
        ]
        assert impact.compared == len(both)
        if not both:
            assert impact.level_changed is None and impact.mean_index_change is None
            continue

        for at, figure in ((1, impact.level_changed), (2, impact.capped_level_changed)):
            moved = sum(reference[i][at] != alternative[i][at] for i in both)
            assert figure == pytest.approx(moved / len(both))
        bands = [
            (min(3, int(ref_pct[i] // 25)), min(3, int(alt_pct[i] // 25)))  # type: ignore[operator]
            for i in both
            if ref_pct[i] is not None and alt_pct[i] is not None
        ]
        if bands:
            assert impact.band_changed == pytest.approx(sum(a != b for a, b in bands) / len(bands))
        changes = [abs(alternative[i][0] - reference[i][0]) for i in both]  # type: ignore[operator]
        assert impact.mean_index_change == pytest.approx(sum(changes) / len(changes), abs=1e-9)
        assert impact.max_index_change == pytest.approx(max(changes), abs=1e-9)
        if len(both) >= 2:
            x = _ranks([round(reference[i][0], 9) for i in both])  # type: ignore[arg-type]
            y = _ranks([round(alternative[i][0], 9) for i in both])  # type: ignore[arg-type]
            expected = _pearson(x, y)
            if expected is None:
                assert impact.spearman is None
            else:
                assert impact.spearman == pytest.approx(expected, abs=1e-9)
        counts = {d.id: 0 for d in scheme.model.diagnostics}
        for answers in sets:
            for hit in oracle_score(scheme.model, answers, with_next_steps=False).diagnostics:
                counts[hit] += 1
        assert impact.outcome.diagnostics == counts
