"""solve(problem, options) -> Solution: diagnose, build, search, schedule, explain.

Why the steps are separate: the pre-check explains what can never be served;
the model only sees what could be; the reported times come from the
earliest-start scheduler (not from solver internals), and whatever the solver
leaves out is explained afterwards.  Bad input never raises: it ends up in
``Solution.unassigned`` / ``Solution.warnings``.
"""

from __future__ import annotations

import random
import time as _time
from dataclasses import dataclass, replace
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util.optional_boolean_pb2 import BOOL_TRUE

from planner.routing import diagnose as dg
from planner.routing import lns
from planner.routing.insertion import Fleet
from planner.routing.lns import LnsSettings
from planner.routing.model import Built, build
from planner.routing.problem import Problem
from planner.routing.schedule import schedule_route
from planner.routing.solution import Route, Solution, Unassigned

FSS = routing_enums_pb2.FirstSolutionStrategy
LSM = routing_enums_pb2.LocalSearchMetaheuristic


@dataclass(frozen=True)
class SolveOptions:
    """How hard and how reproducibly to search.

    ``solution_limit`` set: deterministic mode.  Stop after that many
    solutions, or after ``stall_checks`` solver limit checks without a better
    plan (a count of search steps, not of seconds: guided local search on a
    tiny day can otherwise wait for the clock, finding nothing new);
    ``time_limit_s`` is then only a safety net.  ``seed`` permutes the order
    in which visits enter the model (OR-Tools routing has no seed of its own),
    so different seeds explore differently yet each is reproducible.
    ``first_solution``: fallback order, tried until one yields a plan.
    ``metaheuristic``: ``gls`` (guided local search), ``descent`` (local
    optimum only; fast but measured to miss priority points), ``sa``, ``tabu``.
    ``lns=True``: GLS warms up for ``lns_warm_fraction`` of the time, then
    ruin-and-recreate (``planner.routing.lns``) takes the rest; with
    ``solution_limit`` set it runs ``lns_iterations`` rounds (deterministic).
    """

    time_limit_s: float = 10.0
    solution_limit: int | None = None
    stall_checks: int = 200_000
    seed: int | None = None
    first_solution: tuple[str, ...] = ("PARALLEL_CHEAPEST_INSERTION", "SAVINGS",
                                       "PATH_CHEAPEST_ARC", "ALL_UNPERFORMED")
    metaheuristic: str = "gls"
    gls_lambda: float = 0.3
    #: moves that trade served visits (swap one in, another out, insert a
    #: third): what "serve more" needs to escape a one-for-one local optimum
    extra_operators: tuple[str, ...] = ("use_extended_swap_active",
                                        "use_exchange_and_make_active",
                                        "use_relocate_and_make_active")
    lns: bool = False
    lns_warm_fraction: float = 0.2
    lns_iterations: int = 500
    lns_settings: LnsSettings = LnsSettings()
    log_search: bool = False


def recommended_options(problem: Problem, time_limit_s: float, **kw) -> SolveOptions:
    """Options the day benchmarks support (docs/benchmarks.md).

    Up to 40 visits: GLS warm-up + ruin-and-recreate (district days at 1.5 s:
    +4.3 min travel/day vs a 30-s run, against +10.5 for GLS alone).  Larger
    days: GLS alone (city days at 8 s: either search missed priority-1 visits
    on some day, ruin-and-recreate once lost seven visits; see
    docs/benchmarks.md).
    """
    return SolveOptions(time_limit_s=time_limit_s, lns=len(problem.jobs) <= 40, **kw)


def _params(opts: SolveOptions, strategy: str, remaining: float):
    p = pywrapcp.DefaultRoutingSearchParameters()
    p.first_solution_strategy = getattr(FSS, strategy)
    p.local_search_metaheuristic = {
        "gls": LSM.GUIDED_LOCAL_SEARCH, "descent": LSM.GREEDY_DESCENT,
        "sa": LSM.SIMULATED_ANNEALING, "tabu": LSM.TABU_SEARCH}[opts.metaheuristic]
    p.guided_local_search_lambda_coefficient = opts.gls_lambda
    ops = p.local_search_operators
    for name in opts.extra_operators:
        setattr(ops, name, BOOL_TRUE)
    p.time_limit.FromMilliseconds(max(1, int(remaining * 1000)))
    if opts.solution_limit is not None:
        p.solution_limit = opts.solution_limit
    p.log_search = opts.log_search
    return p


def solve(problem: Problem, opts: SolveOptions | None = None) -> Solution:
    """Plan the day; never raises on bad input (see module doc)."""
    opts = opts or SolveOptions()
    t0 = _time.perf_counter()
    problem, warnings = _usable_workers(problem)
    diag = dg.diagnose(problem)
    unassigned = list(diag.unassigned)
    warnings += diag.warnings
    if not any(dg.routable(w) for w in problem.workers):
        warnings.append("no routable worker on duty")
    try:
        built = build(problem, diag, opts.seed)
    except OverflowError as exc:  # absurd priority spreads: report, don't crash
        warnings.append(str(exc))
        built = None
    if built is None:
        unassigned += [Unassigned(j, "no_solution", "nothing could be routed")
                       for j in diag.allowed]
        sol = Solution([], unassigned, "complete" if not unassigned else "partial",
                       "nothing_to_route", warnings=warnings)
        sol.solve_seconds = _time.perf_counter() - t0
        return fill_summary(problem, sol)

    built, assignment, used_strategy, track = _first_search(problem, diag, opts, built, t0, warnings)
    routing = built.routing
    elapsed = _time.perf_counter() - t0
    if assignment is None:
        unassigned += [Unassigned(j, "no_solution",
                                  f"the solver found no plan within {opts.time_limit_s:g} s")
                       for j in diag.allowed]
        sol = Solution([], unassigned, "no_solution", "time_limit", warnings=warnings)
        sol.solve_seconds = elapsed
        return fill_summary(problem, sol)

    n_solutions, t_best = track["n"], track["t"]
    objective, node_routes = assignment.ObjectiveValue(), lns.node_routes(built, assignment)
    lns_iterations = 0
    if opts.lns:
        built, node_routes, objective, lns_iterations = _ruin_and_recreate(
            problem, diag, opts, node_routes, objective, t0, track)
        t_best = track["t"]
    elapsed = _time.perf_counter() - t0
    routes, dropped = _extract(problem, built, node_routes, warnings)
    unassigned += dg.after_solve(problem, dropped, routes)
    if opts.solution_limit is not None and (n_solutions >= opts.solution_limit
                                            or track["stalled"]):
        stopped = "solution_limit"
    elif routing.status() == routing_enums_pb2.RoutingSearchStatus.ROUTING_OPTIMAL:
        stopped = "optimal"
    elif elapsed >= opts.time_limit_s * 0.98:
        stopped = "time_limit"
    else:
        stopped = "local_optimum"
    sol = Solution(routes, unassigned, "complete" if not unassigned else "partial", stopped,
                   objective=objective, solve_seconds=elapsed,
                   time_to_best_s=t_best, first_solution_strategy=used_strategy,
                   lns_iterations=lns_iterations,
                   warnings=warnings)
    return fill_summary(problem, sol)


def _new_track() -> dict[str, Any]:
    """The progress of one search: best cost, when found, solutions seen, stall checks."""
    return {"best": None, "t": None, "n": 0, "checks": 0, "stalled": False}


def _first_search(problem: Problem, diag: dg.Diagnosis, opts: SolveOptions, built: Built, t0: float,
                  warnings: list[str]) -> tuple[Built, Any, str | None, dict[str, Any]]:
    """GLS (or the deterministic search) with one first-solution strategy after another
    until one finds a plan.  Returns the model searched, its assignment (None: no plan
    in time), the strategy used and that search's ``track``."""
    assignment, used_strategy, track = None, None, _new_track()
    # with LNS, GLS only warms up; the rest of the time goes to ruin-and-recreate.  A
    # deterministic search is bounded by its solution limit, and the clock is only a safety
    # net: cutting its warm-up by a fraction of the time made a busy machine's plan differ
    deterministic = opts.solution_limit is not None
    search_end = opts.time_limit_s * (opts.lns_warm_fraction if opts.lns and not deterministic else 1.0)
    for strategy in opts.first_solution:
        remaining = search_end - (_time.perf_counter() - t0)
        if remaining <= 0:
            break
        if used_strategy is not None:  # rebuild: a model is searched once
            built = _build_again(problem, diag, opts.seed)
        routing = built.routing
        track = _new_track()

        def on_solution(routing=routing, track=track):
            track["n"] += 1
            c = routing.CostVar().Max()
            if track["best"] is None or c < track["best"]:
                track["best"], track["t"] = c, _time.perf_counter() - t0
                track["checks"] = 0

        routing.AddAtSolutionCallback(on_solution)
        if opts.solution_limit is not None:
            routing.AddSearchMonitor(routing.solver().CustomLimit(_stall_limit(track, opts)))
        used_strategy = strategy
        assignment = routing.SolveWithParameters(_params(opts, strategy, remaining))
        if assignment is not None:
            break
        warnings.append(f"first-solution strategy {strategy} found no plan")
    return built, assignment, used_strategy, track


def _build_again(problem: Problem, diag: dg.Diagnosis, seed: int | None) -> Built:
    """A fresh model of a problem that was built before (so it has something to route)."""
    built = build(problem, diag, seed)
    if built is None:
        raise AssertionError("a problem that built once did not build again")
    return built


def _ruin_and_recreate(problem: Problem, diag, opts: SolveOptions, node_routes, objective,
                       t0: float, track: dict):
    """The LNS phase: a fresh model closed for descent polishes what the loop finds.

    A separate model because re-solving the model that ran GLS returned stale
    assignments.
    """
    repair = _build_again(problem, diag, opts.seed)
    dparams = _params(replace(opts, metaheuristic="descent", solution_limit=None),
                      "ALL_UNPERFORMED", 1)
    repair.routing.CloseModelWithParameters(dparams)
    deadline = t0 + opts.time_limit_s

    def polish(routes):
        init = repair.routing.ReadAssignmentFromRoutes(routes, True)
        if init is None:
            return None
        left = deadline - _time.perf_counter()
        dparams.time_limit.FromMilliseconds(max(10, int(min(left, 30.0) * 1000)))
        sol = repair.routing.SolveFromAssignmentWithParameters(init, dparams)
        return None if sol is None else (lns.node_routes(repair, sol), sol.ObjectiveValue())

    def on_best(cost):
        track["t"] = _time.perf_counter() - t0

    det = opts.solution_limit is not None
    routes, cost, iterations = lns.improve(
        repair, Fleet.of(problem, repair, opts.lns_settings.neighbours), polish, node_routes, objective,
        deadline=deadline, rnd=random.Random(opts.seed or 0), settings=opts.lns_settings,
        max_iterations=opts.lns_iterations if det else None, on_best=on_best)
    return repair, routes, cost, iterations


def _usable_workers(problem: Problem) -> tuple[Problem, list[str]]:
    """Drop (and report) workers whose matrix or base index does not exist."""
    keep, warnings = [], []
    for w in problem.workers:
        m = problem.matrices.get(w.profile)
        locs = [x for x in (w.start_location, w.end_location) if x is not None]
        if m is None:
            warnings.append(f"worker {w.id}: no travel-time matrix for {w.profile!r}; not routed")
        elif any(not 0 <= x < len(m) for x in locs):
            warnings.append(f"worker {w.id}: base location outside the matrix; not routed")
        else:
            keep.append(w)
    if len(keep) == len(problem.workers):
        return problem, warnings
    return replace(problem, workers=tuple(keep)), warnings


def _stall_limit(track: dict, opts: SolveOptions):
    def check() -> bool:
        track["checks"] += 1
        if track["best"] is not None and track["checks"] > opts.stall_checks:
            track["stalled"] = True
        return track["stalled"]
    return check


def _extract(problem: Problem, b, node_routes, warnings) -> tuple[list[Route], list[str]]:
    routes: list[Route] = []
    dropped: list[str] = []
    served = set()
    for v, w in enumerate(b.workers):
        ids = [b.job_of_index(i).id for i in node_routes[v]]
        if not ids:
            continue
        start, end = dg.base_of(w)
        route = schedule_route(problem, w, ids, start, end)
        while route is None and ids:  # should not happen: model and scheduler agree
            gone = ids.pop()
            dropped.append(gone)
            warnings.append(f"internal: route {w.id} was not schedulable; {gone} removed")
            route = schedule_route(problem, w, ids, start, end) if ids else None
        if route is not None:
            routes.append(route)
            served.update(ids)
    dropped += [j.id for j in b.jobs if j.id not in served and j.id not in dropped]
    order = {j.id: k for k, j in enumerate(problem.jobs)}
    dropped.sort(key=lambda j: order[j])
    return routes, dropped


def fill_summary(problem: Problem, sol: Solution) -> Solution:
    """Fill the summary numbers from the scheduled routes (also for routes made elsewhere)."""
    order = {w.id: k for k, w in enumerate(problem.workers)}
    sol.routes.sort(key=lambda r: order[r.worker_id])
    jorder = {j.id: k for k, j in enumerate(problem.jobs)}
    sol.unassigned.sort(key=lambda u: jorder.get(u.job_id, 0))
    sol.total_travel_s = sum(r.travel_s for r in sol.routes)
    by_p: dict[int, int] = {}
    for r in sol.routes:
        for jid in r.job_ids:
            p = problem.job(jid).priority
            by_p[p] = by_p.get(p, 0) + 1
    sol.served_by_priority = dict(sorted(by_p.items()))
    fin = [r.finish for r in sol.routes]
    sol.finish_spread_s = max(fin) - min(fin) if fin else 0
    return sol
