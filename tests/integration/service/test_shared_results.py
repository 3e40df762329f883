"""The full results page as its member reads it (a short head, the detail folded, one table
per dimension) and as the anonymous holder of a share link made "with the
details" reads it: the same template, read-only. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from maturity.model import Model
from service.accounts.auth import utcnow
from service.platform.db import run_blocking, session_scope
from service.platform.db.tables import ShareLink
from tests.integration.service.conftest import HTML, Client, People, soup, start, without_cookies

SECRET_COMMENT = "Note interne du comité de pilotage."


@pytest.fixture(scope="module")
def submitted(people: People, model: Model) -> dict[str, Any]:
    """A submitted assessment with a comment on one answer, and a member's headers."""
    code = people.territory()
    member = people.member(code)
    created = start(people.client, member)
    answers = {
        q.id: 1 if d.id == "partnerships" else 3 for d in model.dimensions for q in d.questions
    }
    url = f"/api/v1/assessments/{created['id']}"
    body = {"answers": answers, "comments": {"strategy.policy_defined": SECRET_COMMENT}}
    assert people.client.put(f"{url}/answers", json=body, headers=member).status_code == 200
    assert people.client.post(f"{url}/submit", headers=member).status_code == 200
    return {"id": created["id"], "member": member}


@pytest.fixture
def holder(api: Client) -> Iterator[Client]:
    """The API's client with no cookie: an anonymous holder of a link."""
    yield from without_cookies(api)


def _link(people: People, submitted: dict[str, Any], **body: Any) -> str:
    """A new share link's path (``/partage/{token}``)."""
    made = people.client.post(
        f"/api/v1/assessments/{submitted['id']}/share-links",
        json={"label": "Commission numérique", **body},
        headers=submitted["member"],
    )
    assert made.status_code == 201, made.text
    return str(made.json()["path"])


def test_the_member_reads_a_short_head_then_folds(
    people: People, submitted: dict[str, Any]
) -> None:
    got = people.client.get(
        f"/evaluations/{submitted['id']}/resultats", headers=HTML | submitted["member"]
    )
    page = soup(got)
    head = page.select_one("section.results-head")
    assert head is not None
    assert re.search(r"Niveau \d sur 5", head.get_text(" "))
    assert head.select_one(f"a[href='/evaluations/{submitted['id']}/synthese']") is not None
    sections = [s["aria-labelledby"] for s in page.select("section:has(> details.fold)")]
    assert {"profil", "diagnostics", "etapes", "exports"} <= set(sections)
    assert not page.select("details.fold[open]")  # the automatic group: nothing unfolded
    profile = page.select_one("section[aria-labelledby=profil]")
    assert profile is not None and len(profile.select("table")) == 1  # one table, not two
    assert len(profile.select("table tbody tr")) == 8
    steps = page.select_one("section[aria-labelledby=etapes]")
    assert steps is not None
    assert len(steps.select("ol.first-steps > li")) == 3  # the rest folded
    assert steps.select("details.fold li")


def test_a_link_with_details_opens_the_full_results_read_only(
    holder: Client, people: People, submitted: dict[str, Any]
) -> None:
    path = _link(people, submitted, scope="results")
    synthesis = soup(holder.get(path, headers=HTML))
    button = synthesis.select_one(f"a[href='{path}/resultats']")
    assert button is not None  # the synthesis leads to the full results
    got = holder.get(f"{path}/resultats", headers=HTML)
    assert got.status_code == 200
    assert got.headers["cache-control"] == "no-store" and "noindex" in got.headers["x-robots-tag"]
    page = soup(got)
    main = page.select_one("main")
    assert main is not None
    assert page.select_one("section[aria-labelledby=profil] table tbody tr") is not None
    assert page.select_one("section[aria-labelledby=diagnostics]") is not None
    assert not main.select("form"), "no chooser, no action"
    needs_login = [a["href"] for a in main.select("a[href^='/evaluations'], a[href='/espace']")]
    assert needs_login == []
    assert main.select_one(f"a[href='{path}/synthese.pdf']") is not None
    assert SECRET_COMMENT not in got.text
    assert "ne sont pas partagées" in got.text  # next steps reveal answers: left out
    assert not page.select("ol.first-steps")


def test_a_link_with_details_and_answers_shows_them(
    holder: Client, people: People, submitted: dict[str, Any]
) -> None:
    path = _link(people, submitted, scope="results", include_answers=True)
    page = soup(holder.get(f"{path}/resultats", headers=HTML))
    assert SECRET_COMMENT in page.get_text(" ")
    assert len(page.select("ol.first-steps > li")) == 3


def test_a_link_without_details_opens_only_the_synthesis(
    holder: Client, people: People, submitted: dict[str, Any]
) -> None:
    path = _link(people, submitted, include_answers=True)
    synthesis = holder.get(path, headers=HTML)
    assert synthesis.status_code == 200
    assert not soup(synthesis).select(f"a[href='{path}/resultats']")
    assert holder.get(f"{path}/resultats", headers=HTML).status_code == 404


@pytest.mark.parametrize("how", ["revoked", "expired", "tampered"])
def test_a_refused_link_opens_no_results(
    holder: Client, people: People, submitted: dict[str, Any], how: str
) -> None:
    path = _link(people, submitted, scope="results", days=1)
    token = path.removeprefix("/partage/")
    link_id = token.split(".")[0]
    match how:
        case "revoked":
            url = f"/api/v1/share-links/{link_id}"
            assert holder.delete(url, headers=submitted["member"]).status_code == 200
        case "expired":
            _expire(people, link_id)
        case "tampered":
            path = f"/partage/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}"
    assert holder.get(f"{path}/resultats", headers=HTML).status_code == 404
    member_page = f"/evaluations/{submitted['id']}/resultats"
    got = holder.get(member_page, headers=HTML, follow_redirects=False)
    assert got.status_code in (302, 303, 401)  # the member's page stays the members'


def _expire(people: People, link_id: str) -> None:
    """Move a link's expiry into the past, straight in the database."""

    async def age() -> None:
        async with session_scope(people.settings) as session:
            await session.execute(
                update(ShareLink)
                .where(ShareLink.id == uuid.UUID(hex=link_id))
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )

    run_blocking(age)
