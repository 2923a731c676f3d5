"""Small hand-made days for the routing tests (times in seconds)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from planner.plan.build import pilot_worker_values
from planner.routing import Job, Problem, SolveOptions, Worker, solve, validate
from planner.triage import load_rules

H = 3600
M = 60
#: the shipped rules' working day as core values: the core has none of its own
PILOT = pilot_worker_values(load_rules())
SHIFT = PILOT["shift"]        # 09:00-17:30
LUNCH = PILOT["break_window"]  # 60 minutes starting 11:30-13:00


def hm(h: int, m: int = 0) -> int:
    return h * H + m * M


def line_matrix(positions_min: list[float]) -> list[list[int]]:
    """Locations on a line; travel time = distance in minutes."""
    return [[int(abs(a - b) * M) for b in positions_min] for a in positions_min]


#: the Solomon VRPTW files, beside the clone (as in CI) or where CVP_SOLOMON_DIR says
SOLOMON = Path(__file__).resolve().parents[3] / "shared" / "bench" / "solomon"
if not SOLOMON.is_dir():
    SOLOMON = Path(os.environ.get("CVP_SOLOMON_DIR", SOLOMON))
needs_data = pytest.mark.skipif(not SOLOMON.is_dir(), reason="shared/bench/solomon not present")

#: deterministic: stops on a solution count, never on the clock
DET = SolveOptions(time_limit_s=60, solution_limit=2000, seed=0)


def solve_checked(problem: Problem, opts: SolveOptions = DET):
    """Solve and assert the independent validator finds nothing wrong."""
    sol = solve(problem, opts)
    errs = validate(problem, sol)
    assert errs == [], errs
    assert not [w for w in sol.warnings if w.startswith("internal")], sol.warnings
    return sol


def random_day(seed: int, n_jobs: int = 12, n_workers: int = 3, budget: int | None = 5400) -> Problem:
    """A seeded day in a 15 x 15 km district: windows, VIP skills, priorities, lunch."""
    rnd = random.Random(seed)
    pts = [(7.5, 7.5)] + [(rnd.uniform(0, 15), rnd.uniform(0, 15)) for _ in range(n_jobs)]
    speed = 20 / 3.6  # 20 km/h in m/s
    m = [[int(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 * 1000 / speed) for b in pts]
         for a in pts]
    jobs = []
    for k in range(n_jobs):
        r = rnd.random()
        tw = (9 * 3600, 12 * 3600) if r < 0.2 else (14 * 3600, 16 * 3600) if r < 0.4 else None
        skills = frozenset({"vip"}) if rnd.random() < 0.2 else frozenset()
        jobs.append(Job(f"v{k}", k + 1, rnd.choice([30, 45, 60]) * 60, tw, rnd.choice([1, 2, 3]),
                        skills))
    workers = [Worker(f"w{i}", 0, 0, shift=SHIFT, break_window=LUNCH, max_jobs=PILOT["max_jobs"],
                      skills=frozenset({"vip"}) if i == 0 else frozenset())
               for i in range(n_workers)]
    return Problem(tuple(jobs), tuple(workers), {"default": m}, visit_budget_s=budget)
