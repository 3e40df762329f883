"""Mapping files between editions: the README's example, validation errors, and properties of
migration and comparison on generated models and mappings (hypothesis)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.editions import AnswerSet, comparability, compare, convert, migrate
from maturity.mapping import (
    MAPPINGS_DIR,
    Dropped,
    EditionMapping,
    Kept,
    MappingError,
    MappingInfo,
    Merged,
    New,
    Renamed,
    Rescaled,
    Rule,
    Split,
    edition_files,
    identity_mapping,
    mapping_path,
    parse_mapping,
    resolve_edition,
)
from maturity.model import Dimension, Level, Model, ModelInfo, Pillar, Question, Text, load_model
from maturity.model_diff import diff_models
from maturity.results import results_from
from maturity.scoring import validate_answers

FIXTURES = Path(__file__).parents[2] / "fixtures" / "editions"
README = MAPPINGS_DIR / "README.md"


@pytest.fixture(scope="module")
def editions() -> tuple[Model, Model]:
    return load_model(FIXTURES / "test.1.toml"), load_model(FIXTURES / "test.2.toml")


def readme_example() -> str:
    text = README.read_text(encoding="utf-8")
    example = text[text.index("## Exemple") :]
    start = example.index("```toml\n") + len("```toml\n")
    return example[start : example.index("```", start)]


def test_the_readme_example_is_valid_and_does_what_the_readme_says(
    editions: tuple[Model, Model],
) -> None:
    source, target = editions
    mapping = parse_mapping(readme_example(), source, target, name="README")
    old: dict[str, int | str] = {"a1": 3, "a2": "na", "b1": 4, "b2": 7, "b3": 2, "c1": 1, "c2": 4}
    moved = migrate(mapping, source, target, AnswerSet(old))
    assert moved.result.answers == {
        "a1": 3,
        "a2.usage": "na",
        "a2.valeur": "na",
        "b2": 3,
        "b13": 2,
        "c_bis.c1": 1,
    }
    assert moved.to_confirm == tuple(moved.result.answers)
    assert moved.lost == ("c2",)
    basis = comparability(mapping, source, target)
    assert basis.pairs == {"a1": "a1", "b2": "b2", "c_bis.c1": "c1"}
    assert {b.dimension: b.status for b in basis.dimensions} == {
        "a": "partial",
        "b": "partial",
        "c_bis": "partial",
    }
    readme = README.read_text(encoding="utf-8")
    assert "`maturity/mappings/<de>--<vers>.toml`" in readme
    assert mapping_path("2026.1", "2027.1") == MAPPINGS_DIR / "2026.1--2027.1.toml"


def test_comments_evidence_and_targets_follow_the_rules(editions: tuple[Model, Model]) -> None:
    source, target = editions
    mapping = parse_mapping(readme_example(), source, target, name="README")
    answers = AnswerSet(
        answers={"b1": 2, "b3": "unknown", "c2": 1},
        comments={"a1": "vu", "b1": "un", "b3": "deux", "c2": "perdu"},
        evidence={"a2": "https://a.fr", "b1": "https://b1.fr", "b3": "https://b3.fr"},
        targets={"a": 4, "c": 9, "zz": 2},
    )
    moved = migrate(mapping, source, target, answers).result
    assert moved.answers == {"b13": 2}  # the only value, 2/4, on 0..4
    assert moved.comments == {"a1": "vu", "b13": "un\n\ndeux\n\nAutre preuve : https://b3.fr"}
    assert moved.evidence == {
        "a2.usage": "https://a.fr",
        "a2.valeur": "https://a.fr",
        "b13": "https://b1.fr",
    }
    assert moved.targets == {"a": 4, "c_bis": 5}  # renamed, and brought into 1..5


def test_a_merge_without_values_keeps_na_only_when_every_source_says_so(
    editions: tuple[Model, Model],
) -> None:
    source, target = editions
    rules = readme_example().replace('from = ["b1", "b3"]', 'from = ["b1", "b3"]\ncombine = "mean"')
    rules = rules.replace('combine = "min"\n', "")
    mapping = parse_mapping(rules, source, target, name="x")
    assert migrate(mapping, source, target, AnswerSet({"b1": 4, "b3": 1})).result.answers == {
        "b13": 3  # mean of 1 and 0.25 = 0.625 → 2.5 → 3 (half up)
    }
    assert migrate(mapping, source, target, AnswerSet({"b1": "unknown"})).result.answers == {
        "b13": "unknown"
    }
    na = migrate(mapping, source, target, AnswerSet({"c1": "na"}))
    assert na.result.answers == {"c_bis.c1": "na"}


def problems_of(text: str, editions: tuple[Model, Model]) -> list[str]:
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, *editions, name="c.toml")
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'to = "test.2"',
            'to = "test.3"',
            "[mapping] : « to » vaut « test.3 », attendu « test.2 »",
        ),
        (
            'ids = ["a1"]',
            'ids = ["a11"]',
            "règle n° 1 « kept » : question « a11 » inconnue dans test.1 (vouliez-vous dire "
            "« a1 » ?)",
        ),
        ('ids = ["c2"]', 'ids = ["c2", "a1"]', "déjà reprise par la règle n° 1"),
        ('ids = ["c2"]', "ids = []", "règle n° 7 « dropped » : « ids » est vide"),
        (
            'from = "c1"\nto = "c_bis.c1"',
            'from = "b2"\nto = "c_bis.c1"',
            "règle n° 6 « renamed » : l'échelle change (0–10 → 0–4)",
        ),
        ("values = [0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 4]", "values = [0, 4]", "doit donner 11 valeurs"),
        (
            "values = [0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 4]",
            "values = [0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 3]",
            "« values » doit être croissant",
        ),
        (
            "values = [0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 4]",
            "values = [0, 0, 1, 1, 2, 2, 2, 3, 3, 3, 3]",
            "« values » doit commencer par 0 et finir par 4",
        ),
        (
            "values = [0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 4]",
            "values = [0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 5]",
            "chaque valeur doit être entre 0 et 4",
        ),
        ('from = ["b1", "b3"]', 'from = ["b1"]', "« from » doit nommer au moins deux questions"),
        ('c = "c_bis"', 'c = "a"', "[dimensions] : « a » existe déjà dans test.1"),
        (
            'kind = "new"',
            'kind = "neww"',
            "règle n° 3 « neww » (a4), « kind » : valeur « neww » inconnue (valeurs possibles : "
            "kept, renamed, rescaled, split, merged, new, dropped) ; vouliez-vous dire « new » ?",
        ),
        ('combine = "min"', 'combine = "median"', "valeur « median » inconnue"),
        (
            'ids = ["a4"]',
            'ids = ["a4"]\nid = "a4"',
            "règle n° 3 « new » (a4) : clé inconnue « id »",
        ),
    ],
)
def test_a_broken_rule_is_named_with_its_line(
    old: str, new: str, expected: str, editions: tuple[Model, Model]
) -> None:
    text = readme_example()
    assert old in text, old
    found = problems_of(text.replace(old, new, 1), editions)
    assert any(expected in p for p in found), found
    assert all(p.startswith("ligne ") for p in found if "aucune règle" not in p), found


def test_every_question_must_be_covered_once(editions: tuple[Model, Model]) -> None:
    text = readme_example().replace(
        'ids = ["c2"]', 'ids = ["c2"]\n\n[[questions]]\nkind = "new"\nids = ["a1"]'
    )
    text = text.replace('[[questions]]\nkind = "kept"\nids = ["a1"]\n', "")
    found = problems_of(text, editions)
    assert "question « a1 » de test.1 : aucune règle ne la reprend" in "\n".join(found)
    assert not any("a1 » de test.2 : aucune règle" in p for p in found)
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, *editions, name="c.toml")
    assert str(caught.value).startswith("c.toml : correspondance invalide (1 erreur(s)) :")


def test_every_structural_problem_is_listed_at_once(editions: tuple[Model, Model]) -> None:
    text = readme_example().replace('kind = "kept"', 'kind = "kep"').replace("note =", "notes =")
    found = problems_of(text, editions)
    assert len(found) == 3, found  # the unknown kind, and both misspelt notes
    assert sum("clé inconnue « notes » (vouliez-vous dire « note » ?)" in p for p in found) == 2


def test_versions_resolve_to_the_packaged_models_or_to_files(model: Model) -> None:
    assert "2026.1" in edition_files()
    assert resolve_edition("2026.1").version == model.version
    assert resolve_edition(str(FIXTURES / "test.2.toml")).version == "test.2"
    with pytest.raises(ValueError, match="ni une version connue"):
        resolve_edition("1999.9")


def test_a_packaged_mapping_is_valid_between_its_two_editions() -> None:
    for path in sorted(MAPPINGS_DIR.glob("*--*.toml")):
        source_version, target_version = path.stem.split("--")
        source, target = resolve_edition(source_version), resolve_edition(target_version)
        mapping = parse_mapping(path.read_bytes(), source, target, name=str(path))
        assert (mapping.source, mapping.target) == (source.version, target.version)


def test_diff_names_each_rule(editions: tuple[Model, Model]) -> None:
    source, target = editions
    mapping = parse_mapping(readme_example(), source, target, name="README")
    changes: dict[tuple[str, str], str] = {}
    for c in diff_models(source, target, mapping):
        key = (c.section, c.item)
        changes[key] = f"{changes[key]} | {c.text}" if key in changes else c.text
    assert changes[("questions", "a2")].startswith("scindée en a2.usage, a2.valeur")
    assert changes[("questions", "c_bis.c1")] == (
        "renommée (était « c1 »); libellé reformulé; 5 descripteur(s) de niveau modifié(s)"
    )
    assert changes[("questions", "b13")] == "fusion de b1, b3 (combinaison : min)"
    assert changes[("questions", "c2")] == "supprimée (réponse non reprise) — Redondante avec c1."
    assert changes[("dimensions", "c_bis")] == (
        "renommée (était « c ») | libellé « Dimension c » → « Dimension c_bis » | 2 → 1 questions"
    )
    assert changes[("dimensions", "a")] == "2 → 4 questions"
    assert changes[("comparabilité", "indice")].startswith("comparable en partie (3 questions")
    assert ("questions", "a1") not in changes  # unchanged


# --- properties on generated editions ---------------------------------------------------------


def _text(s: str) -> Text:
    return Text(fr=s)


def _question(qid: str, top: int, weight: float, allows_na: bool) -> Question:
    if top == 4 and weight != 3:  # five-level questions, and a few points ones
        levels = tuple(_text(f"{qid}-{i}") for i in range(5))
        return Question(id=qid, label=_text(qid), weight=weight, allows_na=allows_na, levels=levels)
    return Question(id=qid, label=_text(qid), weight=weight, allows_na=allows_na, max=top)


def _model(version: str, dims: dict[str, list[Question]]) -> Model:
    return Model(
        model=ModelInfo(id="gen", version=version, title=_text("généré")),
        pillars=(Pillar(id="p", label=_text("p")),),
        dimensions=tuple(
            Dimension(id=d, label=_text(d), pillar="p", questions=tuple(qs))
            for d, qs in dims.items()
            if qs
        ),
        levels=tuple(
            Level(level=i + 1, min=m, label=_text(str(i)))
            for i, m in enumerate((0, 20, 40, 60, 80))
        ),
    )


QUESTION = st.tuples(st.sampled_from([4, 4, 4, 2, 10]), st.sampled_from([1.0, 2.0]), st.booleans())
OPS = st.sampled_from(["kept", "kept", "renamed", "rescaled", "split", "merged", "dropped"])


@st.composite
def editions_and_mapping(
    draw: st.DrawFn, source: Model | None = None
) -> tuple[Model, Model, EditionMapping]:
    """A source edition (`source`, or a generated one), a target edition derived from it by
    random rules, and the mapping."""
    old: dict[str, list[Question]] = {}
    if source is not None:
        old = {d.id: list(d.questions) for d in source.dimensions}
    for at, size in enumerate(
        [] if source else draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    ):
        old[f"d{at}"] = [_question(f"d{at}.q{i}", *draw(QUESTION)) for i in range(size)]
    versions = ("g.1", "g.2")
    if source is not None:
        versions = (source.version, f"g.{int(source.version.split('.')[1]) + 1}")
    new: dict[str, list[Question]] = {d: [] for d in old}
    rules: list[Rule] = []
    pending: list[Question] = []  # sources waiting for a merge partner
    for d, questions in old.items():
        for q in questions:
            op = draw(OPS)
            top, weight, na = draw(QUESTION)
            if op == "kept":
                new[d].append(_question(q.id, q.top, weight, na))
                rules.append(Kept(ids=(q.id,), comparable=draw(st.booleans())))
            elif op == "renamed":
                new[d].append(_question(q.id + ".r", q.top, weight, na))
                rules.append(Renamed(source=q.id, target=q.id + ".r"))
            elif op == "rescaled":
                top = draw(st.sampled_from([t for t in (2, 4, 10) if t != q.top]))
                values = draw(st.none() | _values(q.top, top))
                new[d].append(_question(q.id, top, weight, na))
                rules.append(Rescaled(source=q.id, values=values))
            elif op == "split":
                targets = (q.id + ".x", q.id + ".y")
                new[d].extend(_question(t, top, weight, na) for t in targets)
                rules.append(Split(source=q.id, targets=targets))
            elif op == "merged":
                pending.append(q)
                if len(pending) == 2:
                    target = pending[0].id + ".m"
                    new[d].append(_question(target, top, weight, na))
                    combine: Literal["min", "max", "mean"] = draw(
                        st.sampled_from(["min", "max", "mean"])
                    )
                    rules.append(
                        Merged(sources=tuple(p.id for p in pending), target=target, combine=combine)
                    )
                    pending = []
            else:
                rules.append(Dropped(ids=(q.id,)))
    if pending:
        rules.append(Dropped(ids=tuple(p.id for p in pending)))
    if draw(st.booleans()) or not any(new.values()):
        fresh = "nouvelle" if source is None else f"nouvelle-{versions[1]}"
        new[next(iter(new))].append(_question(fresh, 4, 1.0, False))
        rules.append(New(ids=(fresh,)))
    mapping = EditionMapping(MappingInfo(*versions), tuple(draw(st.permutations(rules))))
    return source or _model(versions[0], old), _model(versions[1], new), mapping


@st.composite
def _values(draw: st.DrawFn, before: int, after: int) -> tuple[int, ...]:
    inner = sorted(draw(st.lists(st.integers(0, after), min_size=before - 1, max_size=before - 1)))
    return (0, *inner, after)


def answers_for(model: Model) -> st.SearchStrategy[dict[str, int | str]]:
    def one(q: Question) -> st.SearchStrategy[int | str | None]:
        options = [st.integers(0, q.top), st.just("unknown"), st.none()]
        return st.one_of(*options, *([st.just("na")] if q.allows_na else []))

    fields = {q.id: one(q) for _, q in model.iter_questions()}
    return st.fixed_dictionaries(fields).map(
        lambda d: {k: v for k, v in d.items() if v is not None}
    )


def _toml(mapping: EditionMapping) -> str:
    """The mapping written as a TOML file (JSON values are valid TOML values here)."""
    lines = ["[mapping]", f'from = "{mapping.source}"', f'to = "{mapping.target}"']
    for rule in mapping.questions:
        lines += ["", "[[questions]]", f'kind = "{type(rule).__struct_config__.tag}"']
        for field in rule.__struct_fields__:
            value = getattr(rule, field)
            if value is None or field == "note":
                continue
            name = {"source": "from", "sources": "from", "target": "to", "targets": "to"}.get(
                field, field
            )
            lines.append(
                f"{name} = {json.dumps(list(value) if isinstance(value, tuple) else value)}"
            )
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_generated_mappings_are_valid_and_migrating_then_scoring_never_fails(
    data: st.DataObject,
) -> None:
    source, target, mapping = data.draw(editions_and_mapping())
    parsed = parse_mapping(_toml(mapping), source, target, name="généré")
    assert parsed.steps == mapping.steps
    answers = data.draw(answers_for(source))
    moved = migrate(parsed, source, target, AnswerSet(answers))
    clean = validate_answers(target, moved.result.answers)  # raises if anything is invalid
    results_from(target, {"_": clean})
    assert set(moved.to_confirm) == set(moved.result.answers)
    assert not set(moved.lost) - set(answers)
    for rule in parsed.questions:
        if isinstance(rule, Kept | Renamed):  # kept questions keep their answers
            for old_id, new_id in (
                zip(rule.ids, rule.ids, strict=True)
                if isinstance(rule, Kept)
                else [(rule.source, rule.target)]
            ):
                expected = answers.get(old_id)
                if expected == "na" and not target.questions[new_id][1].allows_na:
                    expected = None
                assert moved.result.answers.get(new_id) == expected
        if isinstance(rule, Dropped):
            assert all(q in moved.lost for q in rule.ids if q in answers)
        if isinstance(rule, New):
            assert not set(rule.ids) & set(moved.result.answers)
    comparison = compare(
        comparability(parsed, source, target), parsed, (source, answers), (target, clean)
    )
    assert all(
        (c.before is None) == (c.after is None) or c.status == "partial"
        for c in comparison.dimensions
    )


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_rescaling_maps_the_ends_of_the_scale_to_the_ends(data: st.DataObject) -> None:
    before, after = data.draw(st.integers(1, 12)), data.draw(st.integers(1, 12))
    values = data.draw(st.none() | _values(before, after)) if before > 1 else None
    assert convert(0, before, after, values) == 0
    assert convert(before, before, after, values) == after
    converted = [convert(v, before, after, values) for v in range(before + 1)]
    assert converted == sorted(converted)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_the_same_edition_is_fully_comparable_and_its_trend_is_the_plain_scores(
    data: st.DataObject,
) -> None:
    source, _, _ = data.draw(editions_and_mapping())
    mapping = identity_mapping(source)
    basis = comparability(mapping, source, source)
    assert basis.index == "full" and all(b.status == "full" for b in basis.dimensions)
    old, new = data.draw(answers_for(source)), data.draw(answers_for(source))
    trend = compare(basis, mapping, (source, old), (source, new))
    plain_old, plain_new = (results_from(source, {"_": a})["_"] for a in (old, new))
    assert (trend.index.before, trend.index.after) == (plain_old.index, plain_new.index)
    for change, was, now in zip(
        trend.dimensions, plain_old.dimensions, plain_new.dimensions, strict=True
    ):
        assert (change.id, change.before, change.after) == (was.id, was.score, now.score)
    moved = migrate(mapping, source, source, AnswerSet(old))
    assert moved.result.answers == old and moved.lost == ()
