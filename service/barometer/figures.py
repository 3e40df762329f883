"""The figures the dashboard and the barometer show, cut from a campaign's peer frames under
the campaign's statistical disclosure control: the network aggregates of
`service.peers.aggregates` (the same call as ``GET /api/v1/benchmarks/aggregates``, hence the
same suppression) and the response rate derived from their published counts.

A response rate is a published count over the cell's reference population (the directory's
territories, public knowledge): a cell whose count is withheld has no rate either."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import polars as pl
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.aggregates import aggregates
from maturity.model import INDEX, Model
from service.peers.aggregates import AGGREGATE_GROUPS, aggregates_table
from service.peers.frames import CampaignFrames
from service.platform.db.tables import Territory

__all__ = [
    "AGGREGATE_COLUMNS",
    "BAROMETER_GROUPINGS",
    "PARTICIPATION_COLUMNS",
    "aggregate_rows",
    "metric_labels",
    "not_comparable",
    "participation",
    "region_names",
]

BAROMETER_GROUPINGS: Final[dict[str, tuple[str, ...]]] = {
    "national": (),
    "kind": ("kind",),
    "population_band": ("population_band",),
    "region": ("region",),
}
"""The groupings the barometer publishes (a subset of the API's fixed hierarchy)."""
KEYS: Final = ("kind", "population_band", "region")
AGGREGATE_COLUMNS: Final = (
    "grouping", *KEYS, "metric", "n", "mean", "median", "p25", "p75", "p90", "change",
    "change_basis", "withheld",
)  # fmt: skip
PARTICIPATION_COLUMNS: Final = ("grouping", *KEYS, "territories", "submitted", "rate", "withheld")


def _with_keys(table: pl.DataFrame, grouping: str) -> pl.DataFrame:
    """`table` with the grouping's name and every key column (null where not grouped)."""
    missing = [pl.lit(None, pl.String).alias(k) for k in KEYS if k not in table.columns]
    return table.with_columns(pl.lit(grouping).alias("grouping"), *missing)


def participation(frames: CampaignFrames, by: Sequence[str]) -> pl.DataFrame:
    """Per cell of `by` (API names of a published grouping): reference territories, published
    submissions (null when withheld), response rate in % (one decimal), and why withheld."""
    refs = frames.territories.rename({"band": "population_band"})
    population = (refs.group_by(*by) if by else refs.group_by(pl.lit(0).alias("_"))).agg(
        territories=pl.len()
    )
    counts = aggregates_table(frames, list(by)).filter(pl.col("metric") == INDEX)
    counts = counts.select(*by, submitted=pl.col("n"), withheld=pl.col("withheld"))
    if by:
        table = population.join(counts, on=list(by), how="left", nulls_equal=True)
    elif counts.height:
        table = population.drop("_").join(counts, how="cross")
    else:  # nobody submitted yet
        table = population.drop("_").with_columns(submitted=None, withheld=None)
    table = table.with_columns(
        pl.col("submitted").cast(pl.Int64), pl.col("withheld").cast(pl.String)
    )
    return (
        table.with_columns(
            rate=(pl.col("submitted") * 100 / pl.col("territories")).round(1),
        )
        .sort(by or "territories", nulls_last=True)
        .pipe(_with_keys, ",".join(by) or "national")
        .select(PARTICIPATION_COLUMNS)
    )


def aggregate_rows(frames: CampaignFrames, previous: CampaignFrames | None = None) -> pl.DataFrame:
    """Every published grouping's aggregates, with the change of each published mean since
    `previous` (the campaign before) where that mean was published too: both rounded means
    are public, so their difference reveals nothing more. When `previous` answered another
    edition of the model, only what is comparable is compared (`change_basis`, as the peer
    statistics do, `maturity.edition_scores`): a ``full`` metric as it is, a ``partial`` one
    on the questions both editions share, a ``none`` one not at all (no change)."""
    tables = []
    for grouping, by in BAROMETER_GROUPINGS.items():
        now = aggregates_table(frames, list(by))
        if previous is None:
            now = now.with_columns(change=pl.lit(None, pl.Float64))
        else:
            now = now.join(_changes(frames, previous, by), on=[*by, "metric"], how="left",
                           nulls_equal=True)  # fmt: skip
        basis = _basis(frames, previous, now["metric"])
        now = now.with_columns(change_basis=basis)
        tables.append(_with_keys(now, grouping).select(AGGREGATE_COLUMNS))
    return pl.concat(tables, how="vertical_relaxed")


def _changes(frames: CampaignFrames, previous: CampaignFrames, by: tuple[str, ...]) -> pl.DataFrame:
    """Per cell of `by` and metric: the change of the published mean since `previous` (the
    keys, ``metric``, ``change``), on the basis the two campaigns' scores compare on."""
    if not frames.statuses:  # the same edition: the published tables compare as they are
        now, before = aggregates_table(frames, list(by)), aggregates_table(previous, list(by))
    else:  # on the comparable basis, each campaign under its own disclosure control
        attributes = frames.territories.select("territory", "kind", "band", "region")
        engine = [AGGREGATE_GROUPS[g] for g in by]
        now, before = (
            aggregates(attributes, scores, engine, disclosure).rename(
                {"band": "population_band"}, strict=False
            )
            for scores, disclosure in (
                (frames.compared, frames.disclosure),
                (frames.previous, previous.disclosure),
            )
        )
        comparable = [m for m, status in frames.statuses.items() if status != "none"]
        now = now.filter(pl.col("metric").is_in(comparable))
    joined = now.select(*by, "metric", "mean").join(
        before.select(*by, "metric", before=pl.col("mean")),
        on=[*by, "metric"],
        how="inner",
        nulls_equal=True,
    )
    change = (pl.col("mean") - pl.col("before")).round(1).alias("change")
    return joined.select(*by, "metric", change)


def _basis(frames: CampaignFrames, previous: CampaignFrames | None, metrics: pl.Series) -> pl.Expr:
    """Each row's ``change_basis``: null without a campaign before or on the same edition;
    else the metric's comparability (``none`` for a metric the mapping does not cover)."""
    if previous is None or not frames.statuses:
        return pl.lit(None, pl.String)
    return pl.col("metric").replace_strict(frames.statuses, default="none", return_dtype=pl.String)


def not_comparable(frames: CampaignFrames) -> list[str]:
    """The metrics without any change since the campaign before, because it answered another
    edition of the model that has nothing comparable for them (empty on the same edition)."""
    return sorted(m for m, status in frames.statuses.items() if status == "none")


def metric_labels(model: Model) -> dict[str, dict[str, str]]:
    """The label of every benchmarked metric in French and English."""
    labels = {INDEX: {"fr": "Indice global", "en": "Global index"}}
    labels |= {f"pillar:{p.id}": {"fr": p.label.get("fr"), "en": p.label.get("en")}
               for p in model.pillars}  # fmt: skip
    return labels | {
        d.id: {"fr": d.label.get("fr"), "en": d.label.get("en")} for d in model.dimensions
    }


async def region_names(session: AsyncSession) -> dict[str, str]:
    """The name of every région of the directory, by code."""
    rows = await session.execute(select(Territory.region_code, Territory.region_name).distinct())
    return {code: name for code, name in rows.all() if code is not None and name}
