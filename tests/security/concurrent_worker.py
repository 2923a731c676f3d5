"""One of two processes doing the same thing at the same moment (tests/security/test_concurrency.py).

    python -m tests.security.concurrent_worker MODE SYNC_DIR NAME ROUNDS

Each round: say ``ready-R-NAME``, wait for ``go-R``, act, write ``done-R-NAME`` (JSON).
Everything slow (imports, triage, the search) happens before "ready", so the two
processes reach the contested step within a millisecond of each other.
MODE: ``store`` (store a planned day as a new version, as a planning job does),
``job`` (request a planning job, run inline), ``import`` (import the fixture tickets),
``open`` (open a store for the first time: it is migrated).
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date
from pathlib import Path

from tests.store_calls import in_store

DAY, DISTRICT = date(2010, 8, 5), "南区"
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "xian-south-2010-08-05"
SOLVER = {"time_limit_s": 5.0, "seed": 1, "solution_limit": 1}


def actions(mode: str, name: str):
    """The action of one round (a function of nothing returning a JSON-able result)."""
    if mode == "store":
        from planner.plan.day import SolverSettings, prepare_day, store_plan
        from planner.routing import solve
        from planner.triage import load_rules

        rules, solver = load_rules(), SolverSettings(**SOLVER)
        prepared = in_store(prepare_day, DAY, DISTRICT, rules=rules)
        solution = solve(prepared.model.problem, solver.options(prepared.model.problem))
        return lambda: {"version": in_store(store_plan, prepared, solution, solver=solver, author=name, rules=rules)["version"]}
    if mode == "job":
        from planner.store.jobs import JobBusy
        from web.jobs import InlineExecutor, JobQueue

        queue = JobQueue(InlineExecutor(), os.environ["CVP_DATABASE_URL"])
        params = {"day": DAY.isoformat(), "district": DISTRICT, "solver": SOLVER, "author": name}

        def request() -> dict:
            try:
                job_id = queue.submit("plan_day", params, author=name)
            except JobBusy as busy:
                return {"busy": busy.job.id if busy.job else None}
            status = queue.status(job_id)
            return {"job": job_id, "status": status["status"], "result": status["result"], "error": status["error"]}

        from web import tasks  # noqa: F401  (loaded before the race, as in a running server)
        return request
    if mode == "import":
        from planner.triage import load_rules
        from planner.workflow import import_file

        rules = load_rules()

        def run() -> dict:
            r = in_store(import_file, FIXTURE / "tickets.csv", gazetteer=FIXTURE / "gazetteer.csv", rules=rules).report
            return {"added": len(r.added), "updated": len(r.updated), "unchanged": len(r.unchanged)}
        return run
    if mode == "open":
        from planner.store.db import engine_for, head_revision

        return lambda: {"revision": (engine_for(os.environ["CVP_DATABASE_URL"]), head_revision())[1]}
    raise SystemExit(f"unknown mode {mode}")


def main(mode: str, sync: str, name: str, rounds: str) -> None:
    folder = Path(sync)
    act = actions(mode, name)
    for r in range(int(rounds)):
        (folder / f"ready-{r}-{name}").touch()
        while not (folder / f"go-{r}").exists():
            time.sleep(0.0005)
        try:
            out = act()
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
            out = {"error": f"{type(exc).__name__}: {exc}"}
        (folder / f"done-{r}-{name}.tmp").write_text(json.dumps(out), encoding="utf-8")
        os.replace(folder / f"done-{r}-{name}.tmp", folder / f"done-{r}-{name}")


if __name__ == "__main__":
    main(*sys.argv[1:])
