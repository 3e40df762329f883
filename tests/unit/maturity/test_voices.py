"""The co-évaluation statistics against a direct numpy computation, group by group."""

from __future__ import annotations

import numpy as np
import pytest

from maturity.grid import NA_CELL, NO_ANSWER
from maturity.model import DEFAULT_MODEL_PATH, Model, ModelError, parse_model
from maturity.voices import (
    divergence,
    group_moments,
    group_sizes,
    level_counts,
    perception_gaps,
)

ROLES = 4


def _random_voices(
    seed: int, territories: int = 3, respondents: int = 40, questions: int = 12
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A random grid (with "non concerné" and unknown cells) and each respondent's group."""
    rng = np.random.default_rng(seed)
    cells = rng.integers(0, 5, size=(questions, respondents)).astype(np.int8)
    holes = rng.random(cells.shape)
    cells[holes < 0.1] = NA_CELL
    cells[(holes >= 0.1) & (holes < 0.2)] = NO_ANSWER
    territory = rng.integers(0, territories, size=respondents)
    role = rng.integers(0, ROLES, size=respondents)
    return cells, territory * ROLES + role, territory, role


@pytest.mark.parametrize("seed", [1, 2, 3, 20261206])
def test_divergence_matches_a_direct_numpy_computation(seed: int) -> None:
    print("seed", seed)  # reproduces a failure
    cells, groups, territory, role = _random_voices(seed)
    territories = 3
    sizes = group_sizes(groups, territories * ROLES).reshape(territories, ROLES)
    shown = sizes >= 3
    stats = divergence(group_moments(cells, groups, territories * ROLES), shown, 2.0, 1.25)
    for q in range(cells.shape[0]):
        for t in range(territories):
            mine = cells[q, territory == t]
            answered = mine[mine >= 0].astype(float)
            assert stats.answered[q, t] == answered.size
            if answered.size:
                assert stats.overall_mean[q, t] == pytest.approx(np.mean(answered))
                assert stats.overall_sd[q, t] == pytest.approx(np.std(answered), abs=1e-9)
            means = []
            for r in range(ROLES):
                values = cells[q, (territory == t) & (role == r)]
                values = values[values >= 0].astype(float)
                if shown[t, r] and values.size:
                    assert stats.mean[q, t, r] == pytest.approx(np.mean(values))
                    means.append(np.mean(values))
                else:
                    assert np.isnan(stats.mean[q, t, r])
            spread = max(means) - min(means) if len(means) >= 2 else np.nan
            np.testing.assert_allclose(stats.spread[q, t], spread)
            sd = np.std(answered) if answered.size else np.nan
            expected = (len(means) >= 2 and spread >= 2.0) or bool(sd >= 1.25)
            assert bool(stats.divergent[q, t]) == expected


def test_level_counts_are_the_distribution_of_answers() -> None:
    cells, groups, *_ = _random_voices(7, territories=1)
    counts = level_counts(cells, groups, ROLES, 5)
    for q in range(cells.shape[0]):
        for g in range(ROLES):
            values = cells[q, groups == g]
            expected = np.bincount(values[values >= 0], minlength=5)
            np.testing.assert_array_equal(counts[q, g], expected)


def test_small_groups_are_hidden_and_never_make_a_divergence() -> None:
    # one élu at 4 against three services at 0: the élu's group (1 < 3) is hidden
    cells = np.array([[4, 0, 0, 0]], dtype=np.int8)
    groups = np.array([0, 1, 1, 1])
    shown = group_sizes(groups, 2).reshape(1, 2) >= 3
    stats = divergence(group_moments(cells, groups, 2), shown, 2.0, 5.0)
    assert np.isnan(stats.mean[0, 0, 0]) and stats.mean[0, 0, 1] == 0
    assert np.isnan(stats.spread[0, 0]) and not stats.divergent[0, 0]
    assert stats.overall_mean[0, 0] == 1.0  # the élu still counts in the overall distribution


def test_dimension_scores_by_role_ignore_missing_scores() -> None:
    scores = np.array([[80.0, np.nan, 20.0, 40.0]])
    moments = group_moments(scores, np.array([0, 0, 1, 1]), 2)
    assert moments.n.tolist() == [[1, 2]] and moments.total.tolist() == [[80.0, 60.0]]


def test_perception_gap_follows_the_model_rule(model: Model) -> None:
    coev = model.coevaluation
    assert coev is not None
    dims = [d.id for d in model.dimensions]
    role = coev.role_index()
    scores = np.full((len(dims), 2, len(coev.roles)), np.nan)
    gov = dims.index("open_governance")
    scores[gov, :, role["elu"]] = [80.0, 50.0]
    scores[gov, :, role["habitant"]] = [40.0, 45.0]
    hits = {rule.id: (gap, hit) for rule, gap, hit in perception_gaps(coev, dims, scores)}
    gap, hit = hits["ouverture_percue"]
    np.testing.assert_allclose(gap, [40.0, 5.0])
    assert hit.tolist() == [True, False]
    assert not hits["pilotage_percu"][1].any()  # no score on either side: never triggers


def test_the_model_file_validates_its_coevaluation_table(model: Model) -> None:
    source = DEFAULT_MODEL_PATH.read_text(encoding="utf-8")
    broken = source.replace('high = ["elu"]', 'high = ["maire"]').replace(
        'question = "evaluation.usage_and_satisfaction"', 'question = "evaluation.nope"'
    )
    with pytest.raises(ModelError) as caught:
        parse_model(broken, name="2026.1.toml")
    message = str(caught.value)
    assert (
        "rôle inconnu « maire »" in message and "question inconnue « evaluation.nope »" in message
    )
    assert model.coevaluation is not None and model.coevaluation.min_group == 3
