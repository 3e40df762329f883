"""The élus' synthesis and its share links: thin translations of `service.reports.synthesis`,
`service.reports.sharing` and `service.reports.shared`, the use cases the pages call too.

``GET /api/v1/shared/{token}`` needs no credentials: the token is the credential, and it
reads only what its link opens."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.params import PathParameter

from service.api.assessments import ID, TERRITORY
from service.api.docs import body, responses
from service.api.model import Lang
from service.deps import (
    AppSettings,
    CurrentModel,
    CurrentPrincipal,
    DbSession,
    DbSessions,
    PeerCache,
)
from service.reports.shared import SharedReport, shared_report
from service.reports.sharing import (
    ShareLinkCreate,
    ShareLinkView,
    create_share_link,
    list_share_links,
    revoke_share_link,
)
from service.reports.synthesis import Synthesis, synthesis_of

__all__ = ["ShareLinkController", "SharedController", "SynthesisController"]

AssessmentId = Annotated[uuid.UUID, PathParameter(description="Identifiant de l'évaluation")]
LinkId = Annotated[uuid.UUID, PathParameter(description="Identifiant du lien de partage")]
Token = Annotated[str, PathParameter(max_length=120, description="Jeton du lien de partage")]
LINK_ID = "5a1d0c9e-7c1b-4f0e-8d2a-3e4b5c6d7e8f"
LINK = {
    "id": LINK_ID,
    "assessment_id": ID,
    "label": "Conseil municipal du 12 mars",
    "scope": "synthesis",
    "include_answers": False,
    "created_at": "2026-03-02T09:00:00Z",
    "expires_at": "2026-04-01T09:00:00Z",
    "revoked_at": None,
    "status": "active",
    "path": "/partage/5a1d0c9e7c1b4f0e8d2a3e4b5c6d7e8f.Zk3…",
}
SYNTHESIS = {
    "assessment_id": ID,
    "territory": TERRITORY,
    "campaign": 2026,
    "status": "submitted",
    "model_version": "2026.1",
    "index": 52.4,
    "level": {
        "level": 3,
        "of": 5,
        "label": "Structuré",
        "description": "Une politique formalisée, pilotée et suivie.",
        "capped_from": None,
        "capped_by": [],
    },
    "peers": {
        "sentence": "Comparée à 229 autres communes ayant répondu : communes de 20 000 à "
        "49 999 habitants.",
        "n": 229,
        "better_than": 65.0,
        "withheld": False,
    },
    "strengths": [
        {"id": "open_governance", "label": "Gouvernance ouverte", "score": 75.0, "peer_median": 50}
    ],
    "weaknesses": [{"id": "evaluation", "label": "Évaluation", "score": 25.0, "peer_median": 37.5}],
    "dimensions": [],
    "diagnostics": [
        {
            "id": "gouvernance_desequilibree",
            "label": "Gouvernance déséquilibrée",
            "summary": "Votre gouvernance penche nettement d’un côté : … Ici, le versant le plus "
            "faible est « Gouvernance proactive » (41,7 sur 100, contre 75,0 pour « Gouvernance "
            "ouverte et co-création ») : c’est lui qu’il faut renforcer en premier.",
            "message": "… Ici, le versant le plus faible est « Gouvernance proactive » (41,7 "
            "sur 100, contre 75,0 pour « Gouvernance ouverte ») : c’est lui qu’il faut "
            "renforcer en premier.",
        }
    ],
    "priorities": [
        {
            "rank": 1,
            "dimension": "evaluation",
            "dimension_label": "Évaluation",
            "question": "evaluation.indicators",
            "question_label": "Suivez-vous des indicateurs de résultat ?",
            "current": 1,
            "next_level": 2,
            "descriptor": "Quelques indicateurs de résultat sont suivis.",
            "priority": 2.34,
            "weight": 0.031,
            "gap": 0.75,
            "unblocks_level": False,
        }
    ],
    "change": {
        "previous_campaign": 2025,
        "before": 48.8,
        "after": 52.4,
        "change": 3.6,
        "previous_level": 3,
    },
    "answers_shown": True,
    "notice": None,
    "voices": {
        "respondents": 7,
        "roles": [
            {"role": "elu", "label": "Élu·e", "respondents": 3},
            {"role": "service", "label": "Service métier", "respondents": 3},
        ],
        "others": 1,
        "min_group": 3,
        "sentence": "Écart de perception sur l’ouverture : 42 points d'écart entre les groupes "
        "de voix.",
        "link": f"/evaluations/{ID}/resultats#voix",
    },
}


class SynthesisController(Controller):
    """The synthesis of an assessment for élus."""

    path = "/api/v1/assessments"
    tags = ("Synthèse et partage",)

    @get(
        "/{assessment_id:uuid}/synthesis",
        summary="Synthèse pour les élus",
        responses=responses(Synthesis, SYNTHESIS, errors=(401, 404)),
    )
    async def synthesis(
        self,
        db_session: DbSession,
        db_sessions: DbSessions,
        benchmarks: PeerCache,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
        lang: Lang = None,
    ) -> Synthesis:
        """Level, position among comparable territories, three strengths and weaknesses,
        diagnostics, three prioritised next steps and the change since the last campaign."""
        return await synthesis_of(
            db_session, db_sessions, benchmarks, principal, model, assessment_id, lang or "fr"
        )

    @get(
        "/{assessment_id:uuid}/share-links",
        summary="Liens de partage d'une évaluation",
        responses=responses(list[ShareLinkView], [LINK], errors=(401, 404)),
    )
    async def share_links(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        settings: AppSettings,
        assessment_id: AssessmentId,
    ) -> list[ShareLinkView]:
        """The assessment's read-only links, newest first, with their state."""
        return await list_share_links(db_session, principal, assessment_id, settings.secret_key)

    @post(
        "/{assessment_id:uuid}/share-links",
        summary="Créer un lien de partage",
        responses=responses(ShareLinkView, LINK, status=201, errors=(401, 404, 422)),
    )
    async def create_share_link(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        settings: AppSettings,
        assessment_id: AssessmentId,
        data: Annotated[
            ShareLinkCreate,
            body({"label": "Conseil municipal du 12 mars", "days": 30, "scope": "synthesis"}),
        ],
    ) -> ShareLinkView:
        """A signed, expiring link opening the synthesis read-only (``scope``: ``results``
        adds the dimension details; ``include_answers``: the answers, comments and next
        steps). ``path`` is the address to hand over."""
        return await create_share_link(
            db_session,
            principal,
            assessment_id,
            data,
            settings.secret_key,
            settings.share_link_max_days,
        )


class ShareLinkController(Controller):
    """Revoking a share link."""

    path = "/api/v1/share-links"
    tags = ("Synthèse et partage",)

    @delete(
        "/{link_id:uuid}",
        summary="Révoquer un lien de partage",
        status_code=200,
        responses=responses(
            ShareLinkView,
            LINK | {"status": "revoked", "revoked_at": "2026-03-03T10:00:00Z"},
            errors=(401, 404),
        ),
    )
    async def revoke(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        settings: AppSettings,
        link_id: LinkId,
    ) -> ShareLinkView:
        """Revoke a link of one's territory: it opens nothing from now on."""
        return await revoke_share_link(db_session, principal, link_id, settings.secret_key)


class SharedController(Controller):
    """What a share link opens, for whoever holds it."""

    path = "/api/v1/shared"
    tags = ("Synthèse et partage",)

    @get(
        "/{token:str}",
        summary="Synthèse partagée (sans compte)",
        responses=responses(
            SharedReport,
            {
                "link": {
                    "scope": "synthesis",
                    "include_answers": False,
                    "expires_at": "2026-04-01T09:00:00Z",
                },
                "synthesis": SYNTHESIS
                | {
                    "priorities": [],
                    "answers_shown": False,
                    "voices": SYNTHESIS["voices"] | {"link": None},  # type: ignore[operator]
                },
                "dimensions": None,
                "answers": None,
            },
            errors=(404,),
        ),
    )
    async def shared(
        self,
        db_session: DbSession,
        db_sessions: DbSessions,
        benchmarks: PeerCache,
        model: CurrentModel,
        settings: AppSettings,
        token: Token,
        lang: Lang = None,
    ) -> SharedReport:
        """The synthesis a link opens; its details and answers only when the link's maker
        chose to share them. 404 for a tampered, expired or revoked link."""
        return await shared_report(
            db_session,
            db_sessions,
            benchmarks,
            model,
            token,
            settings.secret_key,
            lang or "fr",
        )
