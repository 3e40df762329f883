"""The model and stateless scoring: ``GET /api/v1/model`` and ``POST /api/v1/score``."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter

from maturity.model import Model
from maturity.results import ScoreResult, score_answers
from service.api.docs import responses
from service.assessments.editions import editions_for
from service.assessments.model_view import ModelView, model_view
from service.deps import CurrentModel
from service.platform.operations import observe

__all__ = ["AnswersIn", "Lang", "ScoringController", "Version"]

Lang = Annotated[
    Literal["fr", "en"] | None,
    QueryParameter(description="Langue des libellés (fr par défaut, en)."),
]


Version = Annotated[
    str | None,
    QueryParameter(
        description=(
            "Édition du modèle (ex. 2026.1) : par défaut celle en vigueur ; une campagne garde "
            "l'édition qu'elle enregistre. Une édition inconnue donne 422 avec la liste des "
            "éditions connues."
        ),
        max_length=32,
    ),
]


def _edition(model: Model, version: str | None) -> Model:
    """The edition `version` (the one in force when None); 422 for an unknown one."""
    if version is None:
        return model
    editions = editions_for(model)
    return editions.get(editions.check_version(version))


class AnswersIn(msgspec.Struct, forbid_unknown_fields=True):
    """Answers by question id: a level 0..max, ``"na"`` (non concerné) or ``"unknown"``.

    Questions absent from the body count as unknown."""

    answers: dict[str, int | str]


class ScoringController(Controller):
    """The maturity model and stateless scoring of an answer set."""

    path = "/api/v1"
    tags = ("Modèle et score",)

    @get("/model", summary="Le modèle de maturité", responses=responses(ModelView, errors=(422,)))
    async def get_model(
        self, model: CurrentModel, lang: Lang = None, version: Version = None
    ) -> ModelView:
        """The whole model (the edition in force, or `version`): levels, pillars, dimensions,
        questions and their descriptors."""
        return model_view(_edition(model, version), lang or "fr")

    @post(
        "/score",
        summary="Calculer le score d'un jeu de réponses",
        status_code=200,
        responses=responses(ScoreResult, errors=(422,)),
    )
    async def post_score(
        self,
        data: JSONBody[AnswersIn],
        model: CurrentModel,
        lang: Lang = None,
        version: Version = None,
    ) -> ScoreResult:
        """Score answers without storing them (with the edition in force, or `version`):
        index, level, pillars, dimensions, diagnostics, next steps. Questions absent from the
        body count as unknown."""
        edition = _edition(model, version)
        with observe("score"):
            return score_answers(edition, data.answers, lang or "fr")
