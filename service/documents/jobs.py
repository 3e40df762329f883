"""Uploaded documents indexed in the background: a small registry of jobs in the process.

`submit` checks the upload at once (name, type, header, built-in ids), keeps it in the
staging folder and queues it; a pool of `knowledge_ingest_workers` threads indexes the queued
files one each (`Ingester.ingest_upload`: extraction in a worker process killed at the
deadline, embedding checked between batches, the index written under its lock), so a long
document never holds up the others beyond the write itself. The file is moved to the uploads
folder once indexed; after a refusal, a failure or a cancellation the staging copy is removed.

Each job's state is also written to ``<data_dir>/knowledge/jobs/<id>.json`` at every change
(`service.documents.job_files`), so that any process of `territoires serve --workers N`
answers for it; a cancellation asked of another process is left as ``<id>.cancel``, which the
owner looks for between steps. On start, jobs whose process is gone are marked failed and
stray staging files removed (a process killed mid-indexing leaves nothing behind for long).
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final, Literal

import msgspec

from knowledge.errors import IngestCancelledError
from knowledge.ingest import Ingester
from knowledge.retrieval import KnowledgeBase
from service.accounts.auth import Principal, require_role
from service.documents.job_files import (
    FINISHED,
    INTERRUPTED,
    KEEP_FINISHED,
    IngestJob,
    JobFiles,
    JobProgress,
    JobReport,
    JobState,
    finish,
    now,
)
from service.documents.uploads import (
    checked_name,
    ingest_limits,
    save_upload,
    staging_dir,
    uploads_dir,
    versions_dir,
)
from service.platform.errors import ConflictError, DomainError, NotFoundError, TooManyRequestsError
from service.platform.i18n import N_
from service.platform.settings import Settings

__all__ = [
    "KEEP_FINISHED",
    "MAX_PENDING",
    "IngestJob",
    "IngestJobs",
    "JobProgress",
    "JobReport",
    "JobState",
]

log = logging.getLogger(__name__)

MAX_PENDING: Final = 16
"""Uploads queued or running in one process at most; beyond, 429 (each waits on disk)."""
_SERVICE_FAILURE: Final = (
    "l'index ou le modèle d'embeddings a échoué pendant l'indexation (détails dans le journal "
    "du service) ; réessayez plus tard"
)


@dataclass(frozen=True)
class _Live:
    """A job of this process: its state, its cancellation, its files."""

    job: IngestJob
    cancel: threading.Event
    staging: Path
    target: Path


class IngestJobs:
    """The process's ingestion jobs; `close` cancels the running ones (application shutdown)."""

    def __init__(self, settings: Settings, knowledge: Callable[[], KnowledgeBase]) -> None:
        self._knowledge = knowledge
        self._limits = ingest_limits(settings)
        self._uploads = uploads_dir(settings.data_dir)
        self._staging = staging_dir(settings.data_dir)
        self._versions = versions_dir(settings.data_dir)
        owner = f"{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._files = JobFiles(settings.data_dir / "knowledge" / "jobs", owner)
        self._workers = settings.knowledge_ingest_workers
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._live: dict[str, _Live] = {}

    # -- requests ----------------------------------------------------------------------------

    def submit(
        self, principal: Principal | None, filename: str | None, body: IO[bytes], replace: bool
    ) -> IngestJob:
        """Check and queue one upload (administrators only); blocking (copies the body)."""
        require_role(principal, "admin")
        name = checked_name(filename)
        executor = self._pool()
        job = IngestJob(
            id=uuid.uuid4().hex,
            state="queued",
            file=name,
            replace=replace,
            created_at=now(),
            progress=JobProgress("en attente"),
        )
        live = _Live(
            job,
            threading.Event(),
            self._staging / f"{job.id}{Path(name).suffix.lower()}",
            self._uploads / name,
        )
        with self._lock:
            if len(self._live) >= MAX_PENDING:
                raise TooManyRequestsError(
                    N_("Trop d'indexations en cours ou en attente : réessayez dans une minute."),
                    retry_after=60,
                )
            # recorded before the file is written: a sweep by another process keeps the file
            self._live[job.id] = live
            self._files.save(job, force=True)
        try:
            save_upload(body, live.staging, name, replace=replace)
        except BaseException:
            with self._lock:
                self._live.pop(job.id, None)
            self._files.path(job.id).unlink(missing_ok=True)
            raise
        with self._lock:
            shown = msgspec.structs.replace(job)  # the worker changes `job` from now on
        executor.submit(self._run, job.id)
        return shown

    def get(self, principal: Principal | None, job_id: str) -> IngestJob:
        """One job (administrators only); 404 when unknown or too old."""
        require_role(principal, "admin")
        with self._lock:
            live = self._live.get(job_id)
            if live is not None:
                return msgspec.structs.replace(live.job, cancel_requested=live.cancel.is_set())
        record = self._files.read(job_id)
        if record is None:
            raise NotFoundError(N_("Aucune tâche d'indexation « %(id)s »."), id=job_id[:40])
        job = record.job
        if job.state not in FINISHED and not self._files.alive(record.owner):
            job = self._finish(job, "failed", reason=INTERRUPTED)
        elif job.state not in FINISHED:
            job.cancel_requested = self._files.marker(job.id).exists()
        return job

    def cancel(self, principal: Principal | None, job_id: str) -> IngestJob:
        """Ask a queued or running job to stop (administrators only); 409 once finished."""
        job = self.get(principal, job_id)
        if job.state in FINISHED:
            raise ConflictError(
                N_("La tâche d'indexation « %(id)s » est déjà terminée (%(state)s)."),
                id=job.id,
                state=job.state,
            )
        with self._lock:
            live = self._live.get(job.id)
            if live is not None:
                live.cancel.set()
                if live.job.state == "queued":  # not started: stop it now
                    self._live.pop(job.id)
                    live.staging.unlink(missing_ok=True)
                    return self._finish(live.job, "cancelled", reason="annulée avant le début")
                return msgspec.structs.replace(live.job, cancel_requested=True)
        self._files.marker(job.id).touch()  # owned by another process, which looks for it
        job.cancel_requested = True
        return job

    def close(self) -> None:
        """Cancel every job of this process and stop the pool (the application stops)."""
        with self._lock:
            for live in self._live.values():
                live.cancel.set()
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        with self._lock:  # queued jobs the pool never started
            for live in self._live.values():
                live.staging.unlink(missing_ok=True)
                self._finish(live.job, "cancelled", reason="annulée : arrêt du service")
            self._live.clear()

    # -- the work ----------------------------------------------------------------------------

    def _run(self, job_id: str) -> None:
        with self._lock:
            live = self._live.get(job_id)
            if live is None or live.cancel.is_set():  # cancelled while queued: already done
                return
            job, cancel, staging, target = live.job, live.cancel, live.staging, live.target
            job.state, job.started_at = "running", now()
            job.progress = JobProgress("extraction")
            self._files.save(job, force=True)

        def cancelled() -> bool:
            return cancel.is_set() or self._files.marker(job_id).exists()

        def progress(step: str, done: int, total: int) -> None:
            with self._lock:
                job.progress = JobProgress(step, done, total)
                self._files.save(job)

        try:
            ingester = Ingester(self._knowledge(), limits=self._limits, versions_dir=self._versions)
            report = ingester.ingest_upload(
                staging,
                stored_as=target,
                replace=job.replace,
                cancelled=cancelled,
                on_progress=progress,
            )
        except IngestCancelledError:
            self._end(job, "cancelled", reason="annulée pendant l'indexation")
        except DomainError:  # the knowledge base cannot be opened: the reason is in the log
            log.exception("indexation de l'envoi %s : base de connaissances indisponible", job_id)
            self._end(job, "failed", reason=_SERVICE_FAILURE)
        except Exception:
            log.exception("indexation de l'envoi %s impossible", job_id)
            self._end(job, "failed", reason=_SERVICE_FAILURE)
        else:
            if report.problems:
                problem = report.problems[0]
                if problem.kind != "document":
                    log.error("indexation de l'envoi %s : %s", job_id, problem.reason)
                reason = problem.reason if problem.kind == "document" else _SERVICE_FAILURE
                self._end(job, "failed", reason=reason)
            else:
                outcome: Literal["added", "updated", "unchanged"] = (
                    "added" if report.added else "updated" if report.updated else "unchanged"
                )
                doc_id = (report.added or report.updated or report.unchanged or [""])[0]
                done = JobReport(doc_id, outcome, report.passages, round(report.seconds, 2))
                self._end(job, "done", report=done)
        finally:
            staging.unlink(missing_ok=True)
            with self._lock:
                self._live.pop(job_id, None)
            self._files.marker(job_id).unlink(missing_ok=True)

    def _end(
        self,
        job: IngestJob,
        state: JobState,
        *,
        reason: str | None = None,
        report: JobReport | None = None,
    ) -> None:
        with self._lock:
            self._finish(job, state, reason=reason, report=report)

    def _finish(
        self,
        job: IngestJob,
        state: JobState,
        *,
        reason: str | None = None,
        report: JobReport | None = None,
    ) -> IngestJob:
        self._files.save(finish(job, state, reason=reason, report=report), force=True)
        return job

    # -- the pool ----------------------------------------------------------------------------

    def start(self) -> None:
        """Sweep what a stopped process left and start the pool (application start)."""
        self._pool()

    def _pool(self) -> ThreadPoolExecutor:
        """The pool, started once, after a sweep of what a stopped process left."""
        with self._lock:
            if self._executor is None:
                self._files.directory.mkdir(parents=True, exist_ok=True)
                self._staging.mkdir(parents=True, exist_ok=True)
                self._files.sweep(self._staging)
                self._executor = ThreadPoolExecutor(
                    max_workers=self._workers, thread_name_prefix="indexation"
                )
            return self._executor
