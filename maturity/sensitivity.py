"""Sensitivity of a campaign's results to the model's weights and thresholds.

The weights, the level thresholds, the level cap and the diagnostics' thresholds of a model
file are design choices, not findings of the literature. Composite indices of the field
publish how their rankings move when such choices change (the OECD Digital Government Index,
for one); this module does the same for a campaign's answers: each alternative scheme is a
variant of the model, scored by the ordinary engine (`maturity.scoring.score`, every
assessment in one call), and compared with the model as published.

Schemes (`alternative_schemes`):

- ``equal_weights``: every question and every dimension weighs 1;
- ``pillar_balanced``: each pillar weighs the same in the index, its dimensions keeping their
  relative weights;
- ``core_x0.5`` / ``core_x1.5``: the weight of the core questions (those weighted above the
  model's lowest question weight) multiplied by 0.5 or 1.5;
- ``cap_off`` (or ``cap_on`` for a model without the cap): the level cap switched;
- ``thresholds_plus_5`` / ``thresholds_minus_5``: every threshold moved by 5 points: the
  lower bounds of levels 2 and above, and the diagnostics' ``min_gap``, ``below``,
  ``at_least`` and ``index_at_least`` (kept within 0–100).

Figures (`SchemeImpact`), over the assessments that have an index under both: Spearman's
rank correlation of the index; the shares whose level (from the index alone), capped level
or percentile band changes; the mean and largest absolute change of the index and the mean
absolute change of the percentile rank. The percentile rank is the campaign-wide one of the
index, with the peers' definition (`maturity.peers`): among the m other assessments with an
index, b lower and e equal, 100 × (b + e / 2) / m; its bands are quarters (0–25, 25–50,
50–75, 75–100). Also, under each scheme, how many assessments end at each capped level and
how many trigger each diagnostic.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import msgspec
import polars as pl

from maturity.model import INDEX, GapRule, Model, ThresholdRule
from maturity.scoring import score
from maturity.texts import N_

__all__ = [
    "BAND_WIDTH",
    "THRESHOLD_SHIFT",
    "Outcome",
    "Scheme",
    "SchemeImpact",
    "SensitivityReport",
    "alternative_schemes",
    "compare",
    "outcomes",
    "sensitivity",
]

BAND_WIDTH: Final = 25.0
"""Width of a percentile band: quarters of the campaign."""
THRESHOLD_SHIFT: Final = 5.0
"""Points by which the threshold schemes move every threshold."""
CORE_FACTORS: Final = (0.5, 1.5)
"""Multipliers of the core questions' weights."""


class Scheme(msgspec.Struct, frozen=True):
    """An alternative to the published model: its id, a French label and description (catalogue
    ids, see `maturity.texts`) and the variant model it scores with."""

    id: str
    label: str
    description: str
    model: Model


class Outcome(msgspec.Struct, frozen=True):
    """What a scheme gives the whole campaign: how many assessments have an index, how many
    end at each capped level, and how many trigger each diagnostic (model order, zeros kept)."""

    scored: int
    levels: dict[int, int]
    diagnostics: dict[str, int]


class SchemeImpact(msgspec.Struct, frozen=True):
    """How far one scheme moves the campaign's results from the published model's.

    Shares are fractions (0–1); null when no assessment has what they compare (a model without
    levels has no level to change). ``same_as`` names the scheme (or ``reference``, the model as
    published) whose variant is identical: its figures are then those of that one."""

    scheme: str
    label: str
    description: str
    same_as: str | None
    compared: int
    spearman: float | None
    level_changed: float | None
    capped_level_changed: float | None
    band_changed: float | None
    mean_index_change: float | None
    max_index_change: float | None
    mean_percentile_change: float | None
    outcome: Outcome


class SensitivityReport(msgspec.Struct, frozen=True):
    """The reference outcome (the model as published) and each scheme's impact."""

    model_version: str
    assessments: int
    reference: Outcome
    schemes: list[SchemeImpact]


def _replace_weights(
    model: Model, *, question: dict[str, float] | None = None, dimension: dict[str, float] | None
) -> Model:
    """`model` with the given question and dimension weights (the others kept)."""
    question = question or {}
    dimension = dimension or {}
    dimensions = tuple(
        msgspec.structs.replace(
            d,
            weight=dimension.get(d.id, d.weight),
            questions=tuple(
                msgspec.structs.replace(q, weight=question.get(q.id, q.weight)) for q in d.questions
            ),
        )
        for d in model.dimensions
    )
    return msgspec.structs.replace(model, dimensions=dimensions)


def _clip(value: float) -> float:
    return min(100.0, max(0.0, value))


def _shifted(model: Model, delta: float) -> Model:
    """`model` with every level bound (but the first, 0) and every diagnostic threshold moved
    by `delta` points."""
    levels = tuple(
        lv if i == 0 else msgspec.structs.replace(lv, min=_clip(lv.min + delta))
        for i, lv in enumerate(model.levels)
    )

    def move(value: float | None) -> float | None:
        return None if value is None else _clip(value + delta)

    diagnostics = []
    for diag in model.diagnostics:
        rule = diag.rule
        moved: GapRule | ThresholdRule
        if isinstance(rule, GapRule):
            moved = msgspec.structs.replace(
                rule,
                min_gap=_clip(rule.min_gap + delta),
                index_at_least=move(rule.index_at_least),
            )
        else:
            moved = msgspec.structs.replace(
                rule,
                below=move(rule.below),
                at_least=move(rule.at_least),
                index_at_least=move(rule.index_at_least),
            )
        diagnostics.append(msgspec.structs.replace(diag, rule=moved))
    return msgspec.structs.replace(model, levels=levels, diagnostics=tuple(diagnostics))


def _signature(model: Model) -> tuple[object, ...]:
    """What the scores depend on, with the weights normalised: multiplying every weight of a
    dimension (or every dimension's weight) by one factor changes no score, so two variants
    with the same signature give the same results."""

    def ratios(weights: Sequence[float]) -> tuple[float, ...]:
        total = sum(weights)
        return tuple(round(w / total, 12) for w in weights)

    return (
        tuple(ratios([q.weight for q in d.questions]) for d in model.dimensions),
        ratios([d.weight for d in model.dimensions]),
        tuple(
            ratios([d.weight for d in model.dimensions if d.pillar == p.id]) for p in model.pillars
        ),
        tuple(lv.min for lv in model.levels),
        model.cap_levels,
        tuple(d.rule for d in model.diagnostics),
    )


def alternative_schemes(model: Model) -> list[Scheme]:
    """The alternative schemes of `model`, in report order (see the module's docstring)."""
    questions = [q for _, q in model.iter_questions()]
    lowest = min(q.weight for q in questions)
    core = [q for q in questions if q.weight > lowest]
    by_pillar: dict[str, float] = {}
    for d in model.dimensions:
        by_pillar[d.pillar] = by_pillar.get(d.pillar, 0.0) + d.weight
    schemes = [
        Scheme(
            "equal_weights",
            N_("Poids égaux"),
            N_("Toutes les questions et toutes les dimensions pèsent 1."),
            _replace_weights(
                model,
                question={q.id: 1.0 for q in questions},
                dimension={d.id: 1.0 for d in model.dimensions},
            ),
        ),
        Scheme(
            "pillar_balanced",
            N_("Piliers équilibrés"),
            N_("Chaque pilier pèse autant dans l'indice, quel que soit son nombre de dimensions."),
            _replace_weights(
                model,
                dimension={d.id: d.weight / by_pillar[d.pillar] for d in model.dimensions},
            ),
        ),
    ]
    for factor, label, description in zip(
        CORE_FACTORS,
        (N_("Questions clés × 0,5"), N_("Questions clés × 1,5")),
        (
            N_("Le poids des questions clés (les plus pondérées) est divisé par deux."),
            N_("Le poids des questions clés (les plus pondérées) est multiplié par 1,5."),
        ),
        strict=True,
    ):
        schemes.append(
            Scheme(
                f"core_x{factor:g}",
                label,
                description,
                _replace_weights(
                    model, question={q.id: q.weight * factor for q in core}, dimension=None
                ),
            )
        )
    if model.levels:
        capped = model.cap_levels
        schemes.append(
            Scheme(
                "cap_off" if capped else "cap_on",
                N_("Sans plafond de niveau") if capped else N_("Avec plafond de niveau"),
                N_("Le niveau vient de l'indice seul, sans plafond.")
                if capped
                else N_("Le niveau est plafonné à 1 + le niveau de la dimension la plus faible."),
                msgspec.structs.replace(model, cap_levels=not capped),
            )
        )
    schemes += [
        Scheme(
            "thresholds_plus_5",
            N_("Seuils + 5"),
            N_("Seuils des niveaux et des diagnostics relevés de 5 points."),
            _shifted(model, THRESHOLD_SHIFT),
        ),
        Scheme(
            "thresholds_minus_5",
            N_("Seuils − 5"),
            N_("Seuils des niveaux et des diagnostics abaissés de 5 points."),
            _shifted(model, -THRESHOLD_SHIFT),
        ),
    ]
    return schemes


def outcomes(
    model: Model, answers: pl.DataFrame | pl.LazyFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per assessment: ``assessment``, ``index``, ``level`` (from the index alone),
    ``capped_level`` (the model's own rule), ``percentile`` and ``band`` (0–3); and the
    diagnostics frame of `maturity.scoring.Scores`."""
    scores = score(model, answers)
    summary = scores.summary
    if model.cap_levels and model.levels:
        free = score(msgspec.structs.replace(model, cap_levels=False), answers).summary
    else:
        free = summary
    scored = pl.col(INDEX).count()
    # ranked to 1e-9, the engine's tolerance: indices equal in exact arithmetic tie whatever
    # the order of their floating-point sums
    rank = pl.col(INDEX).round(9).rank("average")
    frame = pl.DataFrame(
        [
            summary.get_column("assessment"),
            summary.get_column(INDEX),
            free.get_column("level"),  # both summaries list the assessments in the same order
            summary.get_column("level").alias("capped_level"),
        ]
    ).with_columns(
        percentile=pl.when(scored > 1).then(100 * (rank - 1) / (scored - 1)),
    )
    band = (pl.col("percentile") // BAND_WIDTH).clip(0, 100 // BAND_WIDTH - 1).cast(pl.Int8)
    return frame.with_columns(band=band), scores.diagnostics


def _outcome(model: Model, frame: pl.DataFrame, diagnostics: pl.DataFrame) -> Outcome:
    counts = dict(diagnostics.get_column("diagnostic").value_counts().iter_rows())
    levels = dict(
        frame.get_column("capped_level")
        .drop_nulls()
        .value_counts()
        .sort("capped_level")
        .iter_rows()
    )
    return Outcome(
        scored=frame.get_column(INDEX).count(),
        levels={lv.level: int(levels.get(lv.level, 0)) for lv in model.levels},
        diagnostics={d.id: int(counts.get(d.id, 0)) for d in model.diagnostics},
    )


def _number(value: object) -> float | None:
    """A float statistic, or None for a missing or undefined one (NaN)."""
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if number != number else number


def compare(reference: pl.DataFrame, alternative: pl.DataFrame) -> dict[str, float | int | None]:
    """The figures of `SchemeImpact` between two `outcomes` frames of the same answers."""
    both = reference.join(alternative, on="assessment", suffix="_alt").filter(
        pl.col(INDEX).is_not_null() & pl.col(f"{INDEX}_alt").is_not_null()
    )

    def changed(column: str) -> pl.Expr:
        known = pl.col(column).is_not_null() & pl.col(f"{column}_alt").is_not_null()
        return (pl.col(column) != pl.col(f"{column}_alt")).filter(known).mean()

    delta = (pl.col(f"{INDEX}_alt") - pl.col(INDEX)).abs()
    row = both.select(
        spearman=pl.corr(
            pl.col(INDEX).round(9), pl.col(f"{INDEX}_alt").round(9), method="spearman"
        ),
        level_changed=changed("level"),
        capped_level_changed=changed("capped_level"),
        band_changed=changed("band"),
        mean_index_change=delta.mean(),
        max_index_change=delta.max(),
        mean_percentile_change=(pl.col("percentile_alt") - pl.col("percentile")).abs().mean(),
    ).row(0, named=True)
    figures: dict[str, float | int | None] = {k: _number(v) for k, v in row.items()}
    figures["compared"] = both.height
    if both.height < 2:
        figures["spearman"] = None
    return figures


def sensitivity(
    model: Model,
    answers: pl.DataFrame | pl.LazyFrame,
    schemes: Sequence[Scheme] | None = None,
) -> SensitivityReport:
    """Score `answers` (long format, see `maturity.scoring.answer_schema`) under `model` and
    under each scheme (default: `alternative_schemes`), and measure how the results move."""
    frame = answers.collect() if isinstance(answers, pl.LazyFrame) else answers
    reference, diagnostics = outcomes(model, frame)
    seen: list[tuple[str, tuple[object, ...]]] = [("reference", _signature(model))]
    impacts = []
    for scheme in alternative_schemes(model) if schemes is None else schemes:
        signature = _signature(scheme.model)
        same_as = next((name for name, known in seen if known == signature), None)
        seen.append((scheme.id, signature))
        alternative, alt_diagnostics = outcomes(scheme.model, frame)
        figures = compare(reference, alternative)
        impacts.append(
            SchemeImpact(
                scheme=scheme.id,
                label=scheme.label,
                description=scheme.description,
                same_as=same_as,
                compared=int(figures.pop("compared") or 0),
                outcome=_outcome(scheme.model, alternative, alt_diagnostics),
                **figures,
            )
        )
    return SensitivityReport(
        model_version=model.version,
        assessments=reference.height,
        reference=_outcome(model, reference, diagnostics),
        schemes=impacts,
    )
