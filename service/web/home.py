"""National aggregates of the home page: the index by kind of territory, as published.

The statistics are `service.peers.cache.aggregates_table` on the peer cache's frames, the
same call as ``GET /api/v1/benchmarks/aggregates?group_by=kind``: a withheld cell (statistical
disclosure control, README) comes back without figures, and so does a cell whose quantiles
are withheld; both are named as not published."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy.ext.asyncio import AsyncSession

from maturity.model import INDEX
from maturity.peers import K_MIN
from maturity.territories import KIND_LABELS
from service.assessments.campaigns import list_campaigns
from service.peers.cache import BenchmarkCache, aggregates_table
from service.platform.db import Sessions
from service.platform.i18n import N_, MessageId, translate
from service.web.charts import StripRow, strips
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
    by_kind = aggregates_table(frames, ["kind"]).filter(pl.col("metric") == INDEX)
    overall = aggregates_table(frames, []).filter(pl.col("metric") == INDEX)
    shown = pl.col("withheld").is_null() & pl.col("median").is_not_null()
    rows = [
        StripRow(
            KIND_LABELS.get(r["kind"], {}).get(lang, r["kind"]),
            r["p25"],
            r["median"],
            r["p75"],
            r["p90"],
            n=r["n"],
        )
        for r in by_kind.filter(shown).iter_rows(named=True)
    ]
    if not rows:
        return None

    def t(message: MessageId, **values: Any) -> str:
        return translate(lang, message, **values)

    chart = strips(
        rows,
        title=t(N_("Indice global par type de territoire (%(campaign)s)"), campaign=year),
        desc=t(
            N_(
                "Pour chaque type de territoire, la bande grise va du p25 au p75 de l'indice "
                "global (0 à 100), le trait noir marque la médiane, le trait pointillé le p90."
            )
        ),
        caption=t(
            N_("Quantiles de l'indice global par type de territoire, campagne %(campaign)s"),
            campaign=year,
        ),
        headers={
            "label": t(N_("Type de territoire")),
            "p25": "p25",
            "median": t(N_("Médiane")),
            "p75": "p75",
            "p90": "p90",
            "n": t(N_("Territoires")),
        },
        id_prefix="national",
        fmt=lambda v: format_number(v, lang),
    )
    total = overall["n"][0] if overall.height else None
    n = int(total) if total is not None else sum(r.n or 0 for r in rows)
    withheld = [
        KIND_LABELS.get(r["kind"], {}).get(lang, r["kind"])
        for r in by_kind.filter(~shown).iter_rows(named=True)
    ]
    return {
        "campaign": year,
        "n": n,
        "chart": chart,
        "svg": svg(chart.svg),
        "withheld": withheld,
        "notice": t(
            N_(
                "Ces agrégats sont calculés sur des données synthétiques de démonstration, pas "
                "sur de vraies réponses."
            )
        )
        if frames.synthetic
        else None,
    }
