"""Co-évaluation through the API: personal links (expiry, revocation, reuse), a respondent's
answers kept to themselves, the small-group thresholds in the report and the CSV, and a
consolidation that keeps every revision and the distribution it was decided from."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import update

from service.accounts.auth import secret_hash, utcnow
from service.platform.db import run_blocking, session_scope
from service.platform.db.tables import VoiceRespondent
from service.platform.settings import Settings
from tests.integration.service.conftest import People, start

Client = TestClient[Litestar]
Q1 = "open_governance.resident_co_creation"
Q2 = "strategy.policy_defined"


def _voices(assessment: str) -> str:
    return f"/api/v1/assessments/{assessment}/voices"


def _invite(api: Client, lead: dict[str, str], assessment: str, role: str, label: str) -> str:
    made = api.post(
        f"{_voices(assessment)}/respondents", json={"role": role, "label": label}, headers=lead
    )
    assert made.status_code == 201, made.text
    assert made.json()["path"] == f"/voix/{made.json()['token']}"
    return str(made.json()["token"])


def _answer(api: Client, token: str, answers: dict[str, Any], *, submit: bool = True) -> None:
    saved = api.patch(f"/api/v1/voices/{token}/answers", json={"answers": answers})
    assert saved.status_code == 200, saved.text
    if submit:
        sent = api.post(f"/api/v1/voices/{token}/submit")
        assert sent.status_code == 200, sent.text


def test_a_respondent_sees_only_their_own_answers_and_cannot_answer_twice(
    api: Client, people: People
) -> None:
    code = people.territory()
    lead = people.member(code)
    assessment = start(api, lead)["id"]
    mine = _invite(api, lead, assessment, "service", "Direction de l'urbanisme")
    theirs = _invite(api, lead, assessment, "elu", "Adjointe au numérique")
    _answer(api, mine, {Q1: 1}, submit=False)
    _answer(api, theirs, {Q1: 4, Q2: 3}, submit=False)
    _answer(api, mine, {Q2: 2}, submit=False)  # resume: the draft keeps the first answer
    seen = api.get(f"/api/v1/voices/{mine}").json()
    assert seen["answers"] == {Q1: 1, Q2: 2} and seen["status"] == "draft"
    assert seen["role"] == "service" and "Adjointe" not in str(seen)
    assert api.post(f"/api/v1/voices/{mine}/submit").json()["status"] == "submitted"
    again = api.patch(f"/api/v1/voices/{mine}/answers", json={"answers": {Q1: 4}})
    assert again.status_code == 409  # a used link cannot change its answers
    assert api.get(f"/api/v1/voices/{mine}").json()["answers"] == {Q1: 1, Q2: 2}
    listed = api.get(f"{_voices(assessment)}/respondents", headers=lead).json()
    assert {(r["role"], r["status"]) for r in listed} == {
        ("service", "submitted"),
        ("elu", "draft"),
    }
    assert "answers" not in listed[0]
    assert api.patch(
        f"/api/v1/voices/{mine}/answers", json={"answers": {"nope": 1}}
    ).status_code in (409, 422)
    bad = api.patch(f"/api/v1/voices/{theirs}/answers", json={"answers": {Q1: 9}})
    assert bad.status_code == 422


def test_revoked_reminded_and_expired_links(
    api: Client, people: People, db_settings: Settings
) -> None:
    code = people.territory()
    lead = people.member(code)
    assessment = start(api, lead)["id"]
    revoked = _invite(api, lead, assessment, "partenaire", "Opérateur du réseau")
    reminded = _invite(api, lead, assessment, "service", "Voirie")
    expired = _invite(api, lead, assessment, "service", "Culture")
    ids = {
        r["label"]: r["id"]
        for r in api.get(f"{_voices(assessment)}/respondents", headers=lead).json()
    }
    gone = api.delete(
        f"{_voices(assessment)}/respondents/{ids['Opérateur du réseau']}", headers=lead
    )
    assert gone.json()["status"] == "revoked"
    assert api.get(f"/api/v1/voices/{revoked}").status_code == 404
    _answer(api, reminded, {Q1: 2}, submit=False)
    fresh = api.post(
        f"{_voices(assessment)}/respondents/{ids['Voirie']}/remind", headers=lead
    ).json()
    assert api.get(f"/api/v1/voices/{reminded}").status_code == 404  # the old link stops
    assert api.get(f"/api/v1/voices/{fresh['token']}").json()["answers"] == {Q1: 2}

    async def age() -> None:
        async with session_scope(db_settings) as session:
            await session.execute(
                update(VoiceRespondent)
                .where(VoiceRespondent.token_hash == secret_hash(expired))
                .values(expires_at=utcnow() - timedelta(minutes=1))
            )

    run_blocking(age)
    assert api.get(f"/api/v1/voices/{expired}").status_code == 404
    listed = {
        r["label"]: r["status"]
        for r in api.get(f"{_voices(assessment)}/respondents", headers=lead).json()
    }
    assert listed == {"Opérateur du réseau": "revoked", "Voirie": "draft", "Culture": "expired"}


def test_another_territory_never_reaches_the_voices(api: Client, people: People) -> None:
    lead = people.member(people.territory())
    assessment = start(api, lead)["id"]
    other = people.member(people.territory())
    for path in ("", "/respondents", "/consolidation"):
        assert api.get(f"{_voices(assessment)}{path}", headers=other).status_code == 404
    made = api.post(
        f"{_voices(assessment)}/respondents", json={"role": "elu", "label": "x"}, headers=other
    )
    assert made.status_code == 404
    assert api.get(f"{_voices(assessment)}/respondents").status_code == 401


def test_small_role_groups_never_show_alone(api: Client, people: People) -> None:
    lead = people.member(people.territory())
    assessment = start(api, lead)["id"]
    for label, value in (("Urbanisme", 1), ("Voirie", 1)):
        _answer(api, _invite(api, lead, assessment, "service", label), {Q1: value})
    two = api.get(_voices(assessment), headers=lead).json()
    q = next(item for item in two["questions"] if item["question"] == Q1)
    assert q["answered"] == 2 and q["distribution"] is None and q["by_role"] == {}
    _answer(api, _invite(api, lead, assessment, "elu", "Maire"), {Q1: 4})
    three = api.get(_voices(assessment), headers=lead).json()
    q = next(item for item in three["questions"] if item["question"] == Q1)
    assert q["distribution"] == [0, 2, 0, 0, 1]  # three voices: the whole shows
    assert q["by_role"] == {} and q["role_means"] == {} and q["spread"] is None
    assert all(d["by_role"] == {} for d in three["dimensions"])
    assert {r["role"]: r["shown"] for r in three["roles"]}["service"] is False
    _answer(api, _invite(api, lead, assessment, "service", "Culture"), {Q1: 0})
    four = api.get(_voices(assessment), headers=lead).json()
    q = next(item for item in four["questions"] if item["question"] == Q1)
    assert q["by_role"] == {"service": [1, 2, 0, 0, 0]} and "elu" not in q["role_means"]


def test_consolidation_keeps_every_revision_and_its_distribution(
    api: Client, people: People
) -> None:
    lead = people.member(people.territory())
    assessment = start(api, lead)["id"]
    for label, value in (("Urbanisme", 1), ("Voirie", 2), ("Culture", 2)):
        _answer(api, _invite(api, lead, assessment, "service", label), {Q1: value, Q2: 3})
    first = api.post(
        f"{_voices(assessment)}/consolidation", json={"answers": {Q1: 2}}, headers=lead
    )
    assert first.status_code == 201, first.text
    assert first.json()[0]["distribution"]["by_role"] == {"service": [0, 1, 2, 0, 0]}
    second = api.post(
        f"{_voices(assessment)}/consolidation", json={"answers": {Q1: 1, Q2: 3}}, headers=lead
    )
    assert second.status_code == 201, second.text
    history = api.get(f"{_voices(assessment)}/consolidation", headers=lead).json()
    assert [(r["question"], r["answer"], r["revision"]) for r in history] == [
        (Q1, 2, 1),
        (Q1, 1, 2),
        (Q2, 3, 2),
    ]
    assert all(r["distribution"]["overall"] for r in history)
    official = api.get(f"/api/v1/assessments/{assessment}", headers=lead).json()
    assert official["answers"] == {Q1: 1, Q2: 3} and official["revision"] == 2
    revisions = api.get(f"/api/v1/assessments/{assessment}/revisions", headers=lead)
    assert revisions.status_code == 200 and len(revisions.json()["items"]) == 2
    csv = api.get(f"{_voices(assessment)}/consolidation?format=csv", headers=lead)
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.headers["cache-control"] == "no-store"  # the lead's decisions: never cached
    assert csv.headers["content-disposition"] == (
        f'attachment; filename="consolidation-{assessment}.csv"'
    )
    lines = csv.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("question,reponse_officielle,revision")
    assert f"{Q1},2,1," in lines[1] and lines[1].endswith("*,3,0,1,2,0,0")
    assert len(lines) == 1 + 3 * 2  # each decision: all the voices, then the service group


def test_demo_voices_show_a_divergence_map_and_are_removed(
    api: Client, people: People, db_settings: Settings, model: Any
) -> None:
    from service.demo.voices import DEMO_VOICES, load_demo_voices, remove_demo_voices
    from service.platform.db.tables import Assessment

    code = people.territory()
    lead = people.member(code)
    assessment = start(api, lead)["id"]
    answers: dict[str, int] = {}
    for dimension in api.get("/api/v1/model").json()["dimensions"]:
        answers |= {q["id"]: 2 for q in dimension["questions"]}
    assert (
        api.put(
            f"/api/v1/assessments/{assessment}/answers", json={"answers": answers}, headers=lead
        ).status_code
        == 200
    )

    assert api.post(f"/api/v1/assessments/{assessment}/submit", headers=lead).status_code == 200

    async def load() -> int:
        async with session_scope(db_settings) as session:
            await session.execute(
                update(Assessment).where(Assessment.territory_code == code).values(synthetic=True)
            )
            added = await load_demo_voices(session, model, code, 2026)
            assert await load_demo_voices(session, model, code, 2026) == 0  # once only
            return added

    assert run_blocking(load) == sum(DEMO_VOICES.values())
    report = api.get(_voices(assessment), headers=lead).json()
    shown = {r["role"]: r["shown"] for r in report["roles"]}
    assert shown["conseil_citoyen"] is False and shown["habitant"] is True
    governance = next(d for d in report["dimensions"] if d["dimension"] == "open_governance")
    assert governance["by_role"]["elu"] > governance["by_role"]["habitant"]
    assert "conseil_citoyen" not in governance["by_role"]
    assert report["notice"] and report["strongest"]
    listed = api.get(f"{_voices(assessment)}/respondents", headers=lead).json()
    assert all(r["synthetic"] for r in listed)

    async def remove() -> None:
        async with session_scope(db_settings) as session:
            await remove_demo_voices(session)
            await session.execute(
                update(Assessment).where(Assessment.territory_code == code).values(synthetic=False)
            )

    run_blocking(remove)
    assert api.get(f"{_voices(assessment)}/respondents", headers=lead).json() == []
