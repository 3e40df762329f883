"""The knowledge base over HTTP: search and the list of indexed documents (public, read-only).

Ingestion is a command (``territoires knowledge ingest``), never done on the request path. The
knowledge base (embedding model, Chroma client, BM25 index) is opened once, on first use, by a
`KnowledgeProvider` made in `create_app`, and injected into the handlers.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Final, Literal

import msgspec
from anyio import to_thread
from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter, PathParameter

from knowledge.config import KnowledgeConfig, SettingsLike
from knowledge.errors import KnowledgeError
from knowledge.ingest import Ingester
from knowledge.retrieval import DEFAULT_PER_DOCUMENT, KnowledgeBase
from knowledge.types import DocumentInfo, IngestReport, Passage
from service.accounts.auth import require_role
from service.deps import CurrentPrincipal
from service.platform.errors import DomainError, InvalidInputError, NotFoundError
from service.platform.operations import observe
from service.platform.settings import Settings

__all__ = [
    "DocumentList",
    "KnowledgeController",
    "KnowledgeProvider",
    "KnowledgeUnavailableError",
    "PassageContext",
    "SearchResults",
]


class KnowledgeUnavailableError(DomainError):
    """The index cannot be opened (Chroma server unreachable, embedding model mismatch…)."""

    status_code = 503
    title = "Service indisponible"


class KnowledgeProvider:
    """Opens the knowledge base once per application, on first use, and hands it out."""

    def __init__(self, settings: SettingsLike, config: KnowledgeConfig | None = None) -> None:
        self._config = config or KnowledgeConfig.from_settings(settings)
        self._kb: KnowledgeBase | None = None
        self._lock = threading.Lock()

    def __call__(self) -> KnowledgeBase:
        """The knowledge base; a failure to open it is retried on the next request."""
        with self._lock:
            if self._kb is None:
                try:
                    self._kb = KnowledgeBase.open(self._config)
                except KnowledgeError as exc:
                    raise KnowledgeUnavailableError(
                        f"La base de connaissances est indisponible : {exc}"
                    ) from exc
            return self._kb


class SearchResults(msgspec.Struct):
    """Passages answering a question, best first, each with its source."""

    query: str
    k: int
    method: str
    passages: list[Passage]


class DocumentList(msgspec.Struct):
    """Indexed documents."""

    count: int
    passages: int
    documents: list[DocumentInfo]


class PassageContext(msgspec.Struct):
    """A passage and its neighbours in the document, in document order."""

    passage: Passage
    context: list[Passage]


Query = Annotated[
    str | None,
    Parameter(
        max_length=1000,
        description="La question ou les mots-clés à chercher, en français ou en anglais.",
    ),
]
Knowledge = NamedDependency[KnowledgeBase]
K = Annotated[int, Parameter(ge=1, le=20, description="Nombre de passages (1 à 20, défaut 5).")]
MethodParam = Annotated[
    Literal["hybrid", "dense", "lexical"],
    Parameter(description="hybrid (défaut : vecteurs et BM25 fusionnés), dense ou lexical."),
]
PerDocument = Annotated[
    int,
    Parameter(ge=1, le=20, description="Passages au plus par document (défaut 3)."),
]
Window = Annotated[int, Parameter(ge=0, le=5, description="Passages voisins de chaque côté.")]
PassageId = Annotated[str, PathParameter(description="Identifiant du passage.")]


UPLOAD_SUFFIXES: Final = frozenset({".md", ".markdown", ".txt", ".html", ".htm", ".pdf"})
UPLOAD_MAX_BYTES: Final = 20 * 1024 * 1024
_upload_lock = threading.Lock()
"""One ingestion at a time in this process: writes to the index are not concurrent."""


@dataclass
class DocumentUpload:
    """The multipart form of an upload: the file in the field ``data``."""

    data: UploadFile


class KnowledgeController(Controller):
    """Search the policy-literature corpus; every passage carries its source."""

    path = "/api/v1/knowledge"
    tags = ("Base de connaissances",)

    @get("/search", summary="Chercher des passages", sync_to_thread=True)
    def search(
        self,
        knowledge: Knowledge,
        q: Query = None,
        k: K = 5,
        method: MethodParam = "hybrid",
        per_document: PerDocument = DEFAULT_PER_DOCUMENT,
    ) -> SearchResults:
        """Hybrid search (Chroma vectors + French BM25, weighted reciprocal rank fusion):
        the `k` best passages, at most `per_document` from one document."""
        query = " ".join((q or "").split())
        if not query:
            raise DomainError("Le paramètre q (la question à chercher) est vide ou absent.")
        try:
            with observe("retrieval"):
                passages = knowledge.search(query, k, method=method, max_per_document=per_document)
        except KnowledgeError as exc:
            raise KnowledgeUnavailableError(f"Recherche impossible : {exc}") from exc
        return SearchResults(query=query, k=k, method=method, passages=passages)

    @get("/documents", summary="Documents indexés", sync_to_thread=True)
    def documents(self, knowledge: Knowledge) -> DocumentList:
        """Every indexed document with its source, language and number of passages."""
        docs = knowledge.documents()
        return DocumentList(count=len(docs), passages=sum(d.passages for d in docs), documents=docs)

    @get("/passages/{passage_id:str}", summary="Un passage et ses voisins", sync_to_thread=True)
    def passage(
        self, knowledge: Knowledge, passage_id: PassageId, window: Window = 1
    ) -> PassageContext:
        """The passage with this id, and up to `window` passages before and after it."""
        found = knowledge.passage(passage_id)
        if found is None:
            raise NotFoundError(f"Aucun passage « {passage_id} » dans la base de connaissances.")
        return PassageContext(passage=found, context=knowledge.neighbours(passage_id, window))

    @post(
        "/documents",
        summary="Ajouter un document (administrateurs)",
        status_code=201,
        request_max_body_size=UPLOAD_MAX_BYTES,
    )
    async def upload(
        self,
        knowledge: Knowledge,
        principal: CurrentPrincipal,
        settings: NamedDependency[Settings],
        data: Annotated[DocumentUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> IngestReport:
        """Index one Markdown, text, HTML or PDF file sent as the multipart field ``data``:
        it is kept under the data directory and ingested like ``territoires knowledge ingest``
        (same file again: nothing to do; changed file: its passages are replaced)."""
        require_role(principal, "admin")
        upload = data.data
        name = Path(upload.filename or "").name
        if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
            raise InvalidInputError(
                f"Type de fichier refusé « {name} » : {', '.join(sorted(UPLOAD_SUFFIXES))}."
            )
        content = await upload.read()
        folder = settings.data_dir / "knowledge" / "uploads"
        report = await to_thread.run_sync(_ingest_upload, knowledge, folder, name, content)
        if report.problems:
            reasons = "; ".join(p.reason for p in report.problems)
            raise InvalidInputError(f"Document refusé ({name}) : {reasons}.")
        return report


def _ingest_upload(kb: KnowledgeBase, folder: Path, name: str, content: bytes) -> IngestReport:
    """Write the file (atomically) and ingest it; a refused file is not kept."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    temporary = folder / f".{name}.part"
    with _upload_lock:
        temporary.write_bytes(content)
        previous = target.read_bytes() if target.exists() else None
        temporary.replace(target)
        report = Ingester(kb).ingest([target])
        if report.problems:  # put things back as they were: nothing half-kept
            if previous is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(previous)
        return report
