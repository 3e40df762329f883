"""The network aggregates as published: the fixed hierarchy of groupings the API offers, and
each grouping's table cut once per campaign state from the peer cache's frames, under the
campaign's statistical disclosure control (`maturity.disclosure`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import polars as pl

from maturity.aggregates import GROUPINGS, aggregates
from maturity.disclosure import NOTICE
from service.assessments.workflow import notice
from service.peers.frames import CampaignFrames
from service.platform.errors import DomainError
from service.platform.i18n import N_

__all__ = [
    "AGGREGATE_GROUPS",
    "GroupingError",
    "aggregate_groups",
    "aggregates_table",
    "data_notice",
]


def data_notice(synthetic: bool) -> str:
    """The notice of published peer statistics: the disclosure rules they follow, after the
    demo-data warning when they come from synthetic data."""
    return " ".join(filter(None, (notice(synthetic), NOTICE)))


AGGREGATE_GROUPS: Final = {"kind": "kind", "population_band": "band", "region": "region"}
"""The attributes of the network aggregates as the API names them, and the engine's names."""


class GroupingError(DomainError):
    """A grouping the network aggregates do not offer (the hierarchy is fixed)."""

    status_code = 400


def aggregate_groups(group_by: str) -> list[str]:
    """The attributes named in `group_by` (comma-separated names of `AGGREGATE_GROUPS`, in
    any order; empty: the national level), when they make one of the offered groupings
    (`maturity.aggregates.GROUPINGS`)."""
    names = [g.strip() for g in group_by.split(",") if g.strip()]
    ordered = [g for g in AGGREGATE_GROUPS if g in names]
    if len(ordered) != len(names) or ",".join(ordered or ["national"]) not in GROUPINGS:
        raise GroupingError(
            N_(
                "Regroupement non proposé : « %(asked)s ». Les agrégats suivent une hiérarchie "
                "fixe, pour qu'aucun recoupement ne révèle un territoire ; regroupements "
                "possibles : %(allowed)s."
            ),
            asked=group_by,
            allowed=" ; ".join(
                f"« {g} »" if g != "national" else "« » (national)" for g in GROUPINGS
            ),
        )
    return ordered


def aggregates_table(frames: CampaignFrames, group_by: Sequence[str]) -> pl.DataFrame:
    """The campaign's network aggregates per cell of `group_by` (attribute names of
    `aggregate_groups`, one of the offered groupings) and metric, as published: withheld
    cells state neither statistics nor count, means and quantiles are rounded to 0.1."""
    key = ",".join(g for g in AGGREGATE_GROUPS if g in group_by) or "national"
    if key not in GROUPINGS or len(set(group_by)) != len(group_by):
        aggregate_groups(",".join(group_by))  # raises with the allowed groupings
    cached = frames.aggregates.get(key)
    if cached is None:
        cached = aggregates(
            frames.territories.select("territory", "kind", "band", "region"),
            frames.scores,
            GROUPINGS[key],
            frames.disclosure,
        ).rename({"band": "population_band"}, strict=False)
        frames.aggregates[key] = cached
    return cached
