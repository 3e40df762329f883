"""Co-évaluation: the lead's voices of an assessment (invite, remind, revoke, agreements and
gaps, consolidation) and a respondent's own answers by their personal link. Thin translations
of `service.voices`; the lead's operations have the rights of the assessment itself."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import PathParameter, QueryParameter

from service.api.docs import body, responses
from service.api.model import Lang
from service.deps import AppSettings, CurrentModel, CurrentPrincipal, DbSession, Mail
from service.voices.accounts import (
    AccountVoice,
    claim_voice,
    my_voices,
    open_own_voice,
    save_own_voice,
    submit_own_voice,
)
from service.voices.consolidation import (
    ConsolidationPayload,
    ConsolidationRecord,
    consolidate,
    consolidation_download,
    consolidation_history,
)
from service.voices.gaps import VoicesReport, voices_report
from service.voices.notify import invite_and_send, remind_and_send
from service.voices.respondents import (
    RespondentSummary,
    VoiceAnswers,
    VoiceInvite,
    VoiceLink,
    VoiceView,
    list_respondents,
    open_by_token,
    revoke_respondent,
    save_own_answers,
    submit_own_answers,
)

__all__ = ["AccountVoicesController", "RespondentController", "VoicesController"]

AssessmentId = Annotated[uuid.UUID, PathParameter(description="Identifiant de l'évaluation")]
RespondentId = Annotated[uuid.UUID, PathParameter(description="Identifiant du répondant")]
Token = Annotated[str, PathParameter(max_length=100, description="Jeton du lien personnel")]
WHEN = "2026-03-02T09:00:00Z"
SUMMARY = {
    "id": "7d1c2f0a-3b4e-4c5d-8e9f-0a1b2c3d4e5f",
    "role": "service",
    "label": "Direction de l'urbanisme",
    "status": "invited",
    "created_at": WHEN,
    "expires_at": "2026-04-01T09:00:00Z",
    "submitted_at": None,
    "reminded_at": None,
    "synthetic": False,
}
LINK = {"respondent": SUMMARY, "token": "voix_…", "path": "/voix/voix_…", "emailed": True}
INVITE = {"role": "service", "label": "Direction de l'urbanisme", "email": "urbanisme@exemple.fr"}
QUESTION = {
    "question": "open_governance.resident_co_creation",
    "dimension": "open_governance",
    "answered": 9,
    "distribution": [1, 3, 2, 2, 1],
    "by_role": {"service": [1, 2, 1, 0, 0]},
    "role_means": {"service": 1.0, "elu": 3.33},
    "mean": 1.89,
    "sd": 1.2,
    "spread": 2.33,
    "divergent": True,
}
REPORT = {
    "assessment_id": "0b6f7c1e-5d0e-4a57-9a55-2f4c1c0d9e21",
    "territory": {"code": "64122", "name": "Biarritz", "kind": "commune"},
    "campaign": 2026,
    "min_group": 3,
    "respondents": 9,
    "roles": [{"role": "service", "respondents": 4, "shown": True}],
    "questions": [QUESTION],
    "dimensions": [{"dimension": "open_governance", "by_role": {"elu": 75.0, "service": 31.3}}],
    "strongest": ["open_governance.resident_co_creation"],
    "perception": [],
    "synthetic": False,
    "notice": None,
}
RECORD = {
    "question": "open_governance.resident_co_creation",
    "answer": 2,
    "revision": 5,
    "decided_at": WHEN,
    "distribution": {"answered": 9, "overall": [1, 3, 2, 2, 1], "by_role": {}},
}
VOICE = {
    "id": SUMMARY["id"],
    "role": "service",
    "label": "Direction de l'urbanisme",
    "territory": REPORT["territory"],
    "campaign": 2026,
    "model_version": "2026.1",
    "status": "draft",
    "answers": {"open_governance.resident_co_creation": 1},
    "expires_at": "2026-04-01T09:00:00Z",
    "submitted_at": None,
}
LEAD_ERRORS = (401, 403, 404, 409, 422)


class VoicesController(Controller):
    """The voices of an assessment, for its lead (the territory's members and admins)."""

    path = "/api/v1/assessments/{assessment_id:uuid}/voices"
    tags = ("Co-évaluation",)

    @get(
        "/",
        summary="Accords et écarts des voix",
        responses=responses(VoicesReport, REPORT, errors=(401, 403, 404, 409)),
    )
    async def report(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
        lang: Lang = None,
    ) -> VoicesReport:
        """Distribution of the submitted voices by question, overall and by role, spread and
        divergence, dimension scores by role, « écarts de perception ». A role group with
        fewer than ``min_group`` respondents never shows on its own."""
        return await voices_report(db_session, principal, model, assessment_id, lang or "fr")

    @get(
        "/respondents",
        summary="Répondants invités",
        responses=responses(list[RespondentSummary], [SUMMARY], errors=(401, 403, 404)),
    )
    async def respondents(
        self, db_session: DbSession, principal: CurrentPrincipal, assessment_id: AssessmentId
    ) -> list[RespondentSummary]:
        """Who was invited and where they stand, by role; never their answers."""
        return await list_respondents(db_session, principal, assessment_id)

    @post(
        "/respondents",
        summary="Inviter un répondant",
        responses=responses(VoiceLink, LINK, status=201, errors=LEAD_ERRORS),
    )
    async def invite(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        settings: AppSettings,
        postman: Mail,
        request: Request[Any, Any, Any],
        assessment_id: AssessmentId,
        data: Annotated[VoiceInvite, body(INVITE, "Un service métier")],
    ) -> VoiceLink:
        """Invite a respondent with a role of the model: the personal link is shown once, and
        e-mailed to them when an ``email`` is given (``emailed`` says so)."""
        return await invite_and_send(
            db_session, principal, postman, model, assessment_id, data,
            valid_days=settings.voice_link_days, base=str(request.base_url),
        )  # fmt: skip

    @post(
        "/respondents/{respondent_id:uuid}/remind",
        summary="Relancer un répondant",
        status_code=200,
        responses=responses(VoiceLink, LINK, errors=(401, 403, 404, 409)),
    )
    async def remind(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        settings: AppSettings,
        postman: Mail,
        request: Request[Any, Any, Any],
        assessment_id: AssessmentId,
        respondent_id: RespondentId,
    ) -> VoiceLink:
        """A fresh personal link for a respondent who has not answered (the old one stops),
        e-mailed when their address is known."""
        return await remind_and_send(
            db_session, principal, postman, assessment_id, respondent_id,
            valid_days=settings.voice_link_days, base=str(request.base_url),
        )  # fmt: skip

    @delete(
        "/respondents/{respondent_id:uuid}",
        summary="Révoquer un répondant",
        status_code=200,
        responses=responses(
            RespondentSummary, SUMMARY | {"status": "revoked"}, errors=(401, 403, 404)
        ),
    )
    async def revoke(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        assessment_id: AssessmentId,
        respondent_id: RespondentId,
    ) -> RespondentSummary:
        """Revoke a respondent's link: it stops working and their answers stop counting."""
        return await revoke_respondent(db_session, principal, assessment_id, respondent_id)

    @post(
        "/consolidation",
        summary="Consolider les réponses officielles",
        responses=responses(list[ConsolidationRecord], [RECORD], status=201, errors=LEAD_ERRORS),
    )
    async def consolidate(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        assessment_id: AssessmentId,
        data: Annotated[
            ConsolidationPayload, body({"answers": {QUESTION["question"]: 2}}, "Une décision")
        ],
    ) -> list[ConsolidationRecord]:
        """Set official answers from the voices: one new revision of the assessment, and for
        each question the distribution it was decided from, kept."""
        return await consolidate(db_session, principal, model, assessment_id, data)

    @get(
        "/consolidation",
        summary="Décisions de consolidation",
        responses=responses(
            list[ConsolidationRecord],
            [RECORD],
            errors=(401, 403, 404),
            alternatives={"text/csv": {"type": "string"}},
        ),
    )
    async def history(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        assessment_id: AssessmentId,
        format: Annotated[
            Literal["json", "csv"], QueryParameter(description="json ou csv")
        ] = "json",
    ) -> Response[list[ConsolidationRecord]] | Response[str]:
        """Every decision, oldest first; ``format=csv`` downloads the consolidated
        distribution (small role groups left out, as the lead saw it)."""
        records = await consolidation_history(db_session, principal, assessment_id)
        if format == "csv":
            return consolidation_download(records, assessment_id)
        return Response(records)


class RespondentController(Controller):
    """A respondent's own answers, through their personal link (no account needed)."""

    path = "/api/v1/voices/{token:str}"
    tags = ("Co-évaluation",)

    @get(
        "/",
        summary="Mes réponses (lien personnel)",
        responses=responses(VoiceView, VOICE, errors=(404,)),
    )
    async def read(self, db_session: DbSession, token: Token) -> VoiceView:
        """The holder's own answers: never anyone else's."""
        return await open_by_token(db_session, token)

    @patch(
        "/answers",
        summary="Enregistrer mes réponses (brouillon)",
        responses=responses(VoiceView, VOICE, errors=(404, 409, 422)),
    )
    async def save(
        self,
        db_session: DbSession,
        model: CurrentModel,
        token: Token,
        data: Annotated[VoiceAnswers, body({"answers": VOICE["answers"]}, "Une réponse")],
    ) -> VoiceView:
        """Save a draft: the answers sent update the saved ones."""
        return await save_own_answers(db_session, model, token, data)

    @post(
        "/submit",
        summary="Envoyer mes réponses",
        status_code=200,
        responses=responses(VoiceView, VOICE | {"status": "submitted"}, errors=(404, 409, 422)),
    )
    async def submit(self, db_session: DbSession, token: Token) -> VoiceView:
        """Send the answers: they count from now on and can no longer change."""
        return await submit_own_answers(db_session, token)


class AccountVoicesController(Controller):
    """The invitations addressed to the caller's account: claim one, then answer it without
    the personal link (own answers only, as through the link)."""

    path = "/api/v1/me/voices"
    tags = ("Co-évaluation",)

    @get(
        "/",
        summary="Mes invitations à co-évaluer",
        responses=responses(list[AccountVoice], [{"voice": VOICE, "claimed": True}], errors=(401,)),
    )
    async def mine(self, db_session: DbSession, principal: CurrentPrincipal) -> list[AccountVoice]:
        """Invitations claimed by this account, or sent to its address and still claimable."""
        return await my_voices(db_session, principal)

    @post(
        "/{respondent_id:uuid}/claim",
        summary="Rattacher une invitation à mon compte",
        status_code=200,
        responses=responses(VoiceView, VOICE, errors=(401, 404)),
    )
    async def claim(
        self, db_session: DbSession, principal: CurrentPrincipal, respondent_id: RespondentId
    ) -> VoiceView:
        """Attach an invitation sent to this account's address to the account."""
        return await claim_voice(db_session, principal, respondent_id)

    @get(
        "/{respondent_id:uuid}",
        summary="Mes réponses (compte)",
        responses=responses(VoiceView, VOICE, errors=(401, 404)),
    )
    async def read(
        self, db_session: DbSession, principal: CurrentPrincipal, respondent_id: RespondentId
    ) -> VoiceView:
        """The account's own answers to a claimed invitation."""
        return await open_own_voice(db_session, principal, respondent_id)

    @patch(
        "/{respondent_id:uuid}/answers",
        summary="Enregistrer mes réponses (compte)",
        responses=responses(VoiceView, VOICE, errors=(401, 404, 409, 422)),
    )
    async def save(
        self,
        db_session: DbSession,
        principal: CurrentPrincipal,
        model: CurrentModel,
        respondent_id: RespondentId,
        data: Annotated[VoiceAnswers, body({"answers": VOICE["answers"]}, "Une réponse")],
    ) -> VoiceView:
        """Save a draft of a claimed invitation."""
        return await save_own_voice(db_session, principal, model, respondent_id, data)

    @post(
        "/{respondent_id:uuid}/submit",
        summary="Envoyer mes réponses (compte)",
        status_code=200,
        responses=responses(
            VoiceView, VOICE | {"status": "submitted"}, errors=(401, 404, 409, 422)
        ),
    )
    async def submit(
        self, db_session: DbSession, principal: CurrentPrincipal, respondent_id: RespondentId
    ) -> VoiceView:
        """Send the answers of a claimed invitation."""
        return await submit_own_voice(db_session, principal, respondent_id)
