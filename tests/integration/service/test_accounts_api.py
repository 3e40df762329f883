"""Accounts through the API: invitations, passwords, API keys (create, use, revoke, expiry)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from service.platform.db import run_blocking, session_scope
from service.platform.db.tables import ApiKey, Invitation
from service.platform.settings import Settings
from tests.integration.service.conftest import Client, People, basic, bearer

PASSWORD = "une phrase de passe bien longue"


def invite(client: Client, people: People, email: str, **extra: object) -> dict[str, object]:
    body = {"email": email, "role": "member", "territory_code": people.territory()} | extra
    response = client.post("/api/v1/invitations", json=body, headers=people.admin)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_invitation_lets_a_member_set_a_password_and_get_a_key(api: Client, people: People) -> None:
    code = people.territory()
    created = invite(
        api, people, "Cheffe.Projet@La-Rochelle.fr", name="Cheffe de projet", territory_code=code
    )
    token = str(created["token"])
    assert created["accept_path"] == f"/invitation/{token}"
    assert created["invitation"]["status"] == "pending"  # type: ignore[index]
    assert created["invitation"]["user"]["has_password"] is False  # type: ignore[index]
    email = "cheffe.projet@la-rochelle.fr"  # stored lower-case
    refused = api.post("/api/v1/api-keys", json={"name": "x"}, headers=basic(email, PASSWORD))
    assert refused.status_code == 401
    short = api.post("/api/v1/invitations/accept", json={"token": token, "password": "court"})
    assert short.status_code == 422
    accepted = api.post("/api/v1/invitations/accept", json={"token": token, "password": PASSWORD})
    assert accepted.status_code == 201
    assert accepted.json()["territory_code"] == code and accepted.json()["has_password"]
    reused = api.post("/api/v1/invitations/accept", json={"token": token, "password": PASSWORD})
    assert reused.status_code == 404
    key = api.post("/api/v1/api-keys", json={"name": "poste"}, headers=basic(email, PASSWORD))
    assert key.status_code == 201, key.text
    me = api.get("/api/v1/me", headers=bearer(key.json()["secret"])).json()
    assert (me["email"], me["role"], me["territory_code"]) == (email, "member", code)
    wrong = api.post(
        "/api/v1/api-keys", json={"name": "x"}, headers=basic(email, "mauvais mot de passe")
    )
    assert wrong.status_code == 401
    again = api.post("/api/v1/invitations", json={"email": email}, headers=people.admin)
    assert again.status_code == 409


def test_invitations_can_be_revoked_and_expire(
    api: Client, people: People, db_settings: Settings
) -> None:
    first = invite(api, people, "revoquee@exemple.fr")
    second = invite(api, people, "revoquee@exemple.fr")  # a new invitation replaces the first
    old = api.post(
        "/api/v1/invitations/accept", json={"token": first["token"], "password": PASSWORD}
    )
    assert old.status_code == 404
    invitation_id = second["invitation"]["id"]  # type: ignore[index]
    revoked = api.delete(f"/api/v1/invitations/{invitation_id}", headers=people.admin)
    assert revoked.json()["status"] == "revoked"
    after = api.post(
        "/api/v1/invitations/accept", json={"token": second["token"], "password": PASSWORD}
    )
    assert after.status_code == 404

    late = invite(api, people, "en.retard@exemple.fr")

    async def expire() -> None:
        async with session_scope(db_settings) as session:
            await session.execute(
                update(Invitation)
                .where(Invitation.id == uuid.UUID(late["invitation"]["id"]))  # type: ignore[index]
                .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
            )

    run_blocking(expire)
    expired = api.post(
        "/api/v1/invitations/accept", json={"token": late["token"], "password": PASSWORD}
    )
    assert expired.status_code == 404
    listed = api.get("/api/v1/invitations", params={"per_page": 100}, headers=people.admin)
    statuses = {i["user"]["email"]: i["status"] for i in listed.json()["items"]}
    assert statuses["en.retard@exemple.fr"] == "expired"


def test_invitation_input_is_checked(api: Client, people: People) -> None:
    cases = [
        ({"email": "pas-une-adresse"}, 422),
        ({"email": "x@exemple.fr", "role": "member"}, 422),  # a member needs a territory
        ({"email": "x@exemple.fr", "role": "member", "territory_code": "00000"}, 422),
        ({"email": "x@exemple.fr", "role": "analyst", "territory_code": "64122"}, 422),
        ({"email": "x@exemple.fr", "role": "chef"}, 400),
    ]
    for body, status in cases:
        response = api.post("/api/v1/invitations", json=body, headers=people.admin)
        assert response.status_code == status, (body, response.text)


def test_api_key_lifecycle(api: Client, people: People) -> None:
    code = people.territory()
    member = people.member(code)
    created = api.post("/api/v1/api-keys", json={"name": "SIG"}, headers=member)
    assert created.status_code == 201
    secret, key = created.json()["secret"], created.json()["key"]
    assert secret.startswith("tc_") and key["prefix"] == secret[:10]
    assert key["role"] == "member" and key["territory_code"] == code
    listed = api.get("/api/v1/api-keys", headers=member).json()
    assert key["id"] in [k["id"] for k in listed["items"]]
    assert secret not in str(listed)  # shown once, never again
    assert api.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    used = api.get("/api/v1/api-keys", headers=member).json()["items"]
    assert next(k for k in used if k["id"] == key["id"])["last_used_at"] is not None

    other = people.member(people.territory())
    assert api.delete(f"/api/v1/api-keys/{key['id']}", headers=other).status_code == 404
    revoked = api.delete(f"/api/v1/api-keys/{key['id']}", headers=member)
    assert revoked.json()["active"] is False
    response = api.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 401
    assert "révoquée" in response.json()["detail"]
    assert api.get("/api/v1/me", headers=bearer("tc_inventee")).status_code == 401


def test_api_key_expiry(api: Client, people: People, db_settings: Settings) -> None:
    member = people.member(people.territory())
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    refused = api.post("/api/v1/api-keys", json={"name": "x", "expires_at": past}, headers=member)
    assert refused.status_code == 422
    soon = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    created = api.post(
        "/api/v1/api-keys", json={"name": "temporaire", "expires_at": soon}, headers=member
    ).json()
    assert api.get("/api/v1/me", headers=bearer(created["secret"])).status_code == 200

    async def age() -> None:
        async with session_scope(db_settings) as session:
            await session.execute(
                update(ApiKey)
                .where(ApiKey.id == uuid.UUID(created["key"]["id"]))
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )

    run_blocking(age)
    assert api.get("/api/v1/me", headers=bearer(created["secret"])).status_code == 401


def test_api_key_roles_never_exceed_their_owner(api: Client, people: People) -> None:
    member = people.member(people.territory())
    escalate = api.post("/api/v1/api-keys", json={"name": "x", "role": "admin"}, headers=member)
    assert escalate.status_code == 422
    someone = api.get("/api/v1/me", headers=people.user("analyst")).json()["id"]
    for_other = api.post("/api/v1/api-keys", json={"name": "x", "user_id": someone}, headers=member)
    assert for_other.status_code == 403
    readonly = api.post(
        "/api/v1/api-keys", json={"name": "lecture", "role": "analyst"}, headers=people.admin
    ).json()
    analyst_key = bearer(readonly["secret"])
    assert api.get("/api/v1/users", headers=analyst_key).status_code == 403
    for_user = api.post(
        "/api/v1/api-keys", json={"name": "pour", "user_id": someone}, headers=people.admin
    )
    assert for_user.json()["key"]["role"] == "analyst"
    everyone = api.get("/api/v1/api-keys", params={"user_id": someone}, headers=people.admin)
    assert {k["user_id"] for k in everyone.json()["items"]} == {someone}


def test_deactivated_users_lose_their_keys(api: Client, people: People) -> None:
    code = people.territory()
    headers = people.member(code)
    me = api.get("/api/v1/me", headers=headers).json()
    patched = api.patch(f"/api/v1/users/{me['id']}", json={"active": False}, headers=people.admin)
    assert patched.json()["active"] is False
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    api.patch(f"/api/v1/users/{me['id']}", json={"active": True}, headers=people.admin)
    assert api.get("/api/v1/me", headers=headers).status_code == 200
    admin_id = api.get("/api/v1/me", headers=people.admin).json()["id"]
    demote = api.patch(f"/api/v1/users/{admin_id}", json={"role": "analyst"}, headers=people.admin)
    assert demote.status_code == 409
    members = api.get("/api/v1/users", params={"territory": code}, headers=people.admin).json()
    assert [u["email"] for u in members["items"]] == [me["email"]]


def test_malformed_basic_credentials_are_a_401(api: Client) -> None:
    for header in ("Basic !!!", "Basic " + "YWJj"):  # not base64 / no colon
        response = api.post(
            "/api/v1/api-keys", json={"name": "x"}, headers={"Authorization": header}
        )
        assert response.status_code == 401
