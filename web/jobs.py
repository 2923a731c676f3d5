"""The one small job interface the views use for slow work (planning a day).

    job_id = jobs.submit("plan_day", {"day": "2010-08-05", "district": "南区"}, author="wang")
    jobs.status(job_id)   # {"id": …, "status": "queued|running|done|failed", "result": …, "error": …}

A job is a row of the ``jobs`` table (:mod:`planner.store.jobs`) plus a task
function registered here by kind.  :func:`run_job` takes a job id and does the
work, so whoever runs it needs only the id and the database:

* ``ThreadExecutor`` (the default): a small thread pool in the web process;
* ``InlineExecutor``: runs the job before ``submit`` returns (tests, scripts);
* a real queue later (RQ or Celery on Redis): an executor whose ``enqueue``
  calls ``queue.enqueue(web.jobs.run_job, job_id, database)``; the views do not
  change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from planner.errors import UserError
from planner.store import jobs as job_store
from planner.store.db import session_scope

log = logging.getLogger(__name__)

Task = Callable[[dict[str, Any], "str | None"], dict[str, Any]]
TASKS: dict[str, Task] = {}


def task(kind: str) -> Callable[[Task], Task]:
    """Register the function that does jobs of this kind: ``fn(params, database) -> result``."""
    def wrap(fn: Task) -> Task:
        TASKS[kind] = fn
        return fn
    return wrap


def run_job(job_id: int, database: str | None = None) -> None:
    """Claim the job and run it; the outcome (result or error) is written to its row."""
    from web import tasks  # noqa: F401  (registers the task functions)

    with session_scope(database) as s:
        job = job_store.claim_job(s, job_id)
    if job is None:
        return
    fn = TASKS.get(job.kind)
    try:
        if fn is None:
            raise UserError(f"unknown job kind {job.kind!r}")
        result = fn(job.params, database)
    except UserError as exc:
        with session_scope(database) as s:
            job_store.fail_job(s, job_id, str(exc))
    except Exception:  # a bug: keep the traceback in the server log, not in the page
        log.exception("job %s (%s) failed", job_id, job.kind)
        with session_scope(database) as s:
            job_store.fail_job(s, job_id, "internal error (see the server log)")
    else:
        with session_scope(database) as s:
            job_store.finish_job(s, job_id, result)


class Executor(Protocol):
    def enqueue(self, job_id: int, database: str | None) -> None: ...


class InlineExecutor:
    def enqueue(self, job_id: int, database: str | None) -> None:
        run_job(job_id, database)


class ThreadExecutor:
    """A few worker threads in this process (started on first use)."""

    def __init__(self, workers: int = 1):
        self.workers = max(1, int(workers))
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def enqueue(self, job_id: int, database: str | None) -> None:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="cvp-job")
        self._pool.submit(run_job, job_id, database)

    def shutdown(self, wait: bool = True) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait)


EXECUTORS: dict[str, Callable[[dict[str, Any]], Executor]] = {
    "thread": lambda cfg: ThreadExecutor(cfg.get("JOB_WORKERS") or 1),
    "inline": lambda cfg: InlineExecutor(),
}


class JobQueue:
    """``submit`` and ``status`` over one executor and one database."""

    def __init__(self, executor: Executor, database: str | None = None):
        self.executor = executor
        self.database = database

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "JobQueue":
        name = config.get("JOB_EXECUTOR") or "thread"
        if name not in EXECUTORS:
            raise ValueError(f"JOB_EXECUTOR {name!r}: choose one of {', '.join(EXECUTORS)}")
        return cls(EXECUTORS[name](config), config.get("DATABASE_URL"))

    def submit(self, kind: str, params: dict[str, Any], author: str = "") -> int:
        from web import tasks  # noqa: F401

        if kind not in TASKS:
            raise UserError(f"unknown job kind {kind!r}")
        with session_scope(self.database) as s:
            job_id = job_store.create_job(s, kind, params, author)
        self.executor.enqueue(job_id, self.database)
        return job_id

    def status(self, job_id: int) -> dict[str, Any] | None:
        with session_scope(self.database) as s:
            job = job_store.get_job(s, job_id)
        return job.to_dict() if job else None


def _queue() -> JobQueue:
    from flask import current_app

    return current_app.extensions["cvp_jobs"]


def submit(kind: str, params: dict[str, Any], author: str = "") -> int:
    """Queue a job with the current app's executor; returns its id at once."""
    return _queue().submit(kind, params, author)


def status(job_id: int) -> dict[str, Any] | None:
    return _queue().status(job_id)
