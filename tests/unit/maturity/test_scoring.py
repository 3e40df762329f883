"""Hand-computed cases of DESIGN §3 on the mini model (tests/fixtures/mini-model.toml).

Mini model: dimension a (p1) = a1 (w1) + a2 (w3, na allowed); b (p1, weight 2) = b1 + b2
(points 0..10); c (p2) = c1 (na allowed). Levels at 0/20/40/60/80, capped.
"""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest

from maturity.grid import answer_cells
from maturity.model import Model
from maturity.peers import long_scores
from maturity.results import score_answers
from maturity.score_matrix import score_matrix, scored_matrix
from maturity.scoring import (
    AnswerError,
    AnswerValue,
    answers_frame,
    metric_scores,
    score,
    validate_answers,
)


def dims(model: Model, answers: dict[str, int | str]) -> dict[str, float | None]:
    return {d.id: d.score for d in score_answers(model, answers).dimensions}


def test_weighted_dimension_score(mini_model: Model) -> None:
    # a = 100 × (1·2/4 + 3·4/4) / (1 + 3) = 87.5 ; b = 100 × (3/4 + 5/10) / 2 = 62.5
    assert dims(mini_model, {"a1": 2, "a2": 4, "b1": 3, "b2": 5, "c1": 1}) == {
        "a": 87.5,
        "b": 62.5,
        "c": 25.0,
    }


def test_index_and_pillars_use_dimension_weights(mini_model: Model) -> None:
    result = score_answers(mini_model, {"a1": 2, "a2": 4, "b1": 3, "b2": 5, "c1": 1})
    # index = (1·87.5 + 2·62.5 + 1·25) / 4 = 59.375 ; p1 = (87.5 + 125) / 3
    assert result.index == 59.38
    assert [p.score for p in result.pillars] == [70.83, 25.0]


def test_na_leaves_question_out_of_both_sums(mini_model: Model) -> None:
    with_na = score_answers(mini_model, {"a1": 3, "a2": "na", "c1": "na"})
    a, _, c = with_na.dimensions
    assert (a.score, a.completeness, a.incomplete) == (75.0, 1.0, False)
    assert (c.score, c.completeness, c.incomplete) == (None, None, False)


def test_a_dimension_left_blank_is_zero_complete(mini_model: Model) -> None:
    _, b, c = score_answers(mini_model, {"a1": 3, "c1": "unknown"}).dimensions
    assert (b.score, b.completeness, b.incomplete) == (None, 0.0, True)
    assert (c.score, c.completeness, c.incomplete) == (None, 0.0, True)


def test_unknown_and_absent_count_as_missing(mini_model: Model) -> None:
    explicit = score_answers(mini_model, {"a1": 3, "a2": "unknown"})
    absent = score_answers(mini_model, {"a1": 3})
    assert explicit == absent
    a = explicit.dimensions[0]
    assert (a.score, a.completeness, a.incomplete) == (75.0, 0.5, True)


def test_incomplete_threshold_is_strictly_below_80_percent(model: Model) -> None:
    dim = next(d for d in model.dimensions if len(d.questions) == 5)
    answers: dict[str, int | str] = {q.id: 2 for q in dim.questions[:4]}  # 4/5 = 0.8
    result = {d.id: d for d in score_answers(model, answers).dimensions}[dim.id]
    assert (result.completeness, result.incomplete) == (0.8, False)
    answers.pop(dim.questions[0].id)  # 3/5 = 0.6
    result = {d.id: d for d in score_answers(model, answers).dimensions}[dim.id]
    assert (result.completeness, result.incomplete) == (0.6, True)


def test_level_is_capped_by_lowest_dimension(mini_model: Model) -> None:
    # a = 100, b = 100, c = 0: index = 75 → level 4 by index, capped at 1 + level(c)=1 → 2
    result = score_answers(mini_model, {"a1": 4, "a2": 4, "b1": 4, "b2": 10, "c1": 0})
    assert result.index == 75.0
    assert (result.level, result.level_label) == (2, "Émergent")


def test_level_bands_without_cap_effect(mini_model: Model) -> None:
    result = score_answers(mini_model, {"a1": 4, "a2": 4, "b1": 4, "b2": 10, "c1": 4})
    assert (result.index, result.level, result.level_label) == (100.0, 5, "Transformant")
    result = score_answers(mini_model, {"a1": 2, "a2": 2, "b1": 2, "b2": 5, "c1": 2})
    assert (result.index, result.level) == (50.0, 3)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"a1": 4, "a2": 4, "c1": 3}, ["gap_ac"]),  # |100 − 75| = 25: inclusive threshold
        ({"a1": 3, "a2": 4, "c1": 3}, []),  # |93.75 − 75| < 25
        ({"a1": 0, "a2": 0, "c1": 2}, ["gap_ac"]),  # absolute gap
        ({"a1": 2, "a2": 2, "b1": 4, "b2": 10, "c1": 1}, ["gap_ac", "b_over_ac"]),
        ({"a1": 4, "a2": 4, "b1": 4, "b2": 10, "c1": 0}, ["gap_ac", "b_over_ac", "c_low"]),
        ({"a1": 0, "a2": 1, "b1": 0, "b2": 0, "c1": 0}, []),  # c low but index < 40
    ],
)
def test_diagnostics(mini_model: Model, answers: dict[str, int], expected: list[str]) -> None:
    result = score_answers(mini_model, answers)
    assert [d.id for d in result.diagnostics] == expected


def test_next_steps_are_next_descriptors_of_weakest_questions(mini_model: Model) -> None:
    result = score_answers(mini_model, {"a1": 1, "a2": 1, "b1": 4, "b2": 7, "c1": 4})
    steps = [(s.question, s.next_level, s.descriptor) for s in result.next_steps]
    assert steps == [
        ("a1", 2, "a1-2"),
        ("a2", 2, "a2-2"),
        ("b2", 8, "Passer de 7 à 8 points sur 10."),
    ]


def test_validation_names_every_offending_question(mini_model: Model) -> None:
    with pytest.raises(AnswerError) as caught:
        validate_answers(
            mini_model, {"zz": 1, "a1": 5, "b1": "na", "c1": "peut-être", "a2": True, "b2": 10}
        )
    assert [p.question for p in caught.value.problems] == ["zz", "a1", "b1", "c1", "a2"]
    assert "hors de l'échelle 0 à 4" in caught.value.problems[1].message


def test_batch_scoring_matches_one_by_one(mini_model: Model) -> None:
    sets: dict[str, dict[str, AnswerValue]] = {
        "x": {"a1": 4, "b1": 1, "c1": "na"},
        "y": {},
        "z": {"a2": 2, "b2": 3, "c1": 4},
    }
    batch = score(mini_model, answers_frame(sets))
    assert batch.summary["assessment"].to_list() == ["x", "y", "z"]
    singles = [score_answers(mini_model, sets[k]).index for k in ("x", "y", "z")]
    assert [None if v is None else round(v, 2) for v in batch.summary["index"]] == singles


@pytest.mark.parametrize("seed", [1, 2])
def test_the_engine_hands_over_the_matrix_of_its_long_scores(model: Model, seed: int) -> None:
    rng = random.Random(seed)
    sets: dict[str, dict[str, AnswerValue]] = {}
    for i in range(40):
        # some dimensions left blank: no score there, nor for the last set
        skipped = {d.id for d in model.dimensions if rng.random() < 0.2}
        sets[f"a{i:02}"] = {
            q.id: rng.choice([*range(q.top + 1), "unknown", *(["na"] * 3 * q.allows_na)])
            for d, q in model.iter_questions()
            if d.id not in skipped
        }
    sets["a40"] = {}
    codes = pl.Series([f"T{i}" for i in rng.sample(range(100), 60)])  # 19 without assessment
    rows = np.arange(len(sets)) + 5  # a territory per assessment, in the keys' order
    frame = answers_frame(sets, model)
    territory = {key: codes[int(row)] for key, row in zip(sets, rows, strict=True)}
    long = long_scores(score(model, frame))
    expected = score_matrix(
        codes, long.with_columns(territory=pl.col("assessment").replace_strict(territory))
    )
    grid = answer_cells(model, frame)
    direct = scored_matrix(codes, rows, metric_scores(model, grid))
    assert direct.metrics == expected.metrics
    np.testing.assert_array_equal(direct.values, expected.values)
