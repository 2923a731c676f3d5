"""Two real processes doing the same thing at the same moment, on SQLite and PostgreSQL.

A planning request, a plan being stored, an import: each is "read what is
stored, then write" and must stay correct when a second process does the same
between the read and the write (two dispatchers, a double click, a cron job).
The processes do their slow part first (imports, triage, the search) and then
wait for one signal, so the contested step starts within a millisecond in both;
each test runs a few rounds.  Also: a killed planner leaves no solver running.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, import_fixture_day

DAY, DISTRICT = "2010-08-05", "南区"
ROUNDS = 3
BOUND_S = 180  # a safety bound on any one wait, far above the expected few seconds


def run_pair(mode: str, tmp_path: Path, url: str, rounds: int = ROUNDS) -> list[list[dict]]:
    """Start two workers (tests/security/concurrent_worker.py), release them together each
    round; their results, round by round."""
    sync = tmp_path / f"sync-{mode}"
    sync.mkdir()
    env = {**os.environ, "CVP_DATABASE_URL": url}
    names = ("a", "b")
    procs = [subprocess.Popen([sys.executable, "-m", "tests.security.concurrent_worker", mode, str(sync), n,
                               str(rounds)], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True) for n in names]
    results = []
    try:
        for r in range(rounds):
            wait_for(lambda r=r: all((sync / f"ready-{r}-{n}").exists() for n in names), procs)
            (sync / f"go-{r}").touch()
            wait_for(lambda r=r: all((sync / f"done-{r}-{n}").exists() for n in names), procs)
            results.append([json.loads((sync / f"done-{r}-{n}").read_text(encoding="utf-8")) for n in names])
        for p in procs:
            assert p.wait(BOUND_S) == 0, p.stderr.read()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    return results


def wait_for(ready, procs) -> None:
    deadline = time.monotonic() + BOUND_S
    while not ready():
        for p in procs:
            if p.poll() is not None and p.returncode != 0:
                pytest.fail(f"a worker stopped: {p.stderr.read()}")
        assert time.monotonic() < deadline, "the workers did not get there in time"
        time.sleep(0.01)


def versions(url: str) -> list[int]:
    from datetime import date

    from planner.store import repository as repo
    from planner.store.db import session_scope

    with session_scope(url) as s:
        return [v for v, *_ in repo.plan_versions(s, date.fromisoformat(DAY), DISTRICT)]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_store(request, tmp_path) -> str:
    """Each store, empty."""
    if request.param == "postgresql":
        return request.getfixturevalue("fresh_postgres")
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


@pytest.fixture
def migrated_store(empty_store) -> str:
    """Each store, with its schema and no rows."""
    from planner.store.db import engine_for

    engine_for(empty_store)
    return empty_store


@pytest.fixture
def store(empty_store) -> str:
    """Each store, holding the fixture day."""
    from tests.conftest import store_at

    with store_at(empty_store):
        import_fixture_day()
    return empty_store


def test_two_plans_stored_at_once_both_kept_as_the_next_versions(store, tmp_path):
    """Two planning jobs finishing together: each plan becomes its own new version; no
    duplicate version, no failure, no lost plan."""
    results = run_pair("store", tmp_path, store)
    for r, pair in enumerate(results):
        assert not [x for x in pair if "error" in x], pair
        assert sorted(x["version"] for x in pair) == [2 * r + 1, 2 * r + 2], pair
    assert versions(store) == list(range(1, 2 * ROUNDS + 1))


@pytest.mark.slow  # plans the day once a round in a subprocess
def test_two_planning_requests_at_once_give_one_job(store, tmp_path):
    """Two requests to plan the same district and day at the same moment: one job, which
    stores one version; the other request is told the day is being planned, by which job."""
    results = run_pair("job", tmp_path, store)
    for r, pair in enumerate(results):
        accepted = [x for x in pair if "job" in x]
        refused = [x for x in pair if "busy" in x]
        assert len(accepted) == 1 and len(refused) == 1, pair
        assert accepted[0]["status"] == "done" and accepted[0]["result"]["version"] == r + 1, pair
        assert refused[0]["busy"] in (accepted[0]["job"], None), pair  # None: it had finished in between
    assert versions(store) == list(range(1, ROUNDS + 1))  # one new version per accepted request


def test_two_imports_of_the_same_new_file_at_once(migrated_store, tmp_path):
    """Both processes finish; one adds the tickets, the other finds them unchanged."""
    from sqlalchemy import func, select

    from planner.store.db import session_scope
    from planner.store.models import TicketRow

    [pair] = run_pair("import", tmp_path, migrated_store, rounds=1)
    assert not [x for x in pair if "error" in x], pair
    with session_scope(migrated_store) as s:
        n = s.scalar(select(func.count(TicketRow.id)))
    assert n > 0
    adder, finder = sorted(pair, key=lambda x: x["added"], reverse=True)
    assert (adder["added"], adder["unchanged"]) == (n, 0), pair
    assert (finder["added"], finder["updated"], finder["unchanged"]) == (0, 0, n), pair


def test_two_processes_opening_a_new_store_at_once(empty_store, tmp_path):
    """The first use of a store creates its schema: two processes at once (two imports,
    two server workers) both get the current schema, neither fails on the other's tables."""
    from planner.store.db import head_revision

    [pair] = run_pair("open", tmp_path, empty_store, rounds=1)
    assert pair == [{"revision": head_revision()}] * 2


# -- a killed planner leaves no solver running ------------------------------------------

def descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid`` (from /proc): pid → its start time (to tell a reused pid)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = {}, [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if (started := start_time(child)) is not None:
                found[child] = started
                todo.append(child)
    return found


def start_time(pid: int) -> str | None:
    """The process's start time, or None when it is gone or a zombie (it no longer runs)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return None if fields[0] in ("Z", "X") else fields[19]


def running(procs: dict[int, str]) -> list[int]:
    return [pid for pid, started in procs.items() if start_time(pid) == started]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
@pytest.mark.skipif(len(getattr(os, "sched_getaffinity", lambda _: [])(0)) < 2,
                    reason="one core: cvp plan searches in this process, with no workers to orphan")
def test_killing_cvp_plan_leaves_no_solver_running(tmp_path):
    """``kill -9`` of ``cvp plan`` while it searches on every core: its fork server and
    its solver workers are gone within seconds, not at the end of the time limit."""
    import_fixture_day()
    planner = subprocess.Popen([sys.executable, "-c", "import sys; from planner.cli import main; sys.exit(main())",
                                "plan", "--date", DAY, "--district", DISTRICT, "--time-limit", "600",
                                "--out", str(tmp_path / "out"), "--no-outputs"],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + BOUND_S
        while len(below := descendants(planner.pid)) < 4:  # resource tracker, fork server, two workers
            assert planner.poll() is None, planner.stderr.read()
            assert time.monotonic() < deadline, f"no solver workers started: {below}"
            time.sleep(0.2)
        time.sleep(0.5)  # the workers are searching
        below = descendants(planner.pid)
        assert len(running(below)) >= 4
    finally:
        planner.send_signal(signal.SIGKILL)
        planner.wait()
    deadline = time.monotonic() + 10
    while running(below) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = running(below)
    for pid in left:  # do not leave them to the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert not left, f"still running 10 s after the planner was killed: {left}"
