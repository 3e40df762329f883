"""The answer grid: a long answer frame laid out as one small integer per (question, assessment),
so that every formula of the engine is a sum over a few contiguous rows of one numpy matrix.

An assessment has at most one answer per question, so the grid is filled by writing each
answer at its (assessment, question) position: no grouping, no hashing of composite keys.
"""

from __future__ import annotations

from typing import Final, NamedTuple

import numpy as np
import polars as pl

from maturity.model import Model

__all__ = [
    "NA_CELL",
    "NO_ANSWER",
    "STATUS",
    "AnswerCells",
    "answer_cells",
    "answer_grid",
    "answer_schema",
    "cell_dtype",
    "question_dtype",
]

NA: Final = "na"
UNKNOWN: Final = "unknown"
NA_CELL: Final = -1
"""A "non concerné" answer in the grid (a level or number of points is itself)."""
NO_ANSWER: Final = -2
"""An unknown or absent answer in the grid: plain integers, no null masks to carry."""

STATUS: Final = pl.Enum(["value", NA, UNKNOWN])
"""The ``status`` column: a value (level or points), "non concerné" or "je ne sais pas"."""


class AnswerCells(NamedTuple):
    """The grid: ``keys`` holds the assessments (sorted, every key present in the answers,
    even one with no answer at all); ``cells[i, j]`` is the answer of assessment ``keys[j]``
    to the model's ``i``-th question, so the questions of a dimension are contiguous rows."""

    keys: pl.Series
    cells: np.ndarray


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


def cell_dtype(model: Model) -> type[np.signedinteger]:
    """The narrowest integer that holds every answer of `model`: a narrow grid is read faster."""
    top = max((q.top for _, q in model.iter_questions()), default=0)
    return next(t for t in (np.int8, np.int16, np.int32) if top <= np.iinfo(t).max)


def answer_cells(model: Model, answers: pl.DataFrame | pl.LazyFrame) -> AnswerCells:
    """The grid of a long answer frame (see `answer_schema`; the assessment key may be of any
    sortable dtype): a level or points value is itself, `NA_CELL` "non concerné", `NO_ANSWER`
    an unknown or absent answer."""
    frame = answers.collect() if isinstance(answers, pl.LazyFrame) else answers
    ids = question_dtype(model)
    key = frame.get_column("assessment")
    # the grid row of each answer: its key's rank; the answers of one assessment usually come
    # together and in key order (the database, `answers_frame`), then that rank is a run id
    # (a platform integer: numpy scatters three times slower through any other)
    if key.is_sorted():
        runs = key.rle().struct  # one pass: each run's key and length
        keys = runs.field("value")
        lengths = runs.field("len").to_numpy()
        row = np.repeat(np.arange(len(lengths), dtype=np.intp), lengths)
    else:
        keys = key.unique().sort()
        row = np.array((key.rank("dense") - 1).to_numpy(), dtype=np.intp)  # writable
    question = frame.get_column("question")
    if question.dtype != ids:
        question = question.cast(pl.String).cast(ids)
    if question.null_count():
        # the placeholder row `answers_frame` writes for an empty answer set: its key has a
        # grid column (taken above), its null question no cell
        kept = question.is_not_null()
        frame, question, row = frame.filter(kept), question.filter(kept), row[kept.to_numpy()]
    cell = frame.select(
        pl.when(pl.col("status") == "value")
        .then(pl.col("value"))
        .when(pl.col("status") == NA)
        .then(NA_CELL)
        .otherwise(NO_ANSWER)
    ).to_series()
    width, n = len(ids.categories), keys.len()
    # numpy's scatter is several times faster than polars' `Series.scatter`, and faster still
    # written assessment by assessment (the answers' own order) and then transposed
    at = np.multiply(row, width, out=row)
    at += question.to_physical().to_numpy()
    flat = np.full(n * width, NO_ANSWER, dtype=cell_dtype(model))
    flat[at] = cell.to_numpy().astype(flat.dtype)  # and of the grid's own dtype (4 times)
    return AnswerCells(keys.alias("assessment"), np.ascontiguousarray(flat.reshape(n, width).T))


def answer_grid(model: Model, answers: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """The grid as a frame, to read or test it: ``assessment`` then one Int32 column per
    question in model order."""
    keys, cells = answer_cells(model, answers)
    columns = [
        pl.Series(qid, cells[i], dtype=pl.Int32)
        for i, qid in enumerate(question_dtype(model).categories)
    ]
    return pl.DataFrame([keys, *columns])
