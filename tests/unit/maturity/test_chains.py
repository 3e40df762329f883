"""Chained mappings (`maturity.chains`): on generated chains A→B→C, the composed mapping is
valid, and migrating through it gives what migrating twice gives; what it refuses, it names."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.chains import ChainError, chain_path, compose
from maturity.editions import AnswerSet, comparability, migrate
from maturity.mapping import EditionMapping, parse_mapping
from maturity.model import Model
from maturity.scoring import validate_answers
from tests.unit.maturity.test_mapping import _toml, answers_for, editions_and_mapping


def _twice(
    chain: tuple[EditionMapping, EditionMapping],
    models: tuple[Model, Model, Model],
    answers: AnswerSet,
) -> dict[str, int | str]:
    first, second = chain
    a, b, c = models
    middle = migrate(first, a, b, answers).result
    return dict(migrate(second, b, c, middle).result.answers)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_composed_chain_migrates_as_the_two_steps_do(data: st.DataObject) -> None:
    a, b, first = data.draw(editions_and_mapping())
    _, c, second = data.draw(editions_and_mapping(b))
    try:
        composed = compose(first, second, (a, b, c))
    except ChainError as refused:
        assert "pas de règle unique" in str(refused) and "« " in str(refused)
        return
    assert (composed.source, composed.target) == (a.version, c.version)
    # valid as a file: written out and read back through the same validation
    assert parse_mapping(_toml(composed), a, c, name="composée").steps == composed.steps
    answers = AnswerSet(validate_answers(a, data.draw(answers_for(a))))
    direct = dict(migrate(composed, a, c, answers).result.answers)
    twice = _twice((first, second), (a, b, c), answers)
    validate_answers(c, direct)
    for qid in direct.keys() | twice.keys():
        if direct.get(qid) != twice.get(qid):
            # the one leniency: « non concerné » crosses a middle question that disallows it
            assert direct.get(qid) == "na" and qid not in twice, (qid, direct, twice)
    # comparable through the chain only where comparable at both steps
    pairs = comparability(composed, a, c).pairs
    first_pairs, second_pairs = (
        comparability(first, a, b).pairs,
        comparability(second, b, c).pairs,
    )
    assert pairs == {t: first_pairs[m] for t, m in second_pairs.items() if m in first_pairs}


def test_the_shortest_chain_is_found() -> None:
    links = [("2026.1", "2027.1"), ("2027.1", "2028.1"), ("2028.1", "2029.1"), ("2026.1", "2028.1")]
    assert chain_path("2026.1", "2029.1", links) == ["2026.1", "2028.1", "2029.1"]
    assert chain_path("2027.1", "2029.1", links) == ["2027.1", "2028.1", "2029.1"]
    assert chain_path("2029.1", "2026.1", links) is None  # mappings go one way
    assert chain_path("2026.1", "2026.1", links) == ["2026.1"]
