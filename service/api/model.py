"""The model and stateless scoring: ``GET /api/v1/model`` and ``POST /api/v1/score``."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter

from maturity.model import Model
from maturity.results import ScoreResult, score_answers
from service.deps import CurrentModel
from service.platform.operations import observe

__all__ = ["AnswersIn", "ModelView", "ScoringController", "model_view"]

Lang = Annotated[
    Literal["fr", "en"] | None,
    QueryParameter(description="Langue des libellés (fr par défaut, en)."),
]


class AnswersIn(msgspec.Struct, forbid_unknown_fields=True):
    """Answers by question id: a level 0..max, ``"na"`` (non concerné) or ``"unknown"``.

    Questions absent from the body count as unknown."""

    answers: dict[str, int | str]


class LevelView(msgspec.Struct):
    """A maturity level: reached from ``min`` on."""

    level: int
    min: float
    label: str
    description: str | None


class QuestionView(msgspec.Struct):
    """A question with its level descriptors (empty for a points question)."""

    id: str
    label: str
    help: str | None
    weight: float
    allows_na: bool
    max: int
    levels: list[str]


class DimensionView(msgspec.Struct):
    """A dimension with its questions."""

    id: str
    label: str
    pillar: str
    weight: float
    description: str | None
    questions: list[QuestionView]


class PillarView(msgspec.Struct):
    """A pillar of the model."""

    id: str
    label: str
    weight: float
    description: str | None


class ModelView(msgspec.Struct):
    """The whole model in one language."""

    id: str
    version: str
    title: str
    lang: str
    levels: list[LevelView]
    pillars: list[PillarView]
    dimensions: list[DimensionView]


def model_view(model: Model, lang: str = "fr") -> ModelView:
    """The model's labels in `lang`, as served by the API and the pages."""

    def text(t: object) -> str | None:
        return t.get(lang) if t is not None else None  # type: ignore[attr-defined]

    return ModelView(
        id=model.model.id,
        version=model.version,
        title=model.model.title.get(lang),
        lang=lang,
        levels=[
            LevelView(lv.level, lv.min, lv.label.get(lang), text(lv.description))
            for lv in model.levels
        ],
        pillars=[
            PillarView(p.id, p.label.get(lang), p.weight, text(p.description))
            for p in model.pillars
        ],
        dimensions=[
            DimensionView(
                id=d.id,
                label=d.label.get(lang),
                pillar=d.pillar,
                weight=d.weight,
                description=text(d.description),
                questions=[
                    QuestionView(
                        id=q.id,
                        label=q.label.get(lang),
                        help=text(q.help),
                        weight=q.weight,
                        allows_na=q.allows_na,
                        max=q.top,
                        levels=[lv.get(lang) for lv in q.levels],
                    )
                    for q in d.questions
                ],
            )
            for d in model.dimensions
        ],
    )


class ScoringController(Controller):
    """The maturity model and stateless scoring of an answer set."""

    path = "/api/v1"
    tags = ("Modèle et score",)

    @get("/model", summary="Le modèle de maturité")
    async def get_model(self, model: CurrentModel, lang: Lang = None) -> ModelView:
        """The whole model: levels, pillars, dimensions, questions and their descriptors."""
        return model_view(model, lang or "fr")

    @post("/score", summary="Calculer le score d'un jeu de réponses", status_code=200)
    async def post_score(
        self, data: JSONBody[AnswersIn], model: CurrentModel, lang: Lang = None
    ) -> ScoreResult:
        """Score answers without storing them: index, level, pillars, dimensions, diagnostics,
        next steps. Questions absent from the body count as unknown."""
        with observe("score"):
            return score_answers(model, data.answers, lang or "fr")
