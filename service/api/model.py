"""The model and stateless scoring: ``GET /api/v1/model`` and ``POST /api/v1/score``."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter

from maturity.results import ScoreResult, score_answers
from service.api.docs import responses
from service.assessments.model_view import ModelView, model_view
from service.deps import CurrentModel
from service.platform.operations import observe

__all__ = ["AnswersIn", "Lang", "ScoringController"]

Lang = Annotated[
    Literal["fr", "en"] | None,
    QueryParameter(description="Langue des libellés (fr par défaut, en)."),
]


class AnswersIn(msgspec.Struct, forbid_unknown_fields=True):
    """Answers by question id: a level 0..max, ``"na"`` (non concerné) or ``"unknown"``.

    Questions absent from the body count as unknown."""

    answers: dict[str, int | str]


class ScoringController(Controller):
    """The maturity model and stateless scoring of an answer set."""

    path = "/api/v1"
    tags = ("Modèle et score",)

    @get("/model", summary="Le modèle de maturité")
    async def get_model(self, model: CurrentModel, lang: Lang = None) -> ModelView:
        """The whole model: levels, pillars, dimensions, questions and their descriptors."""
        return model_view(model, lang or "fr")

    @post(
        "/score",
        summary="Calculer le score d'un jeu de réponses",
        status_code=200,
        responses=responses(ScoreResult, errors=(422,)),
    )
    async def post_score(
        self, data: JSONBody[AnswersIn], model: CurrentModel, lang: Lang = None
    ) -> ScoreResult:
        """Score answers without storing them: index, level, pillars, dimensions, diagnostics,
        next steps. Questions absent from the body count as unknown."""
        with observe("score"):
            return score_answers(model, data.answers, lang or "fr")
