"""The ranking of next steps (weight × gap × cap) and the naming of an imbalance's weaker side."""

from __future__ import annotations

import pytest

from maturity.imbalance import side_sentence, weaker_side
from maturity.model import GapRule, Model
from maturity.priorities import CAP_FACTOR, rank_next_steps
from maturity.results import score_answers


def _answers(model: Model, default: int, **by_dimension: int) -> dict[str, object]:
    return {q.id: by_dimension.get(d.id, default) for d in model.dimensions for q in d.questions}


def test_at_most_three_steps_one_per_dimension_by_decreasing_priority(model: Model) -> None:
    result = score_answers(model, _answers(model, 2))
    ranked = rank_next_steps(model, result)
    assert len(ranked) == 3
    assert len({r.step.dimension for r in ranked}) == 3
    assert [r.priority for r in ranked] == sorted((r.priority for r in ranked), reverse=True)


def test_priority_is_weight_times_gap_times_cap(model: Model) -> None:
    result = score_answers(model, _answers(model, 2))
    for r in rank_next_steps(model, result, limit=8):
        dimension, question = model.questions[r.step.question]
        share = question.weight / sum(q.weight for q in dimension.questions)
        expected_weight = dimension.weight / sum(d.weight for d in model.dimensions) * share
        assert r.weight == pytest.approx(expected_weight, abs=1e-6)
        assert r.gap == pytest.approx((question.top - r.step.current) / question.top)
        assert r.priority == pytest.approx(100 * r.weight * r.gap * r.cap, abs=1e-3)


def test_a_heavier_question_comes_first_at_equal_gap(model: Model) -> None:
    result = score_answers(model, _answers(model, 2))
    first = rank_next_steps(model, result, limit=1)[0]
    question = model.questions[first.step.question][1]
    # every answer is 2: the heaviest question share of its dimension wins
    best_share = max(
        q.weight / sum(x.weight for x in d.questions) for d in model.dimensions for q in d.questions
    )
    dimension = model.questions[first.step.question][0]
    assert question.weight / sum(q.weight for q in dimension.questions) == best_share


def test_the_dimension_holding_the_level_down_counts_double(model: Model) -> None:
    # strong everywhere but evaluation at 0: the index reaches level 4, capped at 2
    result = score_answers(model, _answers(model, 4, evaluation=0))
    assert result.level is not None and result.index is not None
    assert model.level_for(result.index).level > result.level  # type: ignore[union-attr]
    ranked = rank_next_steps(model, result)
    assert ranked[0].step.dimension == "evaluation"
    assert ranked[0].cap == CAP_FACTOR
    assert all(r.cap == 1.0 for r in ranked[1:])


def test_no_step_when_everything_is_at_the_top(model: Model) -> None:
    assert rank_next_steps(model, score_answers(model, _answers(model, 4))) == []


def test_the_weaker_side_is_named_with_both_scores() -> None:
    rule = GapRule(left=("proactive",), right=("open",), min_gap=25, absolute=True)
    side = weaker_side(rule, {"proactive": 41.7, "open": 75.0})
    assert side is not None
    assert side.weaker == ("proactive",) and side.stronger == ("open",)
    assert weaker_side(rule, {"proactive": 80.0, "open": 20.0}).weaker == ("open",)  # type: ignore[union-attr]
    assert weaker_side(rule, {"proactive": None, "open": 20.0}) is None
    assert weaker_side(rule, {"proactive": 50.0, "open": 50.0}) is None


def test_unbalanced_governance_says_which_side_is_weaker(model: Model) -> None:
    answers = _answers(model, 2, proactive_governance=1, open_governance=4)
    result = score_answers(model, answers)
    found = {d.id: d for d in result.diagnostics}["gouvernance_desequilibree"]
    assert "« Gouvernance proactive »" in found.message
    assert found.message.index("« Gouvernance proactive »") < found.message.index(
        "« Gouvernance ouverte et co-création »"
    )
    assert "le versant le plus faible" in found.message
    english = score_answers(model, answers, lang="en")
    message = {d.id: d for d in english.diagnostics}["gouvernance_desequilibree"].message
    assert "weaker side is “Proactive governance”" in message


def test_side_sentence_formats_numbers_per_language(model: Model) -> None:
    rule = GapRule(left=("proactive_governance",), right=("open_governance",), min_gap=25)
    side = weaker_side(rule, {"proactive_governance": 41.66, "open_governance": 75.0})
    assert side is not None
    assert "41,7 sur 100, contre 75,0" in side_sentence(model, side, "fr")
    assert "41.7 out of 100, against 75.0" in side_sentence(model, side, "en")
