"""Loading and validation of model files: precise errors naming the file, the item, the rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from maturity.model import (
    DEFAULT_MODEL_PATH,
    FIRST_MODEL_PATH,
    Model,
    ModelError,
    load_model,
    parse_model,
)

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


@pytest.mark.parametrize("path", [FIRST_MODEL_PATH, DEFAULT_MODEL_PATH])
def test_shipped_model_cites_the_reference_article(path: Path) -> None:
    assert "hal-04355998" in path.read_text(encoding="utf-8")


def test_the_edition_in_force_by_default_is_2027_1(current_model: Model) -> None:
    assert load_model().version == current_model.version == "2027.1"


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
            "diagnostic « gap_ac » : dimension, pilier ou question inconnu « zz »",
        ),
        ("min = 40", "min = 10", "niveaux : les seuils doivent être strictement croissants"),
        (
            'label = { fr = "Question B1" }',
            'label = { fr = "Question B1" }\ncolour = "red"',
            "ligne 60 : question « b1 » : clé inconnue « colour »",
        ),
        (
            "min_gap = 25, absolute",
            "min_gap = 'x', absolute",
            "ligne 80 : diagnostic « gap_ac », « rule.min_gap » : un nombre est attendu, "
            "lu : un texte (« x »)",
        ),
        (
            'kind = "threshold"',
            'kind = "treshold"',
            "diagnostic « c_low », « rule.kind » : valeur « treshold » inconnue (valeurs "
            "possibles : gap, threshold) ; vouliez-vous dire « threshold » ?",
        ),
        (
            "max = 10",
            'max = "dix"',
            "question « b2 », « max » : un entier est attendu, lu : un texte (« dix »)",
        ),
        (
            'label = { fr = "Dimension B" }',
            "",
            "dimension « b » : clé « label » obligatoire absente",
        ),
        (
            'id = "c1"',
            'idd = "c1"',
            "dimension « c », question n° 1 : clé inconnue « idd » (vouliez-vous dire « id » ?)",
        ),
        ('{ fr = "a1-2" }', "{ fr = 2 }", "question « a1 », descripteur du niveau 2, « fr »"),
        ('id = "mini"', 'id = "mini', "TOML invalide : caractère interdit '\\n' (ligne 5,"),
        ('[[pillars]]\nid = "p2"', '[[pillars]]\nid = "p2"\nid = "p3"', "valeur déjà définie"),
        ('pillar = "p2"', 'pillar = "p3"', "ligne 68 : dimension « c » : pilier inconnu « p3 »"),
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
    with pytest.raises(ModelError, match=r"\(3 erreur\(s\)\)") as caught:
        # the bad weight, the unknown pillar, and pillar p2 left without dimensions
        parse_model(text, name="essai.toml")
    assert len(caught.value.problems) == 3


def test_every_structural_problem_is_listed_at_once_in_line_order() -> None:
    text = mutate('label = { fr = "Question B1" }', 'label = { fr = "Question B1" }\ncolour = 1')
    text = text.replace(
        'label = { fr = "Question C1" }', 'label = { fr = "Question C1" }\nhelp = 3'
    )
    text = text.replace("weight = 2\n", "wieght = 2\n", 1)
    with pytest.raises(ModelError) as caught:
        parse_model(text, name="essai.toml")
    message = str(caught.value)
    assert message.startswith("essai.toml : structure invalide (3 erreur(s)) :\n")
    lines = message.splitlines()[1:]
    assert [line.split(" : ")[0] for line in lines] == [
        "  - ligne 56",
        "  - ligne 60",
        "  - ligne 74",
    ]
    assert "dimension « b » : clé inconnue « wieght » (vouliez-vous dire « weight » ?)" in lines[0]
    assert "question « b1 » : clé inconnue « colour »" in lines[1]
    assert "vouliez-vous" not in lines[1]
    assert "question « c1 », « help » : une table est attendue, lu : un entier (3)" in lines[2]
    assert [p.line for p in caught.value.problems] == [56, 60, 74]


def test_a_top_level_key_after_the_first_table_gets_a_hint() -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace("cap_levels = true\n", "")
    text = text.replace('title = { fr = "Mini', 'cap_levels = false\ntitle = { fr = "Mini')
    with pytest.raises(ModelError) as caught:
        parse_model(text, name="essai.toml")
    (problem,) = caught.value.problems
    assert problem.line == 6
    assert problem.message.startswith("table [model] : clé inconnue « cap_levels » ;")
    assert "écrite après l'en-tête [model]" in problem.message
    assert "avant la première table" in problem.message


def test_a_misspelt_top_level_key_after_the_first_table_gets_both_hints() -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace("cap_levels = true\n", "")
    text = text.replace('title = { fr = "Mini', 'cap_level = false\ntitle = { fr = "Mini')
    with pytest.raises(ModelError) as caught:
        parse_model(text, name="essai.toml")
    (problem,) = caught.value.problems
    assert problem.message.startswith(
        "table [model] : clé inconnue « cap_level » (vouliez-vous dire « cap_levels » ?) ; "
        "« cap_levels » est une clé de premier niveau"
    )


def test_near_miss_ids_in_rules_get_a_suggestion() -> None:
    text = mutate('right = ["c"]', 'right = ["cc"]')
    with pytest.raises(ModelError, match="inconnu « cc » \\(vouliez-vous dire « c » \\?\\)"):
        parse_model(text, name="essai.toml")


def test_lines_are_found_through_multiline_strings_and_arrays() -> None:
    text = mutate(
        'title = { fr = "Mini-modèle de test", en = "Test mini model" }',
        'title.fr = """Mini\nmodèle = "x"\n[faux]"""\nsources = [\n  "a = b",\n  \'[[c]]\',\n]\n'
        "colour = 'rouge'",
    )
    with pytest.raises(ModelError) as caught:
        parse_model(text, name="essai.toml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.message) == (14, "table [model] : clé inconnue « colour »")


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
