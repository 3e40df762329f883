"""The results page as data: charts and tables cut from the engine's `ScoreResult` and the
benchmark's `Benchmark` (the Structs the API returns for the same assessment).

Nothing here computes a score or a statistic: it arranges the numbers for reading, in the
page's language, and builds the SVG charts of `service.web.charts` from them. One chart and
one table per dimension (the table is the chart's data), one peer count (`peer_count`, the
CSV's too), one level scale (1 to 5; an answer 0–4 reads as the level above it)."""

from __future__ import annotations

from typing import Any, Final

from maturity.imbalance import side_sentence, weaker_side
from maturity.model import INDEX, GapRule, Model
from maturity.priorities import rank_next_steps
from maturity.results import NextStep, ScoreResult
from service.assessments.scores import CampaignResult
from service.peers.cache import Benchmark, MetricStats
from service.peers.comparison import COMPARISONS, PeerChoice
from service.platform.i18n import N_, MessageId, translate
from service.reports.exports import peer_count
from service.web.charts import BarRow, Chart, StripRow, bars, strips
from service.web.i18n import format_share
from service.web.rendering import format_number

__all__ = [
    "COMPARISON_LABELS",
    "FIRST_STEPS",
    "comparison_options",
    "diagnostics",
    "dimension_rows",
    "metric_map",
    "narrow_rows",
    "next_steps",
    "results_charts",
]

FIRST_STEPS: Final = 3
"""Next steps shown unfolded: the synthesis' three, ranked by `maturity.priorities`."""


def metric_map(benchmark: Benchmark | None) -> dict[str, MetricStats]:
    """The benchmark's statistics by metric id (empty without a benchmark)."""
    return {m.id: m for m in benchmark.metrics} if benchmark is not None else {}


def _published(stats: MetricStats | None) -> MetricStats | None:
    return stats if stats is not None and stats.withheld is None else None


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


def _gap(now: float | None, then: float | None) -> float | None:
    return None if now is None or then is None else round(now - then, 1)


def dimension_rows(
    result: ScoreResult, benchmark: Benchmark | None, reference: ScoreResult | None, lang: str
) -> list[dict[str, Any]]:
    """The one table per dimension (the chart's data and more): score, level, completeness,
    the peers' median (or last year's score), the gap to it, p75, and the position in words."""
    stats = metric_map(benchmark)
    before = {d.id: d.score for d in reference.dimensions} if reference is not None else {}
    rows = []
    for d in result.dimensions:
        p = _published(stats.get(d.id)) if reference is None else None
        compared = before.get(d.id) if reference is not None else (p.median if p else None)
        percentile = p.percentile if p else None
        rows.append(
            {
                "id": d.id,
                "label": d.label,
                "incomplete": d.incomplete,
                "score": d.score,
                "level": d.level,
                "completeness": d.completeness,
                "compared": compared,
                "gap": _gap(d.score, compared),
                "p75": p.p75 if p else None,
                "position": None
                if percentile is None
                else translate(
                    lang, N_("mieux que %(share)s"), share=format_share(percentile / 100, lang)
                ),
            }
        )
    return rows


def results_charts(
    result: ScoreResult,
    benchmark: Benchmark | None,
    lang: str,
    reference: tuple[str, ScoreResult] | None = None,
) -> dict[str, Chart]:
    """Bars per dimension (territory, peers' median and p75, or last year's score) and the
    peers' distribution strips; the bars' data is the page's dimension table."""

    def t(message: MessageId, **values: Any) -> str:
        return translate(lang, message, **values)

    def fmt(value: float | None) -> str:
        return format_number(value, lang)

    stats = metric_map(benchmark)
    dims = [(d.id, d.label, d.score) for d in result.dimensions]
    peer = [_published(stats.get(d)) if reference is None else None for d, _, _ in dims]
    before = {d.id: d.score for d in reference[1].dimensions} if reference is not None else {}
    rows = [
        BarRow(label, score, median=p.median if p else before.get(d), p75=p.p75 if p else None)
        for (d, label, score), p in zip(dims, peer, strict=True)
    ]
    median_header = reference[0] if reference is not None else t(N_("Médiane des pairs"))
    charts = {
        "bars": bars(
            rows,
            title=t(N_("Score par dimension, de 0 à 100")),
            desc=t(
                N_(
                    "Barres horizontales des scores de 0 à 100 ; trait tireté : médiane des "
                    "pairs (ou votre score de l'année précédente) ; trait pointillé : quart "
                    "supérieur des pairs. Les valeurs sont dans le tableau qui suit."
                )
            ),
            caption=t(N_("Score par dimension")),
            headers=(t(N_("Dimension")), t(N_("Votre score")), median_header, "p75", ""),
            percentile_label=lambda value: format_number(value, lang, 0),
            id_prefix="bars",
            fmt=fmt,
        )
    }
    strip_rows = [
        StripRow(label, p.p25, p.median, p.p75, p.p90, marker=score, n=peer_count(p, benchmark))
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


def next_steps(model: Model, result: ScoreResult) -> dict[str, Any]:
    """The next steps to take first (the synthesis' ranking, `maturity.priorities`) and the
    others grouped under their dimension, in model order."""
    first = [r.step for r in rank_next_steps(model, result, FIRST_STEPS)]
    labels = {d.id: d.label for d in result.dimensions}
    rest: list[dict[str, Any]] = []
    for d in result.dimensions:
        steps: list[NextStep] = [
            s for s in result.next_steps if s.dimension == d.id and s not in first
        ]
        if steps:
            rest.append({"id": d.id, "label": d.label, "steps": steps})
    return {"first": first, "rest": rest, "labels": labels}


def diagnostics(model: Model, result: ScoreResult, lang: str) -> list[dict[str, str | None]]:
    """The diagnostics with their explanation and, for a gap between two sides, the weaker
    side named (rather than "either … or …")."""
    scores: dict[str, float | None] = {d.id: d.score for d in result.dimensions}
    scores |= {p.id: p.score for p in result.pillars} | {INDEX: result.index}
    rules = {d.id: d.rule for d in model.diagnostics}
    found: list[dict[str, str | None]] = []
    for d in result.diagnostics:
        rule = rules.get(d.id)
        side = weaker_side(rule, scores) if isinstance(rule, GapRule) and rule.absolute else None
        found.append(
            {
                "label": d.label,
                "message": d.message,
                "side": side_sentence(model, side, lang) if side else None,
            }
        )
    return found


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
