"""The MCP server as an AI client meets it: the SDK's own client over real HTTP against
`territoires serve`, with the rights of each caller (anonymous, member, analyst, bad key) and
the peer statistics masked under k = 5."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from tests.integration.ai_server import ANGERS, BIARRITZ, DEMO_ANALYST
from tests.integration.live import DEMO_ADMIN, DEMO_MEMBER, Server

pytestmark = pytest.mark.reliability  # real server processes

TOOLS = {
    "search_knowledge",
    "ask",
    "get_model",
    "score_answers",
    "my_results",
    "my_benchmark",
    "peers",
    "aggregates",
    "public_profile",
}


@pytest.fixture(scope="module")
def server(serve: Callable[..., Server]) -> Server:
    """One server over the demo data and the indexed cards."""
    return serve()


@pytest.fixture(scope="module")
def keys(server: Server) -> dict[str, dict[str, str]]:
    """Bearer headers of the demo accounts."""
    return {
        "member": server.api_key(*DEMO_MEMBER),
        "analyst": server.api_key(*DEMO_ANALYST),
        "admin": server.api_key(*DEMO_ADMIN),
    }


@asynccontextmanager
async def connect(
    server: Server, headers: dict[str, str] | None = None
) -> AsyncIterator[ClientSession]:
    """An initialized MCP session with `server`, as an AI client opens one."""
    async with (
        httpx2.AsyncClient(headers=headers or {}, timeout=60) as http,
        streamable_http_client(f"{server.url}/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


async def call(session: ClientSession, tool: str, **arguments: Any) -> tuple[bool, Any]:
    """(is_error, the structured result or the error text)."""
    result = await session.call_tool(tool, arguments)
    if result.is_error:
        return True, " ".join(getattr(c, "text", "") for c in result.content)
    return False, result.structured_content


async def test_lists_the_tools_and_resources(server: Server) -> None:
    async with connect(server) as session:
        listed = await session.list_tools()
        assert {t.name for t in listed.tools} == TOOLS
        for tool in listed.tools:
            assert tool.description and tool.input_schema["type"] == "object"
            assert tool.annotations is not None and tool.annotations.read_only_hint
        resources = {str(r.uri) for r in (await session.list_resources()).resources}
        assert {"territoires://modele", "territoires://fiches"} <= resources
        model = await session.read_resource("territoires://modele")
        assert len(json.loads(model.contents[0].text)["dimensions"]) == 8  # type: ignore[union-attr]
        cards = json.loads((await session.read_resource("territoires://fiches")).contents[0].text)  # type: ignore[union-attr]
        assert cards and all(c["uri"].startswith("territoires://fiches/") for c in cards)
        card = await session.read_resource(cards[0]["uri"])
        assert cards[0]["title"].split()[0] in card.contents[0].text  # type: ignore[union-attr]


async def test_anonymous_caller_gets_public_data_only(server: Server) -> None:
    async with connect(server) as session:
        error, found = await call(session, "aggregates", group_by=["kind"], metric="index")
        assert not error and found["k_min"] == 5 and found["rows"]
        assert all(r["metric"] == "index" for r in found["rows"])
        error, found = await call(session, "search_knowledge", query="jumeau numérique Angers")
        assert not error and found["passages"] and found["passages"][0]["source"]
        error, found = await call(session, "public_profile", code=ANGERS)
        assert not error and found["results"]["visibility"] == "public"
        assert all(c["status"] == "submitted" for c in found["results"]["campaigns"])
        assert all(c["result"]["next_steps"] == [] for c in found["results"]["campaigns"])
        for tool, arguments in (
            ("my_results", {}),
            ("my_benchmark", {}),
            ("public_profile", {"code": BIARRITZ}),
            ("peers", {"code": BIARRITZ}),
        ):
            error, text = await call(session, tool, **arguments)
            assert error, (tool, text)
            assert (
                "Authentification requise" in text or "introuvable" in text or "pas publics" in text
            )


async def test_member_sees_its_own_results_and_peers(
    server: Server, keys: dict[str, dict[str, str]]
) -> None:
    async with connect(server, keys["member"]) as session:
        error, own = await call(session, "my_results")
        assert not error, own
        assert own["territory"]["code"] == BIARRITZ and own["visibility"] == "own"
        error, bench = await call(session, "my_benchmark", campaign=2025)
        assert not error, bench
        assert bench["territory"] == BIARRITZ and bench["k_min"] == 5
        for metric in bench["metrics"]:
            published = metric["withheld"] is None
            assert published == (metric["median"] is not None), metric
            if published:
                assert bench["group"]["n"] >= 5
        error, peers = await call(session, "peers", campaign=2025)
        assert not error and peers["metrics"] == [] and peers["group"]["n"] >= 5
        # another territory that has no public profile stays out of reach, as through the API
        error, text = await call(session, "peers", code="64102", campaign=2025)
        assert error and "introuvable" in text
        # the public profile tool shows even the member's own territory as anyone sees it
        error, text = await call(session, "public_profile", code=BIARRITZ)
        assert error and "pas publics" in text


async def test_analyst_never_sees_a_territory_s_own_results(
    server: Server, keys: dict[str, dict[str, str]]
) -> None:
    async with connect(server, keys["analyst"]) as session:
        for tool in ("my_results", "my_benchmark"):
            error, text = await call(session, tool)
            assert error and "aucun territoire" in text, text
        error, text = await call(session, "public_profile", code=BIARRITZ)
        assert error and "pas publics" in text
        error, text = await call(session, "peers", code=BIARRITZ)
        assert error and "introuvable" in text
        error, found = await call(session, "aggregates", group_by=["region"], compare_previous=True)
        assert not error and found["previous_campaign"] == found["campaign"] - 1


async def test_cells_under_k_are_masked_without_their_statistics(server: Server) -> None:
    async with connect(server) as session:
        error, found = await call(
            session, "aggregates", group_by=["kind", "population_band"], metric="index"
        )
    assert not error
    masked = [r for r in found["rows"] if r["withheld"]]
    shown = [r for r in found["rows"] if not r["withheld"]]
    assert masked and shown
    for row in masked:  # a withheld cell states neither its statistics nor its count
        assert all(row.get(s) is None for s in ("n", "mean", "median", "p25", "p75", "p90")), row
    assert all(r["n"] >= 5 for r in shown)
    assert found["link"].startswith("/api/v1/benchmarks/aggregates?")


async def test_groupings_outside_the_hierarchy_are_refused(server: Server) -> None:
    async with connect(server) as session:
        error, text = await call(session, "aggregates", kind="ca", region="75")
    assert error and "Regroupement non proposé" in text


async def test_filters_pick_published_cells(server: Server) -> None:
    # the latest campaign (2027, edition 2027.1) follows one on 2026.1: the index is only
    # partly comparable and gets no previous value; strategy is fully comparable
    async with connect(server) as session:
        error, found = await call(
            session,
            "aggregates",
            kind="commune",
            population_band="20k-50k",
            metric="strategy",
            compare_previous=True,
        )
        index_error, index = await call(
            session,
            "aggregates",
            kind="commune",
            population_band="20k-50k",
            metric="index",
            compare_previous=True,
        )
    assert not error and not index_error
    (row,) = found["rows"]
    assert row["kind"] == "commune" and row["population_band"] == "20k-50k"
    assert row["group"] == "Commune, 20 000 à 50 000 hab."
    assert row["previous_median"] is not None
    assert row["change_median"] == pytest.approx(row["median"] - row["previous_median"], abs=0.02)
    (partial,) = index["rows"]
    assert partial["median"] is not None and partial.get("previous_median") is None


async def test_model_scoring_and_the_assistant(server: Server) -> None:
    async with connect(server) as session:
        error, dimension = await call(session, "get_model", dimension="evaluation")
        assert not error and dimension["id"] == "evaluation" and dimension["questions"]
        question = dimension["questions"][0]["id"]
        error, scored = await call(session, "score_answers", answers={question: 4})
        assert not error and any(d["id"] == "evaluation" for d in scored["dimensions"])
        error, text = await call(session, "score_answers", answers={"nope": 9})
        assert error and "nope" in text
        error, text = await call(session, "get_model", dimension="nope")
        assert error and "Dimension inconnue" in text
        error, answer = await call(
            session, "ask", question="Comment Angers utilise-t-elle un jumeau numérique ?"
        )
        assert not error and answer["citations"] and answer["conversation_id"]
        assert all(f"[{c['number']}]" in answer["answer"] for c in answer["citations"])


async def test_a_bad_key_is_refused_before_any_tool(server: Server) -> None:
    async with httpx2.AsyncClient(timeout=30) as http:
        response = await http.post(
            f"{server.url}/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}},
            headers={
                "Authorization": "Bearer tc_inconnue",
                "Accept": "application/json, text/event-stream",
            },
        )
    assert response.status_code == 401
    assert "Clé d'API inconnue" in response.json()["detail"]


async def test_questions_through_mcp_count_against_the_assistant_rate_limit(
    serve: Callable[..., Server],
) -> None:
    limited = serve(TERRITOIRES_ASSISTANT_RATE_LIMIT="1")
    statuses: list[int] = []

    async def record(response: httpx2.Response) -> None:
        statuses.append(response.status_code)

    async with (
        httpx2.AsyncClient(timeout=60, event_hooks={"response": [record]}) as http,
        streamable_http_client(f"{limited.url}/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        error, _ = await call(session, "ask", question="Comment Angers utilise-t-elle un jumeau ?")
        assert not error
        with pytest.raises(MCPError):
            await session.call_tool("ask", {"question": "Et Mulhouse ?"})
        assert statuses[-1] == 429
        error, _ = await call(session, "get_model", dimension="evaluation")  # not a question
        assert not error and statuses[-1] == 200
