"""Reproducibility, and random realistic days run through the validator."""

import random

import pytest
from routing_helpers import DET, solve_checked

from planner.routing import BreakSpec, Job, Problem, SolveOptions, Worker


def random_day(seed: int, n_jobs: int = 12, n_workers: int = 3, budget: int | None = 5400):
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
    workers = [Worker(f"w{i}", 0, 0, break_window=BreakSpec.default_lunch(),
                      skills=frozenset({"vip"}) if i == 0 else frozenset())
               for i in range(n_workers)]
    return Problem(tuple(jobs), tuple(workers), {"default": m}, visit_budget_s=budget)


def _fingerprint(sol):
    return ([(r.worker_id, [(s.kind, s.job_id, s.start) for s in r.steps]) for r in sol.routes],
            sol.unassigned, sol.objective)


def test_same_seed_and_solution_limit_give_the_same_plan():
    p = random_day(3)
    assert _fingerprint(solve_checked(p)) == _fingerprint(solve_checked(p))


def test_seed_permutes_but_stays_valid():
    p = random_day(3)
    opts = SolveOptions(time_limit_s=60, solution_limit=2000, seed=7)
    a, b = solve_checked(p, opts), solve_checked(p, opts)
    assert _fingerprint(a) == _fingerprint(b)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("budget", [5400, 3600, None])
def test_random_days_are_valid(seed, budget):
    sol = solve_checked(random_day(seed, budget=budget), DET)
    assert sol.served  # something is always plannable on these days


def test_ruin_and_recreate_is_deterministic_and_valid():
    p = random_day(5, n_jobs=14, n_workers=3)
    opts = SolveOptions(time_limit_s=60, solution_limit=300, lns=True, lns_iterations=8)
    a, b = solve_checked(p, opts), solve_checked(p, opts)
    assert _fingerprint(a) == _fingerprint(b)
    plain = solve_checked(p, SolveOptions(time_limit_s=60, solution_limit=300))
    assert a.objective <= plain.objective  # it starts from the plain result
