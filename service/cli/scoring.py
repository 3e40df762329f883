"""Core subcommands: ``serve``, ``model`` and ``score``."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import msgspec

from maturity.model import Model, load_model
from maturity.results import ScoreResult, results_from
from maturity.scoring import AnswerError, validate_answers

__all__ = ["read_answer_file", "register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the core subcommands to the ``territoires`` parser."""
    serve = sub.add_parser("serve", help="servir l'application web et l'API")
    serve.add_argument("--host", help="adresse d'écoute (défaut : TERRITOIRES_HOST)")
    serve.add_argument("--port", type=int, help="port (défaut : TERRITOIRES_PORT)")
    serve.add_argument("--workers", type=int, help="processus (défaut : TERRITOIRES_WORKERS)")
    serve.add_argument("--reload", action="store_true", help="recharger à chaque modification")
    serve.set_defaults(func=_serve)

    prepare = sub.add_parser(
        "prepare", help="préparer le répertoire de données (base, territoires, démo, index)"
    )
    prepare.set_defaults(func=_prepare)

    model = sub.add_parser("model", help="résumé du modèle de maturité")
    model.add_argument("--model", type=Path, help="fichier de modèle (défaut : celui en vigueur)")
    model.add_argument("--lang", choices=["fr", "en"], default="fr")
    model.add_argument("--json", action="store_true", help="le modèle entier en JSON")
    model.set_defaults(func=_model)
    # `territoires model ACTION`: without an action, the summary above
    model_actions = model.add_subparsers(dest="model_command", metavar="ACTION")
    from service.cli.editions import add_editions
    from service.cli.sensitivity import add_sensitivity

    add_editions(model_actions)
    add_sensitivity(model_actions)

    score = sub.add_parser(
        "score", help="calculer les scores d'un fichier de réponses (JSON ou CSV)"
    )
    score.add_argument("file", type=Path, help='fichier JSON {"answers": …} ou CSV')
    score.add_argument("--model", type=Path, help="fichier de modèle (défaut : celui en vigueur)")
    score.add_argument("--lang", choices=["fr", "en"], default="fr")
    score.add_argument("--json", action="store_true", help="sortie JSON")
    score.set_defaults(func=_score)


def _model_from(args: argparse.Namespace) -> Model:
    if args.model:
        return load_model(args.model)
    from service.platform.settings import load_settings

    return load_model(load_settings().effective_model_file)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.platform.operations import configure_logging
    from service.platform.settings import load_settings

    overrides = {k: v for k in ("host", "port", "workers") if (v := getattr(args, k))}
    settings = load_settings(**overrides)
    from service.app import create_app

    create_app(settings)  # fail fast, in this process, on a bad model or database
    uvicorn.run(
        "service.asgi:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers if not args.reload else None,
        reload=args.reload,
        log_level=settings.log_level.lower(),
        log_config=configure_logging(settings.log_level),
        timeout_graceful_shutdown=20,
        # X-Forwarded-For and -Proto are believed from the configured proxies only: from anyone
        # else (uvicorn trusts loopback by default) a client could pick its own address and
        # walk past every per-address throttle.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or "",
    )
    return 0


PREPARE_STEPS: tuple[str, ...] = (
    "service.cli.db:prepare_database",
    "service.cli.db:prepare_territories",
    "service.cli.db:prepare_demo_data",
    "service.cli.knowledge:prepare_index",
    "service.cli.knowledge:prepare_practices",
)
"""``module:function`` run in order by `territoires prepare`, each taking the `Settings`;
each must be idempotent (``make run`` calls it at every start)."""


def _prepare(args: argparse.Namespace) -> int:
    import importlib

    from service.platform.settings import load_settings

    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    load_model(settings.effective_model_file)
    for step in PREPARE_STEPS:
        module, _, function = step.partition(":")
        getattr(importlib.import_module(module), function)(settings)
    print(f"Données prêtes dans {settings.data_dir.resolve()}")
    return 0


def _model(args: argparse.Namespace) -> int:
    model = _model_from(args)
    if args.json:
        from service.assessments.model_view import model_view

        sys.stdout.write(
            msgspec.json.format(msgspec.json.encode(model_view(model, args.lang))).decode()
        )
        sys.stdout.write("\n")
        return 0
    lang = args.lang
    print(f"{model.model.title.get(lang)} — version {model.version}")
    print(
        f"{len(model.pillars)} piliers, {len(model.dimensions)} dimensions, "
        f"{len(model.questions)} questions, {len(model.diagnostics)} diagnostics"
    )
    for pillar in model.pillars:
        print(f"\n{pillar.label.get(lang)} (poids {pillar.weight:g})")
        for dim in (d for d in model.dimensions if d.pillar == pillar.id):
            print(
                f"  {dim.id:<22} {dim.label.get(lang)} — {len(dim.questions)} questions, "
                f"poids {dim.weight:g}"
            )
    if model.levels:
        print(
            "\nNiveaux : "
            + ", ".join(f"{lv.level} {lv.label.get(lang)} (≥ {lv.min:g})" for lv in model.levels)
        )
    return 0


def read_answer_file(path: Path) -> dict[str, dict[str, Any]]:
    """Answer sets from a JSON file (one set) or a CSV (``question_id,answer``, or wide with a
    ``territory`` column and one column per question): ``{key: {question: answer}}``."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"{path} : JSON invalide, ligne {exc.lineno}, colonne {exc.colno} : {exc.msg}"
            ) from exc
        if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
            raise ValueError(f'{path} : JSON attendu de la forme {{"answers": {{…}}}}')
        return {path.stem: data["answers"]}
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        raise ValueError(f"{path} : CSV vide")
    header = list(rows[0])
    if header[:2] == ["question_id", "answer"]:
        return {path.stem: {r["question_id"]: _cell(r["answer"]) for r in rows}}
    key = header[0]
    return {
        r[key]: {q: _cell(v) for q, v in r.items() if q != key and v not in (None, "")}
        for r in rows
    }


def _cell(value: str) -> int | str:
    value = value.strip()
    return int(value) if value.lstrip("-").isdigit() else value


def _score(args: argparse.Namespace) -> int:
    from service.cli.editions import print_answer_problems

    model = _model_from(args)
    try:
        sets = read_answer_file(args.file)
    except (OSError, ValueError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    failed = False
    for key, answers in sets.items():  # every set's problems, each printed once
        try:
            validate_answers(model, answers)
        except AnswerError as exc:
            name = str(args.file) if len(sets) == 1 else f"{args.file} [{key}]"
            print_answer_problems(name, exc)
            failed = True
    if failed:
        return 1
    results = results_from(model, sets, args.lang)
    if args.json:
        payload: object = next(iter(results.values())) if len(results) == 1 else results
        sys.stdout.write(msgspec.json.format(msgspec.json.encode(payload)).decode() + "\n")
        return 0
    for key, result in results.items():
        _print_result(key, result)
    return 0


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:5.1f}"


def _print_result(key: str, result: ScoreResult) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    level = f"niveau {result.level} « {result.level_label} »" if result.level else "niveau —"
    console.print(
        f"[bold]{key}[/bold] — indice {_fmt(result.index)} — {level} "
        f"(modèle {result.model_version})"
    )
    table = Table("Dimension", "Score", "Complétude", "Niveau")
    for d in result.dimensions:
        completeness = "—" if d.completeness is None else f"{d.completeness:.0%}"
        flag = " (incomplète)" if d.incomplete else ""
        table.add_row(d.label, _fmt(d.score), completeness + flag, str(d.level or "—"))
    for p in result.pillars:
        table.add_row(f"[italic]Pilier : {p.label}[/italic]", _fmt(p.score), "", "")
    console.print(table)
    for diag in result.diagnostics:
        console.print(f"[yellow]⚠ {diag.label}[/yellow] : {diag.message}")
    if result.next_steps:
        console.print("[bold]Prochaines étapes[/bold]")
        for step in result.next_steps:
            console.print(f"  • {step.question_label} → {step.descriptor}")
