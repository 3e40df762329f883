"""Model editions in the service: a campaign on a new edition, last year's answers carried over
through the mapping (« à confirmer »), each assessment scored with its own edition, and trends
across editions computed on what is comparable (SQLite, an application of its own).

The second edition is made here from the packaged 2026.1: version 2099.1, one question renamed,
one kept but no longer comparable; the service reads it from a folder of its own."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from maturity.mapping import MODELS_DIR
from maturity.model import Model
from service.accounts.api_keys import ApiKeyCreate, create_api_key
from service.accounts.auth import Principal
from service.accounts.members import create_user
from service.app import create_app
from service.assessments import editions
from service.platform.db import run_blocking, session_scope, upgrade
from service.platform.settings import Settings, load_settings
from tests.integration.service.conftest import bearer, load_reference_territories

Client = TestClient[Litestar]
Setup = tuple[Client, dict[str, str], dict[str, str], Settings]
"""The application's client, admin and member headers (member of Biarritz), its settings."""
NEW = "2099.1"
RENAMED = ("strategy.financing", "strategy.funding")
REFRAMED = "use_cases.resource_optimisation"


def second_edition(folder: Path) -> None:
    """2026.1 and 2099.1 in `folder`, and the mapping between them (every rule spelt out)."""
    text = (MODELS_DIR / "2026.1.toml").read_text(encoding="utf-8")
    (folder / "2026.1.toml").write_text(text, encoding="utf-8")
    new = text.replace('version = "2026.1"', f'version = "{NEW}"', 1)
    new = new.replace(f'id = "{RENAMED[0]}"', f'id = "{RENAMED[1]}"', 1)
    (folder / f"{NEW}.toml").write_text(new, encoding="utf-8")
    ids = re.findall(r'^id = "([a-z_]+\.[a-z_]+)"', text, re.M)
    kept = [q for q in ids if q not in (RENAMED[0], REFRAMED)]
    (folder / f"2026.1--{NEW}.toml").write_text(
        f'[mapping]\nfrom = "2026.1"\nto = "{NEW}"\n\n'
        f'[[questions]]\nkind = "kept"\nids = {kept!r}\n\n'.replace("'", '"')
        + f'[[questions]]\nkind = "kept"\nids = ["{REFRAMED}"]\ncomparable = false\n\n'
        + f'[[questions]]\nkind = "renamed"\nfrom = "{RENAMED[0]}"\nto = "{RENAMED[1]}"\n',
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory, model: Model) -> Iterator[Setup]:
    folder = tmp_path_factory.mktemp("editions")
    second_edition(folder)
    patch = pytest.MonkeyPatch()
    patch.setattr(editions, "MODELS_DIR", folder)
    patch.setattr(editions, "MAPPINGS_DIR", folder)
    editions.editions_for.cache_clear()
    settings = load_settings({}, data_dir=tmp_path_factory.mktemp("data"))
    upgrade(settings)
    load_reference_territories(settings)

    async def keys() -> tuple[str, str]:
        made = []
        async with session_scope(settings) as session:
            roles: tuple[tuple[Literal["admin", "member"], str | None], ...] = (
                ("admin", None),
                ("member", "64122"),
            )
            for role, territory in roles:
                email = f"{role}.{secrets.token_hex(3)}@exemple.fr"
                user = await create_user(session, email, role, territory_code=territory)
                owner = Principal(user.id, email, "", role, territory, "session")
                made.append((await create_api_key(session, owner, ApiKeyCreate("t"))).secret)
        return made[0], made[1]

    admin, member = run_blocking(keys)
    try:
        with TestClient(create_app(settings, model)) as client:
            yield client, bearer(admin), bearer(member), settings
    finally:
        patch.undo()
        editions.editions_for.cache_clear()


def call(client: Client, method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
    response = client.request(method, f"/api/v1{path}", headers=headers, **kw)
    assert response.status_code < 300, response.text
    return response.json()


def test_a_new_campaign_on_a_new_edition_carries_answers_over_and_compares_what_it_can(
    setup: Setup, model: Model
) -> None:
    client, admin, member, _ = setup
    refused = client.post(
        "/api/v1/campaigns", json={"year": 2026, "model_version": "1999.9"}, headers=admin
    )
    assert refused.status_code == 422 and "2099.1" in refused.text
    first = call(client, "POST", "/campaigns", admin, json={"year": 2026})
    assert first["model_version"] == model.version  # the model in force by default
    old = call(client, "POST", "/assessments", member, json={})
    answers = {q: (i % 5) for i, q in enumerate(model.questions)}
    answers[REFRAMED] = 1
    call(
        client,
        "PUT",
        f"/assessments/{old['id']}/answers",
        member,
        json={
            "answers": answers,
            "comments": {RENAMED[0]: "Budget voté"},
            "targets": {"strategy": 4},
        },
    )
    call(client, "POST", f"/assessments/{old['id']}/submit", member)
    call(client, "PATCH", "/campaigns/2026", admin, json={"status": "closed"})
    second = call(client, "POST", "/campaigns", admin, json={"year": 2027, "model_version": NEW})
    assert second["model_version"] == NEW

    new = call(client, "POST", "/assessments", member, json={})
    assert new["model_version"] == NEW and new["progress"]["answered"] == 0
    preview = call(client, "GET", f"/assessments/{new['id']}/previous-answers", member)
    assert (preview["campaign"], preview["model_version"], preview["lost"]) == (2026, "2026.1", [])
    filled = call(client, "POST", f"/assessments/{new['id']}/carry-over", member)
    assert filled["answers"][RENAMED[1]] == answers[RENAMED[0]]
    assert RENAMED[0] not in filled["answers"]
    assert filled["comments"] == {RENAMED[1]: "Budget voté"}
    assert filled["targets"] == {"strategy": 4}
    assert sorted(filled["to_confirm"]) == sorted(filled["answers"])
    # a save that changes an answer confirms it; one that leaves it alone does not
    changed = call(
        client,
        "PATCH",
        f"/assessments/{new['id']}/answers",
        member,
        json={"answers": {REFRAMED: 4}},
    )
    assert REFRAMED not in changed["to_confirm"]
    assert RENAMED[1] in changed["to_confirm"]
    call(client, "POST", f"/assessments/{new['id']}/submit", member)

    history = call(client, "GET", "/territories/64122/results", member)
    now, before = history["campaigns"]
    assert (now["result"]["model_version"], before["result"]["model_version"]) == (NEW, "2026.1")
    assert before["trend"] is None
    trend = now["trend"]
    assert (trend["source"], trend["target"]) == ("2026.1", NEW)
    assert trend["index"]["status"] == "partial"
    dims = {d["id"]: d for d in trend["dimensions"]}
    old_scores = {d["id"]: d["score"] for d in before["result"]["dimensions"]}
    new_scores = {d["id"]: d["score"] for d in now["result"]["dimensions"]}
    strategy = dims["strategy"]  # renamed question: still the same dimension
    assert strategy["status"] == "full"
    assert (strategy["before"], strategy["after"]) == (
        old_scores["strategy"],
        new_scores["strategy"],
    )
    use_cases = dims["use_cases"]  # one question no longer comparable: recomputed without it
    assert use_cases["status"] == "partial"
    assert use_cases["questions"] == len(model.dimension_by_id["use_cases"].questions) - 1
    assert use_cases["before"] == use_cases["after"]  # the other answers were carried as is


def test_a_second_carry_over_overwrites_nothing_and_no_earlier_campaign_is_a_404(
    setup: Setup,
) -> None:
    client, admin, member, _ = setup
    listing = call(client, "GET", "/assessments", member, params={"campaign": 2027})
    (current,) = listing["items"]
    before = call(client, "GET", f"/assessments/{current['id']}", member)
    if before["status"] == "submitted":
        call(client, "POST", f"/assessments/{current['id']}/reopen", admin)
    again = call(client, "POST", f"/assessments/{current['id']}/carry-over", member)
    assert again["answers"] == before["answers"]
    first = call(client, "GET", "/assessments", member, params={"campaign": 2026})["items"][0]
    missing = client.get(f"/api/v1/assessments/{first['id']}/previous-answers", headers=member)
    assert missing.status_code == 404


def test_pages_show_the_carry_over_what_to_confirm_and_partial_trends(
    setup: Setup,
) -> None:
    from bs4 import BeautifulSoup

    client, admin, member, settings = setup
    (current,) = call(client, "GET", "/assessments", member, params={"campaign": 2027})["items"]
    view = call(client, "GET", f"/assessments/{current['id']}", member)
    if view["status"] == "submitted":
        call(client, "POST", f"/assessments/{current['id']}/reopen", admin)
    email, password = f"membre.{secrets.token_hex(3)}@exemple.fr", "un mot de passe solide"

    async def account() -> None:
        async with session_scope(settings) as session:
            await create_user(session, email, "member", territory_code="64122", password=password)

    run_blocking(account)
    html = {"accept": "text/html"}

    def page(path: str) -> BeautifulSoup:
        response = client.get(path, headers=html)
        assert response.status_code == 200, response.text[:500]
        return BeautifulSoup(response.text, "html.parser")

    def token(path: str) -> str:
        found = page(path).select_one("input[name=_csrf_token]")
        assert found is not None
        return str(found["value"])

    client.post(
        "/connexion",
        data={"_csrf_token": token("/connexion"), "email": email, "password": password},
        headers=html,
    )
    overview = page(f"/evaluations/{current['id']}")
    assert overview.select_one(f"form[action='/evaluations/{current['id']}/reprendre']")
    dimension = page(f"/evaluations/{current['id']}/strategy")
    flagged = dimension.select_one(f"fieldset[id='q-{RENAMED[1]}'] p.to-confirm")
    assert flagged is not None and "À confirmer" in flagged.get_text()
    assert dimension.select_one(f"input[name='confirm-{RENAMED[1]}']") is not None
    form = {
        str(field["name"]): str(field.get("value", ""))
        for field in dimension.select("form input[name], form textarea[name]")
        if field.get("type") not in ("radio", "checkbox")
    }
    for radio in dimension.select("form input[type=radio][checked]"):
        form[str(radio["name"])] = str(radio["value"])
    form[f"confirm-{RENAMED[1]}"] = "1"
    saved = client.post(
        f"/evaluations/{current['id']}/strategy", data=form, headers=html, follow_redirects=False
    )
    assert saved.status_code == 303, saved.text[:500]
    after = call(client, "GET", f"/assessments/{current['id']}", member)
    assert RENAMED[1] not in after["to_confirm"]
    assert any(q.startswith("use_cases.") for q in after["to_confirm"])  # other pages untouched
    # before submitting: what became of the pre-filled answers
    recap = page(f"/evaluations/{current['id']}/soumettre").select_one("section.carry-over-recap")
    assert recap is not None and "2026" in recap.get_text() and "2026.1" in recap.get_text()
    rows = recap.select("table tbody tr")
    assert [str(r.a["href"]).split("#q-")[1] for r in rows if r.a] == [REFRAMED]
    carried, now = (td.get_text(" ", strip=True) for td in rows[0].select("td"))
    assert carried.startswith("1/4") and now.startswith("4/4")
    pending = {str(a["href"]).split("#q-")[1] for a in recap.select("ul a")}
    assert pending == set(after["to_confirm"]) and RENAMED[1] not in pending  # confirmed
    call(client, "POST", f"/assessments/{current['id']}/submit", member)
    results = page(f"/evaluations/{current['id']}/resultats")
    note = results.select_one("#evolution ~ p.muted, section[aria-labelledby=evolution] p.muted")
    assert note is not None and "2026.1" in note.get_text() and NEW in note.get_text()
    assert results.select("section[aria-labelledby=evolution] abbr")  # partial rows marked
