"""Long work (a brief, research, a scan) run in the background while pages stay responsive;
each job's progress is polled by the page that started it.

One worker runs the jobs that write (briefs, research, scans) in the order asked, so two of
them never write the same account's store or the ledger at once; assessing the book for its
page only reads, and has a worker of its own, so the book does not wait behind a scan. A job
that fails keeps its one-line reason, never a traceback. Asking again for work that is already
queued or running returns that job instead of a second one.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from agent.errors import workspace_error
from tools.problems import failure

log = logging.getLogger(__name__)

JobKind = Literal["brief", "research", "scan", "assess"]
JobStatus = Literal["queued", "running", "done", "failed"]
#: Finished jobs remembered for their pages to read.
_KEEP_FINISHED = 200


@dataclass
class Job:
    """One piece of background work and how far it got."""

    id: str
    kind: JobKind
    label: str
    account_id: str | None
    status: JobStatus = "queued"
    step: str = "waiting for earlier work to finish"
    done: int = 0
    total: int = 0
    error: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None

    @property
    def active(self) -> bool:
        """Queued or running."""
        return self.status in ("queued", "running")

    def view(self) -> dict[str, object]:
        """The job as its page polls it (JSON)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "account_id": self.account_id,
            "status": self.status,
            "step": self.step,
            "done": self.done,
            "total": self.total,
            "error": self.error,
        }


#: Told what a job is doing now, and how many of how many steps are done.
Report = Callable[[str, int, int], None]
Work = Callable[[Report], None]


class Jobs:
    """The background jobs of one web app."""

    def __init__(self) -> None:
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dossier-job")
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dossier-assess")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def submit(self, kind: JobKind, label: str, account_id: str | None, work: Work) -> Job:
        """Run `work` in the background (or return the same work already waiting or running)."""
        with self._lock:
            for job in self._jobs.values():
                if job.active and job.kind == kind and job.account_id == account_id:
                    return job
            job = Job(id=uuid.uuid4().hex[:12], kind=kind, label=label, account_id=account_id)
            self._jobs[job.id] = job
            self._forget_old()
        self._pool(kind).submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        """A job by id, while it is remembered."""
        with self._lock:
            return self._jobs.get(job_id)

    def active(self, account_id: str | None = None) -> list[Job]:
        """Jobs queued or running (of one account when given), oldest first."""
        with self._lock:
            jobs = list(self._jobs.values())
        return [j for j in jobs if j.active and (account_id is None or j.account_id == account_id)]

    def latest(self, kind: JobKind, account_id: str | None) -> Job | None:
        """The most recent job of this kind for this account (or for the book)."""
        with self._lock:
            jobs = [j for j in self._jobs.values() if j.kind == kind and j.account_id == account_id]
        return jobs[-1] if jobs else None

    def wait(self, timeout: float | None = None) -> None:
        """Block until the jobs submitted so far have finished (tests)."""
        for pool in (self._reader, self._writer):
            pool.submit(lambda: None).result(timeout=timeout)

    def shutdown(self) -> None:
        """Stop taking jobs; the running ones finish."""
        for pool in (self._reader, self._writer):
            pool.shutdown(wait=False, cancel_futures=True)

    def _pool(self, kind: JobKind) -> ThreadPoolExecutor:
        return self._reader if kind == "assess" else self._writer

    def _run(self, job: Job, work: Work) -> None:
        def report(step: str, done: int, total: int) -> None:
            job.step, job.done, job.total = step, done, total

        job.status, job.step = "running", "starting"
        try:
            work(report)
        except Exception as exc:  # a job's failure is its message on the page, never a crash
            fault = workspace_error(exc)
            job.error = str(fault) if fault is not None else failure(exc)
            job.status = "failed"
            log.info("job %s (%s) failed: %s", job.id, job.label, job.error)
        else:
            job.status, job.step = "done", "done"
        job.finished_at = datetime.now(UTC)

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if not j.active]
        for job in finished[: max(0, len(finished) - _KEEP_FINISHED)]:
            del self._jobs[job.id]
