"""A routing ``Problem`` handed to PyVRP and VROOM, for the day benchmarks.

Only what both peers can express is compared: time windows, shifts, service
times, skills, the visit cap and priorities on one travel matrix; neither has
the lunch taken where the worker is or the per-visit budget, so the
comparison runs on the day without them (``comparable``), for every solver.

* VROOM (pyvroom): skills and ``max_tasks`` natively; priorities are VROOM's
  0-100 job priorities, whose sum VROOM maximises before cost; the weights
  are made lexicographic (a level outweighs all lower levels together) where
  100 allows, else as close as it allows (said in the result).
* PyVRP: skills as a second load dimension (a VIP visit "delivers" 1 unit that
  only skilled workers have room for), the visit cap as the first dimension,
  priorities as prizes of optional clients, lexicographic like ours.

Both return routes of job ids, timed again by the planner's own scheduler and
checked by its validator, so every solver is measured the same way.
"""

from __future__ import annotations

import time
from dataclasses import replace

from planner.routing import Problem, Solution, validate
from planner.routing.diagnose import base_of
from planner.routing.schedule import schedule_route
from planner.routing.solution import Unassigned
from planner.routing.solve import fill_summary


def comparable(problem: Problem) -> Problem:
    """The day without what the peers cannot express: lunch, visit budget, balance."""
    workers = tuple(replace(w, break_window=None) for w in problem.workers)
    return replace(problem, workers=workers, visit_budget_s=None, balance_weight=0)


def as_solution(problem: Problem, routes: dict[str, list[str]]) -> Solution:
    """Peers' routes (worker id -> job ids) scheduled and checked like ours."""
    out = []
    for w in problem.workers:
        ids = routes.get(w.id, [])
        if ids:
            r = schedule_route(problem, w, ids, *base_of(w))
            if r is None:
                raise ValueError(f"{w.id}: the peer's route {ids} is not feasible here")
            out.append(r)
    served = {j for r in out for j in r.job_ids}
    left = [Unassigned(j.id, "over_capacity", "") for j in problem.jobs if j.id not in served]
    sol = fill_summary(problem, Solution(out, left, "partial" if left else "complete", "n/a"))
    errs = validate(problem, sol)
    if errs:
        raise ValueError(f"peer solution invalid: {errs[:3]}")
    return sol


def lexicographic_weights(priorities: list[int], top: int) -> tuple[dict[int, int], bool]:
    """Weight per level so that one job of a level outweighs all lower ones; capped at top."""
    out, below, exact = {}, 0, True
    for p in sorted(set(priorities), reverse=True):
        w = below + 1
        if w > top:
            w, exact = top, False
        out[p] = w
        below += w * priorities.count(p)
    return out, exact


def solve_vroom(problem: Problem, exploration: int = 5) -> tuple[Solution, float, str]:
    import vroom

    t0 = time.perf_counter()
    m = problem.matrices["default"]
    skill_ids = {s: k + 1 for k, s in enumerate(sorted({s for j in problem.jobs
                                                        for s in j.required_skills}))}
    weights, exact = lexicographic_weights([j.priority for j in problem.jobs], 100)
    inp = vroom.Input()
    inp.set_durations_matrix(profile="car", matrix_input=m)
    for k, w in enumerate(problem.workers):
        start, end = base_of(w)
        inp.add_vehicle(vroom.Vehicle(
            k + 1, start=start, end=end, time_window=vroom.TimeWindow(*w.shift),
            skills={skill_ids[s] for s in w.skills if s in skill_ids},
            max_tasks=w.max_jobs if w.max_jobs is not None else len(problem.jobs)))
    for k, j in enumerate(problem.jobs):
        tws = [vroom.TimeWindow(*j.time_window)] if j.time_window else []
        inp.add_job(vroom.Job(k + 1, location=j.location, default_service=j.service_s,
                              time_windows=tws, skills={skill_ids[s] for s in j.required_skills},
                              priority=weights[j.priority]))
    res = inp.solve(exploration_level=exploration, nb_threads=1).to_dict()
    routes = {}
    for r in res["routes"]:
        w = problem.workers[r["vehicle"] - 1]
        routes[w.id] = [problem.jobs[s["id"] - 1].id for s in r["steps"] if s["type"] == "job"]
    note = "" if exact else "priorities not fully lexicographic (VROOM caps them at 100)"
    return as_solution(problem, routes), time.perf_counter() - t0, note


def solve_pyvrp(problem: Problem, seconds: float, seed: int = 0) -> tuple[Solution, float, str]:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    t0 = time.perf_counter()
    m = problem.matrices["default"]
    model = pyvrp.Model()
    used = sorted({loc for w in problem.workers for loc in base_of(w)} | {j.location for j in problem.jobs})
    where = {loc: model.add_location(x=0, y=0) for loc in used}
    bases = sorted({loc for w in problem.workers for loc in base_of(w)})
    depot = {loc: model.add_depot(where[loc]) for loc in bases}
    n_jobs = len(problem.jobs)
    max_cost = sum(w.shift[1] - w.shift[0] for w in problem.workers) + 1
    prizes, _ = lexicographic_weights([j.priority for j in problem.jobs], 2**40)
    skills = {s for j in problem.jobs for s in j.required_skills}
    for j in problem.jobs:
        a, b = j.time_window if j.time_window else (0, 10**9)
        model.add_client(where[j.location], delivery=[1, 1 if j.required_skills else 0],
                         service_duration=j.service_s, tw_early=a, tw_late=b,
                         prize=prizes[j.priority] * max_cost, required=False)
    for w in problem.workers:
        start, end = base_of(w)
        skilled = skills <= w.skills  # one skill in these days: "vip"
        model.add_vehicle_type(
            num_available=1, capacity=[w.max_jobs or n_jobs, n_jobs if skilled else 0],
            start_depot=depot[start], end_depot=depot[end], tw_early=w.shift[0],
            tw_late=w.shift[1], name=w.id)
    for la in used:
        for lb in used:
            if la != lb:
                model.add_edge(where[la], where[lb], distance=m[la][lb], duration=m[la][lb])
    # prizes reach 10^7: excess load or time warp must cost more than a prize is worth
    params = pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(max_penalty=1e10))
    res = model.solve(stop=MaxRuntime(seconds), seed=seed, display=False, params=params)
    if not res.is_feasible():
        raise ValueError(f"PyVRP found no feasible plan in {seconds} s (cost {res.cost()})")
    routes = {}
    for r in res.best.routes():  # activity idx counts clients from 0, in the order added
        w = problem.workers[r.vehicle_type()]
        routes[w.id] = [problem.jobs[a.idx].id for a in r if a.is_client()]
    return as_solution(problem, routes), time.perf_counter() - t0, ""
