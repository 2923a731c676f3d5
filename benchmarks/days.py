"""Field-visit days: is the planner fast enough, and what does a short limit cost?

Targets (issue): a district day (25 visits, 4 workers) in under 2 s wall
including model build; a city day (100 visits, 16 workers) under 10 s.
GLS always runs to its limit, so "fast enough" means: with the limit that
meets the target, how close is the plan to a long reference run?

Days are random but seeded: a 15 x 15 km district (city: 30 x 30 km, four
district bases), straight-line distance at 20 km/h, visits of 30/45/60 min,
40 % with a morning (09:00-12:00) or afternoon (14:00-16:00) window, 20 % VIP
(needs the ``vip`` skill; one worker in four has it), priorities 1-3, the
default lunch and the 90-min visit budget.  Usage::

    .venv/bin/python benchmarks/days.py --days 5 --limits 1.5,30
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.routing import BreakSpec, Job, Problem, SolveOptions, Worker, solve, validate  # noqa


def make_day(seed: int, n_jobs: int, n_workers: int, size_km: float, n_bases: int) -> Problem:
    rnd = random.Random(seed)
    bases = [(size_km * (0.25 + 0.5 * (b % 2)), size_km * (0.25 + 0.5 * (b // 2 % 2)))
             if n_bases > 1 else (size_km / 2, size_km / 2) for b in range(n_bases)]
    pts = bases + [(rnd.uniform(0, size_km), rnd.uniform(0, size_km)) for _ in range(n_jobs)]
    speed = 20 / 3.6
    m = [[int(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 * 1000 / speed) for b in pts]
         for a in pts]
    jobs = []
    for k in range(n_jobs):
        r = rnd.random()
        tw = (9 * 3600, 12 * 3600) if r < 0.2 else (14 * 3600, 16 * 3600) if r < 0.4 else None
        vip = rnd.random() < 0.2
        jobs.append(Job(f"v{k}", n_bases + k, rnd.choice([30, 45, 60]) * 60, tw,
                        1 if vip else rnd.choice([1, 2, 3]),
                        frozenset({"vip"}) if vip else frozenset()))
    workers = [Worker(f"w{i}", i % n_bases, i % n_bases, break_window=BreakSpec.default_lunch(),
                      skills=frozenset({"vip"}) if i % 4 == 0 else frozenset())
               for i in range(n_workers)]
    return Problem(tuple(jobs), tuple(workers), {"default": m}, visit_budget_s=90 * 60)


KINDS = {"district": (25, 4, 15.0, 1), "city": (100, 16, 30.0, 4)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", choices=list(KINDS), default="district")
    ap.add_argument("--days", type=int, default=5)
    ap.add_argument("--limits", default="1.5,30", help="comma-separated seconds; last = reference")
    ap.add_argument("--lns", action="store_true", help="GLS warm-up + ruin-and-recreate")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    limits = [float(x) for x in args.limits.split(",")]
    rows = []
    for seed in range(args.days):
        for limit in limits:
            t0 = time.perf_counter()
            p = make_day(seed, *KINDS[args.kind])
            sol = solve(p, SolveOptions(time_limit_s=limit, lns=args.lns))
            wall = time.perf_counter() - t0
            row = {"kind": args.kind, "seed": seed, "limit": limit, "lns": args.lns,
                   "wall_s": round(wall, 2), "t_best": round(sol.time_to_best_s or 0, 2),
                   "served": sol.served_by_priority, "n_served": len(sol.served),
                   "travel_min": round(sol.total_travel_s / 60, 1),
                   "spread_min": round(sol.finish_spread_s / 60, 1),
                   "objective": sol.objective, "valid": validate(p, sol) == []}
            rows.append(row)
            print(json.dumps(row), flush=True)
    if args.out:
        Path(args.out).write_text("".join(json.dumps(r) + "\n" for r in rows))
    ref = {r["seed"]: r for r in rows if r["limit"] == limits[-1]}
    for limit in limits[:-1]:
        sub = [r for r in rows if r["limit"] == limit]
        same = sum(r["objective"] == ref[r["seed"]]["objective"] for r in sub)
        worse_prio = sum(r["served"] != ref[r["seed"]]["served"] for r in sub)
        print(f"{args.kind} limit {limit}s: wall max {max(r['wall_s'] for r in sub)} s; "
              f"equal to the {limits[-1]}s plan on {same}/{len(sub)} days; "
              f"served-by-priority differs on {worse_prio}; "
              f"travel +{sum(r['travel_min'] - ref[r['seed']]['travel_min'] for r in sub) / len(sub):.1f} min/day avg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
