"""What an administrator's upload must pass before it is queued for indexing (`jobs`): an
accepted name and type, a non-empty body, a readable YAML header, and no built-in document's
id unless the replacement is asked for explicitly. Where uploads are kept, and the limits of
the settings."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import IO, Final

from knowledge.builtin import builtin_ids, document_id_for
from knowledge.errors import DocumentError
from knowledge.frontmatter import MAX_FRONT_MATTER_CHARS, read_front_matter
from knowledge.limits import IngestLimits
from service.platform.errors import ConflictError, InvalidInputError
from service.platform.i18n import N_
from service.platform.settings import Settings

__all__ = [
    "MAX_NAME_LENGTH",
    "UPLOAD_MAX_BYTES",
    "UPLOAD_SUFFIXES",
    "checked_name",
    "ingest_limits",
    "save_upload",
    "staging_dir",
    "uploads_dir",
    "versions_dir",
]

UPLOAD_SUFFIXES: Final = frozenset({".md", ".markdown", ".txt", ".html", ".htm", ".pdf"})
UPLOAD_MAX_BYTES: Final = 20 * 1024 * 1024
MAX_NAME_LENGTH: Final = 120
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


def uploads_dir(data_dir: Path) -> Path:
    """Where uploaded documents are kept once indexed."""
    return data_dir / "knowledge" / "uploads"


def staging_dir(data_dir: Path) -> Path:
    """Where an upload waits while it is indexed (emptied of leftovers at start)."""
    return data_dir / "knowledge" / "staging"


def versions_dir(data_dir: Path) -> Path:
    """Where the files of built-in documents replaced by an upload are kept."""
    return data_dir / "knowledge" / "versions"


def ingest_limits(settings: Settings) -> IngestLimits:
    """The limits on one document, from the settings."""
    return IngestLimits(
        max_bytes=UPLOAD_MAX_BYTES,
        max_chars=settings.knowledge_max_chars,
        max_passages=settings.knowledge_max_passages,
        max_seconds=settings.knowledge_max_seconds,
    )


def checked_name(filename: str | None) -> str:
    """The upload's file name (without any folder), or a French refusal: empty, hidden, too
    long, with control characters, or of a type the knowledge base does not read."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name.startswith(".") or _UNSAFE.search(name):
        raise InvalidInputError(
            N_(
                "Nom de fichier refusé : un nom simple est attendu (pas de dossier, de "
                "caractère de contrôle ni de point au début)."
            )
        )
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInputError(
            N_("Nom de fichier trop long (%(length)s caractères, %(limit)s au plus)."),
            length=len(name),
            limit=MAX_NAME_LENGTH,
        )
    if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
        raise InvalidInputError(
            N_("Type de fichier refusé « %(name)s » : %(allowed)s."),
            name=name,
            allowed=", ".join(sorted(UPLOAD_SUFFIXES)),
        )
    return name


def _declared_id(path: Path, name: str) -> str:
    """The id the file will take: its YAML header's ``id``, else its name's (read cheaply:
    the header alone, through the same safe reader as the ingestion)."""
    if Path(name).suffix.lower() in {".md", ".markdown"}:
        with path.open("rb") as file:
            head = file.read(MAX_FRONT_MATTER_CHARS * 4 + 64).decode("utf-8", "replace")
        meta, _ = read_front_matter(head.lstrip("\ufeff"))
        if meta.get("id"):
            return str(meta["id"])
    return document_id_for(Path(name))


def save_upload(
    source: IO[bytes], target: Path, name: str, *, replace: bool, max_bytes: int = UPLOAD_MAX_BYTES
) -> None:
    """Copy the uploaded body to `target` and check what can be checked at once; on any
    refusal the copy is removed and `InvalidInputError` or `ConflictError` raised."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("xb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
        size = target.stat().st_size
        with target.open("rb") as written:
            head = written.read(65_536)
        if not head.strip() and size <= len(head):
            raise InvalidInputError(
                N_("Document refusé (%(name)s) : %(reasons)s."), name=name, reasons="fichier vide"
            )
        if size > max_bytes:
            raise InvalidInputError(
                N_("Document refusé (%(name)s) : %(reasons)s."),
                name=name,
                reasons=f"fichier de plus de {max_bytes // (1024 * 1024)} Mo",
            )
        try:
            doc_id = _declared_id(target, name)
        except DocumentError as exc:
            raise InvalidInputError(
                N_("Document refusé (%(name)s) : %(reasons)s."), name=name, reasons=str(exc)
            ) from exc
        if doc_id in builtin_ids() and not replace:
            raise ConflictError(
                N_(
                    "« %(id)s » est un document intégré à la base : un envoi ne le remplace pas. "
                    "Renommez le fichier ou changez son identifiant (id:), ou demandez "
                    "explicitement le remplacement (replace=true) ; l'ancienne version est "
                    "alors gardée."
                ),
                id=doc_id,
            )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
