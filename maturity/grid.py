"""The answer grid: a long answer frame turned wide, one row per assessment, one column per
question, so that every formula of the engine is a horizontal expression over a few columns.

An assessment has at most one answer per question, so the grid is filled by writing each
answer at its (assessment, question) position: no grouping, no hashing of composite keys.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import polars as pl

from maturity.model import Model

__all__ = ["NA_CELL", "NO_ANSWER", "STATUS", "answer_grid", "answer_schema", "question_dtype"]

NA: Final = "na"
UNKNOWN: Final = "unknown"
NA_CELL: Final = -1
"""A "non concerné" answer in the grid (a level or number of points is itself)."""
NO_ANSWER: Final = -2
"""An unknown or absent answer in the grid: plain integers, no null masks to carry."""

STATUS: Final = pl.Enum(["value", NA, UNKNOWN])
"""The ``status`` column: a value (level or points), "non concerné" or "je ne sais pas"."""


def question_dtype(model: Model) -> pl.Enum:
    """The model's question ids as an Enum in model order: the ``question`` column's own dtype.

    A String column is accepted too and converted (an unknown id then fails the cast)."""
    return pl.Enum([q.id for _, q in model.iter_questions()])


def answer_schema(model: Model, assessment: pl.DataType | None = None) -> pl.Schema:
    """Long format of answers for `model`: one row per assessment and answered question."""
    return pl.Schema(
        [
            ("assessment", assessment or pl.String()),
            ("question", question_dtype(model)),
            ("value", pl.Int32()),
            ("status", STATUS),
        ]
    )


def answer_grid(model: Model, answers: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """The wide grid of a long answer frame: ``assessment`` (sorted, every key present in
    `answers`, even one with no answer at all), then one Int32 column per question in model
    order holding the level or points, `NA_CELL` for "non concerné", `NO_ANSWER` otherwise."""
    frame = answers.collect() if isinstance(answers, pl.LazyFrame) else answers
    ids = question_dtype(model)
    width = len(ids.categories)
    key = frame.get_column("assessment")
    # row of each answer in the grid: its key's rank; the answers of one assessment usually
    # come together and in key order (the database, `answers_frame`), then a run id is that rank
    if key.is_sorted():
        keys, row = key.rle().struct.field("value").alias("assessment"), key.rle_id()
    else:
        keys, row = key.unique().sort(), key.rank("dense").cast(pl.UInt32) - 1
    question = pl.col("question")
    if frame.schema["question"] != ids:
        question = question.cast(pl.String).cast(ids)
    if frame.get_column("question").null_count():
        # the placeholder row `answers_frame` writes for an empty answer set: its key has a
        # grid row (taken above), its null question no cell
        frame = frame.with_columns(row=row).filter(pl.col("question").is_not_null())
        row = frame.get_column("row")
    n = keys.len()
    placed = frame.select(
        at=question.to_physical().cast(pl.Int64) * n + row,
        cell=pl.when(pl.col("status") == "value")
        .then(pl.col("value"))
        .when(pl.col("status") == NA)
        .then(NA_CELL)
        .otherwise(NO_ANSWER),
    )
    # numpy's scatter into a flat buffer is several times faster than polars' `Series.scatter`;
    # laid out question by question, each column of the grid is then one slice of it
    flat = np.full(width * n, NO_ANSWER, dtype=np.int32)
    flat[placed.get_column("at").to_numpy()] = placed.get_column("cell").to_numpy()
    columns = [pl.Series(qid, flat[i * n : (i + 1) * n]) for i, qid in enumerate(ids.categories)]
    return pl.DataFrame([keys, *columns])
