"""The service's registry of editions chains mapping files when no direct one exists: a
campaign on test.3 pre-fills and compares answers of test.1 through test.2."""

from __future__ import annotations

from pathlib import Path

import pytest

from maturity.editions import AnswerSet, migrate
from maturity.model import load_model
from service.assessments.editions import Editions
from tests.unit.service.test_cli import _chain_dir


@pytest.fixture
def registry(tmp_path: Path) -> Editions:
    folder = _chain_dir(tmp_path)
    return Editions(load_model(folder / "test.3.toml"), folder, folder)


def test_the_registry_composes_a_chain(registry: Editions) -> None:
    registry.check()
    composed = registry.mapping("test.1", "test.3")
    assert composed is not None and (composed.source, composed.target) == ("test.1", "test.3")
    one, two, three = (registry.get(v) for v in ("test.1", "test.2", "test.3"))
    answers = AnswerSet({"a1": 2, "a2": "na", "b1": 4, "b2": 7, "b3": 2, "c1": 1, "c2": 4})
    middle = migrate(registry.mapping("test.1", "test.2"), one, two, answers).result  # type: ignore[arg-type]
    twice = migrate(registry.mapping("test.2", "test.3"), two, three, middle).result  # type: ignore[arg-type]
    assert migrate(composed, one, three, answers).result.answers == twice.answers
    basis = registry.basis("test.1", "test.3")
    assert basis is not None and basis.pairs["a1.suite"] == "a1"
    assert registry.mapping("test.3", "test.1") is None  # mappings go one way
