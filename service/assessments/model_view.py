"""The maturity model as readers see it: its levels, pillars, dimensions and questions with
their labels in one language, the same view for the API, the pages and the CLI."""

from __future__ import annotations

import msgspec

from maturity.model import Model, Text

__all__ = [
    "DimensionView",
    "GroundingView",
    "LevelView",
    "ModelView",
    "PillarView",
    "QuestionView",
    "model_view",
]


class LevelView(msgspec.Struct):
    """A maturity level: reached from ``min`` on."""

    level: int
    min: float
    label: str
    description: str | None


class GroundingView(msgspec.Struct):
    """What a question rests on: a document of the corpus, the part of it it draws on, and
    what is the network's own reading or choice (``note``)."""

    source: str
    section: str | None
    note: str | None


class QuestionView(msgspec.Struct):
    """A question with its level descriptors (empty for a points question) and its grounding
    (empty in model files that do not record it)."""

    id: str
    label: str
    help: str | None
    weight: float
    allows_na: bool
    max: int
    levels: list[str]
    grounding: list[GroundingView] = []


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
    """The model's labels in `lang`, as served by the API, the pages and the CLI."""

    def text(t: Text | None) -> str | None:
        return t.get(lang) if t is not None else None

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
                        grounding=[
                            GroundingView(g.source, g.section, text(g.note)) for g in q.grounding
                        ],
                    )
                    for q in d.questions
                ],
            )
            for d in model.dimensions
        ],
    )
