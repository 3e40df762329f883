"""The ``territoires`` command, run in-process on real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maturity.model import Model
from service.cli.main import main

MINI = str(Path(__file__).parents[2] / "fixtures" / "mini-model.toml")


def test_model_summary(capsys: pytest.CaptureFixture[str], model: Model) -> None:
    assert main(["model"]) == 0
    out = capsys.readouterr().out
    assert f"version {model.version}" in out
    assert f"{len(model.questions)} questions" in out


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


def test_invalid_model_file_exits_with_its_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "faux.toml"
    bad.write_text("[model]\nid = 1\n", encoding="utf-8")
    assert main(["model", "--model", str(bad)]) == 2
    assert "faux.toml : structure invalide" in capsys.readouterr().err
