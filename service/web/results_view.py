"""The results page as data: charts and tables cut from the engine's `ScoreResult` and the
benchmark's `Benchmark` (the Structs the API returns for the same assessment).

Nothing here computes a score or a statistic: it arranges the numbers for reading, in the
page's language, and builds the SVG charts of `service.web.charts` from them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from maturity.model import Model
from maturity.results import ScoreResult
from service.assessments.scores import CampaignResult
from service.peers.cache import Benchmark, MetricStats
from service.peers.comparison import COMPARISONS, PeerChoice
from service.platform.i18n import N_, MessageId, translate
from service.web.charts import BarRow, Chart, Series, StripRow, bars, radar, strips
from service.web.rendering import format_number

__all__ = [
    "COMPARISON_LABELS",
    "comparison_options",
    "evolution",
    "metric_map",
    "narrow_rows",
    "others",
    "previous_result",
    "results_charts",
    "steps_by_dimension",
]


def metric_map(benchmark: Benchmark | None) -> dict[str, MetricStats]:
    """The benchmark's statistics by metric id (empty without a benchmark)."""
    return {m.id: m for m in benchmark.metrics} if benchmark is not None else {}


def _published(stats: MetricStats | None) -> MetricStats | None:
    return stats if stats is not None and stats.withheld is None else None


def others(stats: MetricStats, benchmark: Benchmark | None) -> int | None:
    """How many territories other than this one a metric's statistics cover: the count the
    page states everywhere (a default group's n includes the territory itself)."""
    if stats.n is None:
        return None
    own_counted = (
        benchmark is not None and benchmark.group.kind == "default" and stats.own is not None
    )
    return stats.n - 1 if own_counted else stats.n


def narrow_rows(
    result: ScoreResult, benchmark: Benchmark | None, reference: ScoreResult | None
) -> list[dict[str, Any]]:
    """The bars of a narrow screen, in HTML: per dimension the score and, when shown, the
    peers' median and p75 (or last year's score)."""
    stats = metric_map(benchmark)
    before = {d.id: d.score for d in reference.dimensions} if reference is not None else {}
    rows = []
    for d in result.dimensions:
        p = _published(stats.get(d.id)) if reference is None else None
        rows.append(
            {
                "label": d.label,
                "score": d.score,
                "median": p.median if p else None,
                "p75": p.p75 if p else None,
                "before": before.get(d.id),
            }
        )
    return rows


def results_charts(
    model: Model,
    result: ScoreResult,
    benchmark: Benchmark | None,
    lang: str,
    reference: tuple[str, ScoreResult] | None = None,
) -> dict[str, Chart]:
    """Radar (territory, peer median, peer p75), bars with percentile, distribution strips;
    against `reference` (a label and last year's results) instead of peers when given."""

    def t(message: MessageId, **values: Any) -> str:
        return translate(lang, message, **values)

    def fmt(value: float | None) -> str:
        return format_number(value, lang)

    stats = metric_map(benchmark)
    dims = [(d.id, d.label, d.score) for d in result.dimensions]
    axes = [label for _, label, _ in dims]
    series = [Series(t(N_("Votre territoire")), [score for _, _, score in dims])]
    peer = [_published(stats.get(d)) for d, _, _ in dims]
    before: dict[str, float | None] = {}
    if reference is not None:
        peer = [None for _ in dims]
        before = {d.id: d.score for d in reference[1].dimensions}
        series.append(Series(reference[0], [before.get(d) for d, _, _ in dims], "median"))
    elif all(p is not None and p.median is not None for p in peer):
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
            median=p.median if p else before.get(d),
            p75=p.p75 if p else None,
            percentile=p.percentile if p else None,
        )
        for (d, label, score), p in zip(dims, peer, strict=True)
    ]
    median_header = reference[0] if reference is not None else t(N_("Médiane des pairs"))
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
            median_header,
            t(N_("p75 des pairs")),
            t(N_("Centile")),
        ),
        percentile_label=lambda value: t(N_("centile %(p)s"), p=format_number(value, lang, 0)),
        id_prefix="bars",
        fmt=fmt,
    )
    strip_rows = [
        StripRow(label, p.p25, p.median, p.p75, p.p90, marker=score, n=others(p, benchmark))
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
                "n": t(N_("Autres territoires")),
            },
            id_prefix="strips",
            fmt=fmt,
            count=lambda n: t(N_("%(n)s autres"), n=n),
        )
    return charts


COMPARISON_LABELS: Final[dict[str, MessageId]] = {
    "auto": N_("Groupe automatique (même type, même tranche de population, élargi au besoin)"),
    "departement": N_("Territoires au profil public du même département"),
    "region": N_("Territoires au profil public de la même région"),
    "type": N_("Territoires au profil public du même type"),
    "taille": N_("Territoires au profil public de la même tranche de population"),
    "liste": N_("Une liste de territoires au profil public (codes INSEE ou SIREN)"),
    "annee": N_("Votre territoire l'année précédente"),
}
"""The comparison chooser's options, in the order `service.peers.comparison.COMPARISONS`."""


def previous_result(campaign: int, history: Sequence[CampaignResult]) -> CampaignResult | None:
    """The territory's latest submitted results before `campaign`, if any."""
    before = [c for c in history if c.campaign < campaign and c.status == "submitted"]
    return max(before, key=lambda c: c.campaign) if before else None


def comparison_options(
    choice: PeerChoice | None, previous: CampaignResult | None
) -> list[dict[str, Any]]:
    """The chooser's options: key, label, whether chosen, whether offered (last year's self
    needs a previous submission)."""
    chosen = choice.comparison if choice is not None else "auto"
    return [
        {
            "key": key,
            "label": COMPARISON_LABELS[key],
            "checked": key == chosen,
            "offered": key != "annee" or previous is not None,
        }
        for key in COMPARISONS
    ]


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
