"""Assessments: create, save drafts, submit, reopen, score, history. Thin translations of
`service.assessments.workflow`, `service.assessments.revisions` and `service.assessments.scores`.

A member asking for another territory's assessment gets a 404, the same answer as for an
assessment that does not exist: the API never confirms that one exists."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from litestar import Controller, get, patch, post, put
from litestar.params import PathParameter, QueryParameter

from service.api.docs import body, responses
from service.api.model import Lang
from service.api.territories import RESULT
from service.assessments.answers import AnswersPayload
from service.assessments.carryover import CarryOver, carry_over, previous_answers
from service.assessments.revisions import RevisionDetail, RevisionView, get_revision, list_revisions
from service.assessments.scores import AssessmentScore, score_assessment
from service.assessments.workflow import (
    AssessmentCreate,
    AssessmentSummary,
    AssessmentView,
    ReopenPayload,
    create_assessment,
    get_assessment,
    list_assessments,
    reopen_assessment,
    save_answers,
    submit_assessment,
)
from service.deps import CurrentModel, CurrentPrincipal, DbSession
from service.platform.pagination import Page, PageParam, PerPageParam
from service.platform.text import CODE_PATTERN, DB_INT_MAX

__all__ = ["AssessmentController"]

ID = "0b6f7c1e-5d0e-4a57-9a55-2f4c1c0d9e21"
TERRITORY = {"code": "64122", "name": "Biarritz", "kind": "commune"}
ANSWERS = {
    "answers": {
        "strategy.policy_defined": 3,
        "strategy.dominant_theme": 2,
        "use_cases.worked_before_deploying": "unknown",
        "foundations.connectivity": 4,
    },
    "comments": {"strategy.policy_defined": "Délibération du conseil municipal de mars 2024."},
    "evidence": {"strategy.policy_defined": "https://www.biarritz.fr/deliberations/2024-03"},
    "targets": {"strategy": 4, "evaluation": 3},
}
ASSESSMENT = {
    "id": ID,
    "territory": TERRITORY,
    "campaign": 2026,
    "status": "draft",
    "model_version": "2026.1",
    "revision": 2,
    "submitted_revision": None,
    "created_at": "2026-03-02T09:00:00Z",
    "updated_at": "2026-03-02T09:40:00Z",
    "submitted_at": None,
    "progress": {
        "answered": 3,
        "total": 43,
        "not_applicable": 0,
        "dimensions": {"strategy": {"answered": 2, "total": 6}},
    },
    "synthetic": False,
    "notice": None,
    **ANSWERS,
}
SUMMARY = {
    key: ASSESSMENT[key]
    for key in (
        "id",
        "territory",
        "campaign",
        "status",
        "revision",
        "updated_at",
        "submitted_at",
        "synthetic",
        "notice",
    )
}
REVISION = {
    "number": 2,
    "kind": "draft",
    "author": "cheffe.projet@biarritz.fr",
    "created_at": "2026-03-02T09:40:00Z",
    "model_version": "2026.1",
    "note": None,
}
AssessmentId = Annotated[uuid.UUID, PathParameter(description="Identifiant de l'évaluation")]
Number = Annotated[int, PathParameter(ge=1, le=DB_INT_MAX, description="Numéro de la révision")]
SAVE_ERRORS = (400, 401, 404, 409, 422)


class AssessmentController(Controller):
    """A territory's self-assessment in a campaign, its drafts, submission and history."""

    path = "/api/v1/assessments"
    tags = ("Évaluations",)

    @get(
        "/",
        summary="Évaluations visibles",
        responses=responses(
            Page[AssessmentSummary],
            {"items": [SUMMARY], "page": 1, "per_page": 20, "total": 1, "pages": 1},
            errors=(401, 403),
        ),
    )
    async def list_visible(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        campaign: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
        territory: Annotated[str | None, QueryParameter(pattern=CODE_PATTERN)] = None,
        status: Annotated[Literal["draft", "submitted"] | None, QueryParameter()] = None,
        page: PageParam = 1,
        per_page: PerPageParam = 20,
    ) -> Page[AssessmentSummary]:
        """A member's territory's assessments, or all of them for an admin."""
        return await list_assessments(
            db_session, principal, campaign, territory, status, page, per_page
        )

    @post(
        "/",
        summary="Commencer une évaluation",
        responses=responses(
            AssessmentView,
            ASSESSMENT | {"revision": 0},
            status=201,
            errors=(401, 403, 404, 409, 422),
        ),
    )
    async def create(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        data: Annotated[AssessmentCreate, body({}, "Mon territoire, campagne ouverte")],
    ) -> AssessmentView:
        """Start the assessment of the member's territory (an admin names one) for the open
        campaign (or ``campaign``): one per territory and campaign (409 otherwise)."""
        return await create_assessment(db_session, principal, model, data)

    @get(
        "/{assessment_id:uuid}",
        summary="Une évaluation",
        responses=responses(AssessmentView, ASSESSMENT, errors=(401, 404)),
    )
    async def get_one(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
    ) -> AssessmentView:
        """The assessment with its latest answers, comments, evidence, targets and progress."""
        return await get_assessment(db_session, principal, model, assessment_id)

    @put(
        "/{assessment_id:uuid}/answers",
        summary="Enregistrer le brouillon (remplace)",
        responses=responses(AssessmentView, ASSESSMENT, errors=SAVE_ERRORS),
    )
    async def replace_answers(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
        data: Annotated[AnswersPayload, body(ANSWERS, "Brouillon partiel")],
    ) -> AssessmentView:
        """Save a draft (same answer shape as ``POST /api/v1/score``, plus optional comments,
        evidence links and target levels): the body replaces the previous content, which stays
        in the history as a revision. All invalid answers are named in one 422."""
        return await save_answers(db_session, principal, model, assessment_id, data)

    @patch(
        "/{assessment_id:uuid}/answers",
        summary="Enregistrer le brouillon (complète)",
        responses=responses(AssessmentView, ASSESSMENT, errors=SAVE_ERRORS),
    )
    async def merge_answers(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
        data: Annotated[
            AnswersPayload, body({"answers": {"strategy.financing": 1}}, "Une réponse de plus")
        ],
    ) -> AssessmentView:
        """Save a draft by updating only the questions, comments, links and targets sent."""
        return await save_answers(db_session, principal, model, assessment_id, data, merge=True)

    @post(
        "/{assessment_id:uuid}/submit",
        summary="Soumettre",
        status_code=200,
        responses=responses(
            AssessmentView,
            ASSESSMENT | {"status": "submitted", "revision": 3},
            errors=(401, 404, 409, 422),
        ),
    )
    async def submit(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
    ) -> AssessmentView:
        """Submit the latest draft (a new revision); it then counts in the campaign's results."""
        return await submit_assessment(db_session, principal, model, assessment_id)

    @post(
        "/{assessment_id:uuid}/reopen",
        summary="Rouvrir une évaluation soumise (admin)",
        status_code=200,
        responses=responses(
            AssessmentView, ASSESSMENT | {"revision": 4}, errors=(401, 403, 404, 409)
        ),
    )
    async def reopen(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
        data: Annotated[
            ReopenPayload | None, body({"reason": "Erreur de saisie signalée par la mairie"})
        ] = None,
    ) -> AssessmentView:
        """Reopen a submitted assessment so that its territory can change and resubmit it."""
        reason = data.reason if data else None
        return await reopen_assessment(db_session, principal, model, assessment_id, reason)

    @get(
        "/{assessment_id:uuid}/score",
        summary="Score de l'évaluation",
        responses=responses(
            AssessmentScore,
            {
                "assessment_id": ID,
                "territory": TERRITORY,
                "campaign": 2026,
                "status": "draft",
                "revision": 2,
                "synthetic": False,
                "notice": None,
                "result": RESULT,
                "targets": [
                    {"dimension": "strategy", "target_level": 4, "current_level": 3, "gap": 1}
                ],
            },
            errors=(401, 404),
        ),
    )
    async def score(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
        lang: Lang = None,
    ) -> AssessmentScore:
        """The engine's result for the latest revision, and the gap to each target level."""
        return await score_assessment(db_session, principal, model, assessment_id, lang or "fr")

    @get(
        "/{assessment_id:uuid}/previous-answers",
        summary="Réponses de la campagne précédente, à reprendre",
        responses=responses(
            CarryOver,
            {
                "campaign": 2025,
                "model_version": "2026.1",
                "snapshot": ANSWERS
                | {"to_confirm": ["strategy.policy_defined", "strategy.dominant_theme"]},
                "lost": [],
            },
            errors=(401, 404, 409),
        ),
    )
    async def previous_answers(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
    ) -> CarryOver:
        """The territory's answers of the latest earlier campaign (submitted, else its latest
        draft) on this assessment's edition of the model, through the mapping between
        editions when it changed; ``to_confirm`` lists the questions that received one, and
        ``lost`` the earlier questions whose answer has no place in this edition."""
        return await previous_answers(db_session, principal, model, assessment_id)

    @post(
        "/{assessment_id:uuid}/carry-over",
        summary="Reprendre les réponses de la campagne précédente",
        status_code=200,
        responses=responses(
            AssessmentView,
            ASSESSMENT | {"to_confirm": ["strategy.policy_defined", "strategy.dominant_theme"]},
            errors=(401, 404, 409),
        ),
    )
    async def carry_over(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
    ) -> AssessmentView:
        """Pre-fill the draft with the previous campaign's content where nothing is answered
        yet (one new revision); the answers so filled are listed in ``to_confirm`` until a
        save changes them or leaves them out of its own ``to_confirm``."""
        return await carry_over(db_session, principal, model, assessment_id)

    @get(
        "/{assessment_id:uuid}/revisions",
        summary="Historique des révisions",
        responses=responses(
            Page[RevisionView],
            {
                "items": [REVISION | {"answered": 3}],
                "page": 1,
                "per_page": 20,
                "total": 2,
                "pages": 1,
            },
            errors=(401, 404),
        ),
    )
    async def revisions(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        assessment_id: AssessmentId,
        page: PageParam = 1,
        per_page: PerPageParam = 20,
    ) -> Page[RevisionView]:
        """Every save, submission and reopening, newest first, with author and time."""
        return await list_revisions(db_session, principal, assessment_id, page, per_page)

    @get(
        "/{assessment_id:uuid}/revisions/{number:int}",
        summary="Une révision",
        responses=responses(RevisionDetail, REVISION | ANSWERS, errors=(401, 404)),
    )
    async def revision(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        assessment_id: AssessmentId,
        number: Number,
    ) -> RevisionDetail:
        """One revision's full content, as it was saved."""
        return await get_revision(db_session, principal, assessment_id, number)
