"""The one small job interface the views use for slow work (planning a day).

    job_id = jobs.submit("plan_day", {"day": "2010-08-05", "district": "南区"}, author="wang")
    jobs.status(job_id)   # {"id": …, "status": "queued|running|done|failed", "result": …, "error": …}

A job is a row of the ``jobs`` table (:mod:`planner.store.jobs`) plus the task
function of its kind (:data:`web.tasks.TASKS`).  :func:`run_job` takes a job id and does the
work, so whoever runs it needs only the id and the database:

* ``ThreadExecutor`` (the default): a small thread pool in the web process;
* ``InlineExecutor``: runs the job before ``submit`` returns (tests, scripts);
* a real queue later (RQ or Celery on Redis): an executor whose ``enqueue``
  calls ``queue.enqueue(web.jobs.run_job, job_id, database)``; the views do not
  change.

Stuck jobs: the process running a job is recorded as "host:pid" and sends a
heartbeat every :data:`HEARTBEAT_S` seconds.  :meth:`JobQueue.reap` marks failed,
with the reason, every job whose process is gone (checked directly on this
host), whose heartbeat stopped (any host), that ran longer than the limit, or
that was never picked up; the pages reap before showing or starting jobs, so a
server that died mid-plan never leaves a dispatcher waiting on "running".
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from planner.errors import UserError
from planner.store import jobs as job_store
from planner.store.db import session_scope
from web.tasks import TASKS

log = logging.getLogger(__name__)

HEARTBEAT_S = 10.0  # how often a running job says it is alive (well below the stale limit)


def this_worker() -> str:
    """This process, as jobs name it: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_alive(worker: str) -> bool | None:
    """Whether the process ``host:pid`` exists: checked on this host; None for another host
    (then the heartbeat decides)."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class _Heartbeat:
    """Touches the job's heartbeat from a daemon thread until stopped."""

    def __init__(self, job_id: int, database: str | None, worker: str, every_s: float):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(job_id, database, worker, every_s), daemon=True,
                                        name=f"cvp-heartbeat-{job_id}")

    def _run(self, job_id: int, database: str | None, worker: str, every_s: float) -> None:
        while not self._stop.wait(every_s):
            try:
                with session_scope(database) as s:
                    if not job_store.beat(s, job_id, worker):
                        return  # no longer ours (finished, or marked failed)
            except Exception:  # noqa: BLE001 - a missed beat is retried; the job itself goes on
                log.warning("heartbeat of job %s failed", job_id, exc_info=True)

    def __enter__(self) -> "_Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run_job(job_id: int, database: str | None = None, heartbeat_s: float = HEARTBEAT_S) -> None:
    """Claim the job and run it, with a heartbeat; the outcome (result or error) is written
    to its row."""
    worker = this_worker()
    with session_scope(database) as s:
        job = job_store.claim_job(s, job_id, worker)
    if job is None:
        return
    fn = TASKS.get(job.kind)
    try:
        if fn is None:
            raise UserError(f"unknown job kind {job.kind!r}")
        with _Heartbeat(job_id, database, worker, heartbeat_s):
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
    #: True when the job runs in the submitting process (so that process is responsible
    #: for it from the start); an external queue leaves it False
    in_process: bool

    def enqueue(self, job_id: int, database: str | None) -> None: ...


class InlineExecutor:
    in_process = True

    def enqueue(self, job_id: int, database: str | None) -> None:
        run_job(job_id, database)


class ThreadExecutor:
    """A few worker threads in this process (started on first use)."""

    in_process = True

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
    """``submit``, ``status`` and ``reap`` over one executor and one database."""

    def __init__(self, executor: Executor, database: str | None = None,
                 limits: job_store.Limits = job_store.Limits()):
        self.executor = executor
        self.database = database
        self.limits = limits

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "JobQueue":
        name = config.get("JOB_EXECUTOR") or "thread"
        if name not in EXECUTORS:
            raise ValueError(f"JOB_EXECUTOR {name!r}: choose one of {', '.join(EXECUTORS)}")
        defaults = job_store.Limits()
        limits = job_store.Limits(
            max_runtime_s=float(config.get("JOB_MAX_RUNTIME_S") or defaults.max_runtime_s),
            stale_after_s=float(config.get("JOB_STALE_AFTER_S") or defaults.stale_after_s),
            max_queued_s=float(config.get("JOB_MAX_QUEUED_S") or defaults.max_queued_s))
        if limits.stale_after_s <= 2 * HEARTBEAT_S:
            raise ValueError(f"JOB_STALE_AFTER_S {limits.stale_after_s:g}: give more than {2 * HEARTBEAT_S:g} s "
                             f"(a running job's heartbeat comes every {HEARTBEAT_S:g} s)")
        return cls(EXECUTORS[name](config), config.get("DATABASE_URL"), limits)

    def submit(self, kind: str, params: dict[str, Any], author: str = "") -> int:
        if kind not in TASKS:
            raise UserError(f"unknown job kind {kind!r}")
        owner = this_worker() if getattr(self.executor, "in_process", False) else ""
        with session_scope(self.database) as s:
            job_id = job_store.create_job(s, kind, params, author, worker=owner)
        self.executor.enqueue(job_id, self.database)
        return job_id

    def reap(self) -> list[job_store.BackgroundJob]:
        """Mark stuck jobs failed, each with the reason (see :func:`planner.store.jobs.fail_stale_jobs`)."""
        with session_scope(self.database) as s:
            marked = job_store.fail_stale_jobs(s, self.limits, worker_alive)
        for job in marked:
            log.warning("job %s (%s) marked failed: %s", job.id, job.kind, job.error)
        return marked

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


def reap() -> list[job_store.BackgroundJob]:
    """Mark the current app's stuck jobs failed."""
    return _queue().reap()
