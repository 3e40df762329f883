"""The knowledge base over HTTP: search, the indexed documents, a passage in context (public,
read-only), and an administrator's upload, indexed in the background (``202`` and a job to
follow or cancel). The use cases live in `service.documents`; the knowledge base is opened
once, on first use, by the `KnowledgeProvider` made in `create_app` and injected as
``knowledge``, the jobs registry as ``ingest_jobs``. Ingestion of the corpus is a command."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from anyio import to_thread
from litestar import Controller, Response, delete, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter, PathParameter

from knowledge.retrieval import DEFAULT_PER_DOCUMENT
from service.api.docs import responses
from service.deps import CurrentPrincipal, IngestQueue, Knowledge
from service.documents.jobs import IngestJob
from service.documents.library import (
    DocumentList,
    Method,
    PassageContext,
    SearchResults,
    list_documents,
    passage_context,
    search_passages,
)
from service.documents.uploads import UPLOAD_MAX_BYTES
from service.platform.text import NOT_BLANK_PATTERN

__all__ = ["KnowledgeController"]

Query = Annotated[
    str,
    Parameter(
        required=True,
        max_length=1000,
        description="La question ou les mots-clés à chercher, en français ou en anglais.",
        # documented, and checked by `search_passages` (its French message names q)
        schema_extra={"minLength": 1, "pattern": NOT_BLANK_PATTERN},
    ),
]
K = Annotated[int, Parameter(ge=1, le=20, description="Nombre de passages (1 à 20, défaut 5).")]
MethodParam = Annotated[
    Method,
    Parameter(description="hybrid (défaut : vecteurs et BM25 fusionnés), dense ou lexical."),
]
PerDocument = Annotated[
    int,
    Parameter(ge=1, le=20, description="Passages au plus par document (défaut 3)."),
]
Window = Annotated[
    int,
    # `minimum` repeated: Litestar 2 leaves a bound of 0 out of the schema
    Parameter(
        ge=0, le=5, description="Passages voisins de chaque côté.", schema_extra={"minimum": 0}
    ),
]
PassageId = Annotated[str, PathParameter(description="Identifiant du passage.")]
JobId = Annotated[
    str, PathParameter(max_length=64, description="Identifiant de la tâche d'indexation.")
]
Replace = Annotated[
    bool,
    Parameter(
        description=(
            "Remplacer explicitement un document de même identifiant, y compris un document "
            "intégré (l'ancienne version est gardée). Faux par défaut : refus (409)."
        )
    ),
]


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
        q: Query = "",
        k: K = 5,
        method: MethodParam = "hybrid",
        per_document: PerDocument = DEFAULT_PER_DOCUMENT,
    ) -> SearchResults:
        """Hybrid search (Chroma vectors + French BM25, weighted reciprocal rank fusion):
        the `k` best passages, at most `per_document` from one document."""
        return search_passages(knowledge, q, k, method, per_document)

    @get("/documents", summary="Documents indexés", sync_to_thread=True)
    def documents(self, knowledge: Knowledge) -> DocumentList:
        """Every indexed document with its source, language and number of passages."""
        return list_documents(knowledge)

    @get("/passages/{passage_id:str}", summary="Un passage et ses voisins", sync_to_thread=True)
    def passage(
        self, knowledge: Knowledge, passage_id: PassageId, window: Window = 1
    ) -> PassageContext:
        """The passage with this id, and up to `window` passages before and after it."""
        return passage_context(knowledge, passage_id, window)

    @post(
        "/documents",
        summary="Ajouter un document (administrateurs)",
        status_code=202,
        request_max_body_size=UPLOAD_MAX_BYTES,
        responses=responses(
            IngestJob, status=202, description="Accepté", errors=(403, 409, 422, 429)
        ),
    )
    async def upload(
        self,
        ingest_jobs: IngestQueue,
        principal: CurrentPrincipal,
        data: Annotated[DocumentUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        replace: Replace = False,
    ) -> Response[IngestJob]:
        """Queue one Markdown, text, HTML or PDF file sent as the multipart field ``data`` for
        indexing: ``202`` with the job and its address (``Location``), to follow with
        ``GET /api/v1/knowledge/jobs/{id}``. Checked at once: name, type, YAML header, and the
        id of a built-in document (``409`` unless ``replace=true``)."""
        upload = data.data
        try:
            job = await to_thread.run_sync(
                ingest_jobs.submit, principal, upload.filename, upload.file, replace
            )
        finally:
            await upload.close()
        return Response(job, status_code=202, headers={"Location": f"{self.path}/jobs/{job.id}"})

    @get(
        "/jobs/{job_id:str}",
        summary="Une tâche d'indexation (administrateurs)",
        responses=responses(IngestJob, errors=(403,)),
    )
    async def job(
        self, ingest_jobs: IngestQueue, principal: CurrentPrincipal, job_id: JobId
    ) -> IngestJob:
        """State of an upload's indexing: ``queued``, ``running`` (step and passages embedded
        of total), ``done`` (with what it did), ``failed`` (with the French reason) or
        ``cancelled``."""
        return ingest_jobs.get(principal, job_id)

    @delete(
        "/jobs/{job_id:str}",
        summary="Annuler une indexation (administrateurs)",
        status_code=202,
        responses=responses(IngestJob, status=202, description="Accepté", errors=(403, 409)),
    )
    async def cancel(
        self, ingest_jobs: IngestQueue, principal: CurrentPrincipal, job_id: JobId
    ) -> IngestJob:
        """Cancel a queued or running indexing: nothing of the upload is kept. A running job
        stops at its next check (``cancel_requested`` until then); ``409`` once finished."""
        return ingest_jobs.cancel(principal, job_id)
