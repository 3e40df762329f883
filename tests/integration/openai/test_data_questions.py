"""Data questions in conversation, through the `openai` SDK against `territoires serve`:
offline, the grammar answers with a small table and a link (and says what it cannot answer);
with a language model (the loopback test server, emitting tool calls), the model calls the data
tools, a group under k = 5 comes back masked, and a figure no tool gave is refused."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from openai import OpenAI

from tests.integration.live import DEMO_MEMBER, Server
from tests.llm_server import FakeLLM, fake_llm_server

pytestmark = pytest.mark.reliability  # real server processes

MODEL = "territoires-assistant"
CA_AQUITAINE = (
    "Quelle est la médiane de l'indice des communautés d'agglomération en Nouvelle-Aquitaine ?"
)
BIG_METROPOLES = "Quelle est la médiane de l'indice des métropoles de plus de 250 000 habitants ?"


def ask(server: Server, question: str) -> tuple[str, dict[str, Any]]:
    """The answer's text and the facade's extra fields, through the SDK."""
    key = server.api_key(*DEMO_MEMBER)["Authorization"].removeprefix("Bearer ")
    sdk = OpenAI(base_url=f"{server.url}/v1", api_key=key, max_retries=0, timeout=120)
    completion = sdk.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": question}]
    )
    return completion.choices[0].message.content or "", completion.model_extra or {}


def _get(server: Server, path: str) -> Any:
    with urllib.request.urlopen(f"{server.url}{path}", timeout=60) as response:
        return json.loads(response.read())


CELLS = "/api/v1/benchmarks/aggregates?group_by=kind,population_band"


def api_median(server: Server, kind: str, band: str) -> float | None:
    """The index median of a cell (kind, population band), as the JSON API publishes it."""
    rows = _get(server, CELLS)["rows"]
    (row,) = [
        r
        for r in rows
        if r["kind"] == kind and r["population_band"] == band and r["metric"] == "index"
    ]
    median: float | None = row["median"]
    return median


PLURALS = {"cc": "communautés de communes", "commune": "communes"}
BANDS = {
    "0-3.5k": "de moins de 3 500 habitants",
    "3.5k-20k": "de 3 500 à 20 000 habitants",
    "20k-50k": "de 20 000 à 50 000 habitants",
    "50k-100k": "de 50 000 à 100 000 habitants",
    "100k-250k": "de 100 000 à 250 000 habitants",
    "250k+": "de plus de 250 000 habitants",
}


def published_cell(server: Server) -> tuple[str, str, str, float]:
    """A cell (kind, population band) whose index median the API publishes: the question
    asking for it, the kind, the band and the median."""
    row = next(
        r
        for r in _get(server, CELLS)["rows"]
        if r["metric"] == "index" and r["median"] is not None and r["kind"] in PLURALS
    )
    kind, band = row["kind"], row["population_band"]
    question = f"Quelle est la médiane de l'indice des {PLURALS[kind]} {BANDS[band]} ?"
    return question, kind, band, row["median"]


@pytest.fixture(scope="module")
def offline(serve: Callable[..., Server]) -> Server:
    return serve()


def test_offline_median_of_a_group_with_its_table_and_link(offline: Server) -> None:
    question, _, _, median = published_cell(offline)
    text, extra = ask(offline, question)
    assert "| Groupe | n | médiane |" in text
    assert f"{median:.1f}".replace(".", ",") in text
    assert "/api/v1/benchmarks/aggregates?campaign=" in text and "[1]" in text
    (citation,) = extra["citations"]
    assert citation["kind"] == "data" and citation["source"].startswith("/api/v1/benchmarks/")


def test_offline_evolution_since_last_campaign(offline: Server) -> None:
    # the demo's 2027 campaign (edition 2027.1) follows 2026 (edition 2026.1): the technical
    # foundations compare as they are, evaluation only in part, so it gets no change
    text, _ = ask(
        offline,
        "Où en sont les communes de 20 000 à 50 000 habitants en socle technologique depuis "
        "l'an dernier ?",
    )
    assert "Socle technologique et données" in text
    assert "Commune, 20 000 à 50 000 hab." in text
    assert "évolution de la médiane" in text and re.search(r"\| [+-]?\d+,\d \|$", text, re.M)
    text, _ = ask(
        offline,
        "Où en sont les communes de 20 000 à 50 000 habitants en évaluation depuis l'an dernier ?",
    )
    assert "Pas d'évolution pour Évaluation et co-évaluation : la campagne 2026" in text


def test_offline_ranking_of_public_profiles(offline: Server) -> None:
    text, _ = ask(
        offline, "Qui, parmi les territoires publics, progresse le plus en gouvernance ouverte ?"
    )
    assert "profil public" in text and "| Rang | Territoire |" in text
    assert re.search(r"^\| 1 \| .+ \(\w+\) \|", text, re.M)


def test_offline_masked_cells_say_so_without_figures(offline: Server) -> None:
    text, _ = ask(offline, BIG_METROPOLES)
    row = next(line for line in text.splitlines() if line.startswith("| Métropole, plus de"))
    # neither statistics nor count
    assert "masquée" in row and not re.search(r"\d", row.split(" hab. |")[1])
    assert "ne sont publiés" in text
    assert api_median(offline, "metropole", "250k+") is None


def test_offline_region_and_kind_are_not_crossed(offline: Server) -> None:
    text, extra = ask(offline, CA_AQUITAINE)
    assert "ne croisent pas la région avec le type" in text
    assert "| Communauté d'agglomération |" in text and "| Nouvelle-Aquitaine |" in text
    assert "/api/v1/benchmarks/aggregates?campaign=" in text
    assert extra["citations"][0]["kind"] == "data"


def test_offline_says_what_it_cannot_answer(offline: Server) -> None:
    text, _ = ask(offline, "Quel est le maximum de l'indice des communes de la Gironde ?")
    assert "ne descendent pas au département (Gironde)" in text
    assert "ni minimum, ni maximum" in text
    assert "| Commune |" in text and "| Nouvelle-Aquitaine |" in text


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLM]:
    with fake_llm_server() as fake:
        yield fake


@pytest.fixture(scope="module")
def generative(serve: Callable[..., Server], llm: FakeLLM) -> Server:
    return serve(TERRITOIRES_LLM_BASE_URL=llm.base_url, TERRITOIRES_LLM_MODEL="test")


def _data_source(messages: list[dict[str, Any]]) -> tuple[str, str]:
    """The number and the text of the data tool's source in the answer prompt."""
    prompt = "\n".join(str(m.get("content", "")) for m in messages)
    found = re.search(r'<source numero="(\d+)" titre="Données[^"]*">\n(.*?)</source>', prompt, re.S)
    assert found, prompt
    return found.group(1), found.group(2)


def test_the_model_calls_a_tool_and_a_group_under_k_comes_back_masked(
    generative: Server, llm: FakeLLM
) -> None:
    llm.tool_calls = lambda body: [
        {
            "name": "aggregates",
            "arguments": {"kind": "metropole", "population_band": "250k+", "metric": "index"},
        }
    ]

    def reply(messages: list[dict[str, Any]]) -> str:
        number, _ = _data_source(messages)
        return f"Pour les plus grandes métropoles, la statistique est masquée [{number}]."

    llm.reply = reply
    llm.requests.clear()
    text, extra = ask(generative, BIG_METROPOLES)
    offered = [r for r in llm.requests if r.get("tools")]
    assert offered and {t["function"]["name"] for t in offered[0]["tools"]} >= {"aggregates"}
    _, source = _data_source(llm.requests[-1]["messages"])
    row = next(line for line in source.splitlines() if line.startswith("| Métropole"))
    assert "masquée" in row and not re.search(r"\d", row.split(" hab. |")[1])
    assert extra["territoires"]["mode"] == "generative"
    data = [c for c in extra["citations"] if c["kind"] == "data"]
    assert data and data[0]["title"].startswith("Données : aggregates")
    assert "masquée" in text


def test_figures_come_from_the_tools_or_the_answer_falls_back(
    generative: Server, llm: FakeLLM
) -> None:
    question, kind, band, median = published_cell(generative)
    llm.tool_calls = lambda body: [
        {
            "name": "aggregates",
            "arguments": {"kind": kind, "population_band": band, "metric": "index"},
        }
    ]
    stated = f"{median:.1f}".replace(".", ",")

    def faithful(messages: list[dict[str, Any]]) -> str:
        number, source = _data_source(messages)
        assert stated in source
        return f"La médiane de l'indice de ce groupe est de {stated} [{number}]."

    llm.reply = faithful
    text, extra = ask(generative, question)
    assert extra["territoires"]["mode"] == "generative" and stated in text

    def invented(messages: list[dict[str, Any]]) -> str:
        number, _ = _data_source(messages)
        return f"La médiane est de 97,3 sur 100 [{number}], bien au-dessus des autres."

    llm.reply = invented
    text, extra = ask(generative, question)
    assert extra["territoires"]["fallback_reason"] == "chiffres"
    assert "97,3" not in text and stated in text and "| Groupe |" in text
