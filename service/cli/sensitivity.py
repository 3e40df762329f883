"""``territoires model sensitivity``: how a campaign's results move under other weights and
thresholds (`maturity.sensitivity`, README « Sensibilité aux poids et aux seuils »)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import msgspec

from maturity.sensitivity import SchemeImpact, SensitivityReport
from service.assessments.sensitivity import CampaignSensitivity

__all__ = ["add_sensitivity"]


def add_sensitivity(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``sensitivity`` to the ``model`` command's actions."""
    parser = actions.add_parser(
        "sensitivity",
        help="sensibilité des niveaux et des rangs d'une campagne aux poids et aux seuils",
        description=(
            "Note les réponses soumises d'une campagne avec le modèle publié puis avec des "
            "variantes (poids égaux, piliers équilibrés, questions clés × 0,5 et × 1,5, "
            "plafond de niveau inversé, seuils ± 5) et mesure l'écart : corrélation de rang de "
            "Spearman de l'indice, part des territoires qui changent de niveau, de niveau "
            "plafonné ou de quart de percentile, et nombre de diagnostics."
        ),
    )
    parser.add_argument(
        "--campaign",
        type=int,
        help="campagne (défaut : la dernière où des évaluations sont soumises)",
    )
    parser.add_argument(
        "--model",
        type=Path,
        help="fichier de modèle à essayer (défaut : l'édition de la campagne)",
    )
    parser.add_argument("--lang", choices=["fr", "en"], default="fr")
    parser.add_argument("--json", action="store_true", help="sortie JSON")
    parser.set_defaults(func=_sensitivity)


def _sensitivity(args: argparse.Namespace) -> int:
    from maturity.model import load_model
    from service.assessments.sensitivity import campaign_sensitivity
    from service.platform.db import run_blocking, session_scope
    from service.platform.errors import DomainError
    from service.platform.settings import load_settings

    settings = load_settings()
    model = load_model(settings.effective_model_file)
    edition = load_model(args.model) if args.model else None

    async def run() -> CampaignSensitivity:
        async with session_scope(settings) as session:
            return await campaign_sensitivity(session, model, args.campaign, edition=edition)

    try:
        found = run_blocking(run)
    except DomainError as exc:
        print(f"Erreur : {exc.detail}", file=sys.stderr)
        return 1
    if args.json:
        sys.stdout.write(msgspec.json.format(msgspec.json.encode(found)).decode() + "\n")
        return 0
    _print(found, args.lang)
    return 0


def _share(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _print(found: CampaignSensitivity, lang: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from maturity.peer_groups import K_MIN
    from service.platform.i18n import translate

    console = Console()
    console.print(
        f"[bold]Sensibilité aux poids et aux seuils[/bold] — campagne {found.campaign}, "
        f"modèle {found.model_version}"
    )
    left_out = (
        f" ({found.other_editions} sur une autre édition du modèle, laissées de côté)"
        if found.other_editions
        else ""
    )
    console.print(f"{found.submitted} évaluations soumises sur cette version{left_out}.")
    if found.notice:
        console.print(f"[yellow]{translate(lang, found.notice)}[/yellow]")
    if found.withheld:
        console.print(f"[yellow]{translate(lang, found.withheld, k=K_MIN)}[/yellow]")
    report = found.report
    if report is None:
        return
    table = Table(
        "Variante",
        "ρ de Spearman (indice)",
        "Niveau changé",
        "Niveau plafonné changé",
        "Quart de percentile changé",
        "Écart moyen d'indice",
        "Écart maximal",
        title="Écarts au modèle publié",
    )
    for impact in report.schemes:
        table.add_row(
            _name(impact, report, lang),
            "—" if impact.spearman is None else f"{impact.spearman:.4f}",
            _share(impact.level_changed),
            _share(impact.capped_level_changed),
            _share(impact.band_changed),
            _points(impact.mean_index_change),
            _points(impact.max_index_change),
        )
    console.print(table)
    levels = Table("Variante", *(str(lv) for lv in report.reference.levels), title="Niveaux")
    levels.add_row("Modèle publié", *(str(n) for n in report.reference.levels.values()))
    for impact in report.schemes:
        levels.add_row(_t(lang, impact.label), *map(str, impact.outcome.levels.values()))
    console.print(levels)
    diagnostics = Table("Diagnostic", "Modèle publié", *(i.scheme for i in report.schemes))
    diagnostics.title = "Diagnostics déclenchés"
    for diagnostic, count in report.reference.diagnostics.items():
        diagnostics.add_row(
            diagnostic,
            str(count),
            *(str(i.outcome.diagnostics[diagnostic]) for i in report.schemes),
        )
    console.print(diagnostics)


def _t(lang: str, text: str) -> str:
    """An engine text (a catalogue id marked with `maturity.texts.N_`) in `lang`."""
    from service.platform.i18n import MessageId, translate

    return translate(lang, MessageId(text))


def _name(impact: SchemeImpact, report: SensitivityReport, lang: str) -> str:
    label = _t(lang, impact.label)
    if impact.same_as == "reference":
        return f"{label} (= modèle publié)"
    if impact.same_as:
        other = next(i for i in report.schemes if i.scheme == impact.same_as)
        return f"{label} (= {_t(lang, other.label)})"
    return label
