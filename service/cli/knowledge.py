"""``territoires knowledge …`` subcommands, and the `prepare` step that indexes our corpus."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from knowledge.config import CORPUS_DIR, KnowledgeConfig, SettingsLike
from knowledge.errors import KnowledgeError

if TYPE_CHECKING:
    from knowledge.ingest import Ingester
    from knowledge.retrieval import KnowledgeBase
    from knowledge.types import IngestReport
    from service.platform.settings import Settings

__all__ = ["CORPUS_DIR", "prepare_index", "prepare_practices", "register", "sync_practices"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``knowledge`` and its actions to the ``territoires`` parser."""
    knowledge = sub.add_parser(
        "knowledge", help="base de connaissances : ingestion, recherche, documents indexés"
    )
    actions = knowledge.add_subparsers(dest="knowledge_command", required=True, metavar="ACTION")

    ingest = actions.add_parser(
        "ingest", help="indexer des fichiers ou dossiers (Markdown, texte, HTML, PDF)"
    )
    ingest.add_argument("paths", nargs="+", type=Path, metavar="CHEMIN")
    ingest.add_argument(
        "--prune", action="store_true", help="retirer les documents dont le fichier a disparu"
    )
    ingest.add_argument(
        "--max-mb", type=float, default=20.0, help="taille maximale d'un fichier (Mo, défaut 20)"
    )
    ingest.add_argument(
        "--replace",
        action="store_true",
        help="laisser ces fichiers remplacer un document intégré de même identifiant "
        "(l'ancienne version est gardée sous <data_dir>/knowledge/versions)",
    )
    ingest.set_defaults(func=_ingest)

    search = actions.add_parser("search", help="chercher les passages qui répondent à une question")
    search.add_argument("query", metavar="QUESTION")
    search.add_argument("--k", type=int, default=5, help="nombre de passages (défaut 5)")
    search.add_argument(
        "--method",
        choices=["hybrid", "dense", "lexical"],
        default="hybrid",
        help="hybride (défaut), vecteurs seuls ou BM25 seul",
    )
    search.add_argument(
        "--per-document",
        type=int,
        default=3,
        help="passages au plus par document (défaut 3 ; 0 : sans limite)",
    )
    search.add_argument("--json", action="store_true", help="sortie JSON")
    search.set_defaults(func=_search)

    documents = actions.add_parser("documents", help="lister les documents indexés")
    documents.add_argument("--json", action="store_true", help="sortie JSON")
    documents.set_defaults(func=_documents)


def _open(settings: SettingsLike | None = None) -> KnowledgeBase:
    from knowledge.retrieval import KnowledgeBase

    if settings is None:
        from service.platform.settings import load_settings

        settings = load_settings()
    return KnowledgeBase.open(KnowledgeConfig.from_settings(settings))


def _ingester(kb: KnowledgeBase, settings: Settings, max_mb: float | None = None) -> Ingester:
    """An ingester within the settings' limits, keeping replaced built-in cards' files."""
    from knowledge.ingest import Ingester
    from service.documents.uploads import ingest_limits, versions_dir

    limits = ingest_limits(settings)
    if max_mb is not None:
        limits = msgspec.structs.replace(limits, max_bytes=int(max_mb * 1024 * 1024))
    return Ingester(kb, limits=limits, versions_dir=versions_dir(settings.data_dir))


def _fail(exc: Exception) -> int:
    print(f"Erreur : {exc}", file=sys.stderr)
    return 2


def _ingest(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from knowledge.ingest import discover
    from service.platform.settings import load_settings

    console = Console(stderr=True)
    try:
        settings = load_settings()
        kb = _open(settings)
        ingester = _ingester(kb, settings, args.max_mb)
        files, missing = discover(args.paths)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("Indexation", total=len(files))

            def advance(path: Path, status: str) -> None:
                progress.update(task, advance=1, description=f"{status} : {path.name}")

            report = ingester.ingest(files, prune=args.prune, on_file=advance, replace=args.replace)
        report.problems[:0] = missing
    except KnowledgeError as exc:
        return _fail(exc)
    _print_report(report)
    return 1 if report.problems else 0


def _print_report(report: IngestReport) -> None:
    print(
        f"{len(report.added)} ajouté(s), {len(report.updated)} mis à jour, "
        f"{len(report.unchanged)} inchangé(s), {len(report.removed)} retiré(s), "
        f"{report.passages} passage(s) indexé(s) en {report.seconds:.1f} s"
    )
    for problem in report.problems:
        print(f"  ignoré : {problem.path} — {problem.reason}", file=sys.stderr)


def _search(args: argparse.Namespace) -> int:
    if args.k < 1 or args.k > 50:
        return _fail(ValueError("--k doit être compris entre 1 et 50"))
    try:
        kb = _open()
        passages = kb.search(
            args.query, args.k, method=args.method, max_per_document=args.per_document or None
        )
    except KnowledgeError as exc:
        return _fail(exc)
    if args.json:
        sys.stdout.write(msgspec.json.format(msgspec.json.encode(passages)).decode() + "\n")
        return 0
    if not passages:
        print("Aucun passage trouvé (la base est-elle vide ? voir `territoires knowledge ingest`).")
        return 0
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    for p in passages:
        where = " — ".join(x for x in (p.section, f"page {p.page}" if p.page else None) if x)
        similarity = f", similarité {p.similarity:.2f}" if p.similarity is not None else ""
        console.print(
            f"[bold]{p.rank}. {escape(p.title)}[/bold]"
            + (f" [italic]({escape(where)})[/italic]" if where else "")
            + f"\n   score {p.score:.4f}{similarity} — source : {escape(p.source)}"
        )
        console.print("   " + escape(" ".join(p.text.split())[:600]), highlight=False)
        console.print()
    return 0


def _documents(args: argparse.Namespace) -> int:
    try:
        docs = _open().documents()
    except KnowledgeError as exc:
        return _fail(exc)
    if args.json:
        sys.stdout.write(msgspec.json.format(msgspec.json.encode(docs)).decode() + "\n")
        return 0
    for d in docs:
        print(f"{d.id:<48} {d.language:<3} {d.format:<5} {d.passages:>4}  {d.title}")
    print(f"{len(docs)} document(s), {sum(d.passages for d in docs)} passage(s)")
    return 0


def prepare_index(settings: Settings) -> None:
    """`territoires prepare` step: index (or bring up to date) the corpus of knowledge cards
    (a card an administrator explicitly replaced by an upload stays replaced)."""
    kb = _open(settings)
    report = _ingester(kb, settings).run([CORPUS_DIR], prune=True)
    print("Base de connaissances : ", end="")
    _print_report(report)


def prepare_practices(settings: Settings) -> None:
    """`territoires prepare` step, after the database and the index: the published
    good-practice cards in the index."""
    sync_practices(settings)


def sync_practices(settings: Settings, kb: KnowledgeBase | None = None) -> None:
    """Bring the index in line with the published good-practice cards (idempotent)."""
    from service.platform.db import run_blocking, session_scope
    from service.practices.corpus import PracticeCorpus

    try:
        opened = kb or _open(settings)
    except KnowledgeError as exc:
        print(f"Retours d'expérience : index indisponible ({exc}).", file=sys.stderr)
        return
    corpus = PracticeCorpus(settings.data_dir, settings.public_url, lambda: opened)

    async def run() -> int | None:
        async with session_scope(settings) as session:
            return await corpus.sync_published(session)

    count = run_blocking(run)
    if count is None:
        print("Retours d'expérience : index non mis à jour (voir le journal).", file=sys.stderr)
    else:
        print(f"Retours d'expérience : {count} fiche(s) publiée(s) dans l'index.")
