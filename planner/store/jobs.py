"""The jobs table: background work (planning a day) queued, running, done or failed.

Only table access lives here; who runs a job (a thread in the web process, or
later an RQ/Celery worker) is :mod:`web.jobs`'s business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from planner.store.models import JobRow

STATUSES = ("queued", "running", "done", "failed")


@dataclass(frozen=True)
class Job:
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

    def to_dict(self) -> dict[str, Any]:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {"id": self.id, "kind": self.kind, "status": self.status, "params": self.params,
                "result": self.result, "error": self.error, "author": self.author,
                "created_at": iso(self.created_at), "started_at": iso(self.started_at),
                "finished_at": iso(self.finished_at)}


def _job(r: JobRow) -> Job:
    return Job(r.id, r.kind, dict(r.params or {}), r.status, r.result, r.error, r.author, r.created_at,
               r.started_at, r.finished_at)


def create_job(session: Session, kind: str, params: dict[str, Any], author: str = "") -> int:
    row = JobRow(kind=kind, params=params, status="queued", author=author, created_at=datetime.now(timezone.utc))
    session.add(row)
    session.flush()
    return row.id


def claim_job(session: Session, job_id: int) -> Job | None:
    """queued → running, atomically: None when the job is gone or someone else took it."""
    done = session.execute(update(JobRow).where(JobRow.id == job_id, JobRow.status == "queued")
                           .values(status="running", started_at=datetime.now(timezone.utc)))
    if done.rowcount != 1:
        return None
    return _job(session.get(JobRow, job_id))


def finish_job(session: Session, job_id: int, result: dict[str, Any]) -> None:
    session.execute(update(JobRow).where(JobRow.id == job_id)
                    .values(status="done", result=result, finished_at=datetime.now(timezone.utc)))


def fail_job(session: Session, job_id: int, error: str) -> None:
    session.execute(update(JobRow).where(JobRow.id == job_id)
                    .values(status="failed", error=error, finished_at=datetime.now(timezone.utc)))


def get_job(session: Session, job_id: int) -> Job | None:
    row = session.get(JobRow, job_id)
    return _job(row) if row else None


def recent_jobs(session: Session, *, kind: str | None = None, limit: int = 20) -> list[Job]:
    q = select(JobRow)
    if kind:
        q = q.where(JobRow.kind == kind)
    return [_job(r) for r in session.scalars(q.order_by(JobRow.id.desc()).limit(limit))]
