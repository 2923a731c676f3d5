"""Solve one VRPTW file with the planning core and report DIMACS numbers.

Shared by ``cvp bench vrptw`` and ``benchmarks/solomon.py`` so both print the
same thing: routes as customer numbers, vehicles used, the distance recomputed
from the routes (never the solver's objective), wall seconds, time to best.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from planner.routing.lns import LnsSettings
from planner.routing.parallel import solve_on_all_cores
from planner.routing.solve import SolveOptions
from planner.routing.validate import validate
from planner.routing.vrplib import SCALE, dimacs_matrix, read_instance, route_distance, to_problem

#: The configuration the measurements chose (docs/benchmarks.md).  Solomon
#: routes run to 30+ visits (a district day's to 6): longer strings, a hotter
#: start and the odd emptied route pay there.
BENCH_OPTIONS = SolveOptions(time_limit_s=30, metaheuristic="gls", gls_lambda=0.1,
                             first_solution=("PARALLEL_CHEAPEST_INSERTION", "SAVINGS",
                                             "PATH_CHEAPEST_ARC", "ALL_UNPERFORMED"),
                             lns=True, lns_settings=LnsSettings(max_string=20, t_start=3.0, cycles=1,
                                                                route_ruin=0.05))


def run_vrptw(path: str | Path, time_limit_s: float, seed: int | None = None,
              fleet: int | None = None, options: SolveOptions | None = None,
              processes: int = 1) -> dict:
    """Solve and return {"instance", "routes", "vehicles", "distance", "seconds", ...}.

    ``processes`` > 1: that many searches from consecutive seeds side by side, the best kept.
    """
    t0 = time.perf_counter()
    inst = read_instance(path)
    problem = to_problem(inst, fleet)
    opts = replace(options or BENCH_OPTIONS, time_limit_s=time_limit_s, seed=seed)
    sol = solve_on_all_cores(problem, opts, processes)
    seconds = time.perf_counter() - t0
    routes = [[int(j) for j in r.job_ids] for r in sol.routes]
    dist = route_distance(dimacs_matrix(inst), routes)
    return {
        "instance": inst.name,
        "routes": routes,
        "vehicles": len(routes),
        "distance": round(dist / SCALE, 1),
        "seconds": round(seconds, 2),
        "time_to_best": None if sol.time_to_best_s is None else round(sol.time_to_best_s, 2),
        "lns_iterations": sol.lns_iterations,
        "unserved": [u.job_id for u in sol.unassigned],
        "valid": not validate(problem, sol),
        "processes": processes,
    }
