"""The jobs table: background work (planning a day) queued, running, done or failed.

Only table access lives here; who runs a job (a thread in the web process, or
later an RQ/Celery worker) is :mod:`web.jobs`'s business.  A job names the
process responsible for it (``worker``, "host:pid") and, while it runs, that
process's last sign of life (``heartbeat_at``), so :func:`fail_stale_jobs` can
tell a stuck job (its process died, or stopped answering, or it ran far too
long) from a slow one and mark it failed, saying why.

A planning job holds its district's day (``lock_key``): the database lets one
queued or running job hold a key (a partial unique index), so "one planning job
per district and day" is decided by the insert itself, not by a look before it
that a second request can pass at the same moment (:func:`create_job`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planner.errors import UserError
from planner.store.db import changed_rows
from planner.store.locks import plan_lock
from planner.store.models import JobRow

STATUSES = ("queued", "running", "done", "failed")
ACTIVE = ("queued", "running")  # as the partial index in planner.store.models.ACTIVE_JOB


@dataclass(frozen=True)
class BackgroundJob:
    """A background job as stored: its kind, parameters, status and result (not the routing
    core's ``Job``, a visit to serve)."""

    id: int
    kind: str
    params: dict[str, Any]
    status: str
    result: dict[str, Any] | None
    error: str | None
    author: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    worker: str = ""
    heartbeat_at: datetime | None = None
    lock_key: str | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def to_dict(self) -> dict[str, Any]:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {"id": self.id, "kind": self.kind, "status": self.status, "params": self.params,
                "result": self.result, "error": self.error, "author": self.author,
                "created_at": iso(self.created_at), "started_at": iso(self.started_at),
                "finished_at": iso(self.finished_at)}


def _job(r: JobRow) -> BackgroundJob:
    return BackgroundJob(r.id, r.kind, dict(r.params or {}), r.status, r.result, r.error, r.author, r.created_at,
               r.started_at, r.finished_at, r.worker or "", r.heartbeat_at, r.lock_key)


class JobBusy(UserError):
    """Another queued or running job holds the same ``lock_key``."""

    def __init__(self, job: BackgroundJob | None, key: str):
        self.job, self.key = job, key
        what = f"job {job.id} ({job.kind}, {job.status})" if job else "another job"
        super().__init__(f"{what} is already doing {key}; wait for it to finish")


PLANNING_KINDS = ("plan_day", "replan")  # jobs that make a new plan version of their params' district and day


def lock_key_of(kind: str, params: dict[str, Any]) -> str | None:
    """What a job works on that must not be worked on twice at once: a planning job
    holds its district's day (one new version at a time); other jobs hold nothing."""
    if kind in PLANNING_KINDS and params.get("day") and params.get("district"):
        return plan_lock(params["day"], params["district"])
    return None


def create_job(session: Session, kind: str, params: dict[str, Any], author: str = "", worker: str = "") -> int:
    """A queued job; ``worker`` is the process that will run it when that is known at once
    (a thread pool in the submitting process), else empty (an external queue holds it).

    A job with a lock key (:func:`lock_key_of`) is created only if no queued or
    running job holds the same key, enforced by the partial unique index
    ``uq_jobs_active_lock_key``: of two requests at the same moment, from any
    process, exactly one gets a job and the other :class:`JobBusy` naming it.  The
    insert runs in a savepoint, so the caller's transaction stays usable either way.
    """
    lock_key = lock_key_of(kind, params)
    row = JobRow(kind=kind, params=params, status="queued", author=author, created_at=datetime.now(timezone.utc),
                 worker=worker, lock_key=lock_key)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        if lock_key is None:
            raise
        raise JobBusy(active_job(session, lock_key), lock_key) from None
    return row.id


def active_job(session: Session, lock_key: str) -> BackgroundJob | None:
    """The queued or running job holding ``lock_key`` (None: none, e.g. it just finished)."""
    row = session.scalars(select(JobRow).where(JobRow.lock_key == lock_key, JobRow.status.in_(ACTIVE))
                          .limit(1)).first()
    return _job(row) if row else None


def claim_job(session: Session, job_id: int, worker: str = "") -> BackgroundJob | None:
    """queued → running, atomically, by ``worker``: None when the job is gone or someone else took it."""
    now = datetime.now(timezone.utc)
    done = changed_rows(session, update(JobRow).where(JobRow.id == job_id, JobRow.status == "queued")
                           .values(status="running", started_at=now, heartbeat_at=now, worker=worker))
    if done != 1:
        return None
    return _job(session.get_one(JobRow, job_id))


def beat(session: Session, job_id: int, worker: str) -> bool:
    """The worker still runs the job (False: the job is no longer running, or not its own)."""
    done = changed_rows(session, update(JobRow).where(JobRow.id == job_id, JobRow.status == "running",
                                                JobRow.worker == worker)
                           .values(heartbeat_at=datetime.now(timezone.utc)))
    return done == 1


def finish_job(session: Session, job_id: int, result: dict[str, Any]) -> None:
    session.execute(update(JobRow).where(JobRow.id == job_id)
                    .values(status="done", result=result, finished_at=datetime.now(timezone.utc)))


def fail_job(session: Session, job_id: int, error: str) -> None:
    session.execute(update(JobRow).where(JobRow.id == job_id)
                    .values(status="failed", error=error, finished_at=datetime.now(timezone.utc)))


def get_job(session: Session, job_id: int) -> BackgroundJob | None:
    row = session.get(JobRow, job_id)
    return _job(row) if row else None


def recent_jobs(session: Session, *, kind: str | None = None, limit: int = 20) -> list[BackgroundJob]:
    q = select(JobRow)
    if kind:
        q = q.where(JobRow.kind == kind)
    return [_job(r) for r in session.scalars(q.order_by(JobRow.id.desc()).limit(limit))]


def active_jobs(session: Session, kinds: tuple[str, ...] | None = None) -> list[BackgroundJob]:
    q = select(JobRow).where(JobRow.status.in_(ACTIVE))
    if kinds:
        q = q.where(JobRow.kind.in_(kinds))
    return [_job(r) for r in session.scalars(q.order_by(JobRow.id))]


@dataclass(frozen=True)
class Limits:
    """When an unfinished job counts as stuck (seconds)."""

    max_runtime_s: float = 600.0   # running longer than this: stopped
    stale_after_s: float = 120.0   # no heartbeat for this long: its worker stopped answering
    max_queued_s: float = 900.0    # never picked up for this long


def _why_stuck(job: BackgroundJob, now: datetime, limits: Limits, alive: Callable[[str], bool | None]) -> str | None:
    again = "; plan again"
    if job.worker and alive(job.worker) is False:
        if job.status == "running":
            return f"the server process running this job ({job.worker}) stopped before it finished{again}"
        return f"the server process that was to run this job ({job.worker}) stopped before it started{again}"
    if job.status == "queued":
        if now - job.created_at > timedelta(seconds=limits.max_queued_s):
            return f"never started: queued for more than {limits.max_queued_s:g} s{again}"
        return None
    if job.started_at and now - job.started_at > timedelta(seconds=limits.max_runtime_s):
        return f"stopped: it ran for more than {limits.max_runtime_s:g} s (the limit for a job){again}"
    last = job.heartbeat_at or job.started_at
    if last and now - last > timedelta(seconds=limits.stale_after_s):
        return (f"its worker ({job.worker or 'unknown'}) stopped answering: no sign of life since "
                f"{last.isoformat(timespec='seconds')}{again}")
    return None


def fail_stale_jobs(session: Session, limits: Limits, alive: Callable[[str], bool | None],
                    now: datetime | None = None) -> list[BackgroundJob]:
    """Mark every stuck job failed with the reason; the jobs marked.

    ``alive(worker)`` says whether the process named "host:pid" still exists: True,
    False, or None when it cannot tell (another host); then only the heartbeat and the
    time limits decide.  A job is marked only if it is still in the state it was read
    in, so a job finishing at the same moment keeps its result.
    """
    now = now or datetime.now(timezone.utc)
    marked = []
    for job in active_jobs(session):
        why = _why_stuck(job, now, limits, alive)
        if why is None:
            continue
        done = changed_rows(session, update(JobRow).where(JobRow.id == job.id, JobRow.status == job.status)
                               .values(status="failed", error=why, finished_at=now))
        if done == 1:
            marked.append(job.id)
    return [_job(session.get_one(JobRow, i)) for i in marked]
