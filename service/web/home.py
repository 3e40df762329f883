"""National aggregates of the home page: the index by kind of territory, k-anonymous.

The statistics are `maturity.aggregates.aggregates` on the benchmark cache's frames, the same
call as ``GET /api/v1/benchmarks/aggregates?group_by=kind``: a cell under the minimum size
(or one that would reveal another by difference) comes back withheld and is shown as such."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.aggregates import GROUP_BY, aggregates
from maturity.benchmark import K_MIN
from maturity.model import INDEX
from maturity.territories import KIND_LABELS
from service.assessments.campaigns import list_campaigns
from service.peers.cache import BenchmarkCache, Sessions
from service.web.charts import StripRow, strips
from service.web.i18n import translate
from service.web.rendering import format_number, svg

__all__ = ["national_overview"]


async def national_overview(
    session: AsyncSession, sessions: Sessions, benchmarks: BenchmarkCache, lang: str
) -> dict[str, Any] | None:
    """The latest campaign with enough submissions: the index's spread by kind of territory,
    as a chart and its table; None before any such campaign."""
    campaigns = await list_campaigns(session, 1, 100)
    year = next((c.year for c in campaigns.items if c.submitted >= K_MIN), None)
    if year is None:
        return None
    frames = await benchmarks.get(sessions, year, "national")
    territories = frames.territories.select("territory", *GROUP_BY)
    by_kind = aggregates(territories, frames.scores, ["kind"]).filter(pl.col("metric") == INDEX)
    overall = aggregates(territories, frames.scores, []).filter(pl.col("metric") == INDEX)
    rows = [
        StripRow(
            KIND_LABELS.get(r["kind"], {}).get(lang, r["kind"]),
            r["p25"],
            r["median"],
            r["p75"],
            r["p90"],
            n=r["n"],
        )
        for r in by_kind.iter_rows(named=True)
        if r["withheld"] is None
    ]
    if not rows:
        return None

    def t(key: str, **values: Any) -> str:
        return translate(lang, key, **values)

    chart = strips(
        rows,
        title=t("home.chart_title", campaign=year),
        desc=t("home.chart_desc"),
        caption=t("home.chart_caption", campaign=year),
        headers={
            "label": t("home.col_kind"),
            "p25": "p25",
            "median": t("home.col_median"),
            "p75": "p75",
            "p90": "p90",
            "n": t("home.col_n"),
        },
        id_prefix="national",
        fmt=lambda v: format_number(v, lang),
    )
    n = int(overall["n"][0]) if overall.height else sum(r.n or 0 for r in rows)
    withheld = [
        KIND_LABELS.get(r["kind"], {}).get(lang, r["kind"])
        for r in by_kind.iter_rows(named=True)
        if r["withheld"] is not None
    ]
    return {
        "campaign": year,
        "n": n,
        "chart": chart,
        "svg": svg(chart.svg),
        "withheld": withheld,
        "notice": t("home.synthetic") if frames.synthetic else None,
    }
