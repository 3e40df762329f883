"""A respondent who has an account answers with it: the invitation sent to the account's
address is claimed by that account (and by no other), then answered without the personal link,
through the API and from the member's space; the respondent still sees only their own answers."""

from __future__ import annotations

from collections.abc import Callable

from litestar import Litestar
from litestar.testing import TestClient

from tests.integration.service.conftest import HTML, People, csrf, log_in, soup, start

Client = TestClient[Litestar]
Q1 = "open_governance.resident_co_creation"
Q2 = "strategy.policy_defined"
MINE = "/api/v1/me/voices"


def _invite(api: Client, lead: dict[str, str], assessment: str, **body: str) -> dict[str, str]:
    made = api.post(f"/api/v1/assessments/{assessment}/voices/respondents", json=body, headers=lead)
    assert made.status_code == 201, made.text
    return {"id": made.json()["respondent"]["id"], "token": made.json()["token"]}


def test_an_account_claims_the_invitation_sent_to_its_address_and_answers_with_it(
    api: Client, people: People
) -> None:
    code = people.territory()
    lead = people.member(code)
    assessment = start(api, lead)["id"]
    respondent = people.member(people.territory())  # a member elsewhere, invited as a partner
    stranger = people.member(people.territory())
    address = api.get("/api/v1/me", headers=respondent).json()["email"]
    mine = _invite(
        api, lead, assessment, role="partenaire", label="Syndicat", email=address.upper()
    )
    other = _invite(api, lead, assessment, role="elu", label="Maire")
    api.patch(f"/api/v1/voices/{other['token']}/answers", json={"answers": {Q1: 4}})

    listed = api.get(MINE, headers=respondent).json()
    assert [(v["voice"]["id"], v["claimed"]) for v in listed] == [(mine["id"], False)]
    assert api.get(MINE, headers=stranger).json() == []
    assert api.get(f"{MINE}/{mine['id']}", headers=respondent).status_code == 404  # unclaimed
    for who, target in ((stranger, mine["id"]), (respondent, other["id"])):
        assert api.post(f"{MINE}/{target}/claim", headers=who).status_code == 404
    assert api.get(MINE).status_code == 401

    claimed = api.post(f"{MINE}/{mine['id']}/claim", headers=respondent)
    assert claimed.status_code == 200 and claimed.json()["role"] == "partenaire"
    assert api.post(f"{MINE}/{mine['id']}/claim", headers=respondent).status_code == 200
    saved = api.patch(f"{MINE}/{mine['id']}/answers", json={"answers": {Q1: 1}}, headers=respondent)
    assert saved.status_code == 200 and saved.json()["answers"] == {Q1: 1}
    assert (
        api.patch(
            f"{MINE}/{mine['id']}/answers", json={"answers": {Q1: 1}}, headers=stranger
        ).status_code
        == 404
    )
    # the personal link and the account reach the same answers, never another respondent's
    via_link = api.get(f"/api/v1/voices/{mine['token']}").json()
    assert via_link["answers"] == {Q1: 1}
    api.patch(f"/api/v1/voices/{mine['token']}/answers", json={"answers": {Q2: 2}})
    read = api.get(f"{MINE}/{mine['id']}", headers=respondent).json()
    assert read["answers"] == {Q1: 1, Q2: 2} and "Maire" not in str(read)
    sent = api.post(f"{MINE}/{mine['id']}/submit", headers=respondent)
    assert sent.status_code == 200 and sent.json()["status"] == "submitted"
    late = api.patch(f"{MINE}/{mine['id']}/answers", json={"answers": {Q1: 3}}, headers=respondent)
    assert late.status_code == 409
    statuses = {
        r["label"]: r["status"]
        for r in api.get(
            f"/api/v1/assessments/{assessment}/voices/respondents", headers=lead
        ).json()
    }
    assert statuses == {"Syndicat": "submitted", "Maire": "draft"}
    assert [v["claimed"] for v in api.get(MINE, headers=respondent).json()] == [True]


def test_a_revoked_invitation_leaves_the_account(api: Client, people: People) -> None:
    code = people.territory()
    lead = people.member(code)
    assessment = start(api, lead)["id"]
    respondent = people.member(people.territory())
    address = api.get("/api/v1/me", headers=respondent).json()["email"]
    made = _invite(api, lead, assessment, role="service", label="Voirie", email=address)
    assert api.post(f"{MINE}/{made['id']}/claim", headers=respondent).status_code == 200
    api.delete(f"/api/v1/assessments/{assessment}/voices/respondents/{made['id']}", headers=lead)
    assert api.get(MINE, headers=respondent).json() == []
    assert api.get(f"{MINE}/{made['id']}", headers=respondent).status_code == 404


def test_a_member_answers_from_their_space(
    browser: Client,
    people: People,
    member_account: Callable[[str], str],
) -> None:
    code = people.territory()
    lead = people.member(code)
    assessment = str(start(browser, lead)["id"])
    address = member_account(people.territory())
    made = _invite(browser, lead, assessment, role="elu", label="Conseiller", email=address)
    log_in(browser, address)
    space = soup(browser.get("/espace", headers=HTML))
    assert space.select_one("a[href='/espace/voix']") is not None
    listing = browser.get("/espace/voix", headers=HTML)
    form = soup(listing).select_one(f"form[action='/espace/voix/{made['id']}/rattacher']")
    assert form is not None
    claimed = browser.post(
        f"/espace/voix/{made['id']}/rattacher",
        data={"_csrf_token": csrf(browser, "/espace/voix")},
        headers=HTML,
    )
    assert claimed.status_code == 200 and str(claimed.url).endswith(f"/espace/voix/{made['id']}")
    page = f"/espace/voix/{made['id']}"
    answered = browser.post(
        page,
        data={"_csrf_token": csrf(browser, page), f"q:{Q1}": "3", "action": "save"},
        headers=HTML,
    )
    assert answered.status_code == 200 and "Brouillon enregistré" in answered.text
    again = soup(browser.get(page, headers=HTML))
    assert again.select_one(f"form[action='{page}']") is not None
    assert again.select_one(f"input[name='q:{Q1}'][value='3'][checked]") is not None
    sent = browser.post(
        page, data={"_csrf_token": csrf(browser, page), "action": "submit"}, headers=HTML
    )
    assert "réponses sont envoyées" in sent.text
    assert browser.get(f"/api/v1/voices/{made['token']}").json()["status"] == "submitted"
    late = browser.post(
        page,
        data={"_csrf_token": csrf(browser, page), f"q:{Q1}": "1", "action": "save"},
        headers=HTML,
    )
    alert = soup(late).select_one("div.notice-error[role=alert]")
    assert late.status_code == 409 and alert is not None and "déjà envoyées" in alert.get_text()
