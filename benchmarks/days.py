"""Field-visit days: is the planner fast enough, and what does a short limit cost?

Targets: a district day (25 visits, 4 workers) in under 2 s wall including
model build, serving what the best of PyVRP and VROOM serve on the same travel
matrix with travel within 1 %; a city day (100 visits, 16 workers, 4
districts) under 10 s; a province day (2,000 visits, 320 workers, 80
districts, districts in parallel processes) under 120 s.  The search always
runs to its limit, so "fast enough" means: with the limit that meets the
target, how close is the plan to a long reference run, or to the peers?

Days are random but seeded: a 15 x 15 km district (city-joint: 30 x 30 km,
four district bases; city and province: 4 and 80 district days), straight-line distance at 20 km/h, visits of 30/45/60 min,
40 % with a morning (09:00-12:00) or afternoon (14:00-16:00) window, 20 % VIP
(needs the ``vip`` skill; one worker in four has it), priorities 1-3, and the
shipped rules file's working day: shift, lunch, visit cap and the 90-min visit budget.  Usage::

    .venv/bin/python benchmarks/days.py --days 5 --limits 1.5,30
    .venv/bin/python benchmarks/days.py --compare --days 10 --limits 1.5   # vs PyVRP, VROOM
    .venv/bin/python benchmarks/days.py --kind province --days 1 --limits 1.4
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

from planner.plan.build import pilot_worker_values  # noqa: E402
from planner.routing import Job, Problem, Worker, recommended_options, validate  # noqa: E402
from planner.triage import load_rules  # noqa: E402

#: the working day of the shipped rules file (the routing core has none of its own)
PILOT = pilot_worker_values(load_rules())
from planner.routing.parallel import solve_on_all_cores  # noqa: E402


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
    workers = [Worker(f"w{i}", i % n_bases, i % n_bases, shift=PILOT["shift"], break_window=PILOT["break_window"],
                      max_jobs=PILOT["max_jobs"], skills=frozenset({"vip"}) if i % 4 == 0 else frozenset())
               for i in range(n_workers)]
    return Problem(tuple(jobs), tuple(workers), {"default": m}, visit_budget_s=PILOT["visit_budget_s"])


#: one problem: visits, workers, area (km), bases.  "city-joint" is a city's day as
#: one problem (any worker may cross into any district), to see the core at 100 visits
KINDS = {"district": (25, 4, 15.0, 1), "city-joint": (100, 16, 30.0, 4)}
#: many district days at once, in parallel processes, as ``cvp plan --district ...`` does
MANY = {"city": 4, "province": 80}


def options(search: str, problem: Problem, limit: float):
    """``recommended`` is what the planner uses; ``gls`` / ``lns`` force one search."""
    from dataclasses import replace
    opts = recommended_options(problem, limit)
    return opts if search == "recommended" else replace(opts, lns=search == "lns")


def served_key(sol) -> tuple[int, ...]:
    """Visits served per priority level, most important first (compared lexicographically)."""
    return tuple(sol.served_by_priority.get(p, 0) for p in (1, 2, 3))


def against_limits(args, limits: list[float]) -> list[dict]:
    rows = []
    for seed in range(args.days):
        for limit in limits:
            t0 = time.perf_counter()
            p = make_day(seed, *KINDS[args.kind])
            sol = solve_on_all_cores(p, options(args.search, p, limit), args.processes)
            wall = time.perf_counter() - t0
            row = {"kind": args.kind, "seed": seed, "limit": limit, "search": args.search,
                   "wall_s": round(wall, 2), "t_best": round(sol.time_to_best_s or 0, 2),
                   "served": sol.served_by_priority, "n_served": len(sol.served),
                   "travel_min": round(sol.total_travel_s / 60, 1),
                   "spread_min": round(sol.finish_spread_s / 60, 1),
                   "objective": sol.objective, "valid": validate(p, sol) == []}
            rows.append(row)
            print(json.dumps(row), flush=True)
    ref = {r["seed"]: r for r in rows if r["limit"] == limits[-1]}
    for limit in limits[:-1]:
        sub = [r for r in rows if r["limit"] == limit]
        same = sum(r["objective"] == ref[r["seed"]]["objective"] for r in sub)
        worse_prio = sum(r["served"] != ref[r["seed"]]["served"] for r in sub)
        print(f"{args.kind} limit {limit}s: wall max {max(r['wall_s'] for r in sub)} s; "
              f"equal to the {limits[-1]}s plan on {same}/{len(sub)} days; "
              f"served-by-priority differs on {worse_prio}; "
              f"travel +{sum(r['travel_min'] - ref[r['seed']]['travel_min'] for r in sub) / len(sub):.1f} min/day avg")
    return rows


def many_districts(args, limit: float) -> list[dict]:
    """A city's or a province's districts, each a district day, solved side by side."""
    from planner.routing.parallel import solve_all

    rows = []
    n = MANY[args.kind]
    for seed in range(args.days):
        t0 = time.perf_counter()
        problems = [make_day(seed * 1000 + k, *KINDS["district"]) for k in range(n)]
        sols = solve_all(problems, [options(args.search, p, limit) for p in problems], args.processes)
        wall = time.perf_counter() - t0
        row = {"kind": args.kind, "seed": seed, "districts": n, "limit": limit,
               "processes": args.processes, "wall_s": round(wall, 2),
               "visits": sum(len(p.jobs) for p in problems),
               "workers": sum(len(p.workers) for p in problems),
               "served": sum(len(s.served) for s in sols),
               "travel_min": round(sum(s.total_travel_s for s in sols) / 60, 1),
               "valid": all(validate(p, s) == [] for p, s in zip(problems, sols, strict=True))}
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def against_peers(args, limit: float) -> list[dict]:
    """The planner at ``limit`` beside VROOM (x5) and PyVRP (``--peer-limit`` s)."""
    from peers import comparable, solve_pyvrp, solve_vroom

    rows = []
    for seed in range(args.days):
        p = comparable(make_day(seed, *KINDS[args.kind]))
        t0 = time.perf_counter()
        ours = solve_on_all_cores(p, options(args.search, p, limit), args.processes)
        runs = {"planner": (ours, time.perf_counter() - t0, "")}
        runs["vroom"] = solve_vroom(p)
        runs["pyvrp"] = solve_pyvrp(p, args.peer_limit, seed)
        row = {"kind": args.kind, "seed": seed, "limit": limit, "peer_limit": args.peer_limit}
        for name, (sol, wall, note) in runs.items():
            row[name] = {"served": served_key(sol), "travel_min": round(sol.total_travel_s / 60, 1),
                         "wall_s": round(wall, 2), "valid": validate(p, sol) == [], "note": note}
        best = max(("vroom", "pyvrp"), key=lambda n: (row[n]["served"], -row[n]["travel_min"]))
        row["best_peer"] = best
        row["same_service"] = row["planner"]["served"] >= row[best]["served"]
        row["travel_vs_best_pct"] = round(100 * (row["planner"]["travel_min"] / row[best]["travel_min"] - 1), 2)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    ok = sum(r["same_service"] for r in rows)
    within = sum(r["same_service"] and r["travel_vs_best_pct"] <= 1.0 for r in rows)
    print(f"{args.kind} at {limit}s: service >= best peer on {ok}/{len(rows)} days; "
          f"and travel within 1 % on {within}/{len(rows)}; "
          f"planner wall max {max(r['planner']['wall_s'] for r in rows)} s")
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", choices=[*KINDS, *MANY], default="district")
    ap.add_argument("--processes", type=int, default=2,
                    help="cores: one search per core on a single day (as cvp plan does), "
                         "one district per core on city and province days")
    ap.add_argument("--days", type=int, default=5)
    ap.add_argument("--limits", default="1.5,30", help="comma-separated seconds; last = reference")
    ap.add_argument("--search", choices=["recommended", "gls", "lns"], default="recommended")
    ap.add_argument("--compare", action="store_true",
                    help="against PyVRP and VROOM (the bench extra) on the day without lunch and budget")
    ap.add_argument("--peer-limit", type=float, default=10.0, help="PyVRP's time limit")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    limits = [float(x) for x in args.limits.split(",")]
    if args.kind in MANY:
        rows = many_districts(args, limits[0])
    elif args.compare:
        rows = against_peers(args, limits[0])
    else:
        rows = against_limits(args, limits)
    if args.out:
        Path(args.out).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
