"""``territoires model diff`` and ``territoires model migrate``: editions of the model and the
mapping files between them (``maturity/mappings/README.md``)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from itertools import pairwise
from pathlib import Path
from typing import Any

import msgspec

from maturity.chains import chain_path, compose_chain, mapping_links
from maturity.editions import AnswerSet, Migration, migrate
from maturity.mapping import (
    MAPPINGS_DIR,
    MODELS_DIR,
    EditionMapping,
    load_mapping,
    mapping_path,
    resolve_edition,
)
from maturity.model import Model
from maturity.model_diff import Change, diff_models
from maturity.scoring import AnswerError, validate_answers

__all__ = ["add_editions", "print_answer_problems"]

_EDITION = "version publiée (dans maturity/models/, ex. 2026.1) ou chemin d'un fichier de modèle"


def add_editions(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``diff`` and ``migrate`` to the ``model`` command's actions."""
    diff = actions.add_parser(
        "diff",
        help="ce qui change d'une édition du modèle à une autre",
        description=(
            "Compare deux éditions du modèle. Avec un fichier de correspondance (par défaut "
            "maturity/mappings/A--B.toml s'il existe), décrit chaque question par sa règle et "
            "dit ce qui reste comparable ; sans, apparie les questions par identifiant."
        ),
    )
    diff.add_argument("source", metavar="A", help=_EDITION)
    diff.add_argument("target", metavar="B", help=_EDITION)
    diff.add_argument("--mapping", type=Path, help="fichier de correspondance de A vers B")
    diff.add_argument("--json", action="store_true", help="sortie JSON")
    diff.set_defaults(func=_diff)

    move = actions.add_parser(
        "migrate",
        help="reprendre des fichiers de réponses d'une édition dans la suivante",
        description=(
            'Fait passer des réponses (JSON {"answers": …, "comments": …, "evidence": …, '
            '"targets": …} ou CSV, comme pour « territoires score ») de l\'édition A à '
            "l'édition B par le fichier de correspondance ; chaque réponse reprise est à "
            "confirmer. Écrit FICHIER-B.json (ou .csv) à côté de chaque fichier."
        ),
    )
    move.add_argument("--from", dest="source", required=True, metavar="A", help=_EDITION)
    move.add_argument("--to", dest="target", required=True, metavar="B", help=_EDITION)
    move.add_argument("files", nargs="+", type=Path, metavar="FICHIER_REPONSES")
    move.add_argument("--mapping", type=Path, help="fichier de correspondance de A vers B")
    move.add_argument("--output-dir", type=Path, help="dossier des fichiers écrits")
    move.add_argument("--json", action="store_true", help="tout sur la sortie standard, en JSON")
    move.set_defaults(func=_migrate)


def _mapping(args: argparse.Namespace, source: Model, target: Model) -> EditionMapping | None:
    """The mapping file given, the packaged one from A to B, or else the packaged files
    chained from A to B (composed: `maturity.chains`); None when none links them."""
    path = args.mapping or mapping_path(source.version, target.version, MAPPINGS_DIR)
    if args.mapping is not None or path.exists():
        return load_mapping(path, source, target)
    versions = chain_path(source.version, target.version, mapping_links(MAPPINGS_DIR))
    if versions is None or len(versions) < 3:
        return None
    models = [source, *(resolve_edition(v, MODELS_DIR) for v in versions[1:-1]), target]
    links = [
        load_mapping(mapping_path(a.version, b.version, MAPPINGS_DIR), a, b)
        for a, b in pairwise(models)
    ]
    return compose_chain(links, models)  # a chain no rule can express: `main` says why


def _diff(args: argparse.Namespace) -> int:
    source, target = resolve_edition(args.source), resolve_edition(args.target)
    mapping = _mapping(args, source, target)  # a bad mapping file: `main` says so, status 2
    changes = diff_models(source, target, mapping)
    if args.json:
        payload = {"from": source.version, "to": target.version, "changes": changes}
        sys.stdout.write(msgspec.json.format(msgspec.json.encode(payload)).decode() + "\n")
        return 0
    print(f"Du modèle {source.version} au modèle {target.version}")
    print(
        f"  questions {len(source.questions)} → {len(target.questions)}, "
        f"dimensions {len(source.dimensions)} → {len(target.dimensions)}"
    )
    if mapping is None:
        print("  (pas de fichier de correspondance : questions appariées par identifiant)")
    elif mapping.mapping.description:
        print(f"  {mapping.mapping.description.fr}")
    _print_changes(changes)
    return 0


def _print_changes(changes: list[Change]) -> None:
    if not changes:
        print("\nAucune différence.")
    section = None
    for change in changes:
        if change.section != section:
            section = change.section
            print(f"\n{section.capitalize()}")
        print(f"  {change.item} : {change.text}")


def print_answer_problems(name: str, exc: AnswerError) -> None:
    """Report an answer set's problems on stderr, once, one per line."""
    print(f"Erreur : {name} : {len(exc.problems)} réponse(s) invalide(s) :", file=sys.stderr)
    for p in exc.problems:
        print(f"  - {p.question} : {p.message}", file=sys.stderr)


def _read(path: Path) -> tuple[str, dict[str, AnswerSet]]:
    """Answer sets of a file by key, and the file's layout: ``json``, ``long`` (CSV
    ``question_id,answer``) or ``wide:<key column>`` (CSV, one row per territory)."""
    from service.cli.scoring import read_answer_file

    if path.suffix.lower() == ".json":
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        sets = read_answer_file(path)  # checks the shape
        fields = {k: data.get(k) or {} for k in ("comments", "evidence", "targets")}
        if not all(isinstance(v, dict) for v in fields.values()):
            raise ValueError(f"{path} : « comments », « evidence » et « targets » sont des tables")
        return "json", {key: AnswerSet(answers, **fields) for key, answers in sets.items()}
    first = path.read_text(encoding="utf-8-sig").partition("\n")[0]
    header = next(csv.reader([first]), [""])
    layout = "long" if header[:2] == ["question_id", "answer"] else f"wide:{header[0]}"
    return layout, {key: AnswerSet(answers) for key, answers in read_answer_file(path).items()}


def _migrate(args: argparse.Namespace) -> int:
    source, target = resolve_edition(args.source), resolve_edition(args.target)
    mapping = _mapping(args, source, target)  # a bad mapping file: `main` says so, status 2
    if mapping is None:
        path = mapping_path(source.version, target.version, MAPPINGS_DIR)
        print(
            f"Erreur : pas de fichier de correspondance {path}, ni de chaîne de fichiers "
            f"de {source.version} à {target.version} (voir --mapping)",
            file=sys.stderr,
        )
        return 2
    failed, outputs = False, {}
    for path in args.files:
        try:
            layout, sets = _read(path)
        except (OSError, ValueError) as exc:
            print(f"Erreur : {exc}", file=sys.stderr)
            failed = True
            continue
        moved: dict[str, Migration] = {}
        for key, answers in sets.items():
            name = str(path) if len(sets) == 1 else f"{path} [{key}]"
            try:
                clean = AnswerSet(validate_answers(source, answers.answers), *_rest(answers))
            except AnswerError as exc:
                print_answer_problems(name, exc)
                failed = True
                continue
            moved[key] = migrate(mapping, source, target, clean)
        if len(moved) == len(sets):
            outputs[path] = (layout, moved)
    if failed:
        return 1
    if args.json:
        payload = {str(p): moved for p, (_, moved) in outputs.items()}
        sys.stdout.write(msgspec.json.format(msgspec.json.encode(payload)).decode() + "\n")
        return 0
    for path, (layout, moved) in outputs.items():
        written = _write(path, layout, moved, target, args.output_dir)
        for key, migration in moved.items():
            _summary(key, migration, target, mapping)
        print(f"  → {written}")
    return 0


def _rest(answers: AnswerSet) -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
    return answers.comments, answers.evidence, answers.targets


def _summary(key: str, migration: Migration, target: Model, mapping: EditionMapping) -> None:
    unanswered = [q for q in target.questions if q not in migration.result.answers]
    print(
        f"{key} : {len(migration.to_confirm)} réponse(s) reprise(s), à confirmer ; "
        f"{len(unanswered)} question(s) sans réponse"
        + (f" (dont nouvelles : {', '.join(q for q in mapping.new)})" if mapping.new else "")
    )
    if migration.lost:
        print(f"  réponses non reprises : {', '.join(migration.lost)}")


def _write(
    path: Path, layout: str, moved: dict[str, Migration], target: Model, directory: Path | None
) -> Path:
    suffix = ".json" if layout == "json" else ".csv"
    out = (directory or path.parent) / f"{path.stem}-{target.version}{suffix}"
    out.parent.mkdir(parents=True, exist_ok=True)
    if layout == "json":
        (migration,) = moved.values()
        body: dict[str, Any] = msgspec.structs.asdict(migration.result)
        body["to_confirm"] = list(migration.to_confirm)
        out.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return out
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    if layout == "long":
        (migration,) = moved.values()
        writer.writerow(["question_id", "answer"])
        writer.writerows(migration.result.answers.items())
    else:
        writer.writerow([layout.removeprefix("wide:"), *target.questions])
        for key, migration in moved.items():
            answers = migration.result.answers
            writer.writerow([key, *(answers.get(q, "") for q in target.questions)])
    out.write_text(text.getvalue(), encoding="utf-8")
    return out
