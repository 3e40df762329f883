"""Loading and validation of model files: precise errors naming the file, the item, the rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from maturity.model import DEFAULT_MODEL_PATH, Model, ModelError, load_model, parse_model

FIXTURE = Path(__file__).parents[2] / "fixtures" / "mini-model.toml"


def test_shipped_model_has_the_designed_shape(model: Model) -> None:
    assert model.version == "2026.1"
    assert [p.id for p in model.pillars] == ["usages", "gouvernance"]
    pillars = {d.id: d.pillar for d in model.dimensions}
    assert pillars == {
        "strategy": "usages",
        "use_cases": "usages",
        "foundations": "usages",
        "evaluation": "usages",
        "proactive_governance": "gouvernance",
        "organisation": "gouvernance",
        "partnerships": "gouvernance",
        "open_governance": "gouvernance",
    }
    assert all(4 <= len(d.questions) <= 6 for d in model.dimensions)
    assert 36 <= len(model.questions) <= 44
    for _, q in model.iter_questions():
        assert len(q.levels) == 5 and all(lv.en for lv in q.levels), q.id
        assert q.label.en and q.help is not None, q.id
    assert {"gouvernance_desequilibree", "techno_solutionnisme", "evaluation_absente"} <= {
        d.id for d in model.diagnostics
    }
    assert [lv.min for lv in model.levels] == [0, 20, 40, 60, 80]


def test_shipped_model_cites_the_reference_article() -> None:
    assert "hal-04355998" in DEFAULT_MODEL_PATH.read_text(encoding="utf-8")


def mutate(old: str, new: str) -> str:
    text = FIXTURE.read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id = "a2"', 'id = "a1"', "question « a1 » : identifiant en double"),
        ('id = "b"\n', 'id = "a"\n', "dimension « a » : identifiant en double"),
        ("weight = 3", "weight = 0", "question « a2 » : le poids doit être > 0"),
        ("weight = 2", "weight = -1", "dimension « b » : le poids doit être > 0"),
        ('pillar = "p2"', 'pillar = "p9"', "dimension « c » : pilier inconnu « p9 »"),
        (
            '{ fr = "c1-3" }, { fr = "c1-4" }]',
            '{ fr = "c1-3" }]',
            "question « c1 » : 4 descripteurs de niveau, il en faut 5",
        ),
        ("max = 10", "max = 0", "question « b2 » : « max » doit être ≥ 1"),
        (
            'right = ["c"]',
            'right = ["zz"]',
            "diagnostic « gap_ac » : dimension ou pilier inconnu « zz »",
        ),
        ("min = 40", "min = 10", "niveaux : les seuils doivent être strictement croissants"),
        (
            'label = { fr = "Question B1" }',
            'label = { fr = "Question B1" }\ncolour = "red"',
            "unknown field `colour`",
        ),
        ("min_gap = 25, absolute", "min_gap = 'x', absolute", "Expected `float`"),
        ('id = "mini"', 'id = "mini', "TOML invalide"),
    ],
)
def test_invalid_models_are_refused_with_a_precise_message(
    old: str, new: str, message: str
) -> None:
    with pytest.raises(ModelError) as caught:
        parse_model(mutate(old, new), name="essai.toml")
    assert caught.value.args[0].startswith("essai.toml : ")
    assert message in str(caught.value)


def test_every_problem_is_listed_at_once() -> None:
    text = mutate("weight = 3", "weight = 0").replace('pillar = "p2"', 'pillar = "p9"')
    with pytest.raises(ModelError, match=r"\(3 erreur\(s\)\)"):
        # the bad weight, the unknown pillar, and pillar p2 left without dimensions
        parse_model(text, name="essai.toml")


def test_points_model_without_levels_needs_cap_disabled() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    body = text[text.index("[[pillars]]") :]
    header = '[model]\nid = "pts"\nversion = "1"\ntitle = { fr = "Points" }\n\n'
    with pytest.raises(ModelError, match="niveaux absents"):
        parse_model(header + body)
    model = parse_model("cap_levels = false\n" + header + body)
    assert model.levels == () and model.level_for(50) is None


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"absent\.toml : lecture impossible"):
        load_model(tmp_path / "absent.toml")
