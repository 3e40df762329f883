"""The results page as data: charts and tables cut from the engine's `ScoreResult` and the
benchmark's `Benchmark` (the Structs the API returns for the same assessment).

Nothing here computes a score or a statistic: it arranges the numbers for reading, in the
page's language, and builds the SVG charts of `service.web.charts` from them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from maturity.model import INDEX, Model
from maturity.results import ScoreResult
from service.assessments.scores import CampaignResult
from service.peers.cache import Benchmark, MetricStats
from service.platform.i18n import N_, MessageId, translate
from service.web.charts import BarRow, Chart, Series, StripRow, bars, radar, strips
from service.web.rendering import format_number

__all__ = ["evolution", "metric_map", "results_charts", "results_csv", "steps_by_dimension"]


def metric_map(benchmark: Benchmark | None) -> dict[str, MetricStats]:
    """The benchmark's statistics by metric id (empty without a benchmark)."""
    return {m.id: m for m in benchmark.metrics} if benchmark is not None else {}


def _published(stats: MetricStats | None) -> MetricStats | None:
    return stats if stats is not None and stats.withheld is None else None


def results_charts(
    model: Model, result: ScoreResult, benchmark: Benchmark | None, lang: str
) -> dict[str, Chart]:
    """Radar (territory, peer median, peer p75), bars with percentile, distribution strips."""

    def t(message: MessageId, **values: Any) -> str:
        return translate(lang, message, **values)

    def fmt(value: float | None) -> str:
        return format_number(value, lang)

    stats = metric_map(benchmark)
    dims = [(d.id, d.label, d.score) for d in result.dimensions]
    axes = [label for _, label, _ in dims]
    series = [Series(t(N_("Votre territoire")), [score for _, _, score in dims])]
    peer = [_published(stats.get(d)) for d, _, _ in dims]
    if all(p is not None and p.median is not None for p in peer):
        series.append(Series(t(N_("Médiane des pairs")), [p.median for p in peer], "median"))  # type: ignore[union-attr]
        top_quarter = [p.p75 for p in peer]  # type: ignore[union-attr]
        series.append(Series(t(N_("Quart supérieur des pairs (p75)")), top_quarter, "p75"))
    charts = {
        "radar": radar(
            axes,
            series,
            title=t(N_("Profil sur les huit dimensions")),
            desc=t(
                N_(
                    "Graphique en radar, scores de 0 (centre) à 100 (bord) ; séries : %(series)s. "
                    "Les valeurs sont dans le tableau qui suit."
                ),
                series=", ".join(s.label for s in series),
            ),
            caption=t(N_("Scores par dimension (0 à 100)")),
            axis_header=t(N_("Dimension")),
            id_prefix="radar",
            fmt=fmt,
        )
    }
    rows = [
        BarRow(
            label,
            score,
            median=p.median if p else None,
            p75=p.p75 if p else None,
            percentile=p.percentile if p else None,
        )
        for (_, label, score), p in zip(dims, peer, strict=True)
    ]
    charts["bars"] = bars(
        rows,
        title=t(N_("Score et centile par dimension")),
        desc=t(
            N_(
                "Barres horizontales des scores de 0 à 100 ; trait tireté : médiane des pairs ; "
                "trait pointillé : p75 des pairs ; le centile est écrit au bout de chaque barre."
            )
        ),
        caption=t(N_("Score, médiane et p75 des pairs, centile, par dimension")),
        headers=(
            t(N_("Dimension")),
            t(N_("Votre score")),
            t(N_("Médiane des pairs")),
            t(N_("p75 des pairs")),
            t(N_("Centile")),
        ),
        percentile_label=lambda value: t(N_("centile %(p)s"), p=format_number(value, lang, 0)),
        id_prefix="bars",
        fmt=fmt,
    )
    strip_rows = [
        StripRow(label, p.p25, p.median, p.p75, p.p90, marker=score, n=p.n)
        for (_, label, score), p in zip(dims, peer, strict=True)
        if p is not None and p.median is not None  # quantiles need 20 territories (README)
    ]
    if strip_rows:
        charts["strips"] = strips(
            strip_rows,
            title=t(N_("Répartition des pairs par dimension")),
            desc=t(
                N_(
                    "Pour chaque dimension, la bande grise va du p25 au p75 des pairs, le trait "
                    "noir marque la médiane, le trait pointillé le p90 et le losange votre score."
                )
            ),
            caption=t(N_("Quantiles des pairs et score du territoire, par dimension")),
            headers={
                "label": t(N_("Dimension")),
                "p25": "p25",
                "median": t(N_("Médiane des pairs")),
                "p75": "p75",
                "p90": "p90",
                "marker": t(N_("Votre score")),
                "n": t(N_("Pairs (n)")),
            },
            id_prefix="strips",
            fmt=fmt,
        )
    return charts


def steps_by_dimension(result: ScoreResult) -> list[dict[str, Any]]:
    """Next steps grouped under their dimension, in model order."""
    grouped: list[dict[str, Any]] = []
    for d in result.dimensions:
        steps = [s for s in result.next_steps if s.dimension == d.id]
        if steps:
            grouped.append({"id": d.id, "label": d.label, "steps": steps})
    return grouped


def evolution(
    result: ScoreResult, campaign: int, history: Sequence[CampaignResult]
) -> dict[str, Any] | None:
    """This campaign against the previous one the territory answered: index and dimensions."""
    before = [c for c in history if c.campaign < campaign]
    if not before:
        return None
    previous = max(before, key=lambda c: c.campaign)
    old = {d.id: d.score for d in previous.result.dimensions}

    def change(now: float | None, then: float | None) -> float | None:
        return None if now is None or then is None else round(now - then, 2)

    found = {
        "campaign": previous.campaign,
        "index": (previous.result.index, result.index, change(result.index, previous.result.index)),
        "level": (previous.result.level_label, result.level_label),
        "dimensions": [
            (d.label, old.get(d.id), d.score, change(d.score, old.get(d.id)))
            for d in result.dimensions
        ],
        "editions": None,
        "status": {},
    }
    if previous.result.model_version != result.model_version:
        # another edition of the model: only what the two have in common compares
        current = next((c for c in history if c.campaign == campaign), None)
        trend = current.trend if current is not None else None
        moves = {m.id: m for m in trend.dimensions} if trend else {}
        index = trend.index if trend else None
        found |= {
            "editions": (previous.result.model_version, result.model_version),
            "index": (
                (index.before, index.after, change(index.after, index.before))
                if index
                else (None, None, None)
            ),
            "dimensions": [
                (
                    d.label,
                    moves[d.id].before if d.id in moves else None,
                    moves[d.id].after if d.id in moves else None,
                    change(moves[d.id].after, moves[d.id].before) if d.id in moves else None,
                )
                for d in result.dimensions
            ],
            "status": {
                "index": index.status if index else "none",
                **{
                    d.id: moves[d.id].status if d.id in moves else "none" for d in result.dimensions
                },
            },
        }
    return found


def results_csv(
    model: Model, result: ScoreResult, benchmark: Benchmark | None, territory: str, campaign: int
) -> str:
    """The results as CSV (one row per metric: index, pillars, dimensions), with the peers'
    statistics when published."""
    stats = metric_map(benchmark)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "territoire",
            "campagne",
            "type",
            "id",
            "libelle",
            "score",
            "niveau",
            "completude",
            "pairs_n",
            "pairs_mediane",
            "pairs_p25",
            "pairs_p75",
            "pairs_p90",
            "centile",
            "ecart_mediane",
            "ecart_p75",
            "evolution",
        ]
    )

    def peer_cells(metric: str) -> list[object]:
        s = stats.get(metric)
        if s is None:
            return [""] * 9
        values = [s.median, s.p25, s.p75, s.p90, s.percentile, s.gap_median, s.gap_p75]
        return [s.n, *("" if v is None else v for v in values), _blank(s.own_change)]

    writer.writerow(
        [territory, campaign, "indice", INDEX, "Indice global", _blank(result.index),
         _blank(result.level), "", *peer_cells(INDEX)]
    )  # fmt: skip
    for p in result.pillars:
        writer.writerow(
            [territory, campaign, "pilier", p.id, p.label, _blank(p.score), "", "",
             *peer_cells(f"pillar:{p.id}")]
        )  # fmt: skip
    for d in result.dimensions:
        writer.writerow(
            [territory, campaign, "dimension", d.id, d.label, _blank(d.score), _blank(d.level),
             _blank(d.completeness), *peer_cells(d.id)]
        )  # fmt: skip
    return out.getvalue()


def _blank(value: object) -> object:
    return "" if value is None else value
