"""Territories, their results and public profiles, and campaigns: thin HTTP
translations of `service.territories.directory`, `service.assessments.scores` and
`service.assessments.campaigns`."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, get, patch, post, put
from litestar.params import PathParameter, QueryParameter

from maturity.territories import POPULATION_BANDS, Kind
from service.api.docs import body, responses
from service.api.model import Lang
from service.assessments.campaigns import (
    CampaignCreate,
    CampaignUpdate,
    CampaignView,
    create_campaign,
    list_campaigns,
    update_campaign,
)
from service.assessments.scores import (
    ProfileSummary,
    TerritoryResults,
    public_profiles,
    territory_results,
)
from service.deps import CurrentModel, CurrentPrincipal, DbSession
from service.platform.pagination import Page, PageParam, PerPageParam
from service.platform.text import CODE_PATTERN
from service.territories.directory import (
    TerritoryView,
    get_territory,
    search_territories,
    set_public_profile,
)

__all__ = ["CampaignController", "ProfileController", "TerritoryController"]

BandId = Literal["0-3.5k", "3.5k-20k", "20k-50k", "50k-100k", "100k-250k", "250k+"]
assert set(BandId.__args__) == {b.id for b in POPULATION_BANDS}  # type: ignore[attr-defined]
Code = Annotated[
    str, PathParameter(pattern=CODE_PATTERN, description="Code INSEE (commune) ou SIREN (EPCI).")
]
YearPath = Annotated[int, PathParameter(ge=2000, le=2100, description="Année de la campagne")]

BIARRITZ = {
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
RESULT = {
    "model_version": "2026.1",
    "index": 47.5,
    "level": 3,
    "level_label": "Structuré",
    "pillars": [
        {"id": "usages", "label": "Politique publique centrée sur les usages", "score": 50}
    ],
    "dimensions": [
        {
            "id": "strategy",
            "label": "Stratégie et portage politique",
            "pillar": "usages",
            "score": 58.33,
            "completeness": 1.0,
            "incomplete": False,
            "level": 3,
        }
    ],
    "diagnostics": [],
    "next_steps": [],
}


class PublicProfileIn(msgspec.Struct, forbid_unknown_fields=True):
    """Opt in to (``true``) or out of (``false``) a public profile."""

    public: bool


class TerritoryController(Controller):
    """Reference territories (communes and EPCI), their results and public profile opt-in."""

    path = "/api/v1/territories"
    tags = ("Territoires",)

    @get(
        "/",
        summary="Chercher des territoires",
        responses=responses(
            Page[TerritoryView],
            {"items": [BIARRITZ], "page": 1, "per_page": 20, "total": 1, "pages": 1},
            errors=(400,),
        ),
    )
    async def search(
        self,
        db_session: DbSession,
        q: Annotated[
            str | None,
            QueryParameter(
                max_length=200, description="Mots du nom (accents et casse ignorés) ou code."
            ),
        ] = None,
        kind: Annotated[Kind | None, QueryParameter(description="Type de territoire")] = None,
        region: Annotated[
            str | None, QueryParameter(pattern=r"^[0-9]{1,3}$", description="Code région")
        ] = None,
        departement: Annotated[
            str | None, QueryParameter(pattern=r"^[0-9AB]{2,3}$", description="Code département")
        ] = None,
        band: Annotated[BandId | None, QueryParameter(description="Tranche de population")] = None,
        page: PageParam = 1,
        per_page: PerPageParam = 20,
        lang: Lang = None,
    ) -> Page[TerritoryView]:
        """Communes and EPCI whose name holds every word of ``q`` (« biarritz », « angers loire »)
        or whose code starts with it, filtered by kind, région, département or population band;
        exact names first, then by population."""
        return await search_territories(
            db_session, q, kind, region, departement, band, page, per_page, lang or "fr"
        )

    @get(
        "/{code:str}",
        summary="Un territoire",
        responses=responses(TerritoryView, BIARRITZ, errors=(404,)),
    )
    async def get_one(self, db_session: DbSession, code: Code, lang: Lang = None) -> TerritoryView:
        """One territory with its population band (DESIGN §4) and its EPCI."""
        return await get_territory(db_session, code, lang or "fr")

    @get(
        "/{code:str}/results",
        summary="Résultats d'un territoire par campagne",
        responses=responses(
            TerritoryResults,
            {
                "territory": {"code": "64122", "name": "Biarritz", "kind": "commune"},
                "visibility": "own",
                "public_profile": False,
                "campaigns": [
                    {
                        "campaign": 2025,
                        "status": "submitted",
                        "submitted_at": "2025-06-30T09:12:00Z",
                        "revision": 3,
                        "synthetic": False,
                        "notice": None,
                        "result": RESULT,
                    }
                ],
            },
            errors=(404,),
        ),
    )
    async def results(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        code: Code,
        campaign: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
        lang: Lang = None,
    ) -> TerritoryResults:
        """Scores per campaign. The territory's members and admins see every assessment (drafts
        included); anyone else only the submitted scores of a public profile, without next
        steps; otherwise 404."""
        return await territory_results(db_session, principal, model, code, campaign, lang or "fr")

    @put(
        "/{code:str}/profile",
        summary="Rendre public (ou non) le profil d'un territoire",
        responses=responses(
            TerritoryView, BIARRITZ | {"public_profile": True}, errors=(401, 403, 404)
        ),
    )
    async def set_profile(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        code: Code,
        data: Annotated[PublicProfileIn, body({"public": True}, "Publier le profil")],
    ) -> TerritoryView:
        """A territory's members (or an admin) opt in to a public profile: its submitted scores
        become visible to all and it can be named among peers to learn from."""
        return await set_public_profile(db_session, principal, code, data.public)


class ProfileController(Controller):
    """Public profiles: territories that chose to show their scores."""

    path = "/api/v1/profiles"
    tags = ("Territoires",)

    @get(
        "/",
        summary="Profils publics",
        responses=responses(
            Page[ProfileSummary],
            {
                "items": [
                    {
                        "territory": {"code": "49007", "name": "Angers", "kind": "commune"},
                        "population_band": "100k-250k",
                        "campaign": 2026,
                        "index": 63.2,
                        "level": 4,
                        "level_label": "Intégré",
                        "synthetic": True,
                        "notice": "Données synthétiques de démonstration : ce territoire n'a pas "
                        "réellement répondu.",
                    }
                ],
                "page": 1,
                "per_page": 20,
                "total": 1,
                "pages": 1,
            },
        ),
    )
    async def list_profiles(
        self,
        db_session: DbSession,
        model: CurrentModel,
        page: PageParam = 1,
        per_page: PerPageParam = 20,
        lang: Lang = None,
    ) -> Page[ProfileSummary]:
        """Territories with a public profile and their latest submitted index (anyone)."""
        return await public_profiles(db_session, model, page, per_page, lang or "fr")


CAMPAIGN = {
    "year": 2026,
    "status": "open",
    "created_at": "2026-01-05T08:00:00Z",
    "closed_at": None,
    "submitted": 2841,
    "model_version": "2026.1",
}


class CampaignController(Controller):
    """Yearly campaigns: anyone lists them; admins create, open and close them."""

    path = "/api/v1/campaigns"
    tags = ("Campagnes",)

    @get(
        "/",
        summary="Campagnes",
        responses=responses(
            Page[CampaignView],
            {"items": [CAMPAIGN], "page": 1, "per_page": 20, "total": 1, "pages": 1},
        ),
    )
    async def list_all(
        self, db_session: DbSession, page: PageParam = 1, per_page: PerPageParam = 20
    ) -> Page[CampaignView]:
        """Campaigns, newest first, with how many assessments were submitted in each."""
        return await list_campaigns(db_session, page, per_page)

    @post(
        "/",
        summary="Créer une campagne (admin)",
        responses=responses(
            CampaignView, CAMPAIGN | {"submitted": 0}, status=201, errors=(401, 403, 409, 422)
        ),
    )
    async def create(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        data: Annotated[CampaignCreate, body({"year": 2027, "status": "open"})],
    ) -> CampaignView:
        """Create a year's campaign on an edition of the model (``model_version``, default the
        model in force); only one campaign may be open at a time."""
        return await create_campaign(db_session, principal, data, model)

    @patch(
        "/{year:int}",
        summary="Ouvrir ou clore une campagne (admin)",
        responses=responses(
            CampaignView, CAMPAIGN | {"status": "closed"}, errors=(401, 403, 404, 409)
        ),
    )
    async def update(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        year: YearPath,
        data: Annotated[CampaignUpdate, body({"status": "closed"}, "Clore la campagne")],
    ) -> CampaignView:
        """Open or close a campaign: a closed campaign accepts no more saves or submissions."""
        return await update_campaign(db_session, principal, year, data)
