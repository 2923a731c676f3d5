"""Solomon VRPTW benchmark: the planner's OR-Tools core beside PyVRP and VROOM.

A benchmark, not a test: it measures, on this machine, with wall-clock limits.
Every solver here is single-threaded: ``--jobs 2`` runs two at a time, one per
core of a 2-core machine, and is only fair when nothing else runs.  Usage::

    .venv/bin/python benchmarks/solomon.py --time-limit 30                 # all 56
    .venv/bin/python benchmarks/solomon.py --time-limit 30 --solvers ortools --jobs 2
    .venv/bin/python benchmarks/solomon.py C101 R101 --time-limit 10 --solvers ortools

Every solver gets the DIMACS convention (floor(10 * euclid), travel time =
distance, windows bound the start of service); distances are recomputed from
the returned routes with the planner's own ``route_distance`` and each route
set is checked for feasibility by the planner's validator.  PyVRP and VROOM
columns appear only when ``pyvrp`` / ``vroom`` (pyvroom) import (the ``bench``
extra).  Results append to ``benchmarks/results/<tag>.jsonl``; ``--table``
prints the markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.routing import Solution, validate  # noqa: E402
from planner.routing.bench import run_vrptw  # noqa: E402
from planner.routing.schedule import schedule_route  # noqa: E402
from planner.routing.vrplib import SCALE, dimacs_matrix, read_instance, read_solution, route_distance, to_problem  # noqa: E402

DATA = next((p for p in (ROOT.parent / "shared" / "bench" / "solomon",
                         Path("/work/shared/bench/solomon")) if p.is_dir()), None)


def feasible(path: Path, routes: list[list[int]]) -> bool:
    """Independent check of a route set under the DIMACS rules (via the validator)."""
    inst = read_instance(path)
    problem = to_problem(inst, fleet=max(len(routes), 1))
    out = []
    for w, r in zip(problem.workers, routes, strict=False):
        route = schedule_route(problem, w, [str(c) for c in r], 0, 0)
        if route is None:
            return False
        out.append(route)
    served = {c for r in routes for c in r}
    if served != set(range(1, len(inst.coords))):
        return False
    sol = Solution(out, [], "complete", "n/a", total_travel_s=sum(x.travel_s for x in out))
    return validate(problem, sol) == []


def run_ortools(path: Path, limit: float, seed: int, processes: int = 1) -> dict:
    res = run_vrptw(path, limit, seed=seed or None, processes=processes)
    return {"routes": res["routes"], "seconds": res["seconds"], "t_best": res["time_to_best"],
            "iterations": res["lns_iterations"]}


def run_pyvrp(path: Path, limit: float, seed: int) -> dict:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    t0 = time.perf_counter()
    data = pyvrp.read(path, round_func="dimacs")
    res = pyvrp.solve(data, stop=MaxRuntime(limit), seed=seed, display=False)
    # activity idx counts clients from 0; customer numbers follow the depot(s)
    routes = [[a.idx + data.num_depots for a in r if a.is_client()] for r in res.best.routes()]
    return {"routes": routes, "seconds": round(time.perf_counter() - t0, 2), "t_best": None}


def run_vroom(path: Path, limit: float, seed: int) -> dict:
    """VROOM x5 (exploration level 5), one thread; it stops by itself (no limit)."""
    import vroom

    t0 = time.perf_counter()
    inst = read_instance(path)
    m = dimacs_matrix(inst)
    prob = vroom.Input()
    prob.set_durations_matrix(profile="car", matrix_input=m)
    a, b = inst.windows[0]
    for i in range(inst.vehicles):
        prob.add_vehicle(vroom.Vehicle(i + 1, start=0, end=0, capacity=[inst.capacity],
                                       time_window=vroom.TimeWindow(a * SCALE, b * SCALE)))
    for k in range(1, len(inst.coords)):
        wa, wb = inst.windows[k]
        prob.add_job(vroom.Job(k, location=k, default_service=inst.service[k] * SCALE,
                               delivery=[inst.demand[k]],
                               time_windows=[vroom.TimeWindow(wa * SCALE, wb * SCALE)]))
    sol = prob.solve(exploration_level=5, nb_threads=1)
    routes = []
    for r in sol.to_dict()["routes"]:
        routes.append([s["id"] for s in r["steps"] if s["type"] == "job"])
    return {"routes": routes, "seconds": round(time.perf_counter() - t0, 2), "t_best": None}


SOLVERS = {"ortools": run_ortools, "pyvrp": run_pyvrp, "vroom": run_vroom}


def available(name: str) -> bool:
    mod = {"ortools": "ortools", "pyvrp": "pyvrp", "vroom": "vroom"}[name]
    try:
        __import__(mod)
        return True
    except ImportError:
        return False


def bks(path: Path) -> float:
    return read_solution(path.with_suffix(".sol"))[1]


def run_one(task) -> dict:
    name, solver, limit, seed, processes = task
    path = DATA / f"{name}.vrp"
    inst = read_instance(path)
    best = bks(path)
    r = run_ortools(path, limit, seed, processes) if solver == "ortools" else SOLVERS[solver](path, limit, seed)
    dist = route_distance(dimacs_matrix(inst), r["routes"]) / SCALE
    return {"instance": name, "solver": solver, "limit_s": limit, "seed": seed,
            "processes": processes if solver == "ortools" else 1,
            "vehicles": len(r["routes"]), "distance": round(dist, 1), "bks": best,
            "gap_pct": round(100 * (dist - best) / best, 2),
            "feasible": feasible(path, r["routes"]), "seconds": r["seconds"],
            "t_best": r["t_best"], "iterations": r.get("iterations"), "routes": r["routes"]}


def measure(names, solvers, limit, seed, out: Path, jobs: int = 1, processes: int = 1) -> list[dict]:
    from concurrent.futures import ProcessPoolExecutor
    from contextlib import nullcontext

    tasks = [(name, solver, limit, seed, processes) for name in names for solver in solvers]
    rows = []
    pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
    with pool or nullcontext():
        for row in (pool.map(run_one, tasks, chunksize=1) if pool else map(run_one, tasks)):
            rows.append(row)
            with out.open("a") as fh:
                fh.write(json.dumps(row) + "\n")
            print(f"{row['instance']:6s} {row['solver']:8s} veh {row['vehicles']:3d} "
                  f"dist {row['distance']:8.1f} gap {row['gap_pct']:6.2f}% feasible {row['feasible']} "
                  f"{row['seconds']:.1f}s t_best {row['t_best']}", flush=True)
    return rows


def table(rows: list[dict]) -> str:
    """Markdown: one row per instance, solvers side by side; then a summary."""
    solvers = sorted({r["solver"] for r in rows}, key=list(SOLVERS).index)
    by = {(r["instance"], r["solver"]): r for r in rows}
    names = sorted({r["instance"] for r in rows}, key=lambda n: (n.rstrip("0123456789"), n))
    head = "| instance | BKS | " + " | ".join(
        f"{s} veh | {s} dist | {s} gap % | {s} s" for s in solvers) + " |"
    sep = "|" + "---|" * (2 + 4 * len(solvers))
    lines = [head, sep]
    for n in names:
        cells = [n, f"{next(r['bks'] for r in rows if r['instance'] == n):.1f}"]
        for s in solvers:
            r = by.get((n, s))
            if r is None:
                cells += ["", "", "", ""]
            else:
                flag = "" if r["feasible"] else " (infeasible!)"
                cells += [str(r["vehicles"]), f"{r['distance']:.1f}{flag}", f"{r['gap_pct']:.2f}",
                          f"{r['seconds']:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| solver | instances | mean gap % | median | max | = BKS |", "|---|---|---|---|---|---|"]
    for s in solvers:
        gaps = [r["gap_pct"] for r in rows if r["solver"] == s]
        if gaps:
            lines.append(f"| {s} | {len(gaps)} | {statistics.mean(gaps):.2f} | "
                         f"{statistics.median(gaps):.2f} | {max(gaps):.2f} | "
                         f"{sum(g <= 0 for g in gaps)}/{len(gaps)} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("instances", nargs="*", help="names like C101 (default: all 56)")
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--solvers", default="ortools,pyvrp,vroom")
    ap.add_argument("--tag", default=None, help="results file name (default: from the date)")
    ap.add_argument("--jobs", type=int, default=1, help="runs at a time (one per core at most)")
    ap.add_argument("--processes", type=int, default=1,
                    help="the planner core: searches per instance side by side, best kept")
    ap.add_argument("--table", metavar="JSONL", help="only print the table of a results file")
    args = ap.parse_args(argv)
    if args.table:
        rows = [json.loads(x) for x in Path(args.table).read_text().splitlines() if x.strip()]
        print(table(rows))
        return 0
    if DATA is None:
        print("shared/bench/solomon not found", file=sys.stderr)
        return 2
    names = args.instances or sorted(p.stem for p in DATA.glob("*.vrp"))
    solvers = [s for s in args.solvers.split(",") if available(s)]
    skipped = set(args.solvers.split(",")) - set(solvers)
    if skipped:
        print(f"not installed, skipped: {sorted(skipped)}", file=sys.stderr)
    tag = args.tag or time.strftime("solomon-%Y%m%d-%H%M")
    out = ROOT / "benchmarks" / "results" / f"{tag}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = measure(names, solvers, args.time_limit, args.seed, out, args.jobs, args.processes)
    print()
    print(table(rows))
    print(f"\nraw results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
