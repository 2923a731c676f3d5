"""The job interface: submit → status, run by an inline or a threaded executor; errors
the user can fix are reported, bugs are hidden behind "internal error"."""

from __future__ import annotations

import threading

import pytest

from planner.errors import UserError
from web import jobs
from web.jobs import InlineExecutor, JobQueue, ThreadExecutor

RELEASE = threading.Event()


@pytest.fixture
def kinds(monkeypatch):
    monkeypatch.setitem(jobs.TASKS, "echo", lambda params, db: {"echo": params["x"]})

    def slow(params, db):
        assert RELEASE.wait(60), "the test never released the job"
        return {"slept": True}

    def user_error(params, db):
        raise UserError("nothing to plan")

    def bug(params, db):
        raise KeyError("secret internals")

    monkeypatch.setitem(jobs.TASKS, "slow", slow)
    monkeypatch.setitem(jobs.TASKS, "user_error", user_error)
    monkeypatch.setitem(jobs.TASKS, "bug", bug)


def test_inline(kinds):
    q = JobQueue(InlineExecutor())
    job_id = q.submit("echo", {"x": 5}, author="disp")
    s = q.status(job_id)
    assert (s["status"], s["result"], s["author"]) == ("done", {"echo": 5}, "disp")
    assert s["started_at"] <= s["finished_at"]


def test_a_thread_returns_before_the_job_is_done(kinds):
    RELEASE.clear()
    ex = ThreadExecutor(1)
    q = JobQueue(ex)
    job_id = q.submit("slow", {})  # returns while the job waits to be released
    assert q.status(job_id)["status"] in ("queued", "running")
    RELEASE.set()
    ex.shutdown(wait=True)
    assert q.status(job_id)["status"] == "done"


def test_errors(kinds):
    q = JobQueue(InlineExecutor())
    assert q.status(q.submit("user_error", {}))["error"] == "nothing to plan"
    s = q.status(q.submit("bug", {}))
    assert s["status"] == "failed" and "internal error" in s["error"] and "secret" not in s["error"]
    with pytest.raises(UserError):
        q.submit("no-such-kind", {})
    assert q.status(424242) is None


def test_a_job_runs_once(kinds):
    q = JobQueue(InlineExecutor())
    job_id = q.submit("echo", {"x": 1})
    jobs.run_job(job_id)  # a second worker picking the same id does nothing
    assert q.status(job_id)["result"] == {"echo": 1}


def test_the_executor_is_chosen_by_configuration():
    assert isinstance(JobQueue.from_config({"JOB_EXECUTOR": "inline"}).executor, InlineExecutor)
    assert isinstance(JobQueue.from_config({}).executor, ThreadExecutor)
    with pytest.raises(ValueError):
        JobQueue.from_config({"JOB_EXECUTOR": "celery"})
