"""Reference territories through the API: accent- and case-insensitive search, filters,
pagination, one territory with its population band."""

from __future__ import annotations

import pytest

from tests.integration.service.conftest import Client

URL = "/api/v1/territories"


def names(client: Client, **params: object) -> list[str]:
    response = client.get(URL, params=params)
    assert response.status_code == 200, response.text
    return [t["name"] for t in response.json()["items"]]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("biarritz", "Biarritz"),
        ("BIARRITZ", "Biarritz"),
        ("Mulhouse", "Mulhouse"),
        ("angers loire", "CU Angers Loire Métropole"),
        ("saint etienne", "Saint-Étienne"),
        ("Saint-Étienne", "Saint-Étienne"),
        ("ile de brehat", "Île-de-Bréhat"),
        ("  métropole   de lyon ", "Métropole de Lyon"),
        ("64122", "Biarritz"),
    ],
)
def test_search_ignores_accents_case_and_punctuation(api: Client, query: str, first: str) -> None:
    assert names(api, q=query)[0] == first


def test_search_lists_the_commune_and_its_epci(api: Client) -> None:
    found = names(api, q="mulhouse")
    assert found[:2] == ["Mulhouse", "CA Mulhouse Alsace Agglomération"]


def test_filters_by_kind_region_departement_and_band(api: Client) -> None:
    metropoles = api.get(URL, params={"kind": "metropole", "per_page": 100}).json()
    assert metropoles["total"] == 22
    assert "Métropole de Lyon" in [t["name"] for t in metropoles["items"]]
    assert names(api, q="biarritz", region="75") == ["Biarritz"]
    assert names(api, q="biarritz", region="84") == []
    assert names(api, q="biarritz", departement="64") == ["Biarritz"]
    big = api.get(URL, params={"kind": "commune", "band": "250k+", "per_page": 100}).json()
    assert big["total"] == 9 and all(t["population"] >= 250_000 for t in big["items"])
    assert big["items"][0]["name"] == "Paris"


def test_pagination(api: Client) -> None:
    first = api.get(URL, params={"q": "saint", "per_page": 5}).json()
    second = api.get(URL, params={"q": "saint", "per_page": 5, "page": 2}).json()
    assert first["total"] == second["total"] > 100
    assert first["pages"] == -(-first["total"] // 5)
    assert not {t["code"] for t in first["items"]} & {t["code"] for t in second["items"]}
    beyond = api.get(URL, params={"q": "saint", "page": 100_000}).json()
    assert beyond["items"] == [] and beyond["total"] == first["total"]


def test_one_territory_with_its_band_and_epci(api: Client) -> None:
    biarritz = api.get(f"{URL}/64122").json()
    assert biarritz == {
        "code": "64122",
        "name": "Biarritz",
        "kind": "commune",
        "kind_label": "Commune",
        "population": 26206,
        "population_year": 2023,
        "population_band": "20k-50k",
        "population_band_label": "20 000 à 50 000 hab.",
        "departement": {"code": "64", "name": "Pyrénées-Atlantiques"},
        "region": {"code": "75", "name": "Nouvelle-Aquitaine"},
        "epci": {"code": "200067106", "name": "CA du Pays Basque", "kind": "ca"},
        "second_home_pct": 41.6,
        "public_profile": False,
    }
    angers = api.get(f"{URL}/244900015", params={"lang": "en"}).json()
    assert (angers["kind"], angers["kind_label"], angers["population_band"]) == (
        "cu",
        "Urban community",
        "250k+",
    )
    assert angers["epci"] is None
    lyon = api.get(f"{URL}/200046977").json()
    assert lyon["kind"] == "metropole"


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/99999", {}, 404),
        ("", {"kind": "canton"}, 400),
        ("", {"band": "1k"}, 400),
        ("", {"per_page": 1000}, 400),
        ("", {"page": 0}, 400),
        ("", {"q": "x" * 500}, 400),
    ],
)
def test_bad_requests_get_a_french_problem(
    api: Client, path: str, params: dict[str, object], status: int
) -> None:
    response = api.get(URL + path, params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["title"] in ("Introuvable", "Requête invalide")
