"""Ingestion jobs as files shared by the service's processes: ``<id>.json`` holds a job's
state and the process that owns it, ``<id>.cancel`` asks that process to stop it.

Apart from `service.documents.jobs`, which runs the jobs in this process, because these files
are the contract between processes (any worker of `territoires serve --workers N` answers for
any job): their format, how often they are written, how a dead owner is recognised and what a
sweep at start-up removes. `service.documents.jobs` re-exports the job's public Structs.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final, Literal

import msgspec

__all__ = [
    "FINISHED",
    "INTERRUPTED",
    "KEEP_FINISHED",
    "IngestJob",
    "JobFiles",
    "JobProgress",
    "JobRecord",
    "JobReport",
    "JobState",
    "finish",
    "now",
]

JobState = Literal["queued", "running", "done", "failed", "cancelled"]
KEEP_FINISHED: Final = timedelta(days=1)
"""How long a finished job can still be read."""
FINISHED: Final = frozenset({"done", "failed", "cancelled"})
INTERRUPTED: Final = "indexation interrompue : le service s'est arrêté pendant l'indexation"
_PROGRESS_EVERY: Final = 0.5
_ID: Final = re.compile(r"[0-9a-f]{32}")


class JobProgress(msgspec.Struct, frozen=True):
    """Where a running job is: ``extraction``, ``embeddings`` (passages done of total) or
    ``écriture``."""

    step: str
    done: int = 0
    total: int = 0


class JobReport(msgspec.Struct, frozen=True):
    """What a finished job did to the index."""

    document_id: str
    outcome: Literal["added", "updated", "unchanged"]
    passages: int
    seconds: float


class IngestJob(msgspec.Struct, kw_only=True):
    """One upload's indexing, as the API shows it."""

    id: str
    state: JobState
    file: str
    """The file name as sent."""
    replace: bool = False
    """Whether the upload may replace a built-in or another document (asked explicitly)."""
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    progress: JobProgress | None = None
    report: JobReport | None = None
    reason: str | None = None
    """Why the job failed, in French."""
    cancel_requested: bool = False


class JobRecord(msgspec.Struct):
    """A job as written on disk, with the process that owns it."""

    job: IngestJob
    owner: str


def now() -> str:
    """The current time as jobs record it (UTC, to the second)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def finish(
    job: IngestJob,
    state: JobState,
    *,
    reason: str | None = None,
    report: JobReport | None = None,
) -> IngestJob:
    """Mark `job` as ended in `state` (not yet written: see `JobFiles.save`)."""
    job.state, job.reason, job.report = state, reason, report
    job.finished_at = now()
    job.progress = None
    return job


class JobFiles:
    """The jobs folder, as seen by the process `owner`; callers serialise calls to `save`."""

    def __init__(self, directory: Path, owner: str) -> None:
        self.directory = directory
        self.owner = owner
        self._saved: dict[str, float] = {}

    def alive(self, owner: str) -> bool:
        """Whether the process that owns a job still runs (this one, or another alive)."""
        pid, _, _ = owner.partition(":")
        if owner == self.owner:
            return True
        if pid == str(os.getpid()):  # this pid, another run of it: a restarted container
            return False
        try:
            os.kill(int(pid), 0)
        except (ValueError, ProcessLookupError):
            return False
        except PermissionError:  # another user's process, alive
            return True
        return True

    def path(self, job_id: str) -> Path:
        """The file of a job's state."""
        return self.directory / f"{job_id}.json"

    def marker(self, job_id: str) -> Path:
        """The file whose presence asks the owner to cancel a job."""
        return self.directory / f"{job_id}.cancel"

    def save(self, job: IngestJob, *, force: bool = False) -> None:
        """Write the job's state (atomically; progress at most twice a second)."""
        moment = time.monotonic()
        if not force and moment - self._saved.get(job.id, 0.0) < _PROGRESS_EVERY:
            return
        self._saved[job.id] = moment
        temporary = self.directory / f".{job.id}.{threading.get_ident()}.tmp"
        temporary.write_bytes(msgspec.json.encode(JobRecord(job, self.owner)))
        temporary.replace(self.path(job.id))
        if job.state in FINISHED:
            self._saved.pop(job.id, None)

    def read(self, job_id: str) -> JobRecord | None:
        """A job as last written, or None for an id that is malformed, unknown or unreadable."""
        if not _ID.fullmatch(job_id):
            return None
        try:
            return msgspec.json.decode(self.path(job_id).read_bytes(), type=JobRecord)
        except (OSError, msgspec.DecodeError):
            return None

    def sweep(self, staging: Path) -> None:
        """Fail the jobs of dead processes, drop old jobs and orphan staging files."""
        cutoff = datetime.now(UTC) - KEEP_FINISHED
        running: set[str] = set()
        for path in self.directory.glob("*.json"):
            record = self.read(path.stem)
            if record is None:
                continue
            job = record.job
            if job.state not in FINISHED and self.alive(record.owner):
                running.add(job.id)
            elif job.state not in FINISHED:
                self.save(finish(job, "failed", reason=INTERRUPTED), force=True)
            elif job.finished_at and datetime.fromisoformat(job.finished_at) < cutoff:
                path.unlink(missing_ok=True)
        for stray in [*self.directory.glob("*.cancel"), *self.directory.glob(".*.tmp")]:
            if stray.name.strip(".").split(".", 1)[0] not in running:
                stray.unlink(missing_ok=True)
        for leftover in staging.iterdir():
            if leftover.name.split(".", 1)[0] not in running:
                with contextlib.suppress(OSError):
                    leftover.unlink()
