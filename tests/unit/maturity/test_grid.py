"""The answer grid: the long answers laid out wide, whatever the order and dtypes they come in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from maturity.grid import NA_CELL, NO_ANSWER, answer_cells, answer_grid, cell_dtype, question_dtype
from maturity.model import Model, parse_model
from maturity.scoring import answers_frame, next_steps, score

SETS: dict[str, dict[str, int | str]] = {
    "b": {"a1": 3, "b1": "na", "c1": "unknown"},
    "a": {"a2": 4, "b2": 7},
    "c": {},
    "d": {"a1": "unknown"},
}


def test_cells_encode_values_na_and_missing(mini_model: Model) -> None:
    grid = answer_grid(mini_model, answers_frame(SETS, mini_model))
    assert grid["assessment"].to_list() == ["a", "b", "c", "d"]
    row = grid.filter(pl.col("assessment") == "b").row(0, named=True)
    assert (row["a1"], row["b1"], row["c1"], row["a2"]) == (3, NA_CELL, NO_ANSWER, NO_ANSWER)
    assert grid.columns[1:] == [q.id for _, q in mini_model.iter_questions()]


def test_assessments_without_any_answer_keep_their_row(mini_model: Model) -> None:
    grid = answer_grid(mini_model, answers_frame(SETS, mini_model))
    for key in ("c", "d"):
        cells = grid.filter(pl.col("assessment") == key).drop("assessment").row(0)
        assert set(cells) == {NO_ANSWER}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_row_order_does_not_matter(mini_model: Model, seed: int) -> None:
    frame = answers_frame(SETS, mini_model)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=seed)
    assert_frame_equal(answer_grid(mini_model, shuffled), answer_grid(mini_model, frame))
    ordered, mixed = score(mini_model, frame), score(mini_model, shuffled)
    assert_frame_equal(mixed.summary, ordered.summary)
    assert_frame_equal(
        mixed.dimensions.sort("assessment", "dimension"),
        ordered.dimensions.sort("assessment", "dimension"),
    )


def test_string_and_enum_question_ids_agree(mini_model: Model) -> None:
    as_enum = answers_frame(SETS, mini_model)
    as_strings = answers_frame(SETS)
    assert as_enum.schema["question"] == question_dtype(mini_model)
    assert as_strings.schema["question"] == pl.String
    assert_frame_equal(answer_grid(mini_model, as_strings), answer_grid(mini_model, as_enum))


def test_an_unknown_question_id_is_refused(mini_model: Model) -> None:
    frame = answers_frame({"x": {"zz": 1}})
    with pytest.raises(pl.exceptions.InvalidOperationError):
        answer_grid(mini_model, frame)


def test_integer_keys_and_lazy_input(mini_model: Model) -> None:
    frame = answers_frame(SETS, mini_model)
    codes = {"a": 30, "b": 10, "c": 20, "d": 40}
    numbered = frame.with_columns(pl.col("assessment").replace_strict(codes, return_dtype=pl.Int64))
    grid = answer_grid(mini_model, numbered.lazy())
    assert grid["assessment"].to_list() == [10, 20, 30, 40]
    by_code = answer_grid(mini_model, frame).with_columns(
        pl.col("assessment").replace_strict(codes, return_dtype=pl.Int64)
    )
    assert_frame_equal(grid, by_code.sort("assessment"))


def test_next_steps_with_the_scores_equal_the_separate_call(mini_model: Model) -> None:
    frame = answers_frame(SETS, mini_model)
    together = score(mini_model, frame, with_next_steps=True).next_steps
    assert together is not None
    assert_frame_equal(together, next_steps(mini_model, frame))
    assert score(mini_model, frame).next_steps is None


def test_cells_are_one_row_per_question_in_the_narrowest_integer(mini_model: Model) -> None:
    keys, cells = answer_cells(mini_model, answers_frame(SETS, mini_model))
    assert cells.shape == (len(mini_model.questions), 4)
    assert cells.dtype == np.int8 and cells.flags.c_contiguous
    grid = answer_grid(mini_model, answers_frame(SETS, mini_model))
    for i, qid in enumerate(grid.columns[1:]):
        assert cells[i].tolist() == grid[qid].to_list()
    assert keys.to_list() == grid["assessment"].to_list()


def test_a_wide_points_scale_widens_the_cells(mini_model: Model) -> None:
    text = (Path(__file__).parents[2] / "fixtures" / "mini-model.toml").read_text(encoding="utf-8")
    wide = parse_model(text.replace("max = 10", "max = 1000"), name="wide.toml")
    assert cell_dtype(mini_model) == np.int8 and cell_dtype(wide) == np.int16
    scores = score(wide, answers_frame({"x": {"b1": 4, "b2": 900}}, wide))
    # b = 100 × (4/4 + 900/1000) / 2 = 95, beyond what an int8 cell could hold
    row = scores.dimensions.filter(pl.col("dimension") == "b").row(0, named=True)
    assert row["score"] == pytest.approx(95.0)
