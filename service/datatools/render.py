"""The data tools' results in words and small Markdown tables, for readers and for a language
model alike: every figure with its group, its size n and its campaign, decimals with a comma,
and a masked cell said to be masked without its statistics nor its size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service.datatools.tools import AggregateCell, Aggregates, Ranking

__all__ = ["aggregates_table", "figure", "ranking_table", "result_text"]

STATISTICS = {
    "median": "médiane",
    "mean": "moyenne",
    "p25": "1er quartile",
    "p75": "3e quartile",
    "p90": "9e décile",
}


def figure(value: float | int | None, digits: int = 1) -> str:
    """`value` for a French reader (``58,7``), « – » when there is none."""
    if value is None:
        return "–"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}".replace(".", ",")


def _masked(cell: AggregateCell) -> bool:
    return cell.withheld is not None or cell.median is None


def aggregates_table(
    result: Aggregates, statistics: Sequence[str] = ("median", "mean"), *, by_metric: bool = False
) -> str:
    """The cells of `result` as a Markdown table: the group (and the metric when several),
    n, the statistics asked for, and the change since the previous campaign when compared."""
    compared = result.previous_campaign is not None
    heads = ["Groupe"] + (["Mesure"] if by_metric else []) + ["n"]
    heads += [STATISTICS[s] for s in statistics]
    if compared:
        heads += [f"médiane {result.previous_campaign}", "évolution de la médiane"]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for cell in result.rows:
        row = [cell.group] + ([cell.metric_label or cell.metric] if by_metric else [])
        if _masked(cell):
            row += ["masquée"] + ["–"] * len(statistics) + (["–", "–"] if compared else [])
        else:
            row += [figure(cell.n)] + [figure(getattr(cell, s)) for s in statistics]
            if compared:
                change = cell.change_median
                sign = "+" if change is not None and change > 0 else ""
                row += [figure(cell.previous_median), f"{sign}{figure(change)}"]
        lines.append("| " + " | ".join(row) + " |")
    if compared and result.not_comparable:
        labels = {cell.metric: cell.metric_label or cell.metric for cell in result.rows}
        named = ", ".join(labels[m] for m in result.not_comparable)
        lines.append(
            f"\nPas d'évolution pour {named} : la campagne {result.previous_campaign} a répondu à "
            "une autre édition du modèle, sur laquelle cette mesure n'est pas entièrement "
            "comparable."
        )
    return "\n".join(lines)


def ranking_table(result: Ranking, label: str) -> str:
    """A ranking of public profiles as a Markdown table."""
    heads = ["Rang", "Territoire", f"{label} {result.campaign}"]
    if result.order == "progress":
        heads += [f"{label} {result.campaign - 1}", "évolution"]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for row in result.rows:
        cells = [str(row.rank), f"{row.name} ({row.code})", figure(row.score)]
        if result.order == "progress":
            sign = "+" if row.change is not None and row.change > 0 else ""
            cells += [figure(row.previous), f"{sign}{figure(row.change)}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def result_text(tool: str, result: Any) -> str:
    """What a language model is given of a tool's result: the tables above for aggregates
    and rankings, the result itself (JSON, its numbers as the tool gave them) otherwise."""
    import msgspec

    if isinstance(result, Aggregates):
        head = (
            f"Agrégats du réseau, campagne {result.campaign} (statistiques sur 0 à 100 ; une "
            f"case de moins de {result.k_min} territoires est masquée)"
        )
        if result.notice:
            head += f". {result.notice}"
        table = aggregates_table(result, ("median", "mean", "p25", "p75"), by_metric=True)
        return f"{head}.\n\n{table}"
    if isinstance(result, Ranking):
        return (
            f"Profils publics ({result.public_profiles} territoires ont choisi de montrer leurs "
            f"scores), campagne {result.campaign}, mesure {result.metric}.\n\n"
            + ranking_table(result, result.metric)
        )
    return msgspec.json.encode(result).decode()
