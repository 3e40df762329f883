"""The co-évaluation statistics against a direct numpy computation, group by group."""

from __future__ import annotations

import numpy as np
import pytest

from maturity.grid import NA_CELL, NO_ANSWER
from maturity.model import DEFAULT_MODEL_PATH, Model, ModelError, parse_model
from maturity.voices import (
    GroupMeans,
    divergence,
    group_moments,
    group_sizes,
    level_counts,
    perception_gaps,
    shown_means,
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
    stats = divergence(cells, groups, shown, 2.0, 1.25)
    # only the shown groups are computed, in group order
    np.testing.assert_array_equal(stats.by_role.groups, np.flatnonzero(shown.ravel()))
    mean = dict(zip(stats.by_role.groups.tolist(), stats.by_role.mean.T, strict=True))
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
                    assert mean[t * ROLES + r][q] == pytest.approx(np.mean(values))
                    means.append(np.mean(values))
                elif shown[t, r]:
                    assert np.isnan(mean[t * ROLES + r][q])
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
    stats = divergence(cells, groups, shown, 2.0, 5.0)
    assert stats.by_role.groups.tolist() == [1] and stats.by_role.mean.tolist() == [[0.0]]
    assert np.isnan(stats.spread[0, 0]) and not stats.divergent[0, 0]
    assert stats.overall_mean[0, 0] == 1.0  # the élu still counts in the overall distribution


@pytest.mark.parametrize(
    ("dtype", "scale"),
    [(np.int8, 1), (np.int32, 30_000), (np.float64, 1)],  # 30,000: sums beyond 32 bits
)
def test_group_moments_match_a_direct_computation(dtype: type[np.number], scale: int) -> None:
    cells, groups, *_ = _random_voices(11, respondents=60)
    wide = np.where(cells >= 0, cells.astype(np.int64) * scale, cells)
    values = wide.astype(dtype)
    if values.dtype.kind == "f":
        values[values < 0] = np.nan  # a float grid marks a missing value with NaN
    moments = group_moments(values, groups, 3 * ROLES)
    for g in range(3 * ROLES):
        mine = wide[:, groups == g]
        kept = np.where(mine >= 0, mine, 0)
        np.testing.assert_array_equal(moments.n[:, g], (mine >= 0).sum(axis=1))
        np.testing.assert_array_equal(moments.total[:, g], kept.sum(axis=1))
        np.testing.assert_array_equal(moments.squares[:, g], (kept * kept).sum(axis=1))


def test_dimension_scores_by_role_ignore_missing_scores() -> None:
    scores = np.array([[80.0, np.nan, 20.0, 40.0]])
    moments = group_moments(scores, np.array([0, 0, 1, 1]), 2)
    assert moments.n.tolist() == [[1, 2]] and moments.total.tolist() == [[80.0, 60.0]]


@pytest.mark.parametrize("seed", [4, 5, 20261206])
def test_shown_means_read_only_the_shown_groups(seed: int) -> None:
    print("seed", seed)  # reproduces a failure
    scores = np.random.default_rng(seed).uniform(0, 100, size=(3, 40))
    scores[:, ::7] = np.nan  # a respondent with no score in a dimension
    _, groups, *_ = _random_voices(seed)
    shown = group_sizes(groups, 3 * ROLES).reshape(3, ROLES) >= 3
    means = shown_means(scores, groups, shown)
    assert means.groups.tolist() == np.flatnonzero(shown.ravel()).tolist()
    for at, group in enumerate(means.groups):
        mine = scores[:, groups == group]
        np.testing.assert_allclose(means.mean[:, at], np.nanmean(mine, axis=1))


def test_perception_gap_follows_the_model_rule(model: Model) -> None:
    coev = model.coevaluation
    assert coev is not None
    dims = [d.id for d in model.dimensions]
    role = coev.role_index()
    roles = len(coev.roles)
    # two territories, each with a shown élu group and a shown habitant group
    groups = np.array(
        [role["elu"], role["habitant"], roles + role["elu"], roles + role["habitant"]]
    )
    scores = np.full((len(dims), groups.size), np.nan)
    scores[dims.index("open_governance")] = [80.0, 40.0, 50.0, 45.0]
    found = perception_gaps(coev, dims, GroupMeans(groups, scores), 2)
    hits = {rule.id: (gap, hit) for rule, gap, hit in found}
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
