"""The ``territoires`` command, run in-process on real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maturity.model import Model
from service.cli.main import main

MINI = str(Path(__file__).parents[2] / "fixtures" / "mini-model.toml")


def test_model_summary(capsys: pytest.CaptureFixture[str], current_model: Model) -> None:
    assert main(["model"]) == 0  # the edition in force
    out = capsys.readouterr().out
    assert f"version {current_model.version}" in out
    assert f"{len(current_model.questions)} questions" in out


def test_score_json_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "reponses.json"
    path.write_text(json.dumps({"answers": {"a1": 4, "a2": "na", "c1": 2}}), encoding="utf-8")
    assert main(["score", str(path), "--model", MINI, "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["index"] == 75.0 and body["model_version"] == "test.1"


def test_score_long_csv_prints_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "reponses.csv"
    path.write_text("question_id,answer\na1,2\na2,2\nb1,4\nb2,10\nc1,0\n", encoding="utf-8")
    assert main(["score", str(path), "--model", MINI]) == 0
    out = capsys.readouterr().out
    assert "indice  62.5" in out and "Écart A–C" in out


def test_score_wide_csv_one_row_per_territory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "lot.csv"
    path.write_text("territoire,a1,a2,b1,c1\n49007,4,na,4,4\n68224,0,0,,unknown\n", "utf-8")
    assert main(["score", str(path), "--model", MINI, "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["49007"]["index"] == 100.0
    assert body["68224"]["index"] == 0.0


def test_score_reports_every_bad_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "faux.csv"
    path.write_text("question_id,answer\na1,7\nzz,1\n", encoding="utf-8")
    assert main(["score", str(path), "--model", MINI]) == 1
    err = capsys.readouterr().err
    assert "a1 : valeur 7 hors de l'échelle" in err and "zz : question inconnue" in err
    # each problem once (they used to be printed in the summary line and again below it)
    assert err.count("valeur 7") == 1 and err.count("zz") == 1
    assert err.startswith(f"Erreur : {path} : 2 réponse(s) invalide(s) :\n")


def test_score_names_an_unreadable_json_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "faux.json"
    path.write_text('{"answers": {"a1": 3,}}', encoding="utf-8")
    assert main(["score", str(path), "--model", MINI]) == 1
    assert capsys.readouterr().err == (
        f"Erreur : {path} : JSON invalide, ligne 1, colonne 22 : "
        "Expecting property name enclosed in double quotes\n"
    )


def test_score_reports_the_bad_answers_of_every_territory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "lot.csv"
    path.write_text("territoire,a1,b1\n49007,9,1\n68224,1,8\n", "utf-8")
    assert main(["score", str(path), "--model", MINI]) == 1
    err = capsys.readouterr().err
    assert f"Erreur : {path} [49007] : 1 réponse(s) invalide(s) :\n  - a1 : valeur 9" in err
    assert f"Erreur : {path} [68224] : 1 réponse(s) invalide(s) :\n  - b1 : valeur 8" in err


def test_invalid_model_file_exits_with_its_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "faux.toml"
    bad.write_text("[model]\nid = 1\n", encoding="utf-8")
    assert main(["model", "--model", str(bad)]) == 2
    assert "faux.toml : structure invalide" in capsys.readouterr().err


EDITIONS = Path(__file__).parents[2] / "fixtures" / "editions"


def _example_mapping(tmp_path: Path) -> Path:
    readme = (Path(__file__).parents[3] / "maturity" / "mappings" / "README.md").read_text("utf-8")
    example = readme[readme.index("## Exemple") :]
    start = example.index("```toml\n") + len("```toml\n")
    path = tmp_path / "test.1--test.2.toml"
    path.write_text(example[start : example.index("```", start)], encoding="utf-8")
    return path


def test_model_diff_prints_each_rule_and_what_stays_comparable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = _example_mapping(tmp_path)
    one, two = str(EDITIONS / "test.1.toml"), str(EDITIONS / "test.2.toml")
    assert main(["model", "diff", one, two, "--mapping", str(mapping)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Du modèle test.1 au modèle test.2\n")
    assert "  a2 : scindée en a2.usage, a2.valeur — a2 mêlait l'usage et la valeur produite." in out
    assert "\nComparabilité\n  indice : comparable en partie (3 questions comparables sur 7)" in out
    assert main(["model", "diff", one, two, "--json"]) == 0  # no mapping: matched by id
    body = json.loads(capsys.readouterr().out)
    assert {"section": "questions", "item": "c2", "text": "question supprimée"} in body["changes"]
    assert main(["model", "diff", "2026.1", "2026.1"]) == 0
    assert "Aucune différence." in capsys.readouterr().out


def test_model_migrate_writes_the_new_edition_and_names_what_is_lost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = _example_mapping(tmp_path)
    one, two = str(EDITIONS / "test.1.toml"), str(EDITIONS / "test.2.toml")
    answers = tmp_path / "biarritz.json"
    answers.write_text(
        json.dumps({"answers": {"a1": 3, "b2": 7, "c2": 4}, "comments": {"a1": "vu"}}), "utf-8"
    )
    wide = tmp_path / "lot.csv"
    wide.write_text("territoire,a1,b1,b3\n64122,2,4,2\n68224,0,,\n", "utf-8")
    args = ["model", "migrate", "--from", one, "--to", two, "--mapping", str(mapping)]
    assert main([*args, str(answers), str(wide)]) == 0
    out = capsys.readouterr().out
    assert "biarritz : 2 réponse(s) reprise(s), à confirmer ; 5 question(s) sans réponse" in out
    assert "  réponses non reprises : c2" in out
    written = json.loads((tmp_path / "biarritz-test.2.json").read_text("utf-8"))
    assert written["answers"] == {"a1": 3, "b2": 3} and written["comments"] == {"a1": "vu"}
    assert written["to_confirm"] == ["a1", "b2"]
    rows = (tmp_path / "lot-test.2.csv").read_text("utf-8").splitlines()
    assert rows[0] == "territoire,a1,a2.usage,a2.valeur,a4,b2,b13,c_bis.c1"
    assert rows[1:] == ["64122,2,,,,,2,", "68224,0,,,,,,"]
    assert main(["score", str(tmp_path / "biarritz-test.2.json"), "--model", two, "--json"]) == 0


def test_model_migrate_reports_bad_answers_once_per_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = _example_mapping(tmp_path)
    one, two = str(EDITIONS / "test.1.toml"), str(EDITIONS / "test.2.toml")
    bad = tmp_path / "faux.csv"
    bad.write_text("territoire,a1,zz\nA,9,1\nB,1,\n", "utf-8")
    args = ["model", "migrate", "--from", one, "--to", two, "--mapping", str(mapping), str(bad)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.count("a1 : valeur 9 hors de l'échelle 0 à 4") == 1
    assert f"Erreur : {bad} [A] : 2 réponse(s) invalide(s) :" in err and "[B]" not in err
    assert not (tmp_path / "faux-test.2.csv").exists()


def test_unknown_edition_and_broken_mapping_exit_with_their_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["model", "diff", "1999.9", "2026.1"]) == 2
    assert "« 1999.9 » : ni une version connue" in capsys.readouterr().err
    mapping = _example_mapping(tmp_path)
    mapping.write_text(mapping.read_text("utf-8").replace('ids = ["c2"]', "ids = []"), "utf-8")
    one, two = str(EDITIONS / "test.1.toml"), str(EDITIONS / "test.2.toml")
    assert main(["model", "diff", one, two, "--mapping", str(mapping)]) == 2
    err = capsys.readouterr().err
    assert "correspondance invalide (2 erreur(s))" in err
    assert "question « c2 » de test.1 : aucune règle ne la reprend" in err


def _chain_dir(tmp_path: Path) -> Path:
    """test.1 → test.2 → test.3 as packaged editions and mappings, with no direct file."""
    folder = tmp_path / "editions"
    folder.mkdir()
    for name in ("test.1.toml", "test.2.toml", "test.3.toml", "test.2--test.3.toml"):
        (folder / name).write_text((EDITIONS / name).read_text("utf-8"), "utf-8")
    _example_mapping(tmp_path).rename(folder / "test.1--test.2.toml")
    return folder


def test_model_diff_and_migrate_go_through_a_chain_of_mappings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.cli import editions

    folder = _chain_dir(tmp_path)
    monkeypatch.setattr(editions, "MAPPINGS_DIR", folder)
    monkeypatch.setattr(editions, "MODELS_DIR", folder)
    one, three = str(folder / "test.1.toml"), str(folder / "test.3.toml")
    assert main(["model", "diff", one, three]) == 0
    out = capsys.readouterr().out
    assert "  Correspondance composée : test.1 → test.2 → test.3" in out
    assert "a1.suite" in out and "questions appariées par identifiant" not in out
    answers = tmp_path / "biarritz.json"
    answers.write_text(json.dumps({"answers": {"a1": 3, "b2": 7, "c2": 4}}), "utf-8")
    assert main(["model", "migrate", "--from", one, "--to", three, str(answers)]) == 0
    written = json.loads((tmp_path / "biarritz-test.3.json").read_text("utf-8"))
    # as through test.2 (a1 kept, b2 from 0–10 to 0–4), then a1 renamed
    assert written["answers"] == {"a1.suite": 3, "b2": 3}
    (folder / "test.2--test.3.toml").unlink()  # no chain left
    assert main(["model", "migrate", "--from", one, "--to", three, str(answers)]) == 2
    assert "ni de chaîne de fichiers de test.1 à test.3" in capsys.readouterr().err
