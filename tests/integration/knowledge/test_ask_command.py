"""``territoires ask``: the terminal goes through the assistant's use case, with the API's and
the page's limits and errors."""

from __future__ import annotations

import json

import pytest

from service.cli.main import main
from tests.knowledge_fixtures import corpus_kb

ANGERS = "Comment Angers utilise-t-elle un jumeau numérique ?"


@pytest.fixture
def indexed(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings point at the indexed corpus."""
    _, config = corpus_kb(tmp_path_factory)
    monkeypatch.setenv("TERRITOIRES_DATA_DIR", str(config.data_dir))
    monkeypatch.delenv("TERRITOIRES_LLM_BASE_URL", raising=False)


@pytest.mark.usefixtures("indexed")
def test_ask_prints_a_cited_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "--k", "3", ANGERS]) == 0
    body = json.loads(capsys.readouterr().out)
    assert "îlots de chaleur" in body["answer"] and body["citations"]
    assert body["conversation_id"] and body["territory"] is None
    assert main(["ask", ANGERS]) == 0
    assert "îlots de chaleur" in capsys.readouterr().out


@pytest.mark.usefixtures("indexed")
@pytest.mark.parametrize(
    ("question", "message"),
    [("   ", "La question est vide."), ("x" * 2001, "La question dépasse 2000 caractères.")],
)
def test_ask_refuses_what_the_api_refuses(
    capsys: pytest.CaptureFixture[str], question: str, message: str
) -> None:
    assert main(["ask", question]) == 2
    assert capsys.readouterr().err.strip() == f"Erreur : {message}"
