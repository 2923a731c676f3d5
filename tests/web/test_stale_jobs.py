"""Stuck jobs: a job whose server process died, whose worker stopped answering, that ran
far too long or was never picked up is marked failed with the reason, and the
dispatcher can plan the day again.  A real store and real processes throughout."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from planner.store import jobs as job_store
from planner.store.db import database_url, session_scope
from planner.store.models import JobRow
from tests.conftest import ROOT
from tests.web.conftest import DAY, DISTRICT, text_of
from web import jobs
from web.jobs import InlineExecutor, JobQueue, this_worker

HANG = """
import sys, threading
from web import jobs
jobs.TASKS["hang"] = lambda params, db: threading.Event().wait()
jobs.run_job(int(sys.argv[1]), sys.argv[2])
"""


def dead_worker() -> str:
    """The name of a process on this host that has exited."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    return f"{socket.gethostname()}:{done.stdout.strip()}"


def new_job(kind: str = "plan_day", params: dict | None = None, worker: str = "") -> int:
    with session_scope() as s:
        return job_store.create_job(s, kind, params or {"day": DAY.isoformat(), "district": DISTRICT}, "disp",
                                    worker=worker)


def other_district(n: int) -> dict:
    """Params of a planning job of another district (one active planning job per district and day)."""
    return {"day": DAY.isoformat(), "district": f"{DISTRICT}-{n}"}


def claim(job_id: int, worker: str) -> None:
    with session_scope() as s:
        assert job_store.claim_job(s, job_id, worker) is not None


def age(job_id: int, **seconds_ago: float) -> None:
    """Move the job's times into the past (created_at, started_at, heartbeat_at)."""
    now = datetime.now(timezone.utc)
    with session_scope() as s:
        s.execute(update(JobRow).where(JobRow.id == job_id)
                  .values({k: now - timedelta(seconds=v) for k, v in seconds_ago.items()}))


def job(job_id: int) -> job_store.BackgroundJob:
    with session_scope() as s:
        return job_store.get_job(s, job_id)


def wait_for(predicate, what: str, within_s: float = 120):
    deadline = time.monotonic() + within_s
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)


def test_a_job_whose_server_process_was_killed_is_marked_failed():
    url = database_url()
    job_id = new_job("hang")
    proc = subprocess.Popen([sys.executable, "-c", HANG, str(job_id), url], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        wait_for(lambda: job(job_id).status == "running", "the other process to start the job")
        running = job(job_id)
        assert running.worker == f"{socket.gethostname()}:{proc.pid}"
        queue = JobQueue(InlineExecutor(), url)
        assert queue.reap() == [] and job(job_id).status == "running"  # alive: left alone
    finally:
        proc.kill()
        proc.wait()
    [marked] = JobQueue(InlineExecutor(), url).reap()
    assert marked.id == job_id and marked.status == "failed" and marked.finished_at is not None
    assert marked.error == (f"the server process running this job ({running.worker}) stopped before it finished; "
                            "plan again")


def test_a_worker_on_another_host_that_stopped_answering():
    limits = job_store.Limits(stale_after_s=120)
    silent, fresh = new_job(), new_job(params=other_district(1))
    claim(silent, "worker-7.example:4242")
    claim(fresh, "worker-8.example:4242")
    age(silent, heartbeat_at=300)
    age(fresh, heartbeat_at=30)
    with session_scope() as s:
        [marked] = job_store.fail_stale_jobs(s, limits, jobs.worker_alive)
    assert marked.id == silent and "(worker-7.example:4242) stopped answering: no sign of life since" in marked.error
    assert job(fresh).status == "running"


def test_a_job_running_longer_than_the_limit_is_stopped():
    job_id = new_job()
    claim(job_id, this_worker())  # this very process: alive, heartbeat fresh
    age(job_id, started_at=700)
    [marked] = JobQueue(InlineExecutor(), limits=job_store.Limits(max_runtime_s=600)).reap()
    assert marked.id == job_id and marked.error == "stopped: it ran for more than 600 s (the limit for a job); plan again"


def test_queued_jobs_that_will_never_start():
    waiting_long = new_job()  # held by an external queue (no worker) for too long
    age(waiting_long, created_at=1000)
    orphan = new_job(params=other_district(1), worker=dead_worker())  # its server's thread pool died with it
    waiting = new_job(params=other_district(2), worker=this_worker())
    marked = {j.id: j.error for j in JobQueue(InlineExecutor(), limits=job_store.Limits(max_queued_s=900)).reap()}
    assert marked[waiting_long] == "never started: queued for more than 900 s; plan again"
    assert "stopped before it started; plan again" in marked[orphan]
    assert waiting not in marked and job(waiting).status == "queued"


def test_a_finished_job_is_never_marked():
    job_id = new_job()
    claim(job_id, dead_worker())
    with session_scope() as s:
        job_store.finish_job(s, job_id, {"version": 1})
    assert JobQueue(InlineExecutor()).reap() == [] and job(job_id).status == "done"


def test_the_heartbeat_moves_while_the_job_runs(monkeypatch):
    seen = threading.Event()
    monkeypatch.setitem(jobs.TASKS, "watch", lambda params, db: {"beat": seen.wait(120)})
    job_id = new_job("watch")
    runner = threading.Thread(target=jobs.run_job, args=(job_id, None, 0.05))
    runner.start()
    try:
        wait_for(lambda: job(job_id).status == "running", "the job to start")
        first = job(job_id).heartbeat_at
        wait_for(lambda: job(job_id).heartbeat_at > first, "a heartbeat")
    finally:
        seen.set()
        runner.join()
    assert job(job_id).status == "done" and job(job_id).result == {"beat": True}


def test_the_stale_limit_must_leave_room_for_heartbeats():
    with pytest.raises(ValueError, match="JOB_STALE_AFTER_S"):
        JobQueue.from_config({"JOB_EXECUTOR": "inline", "JOB_STALE_AFTER_S": 5})


@pytest.mark.usefixtures("seeded")
def test_one_planning_job_a_day_and_a_dead_servers_job_does_not_block_planning(client_for):
    c = client_for("disp")
    busy = new_job(worker=this_worker())  # queued in this live process: really in progress
    r = c.post(f"/dispatch/{DAY}/plan")
    assert r.headers["Location"] == f"/dispatch/jobs/{busy}"
    assert f"当天正在规划中（任务 {busy}）" in text_of(c.get(r.headers["Location"]))
    with session_scope() as s:
        assert [j.id for j in job_store.recent_jobs(s)] == [busy]  # no second job
    # the server that held it dies: the job says so, and planning works again
    with session_scope() as s:
        s.execute(update(JobRow).where(JobRow.id == busy).values(worker=dead_worker()))
    page = c.get(f"/dispatch/jobs/{busy}").get_data(as_text=True)
    assert "stopped before it started; plan again" in page and 'class="progress failed"' in page
    r = c.post(f"/dispatch/{DAY}/plan")
    new_id = int(re.search(r"/dispatch/jobs/(\d+)", r.headers["Location"]).group(1))
    assert new_id != busy and c.get(f"/api/jobs/{new_id}").get_json()["status"] == "done"
    assert c.get(f"/api/jobs/{busy}").get_json()["status"] == "failed"


@pytest.mark.usefixtures("seeded")
def test_the_api_answers_409_while_the_day_is_being_planned(app):
    from planner.store import accounts
    from tests.web.test_api import check

    with session_scope() as s:
        token = accounts.issue_token(s, "disp")
    busy = new_job(worker=this_worker())
    http = app.test_client()
    r = check(http.post(f"/api/days/{DAY}/plans", json={}, headers={"Authorization": f"Bearer {token}"}), "POST")
    assert r.status_code == 409 and r.headers["Location"] == f"/api/jobs/{busy}"
    assert f"(job {busy})" in r.get_json()["error"]["message"]
