"""The polars engine against the plain-Python oracle, and invariants, on generated answers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.model import Model
from maturity.scoring import answers_frame, next_steps, score
from tests.oracle import OracleResult, oracle_score

Answers = dict[str, int | str]


def answer_sets(model: Model) -> st.SearchStrategy[Answers]:
    """Any valid answer set: each question a value, na (if allowed), unknown or absent."""

    def one(question_allows_na: bool, top: int) -> st.SearchStrategy[int | str | None]:
        choices: list[st.SearchStrategy[int | str | None]] = [
            st.integers(0, top),
            st.integers(0, top),
            st.just("unknown"),
            st.none(),
        ]
        if question_allows_na:
            choices.append(st.just("na"))
        return st.one_of(*choices)

    fields = {q.id: one(q.allows_na, q.top) for _, q in model.iter_questions()}
    return st.fixed_dictionaries(fields).map(
        lambda d: {k: v for k, v in d.items() if v is not None}
    )


def engine_scores(model: Model, sets: list[Answers]) -> list[OracleResult]:
    """Run the polars engine on a batch and reshape its frames like the oracle's results."""
    keys = [f"t{i:03d}" for i in range(len(sets))]
    frame = answers_frame(dict(zip(keys, sets, strict=True)))
    scores, steps = score(model, frame), next_steps(model, frame)
    out = {k: OracleResult() for k in keys}
    for r in out.values():  # a dimension without any answer has no row in the frame
        r.dimensions = dict.fromkeys((d.id for d in model.dimensions), None)
        r.completeness = dict.fromkeys(r.dimensions, 0.0)
        r.incomplete = dict.fromkeys(r.dimensions, True)
    for row in scores.dimensions.iter_rows(named=True):
        r = out[row["assessment"]]
        r.dimensions[row["dimension"]] = row["score"]
        r.completeness[row["dimension"]] = row["completeness"]
        r.incomplete[row["dimension"]] = row["incomplete"]
    for row in scores.summary.iter_rows(named=True):
        r = out[row["assessment"]]
        r.index, r.level = row["index"], row["level"]
        r.pillars = {p.id: row[f"pillar:{p.id}"] for p in model.pillars}
    for row in scores.diagnostics.iter_rows(named=True):
        out[row["assessment"]].diagnostics.append(row["diagnostic"])
    for row in steps.iter_rows(named=True):
        out[row["assessment"]].next_steps.append((row["question"], row["next_level"]))
    return [out[k] for k in keys]


def close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (
        a is not None and b is not None and math.isclose(a, b, abs_tol=1e-9)
    )


def assert_same(model: Model, engine: OracleResult, oracle: OracleResult) -> None:
    for d in model.dimensions:
        assert close(engine.dimensions[d.id], oracle.dimensions[d.id]), d.id
        assert close(engine.completeness[d.id], oracle.completeness[d.id]), d.id
        assert engine.incomplete[d.id] == oracle.incomplete[d.id], d.id
    for p in model.pillars:
        assert close(engine.pillars[p.id], oracle.pillars[p.id]), p.id
    assert close(engine.index, oracle.index)
    assert engine.level == oracle.level
    assert engine.diagnostics == oracle.diagnostics
    assert sorted(engine.next_steps) == sorted(oracle.next_steps)


@pytest.fixture(scope="module", params=["model", "current_model", "mini_model"])
def any_model(request: pytest.FixtureRequest) -> Model:
    model: Model = request.getfixturevalue(request.param)
    return model


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_engine_matches_oracle(any_model: Model, data: st.DataObject) -> None:
    sets = data.draw(st.lists(answer_sets(any_model), min_size=1, max_size=8))
    for engine, answers in zip(engine_scores(any_model, sets), sets, strict=True):
        assert_same(any_model, engine, oracle_score(any_model, answers))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_scores_are_within_bounds(model: Model, data: st.DataObject) -> None:
    (result,) = engine_scores(model, [data.draw(answer_sets(model))])
    values = [result.index, *result.pillars.values(), *result.dimensions.values()]
    assert all(v is None or 0 <= v <= 100 for v in values)
    assert result.level is None or 1 <= result.level <= len(model.levels)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_raising_an_answer_never_lowers_its_dimension(model: Model, data: st.DataObject) -> None:
    answers = data.draw(answer_sets(model))
    raisable = [
        qid
        for qid, (_, q) in model.questions.items()
        if isinstance(answers.get(qid), int) and answers[qid] < q.top  # type: ignore[operator]
    ]
    if not raisable:
        return
    qid = data.draw(st.sampled_from(raisable))
    raised = {**answers, qid: answers[qid] + 1}  # type: ignore[operator]
    before, after = engine_scores(model, [answers, raised])
    dim = model.questions[qid][0].id
    assert after.dimensions[dim] >= before.dimensions[dim]  # type: ignore[operator]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_adding_na_answers_changes_no_score(model: Model, data: st.DataObject) -> None:
    answers = data.draw(answer_sets(model))
    optional = [
        qid for qid, (_, q) in model.questions.items() if q.allows_na and qid not in answers
    ]
    chosen = data.draw(st.lists(st.sampled_from(optional), unique=True)) if optional else []
    with_na = {**answers, **dict.fromkeys(chosen, "na")}
    before, after = engine_scores(model, [answers, with_na])
    assert all(close(before.dimensions[d], after.dimensions[d]) for d in before.dimensions)
    assert close(before.index, after.index) and before.level == after.level
