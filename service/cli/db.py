"""Subcommands for the database: ``db upgrade``, ``db status``, ``db build-territories``,
``db load-territories``, ``users create-admin`` and ``demo-data``; and the matching
`territoires prepare` steps (each idempotent)."""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from pathlib import Path

from service.platform.settings import Settings, load_settings

__all__ = ["prepare_database", "prepare_demo_data", "prepare_territories", "register"]

SHARED_TERRITORIES = Path("../shared/data/territories")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``db``, ``users`` and ``demo-data`` to the ``territoires`` parser."""
    db = sub.add_parser("db", help="base de données : migrations et territoires de référence")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_sub.add_parser("upgrade", help="appliquer les migrations (idempotent)")
    upgrade.add_argument("--revision", default="head", help="révision cible (défaut : head)")
    upgrade.set_defaults(func=_upgrade)
    status = db_sub.add_parser("status", help="révision de la base et révision attendue")
    status.set_defaults(func=_status)
    build = db_sub.add_parser(
        "build-territories", help="reconstruire service/territories/data/territories.csv.gz"
    )
    build.add_argument(
        "--source",
        type=Path,
        default=SHARED_TERRITORIES,
        help=f"dossier de communes.csv et epci.csv (défaut : {SHARED_TERRITORIES})",
    )
    build.add_argument("--output", type=Path, help="fichier produit (défaut : celui du paquet)")
    build.set_defaults(func=_build_territories)
    load = db_sub.add_parser("load-territories", help="charger les territoires (idempotent)")
    load.add_argument("--file", type=Path, help="fichier de référence (défaut : celui du paquet)")
    load.add_argument("--force", action="store_true", help="recharger même si déjà chargé")
    load.set_defaults(func=_load_territories)

    users = sub.add_parser("users", help="comptes")
    users_sub = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    admin = users_sub.add_parser("create-admin", help="créer un compte administrateur")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="")
    admin.add_argument(
        "--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard"
    )
    admin.set_defaults(func=_create_admin)

    demo = sub.add_parser("demo-data", help="charger les données synthétiques de démonstration")
    demo.add_argument("--seed", type=int, default=2026, help="graine (défaut : 2026)")
    demo.add_argument("--reset", action="store_true", help="supprimer puis recharger la démo")
    demo.add_argument("--remove", action="store_true", help="supprimer la démo seulement")
    demo.add_argument("--force", action="store_true", help="accepter en production")
    demo.set_defaults(func=_demo_data)


def prepare_database(settings: Settings) -> None:
    """``prepare`` step: apply the migrations."""
    from service.platform.db import upgrade

    upgrade(settings)


def prepare_territories(settings: Settings) -> None:
    """``prepare`` step: load the reference territories (skipped when up to date)."""
    from service.platform.db import run_blocking, session_scope
    from service.territories.directory import load_territories

    async def run() -> None:
        async with session_scope(settings) as session:
            report = await load_territories(session)
        if not report.skipped:
            print(f"{report.rows} territoires chargés.")

    run_blocking(run)


def prepare_demo_data(settings: Settings) -> None:
    """``prepare`` step: load the demo data once (never in production)."""
    if settings.env == "production":
        return
    _load_demo(settings, seed=2026, reset=False, remove=False)


def _upgrade(args: argparse.Namespace) -> int:
    from service.platform.db import upgrade
    from service.platform.db.engine import head_revision

    settings = load_settings()
    upgrade(settings, args.revision)
    print(f"Base à jour (révision {head_revision()}).")
    return 0


def _status(args: argparse.Namespace) -> int:
    from service.platform.db import DatabaseNotReadyError, check_database

    try:
        check_database(load_settings())
    except DatabaseNotReadyError as exc:
        print(exc)
        return 1
    print("Base à jour.")
    return 0


def _build_territories(args: argparse.Namespace) -> int:
    from service.territories.reference import REFERENCE_FILE, build_reference

    output = args.output or REFERENCE_FILE
    try:
        frame = build_reference(args.source, output)
    except (OSError, ValueError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    kinds = ", ".join(f"{k} {n}" for k, n in frame["kind"].value_counts(sort=True).iter_rows())
    print(f"{frame.height} territoires ({kinds}) → {output} ({output.stat().st_size} octets)")
    return 0


def _load_territories(args: argparse.Namespace) -> int:
    from service.platform.db import run_blocking, session_scope
    from service.territories.directory import load_territories
    from service.territories.reference import REFERENCE_FILE

    settings = load_settings()

    async def run() -> None:
        async with session_scope(settings) as session:
            report = await load_territories(session, args.file or REFERENCE_FILE, force=args.force)
        print(
            "Territoires déjà à jour." if report.skipped else f"{report.rows} territoires chargés."
        )

    run_blocking(run)
    return 0


def _create_admin(args: argparse.Namespace) -> int:
    from service.accounts.members import create_user
    from service.platform.db import run_blocking, session_scope
    from service.platform.errors import DomainError

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Mot de passe : ")
        if getpass.getpass("Confirmation : ") != password:
            print("Erreur : les deux saisies diffèrent.", file=sys.stderr)
            return 1
    settings = load_settings()

    async def run() -> None:
        async with session_scope(settings) as session:
            await create_user(session, args.email, "admin", password=password, name=args.name)

    try:
        run_blocking(run)
    except DomainError as exc:
        print(f"Erreur : {exc.detail}", file=sys.stderr)
        return 1
    print(f"Administrateur {args.email.strip().lower()} créé.")
    return 0


def _load_demo(settings: Settings, seed: int, reset: bool, remove: bool) -> None:
    from maturity.model import load_model
    from service.demo.synthetic import DEMO_ACCOUNTS, load_demo_data, remove_demo_data
    from service.platform.db import run_blocking, session_scope

    model = load_model(settings.effective_model_file)
    started = time.perf_counter()

    async def run() -> None:
        async with session_scope(settings) as session:
            if remove:
                await remove_demo_data(session)
                print("Données de démonstration supprimées.")
                return
            report = await load_demo_data(session, model, seed, reset=reset)
        if report.skipped:
            print("Données de démonstration déjà chargées (--reset pour les recharger).")
            return
        elapsed = time.perf_counter() - started
        per_year = ", ".join(
            f"{year} : {n} ({report.submitted[year]} soumises)"
            for year, n in report.assessments.items()
        )
        print(
            f"Démonstration chargée en {elapsed:.1f} s : évaluations {per_year} ; "
            f"{report.revisions} révisions ; {report.public_profiles} profils publics."
        )
        for email, password, role, territory in DEMO_ACCOUNTS:
            where = f" ({territory})" if territory else ""
            print(f"  {role}{where} : {email} / {password}")

    run_blocking(run)


def _demo_data(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.env == "production" and not args.force:
        print("Erreur : pas de données de démonstration en production (--force).", file=sys.stderr)
        return 1
    _load_demo(settings, args.seed, args.reset, args.remove)
    from service.cli.knowledge import sync_practices  # demo cards in (or out of) the index

    sync_practices(settings)
    return 0
