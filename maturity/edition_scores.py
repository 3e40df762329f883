"""A campaign's scores against the campaign before it when the two answered different editions
of the model: what the peer statistics' changes compare, metric by metric, through the mapping.

Pure functions on the engine's long frames. A score that is the same on both editions
(``full`` in `maturity.editions.comparability`) compares as it is, the old edition's dimension
under its new id; a ``partial`` one is recomputed on both sides on the comparable questions
only (`Comparability.before` and `.after`); a score with nothing comparable (``none``) has no
previous value, so no change: the statistics say so rather than compare unlike things.
"""

from __future__ import annotations

import msgspec
import polars as pl

from maturity.editions import Comparability, Status
from maturity.mapping import EditionMapping
from maturity.model import INDEX, Model
from maturity.peers import long_scores
from maturity.scoring import score

__all__ = ["EditionScores", "metric_statuses", "scored", "scores_across"]

SCORES = {"territory": pl.String, "metric": pl.String, "score": pl.Float64}
"""The long scores the peer statistics take: territory, metric, score."""


class EditionScores(msgspec.Struct, frozen=True):
    """What the changes between two campaigns on different editions compare."""

    previous: pl.DataFrame
    """The previous campaign's scores on the comparable basis, under the new edition's
    metric ids (territory, metric, score)."""
    basis: pl.DataFrame
    """The current campaign's scores on that same basis."""
    statuses: dict[str, Status]
    """Every metric of the new edition: ``full``, ``partial`` or ``none``."""


def scored(model: Model, answers: pl.DataFrame) -> pl.DataFrame:
    """Long scores (territory, metric, score) of a long answer frame (territory as
    ``assessment``); an empty frame for no answers."""
    if answers.is_empty():
        return pl.DataFrame(schema=SCORES)
    return long_scores(score(model, answers)).rename({"assessment": "territory"})


def metric_statuses(basis: Comparability) -> dict[str, Status]:
    """Each metric id of the new edition (index, ``pillar:<id>``, dimension) and how it
    compares with the old edition."""
    statuses: dict[str, Status] = {INDEX: basis.index}
    statuses |= {f"pillar:{p}": status for p, status in basis.pillars.items()}
    return statuses | {d.dimension: d.status for d in basis.dimensions}


def _questions(answers: pl.DataFrame) -> pl.DataFrame:
    return answers.with_columns(pl.col("question").cast(pl.String))


def _metrics(frame: pl.DataFrame, statuses: dict[str, Status], status: Status) -> pl.DataFrame:
    return frame.filter(pl.col("metric").is_in([m for m, s in statuses.items() if s == status]))


def scores_across(
    basis: Comparability,
    mapping: EditionMapping,
    source: Model,
    target: Model,
    previous: pl.DataFrame,
    current: pl.DataFrame,
) -> EditionScores:
    """The previous campaign's answers (`previous`, edition `source`) and the current ones
    (`current`, edition `target`), both long answer frames with the territory as
    ``assessment``, scored on the basis each metric can be compared on."""
    statuses = metric_statuses(basis)
    renamed = {d.id: mapping.dimension_for(d.id) for d in source.dimensions}
    old_full = _metrics(
        scored(source, previous).with_columns(pl.col("metric").replace(renamed)), statuses, "full"
    )
    new_full = _metrics(scored(target, current), statuses, "full")
    parts_before, parts_now = [old_full], [new_full]
    if basis.before is not None and basis.after is not None:
        pairs = pl.DataFrame(
            {"new": list(basis.pairs), "question": list(basis.pairs.values())},
            schema={"new": pl.String, "question": pl.String},
        )
        old_cut = (
            _questions(previous)
            .join(pairs, on="question")
            .select("assessment", question="new", value="value", status="status")
        )
        new_cut = _questions(current).filter(pl.col("question").is_in(list(basis.pairs)))
        parts_before.append(_metrics(scored(basis.before, old_cut), statuses, "partial"))
        parts_now.append(_metrics(scored(basis.after, new_cut), statuses, "partial"))
    return EditionScores(
        previous=pl.concat(parts_before).select(SCORES.keys()),
        basis=pl.concat(parts_now).select(SCORES.keys()),
        statuses=statuses,
    )
