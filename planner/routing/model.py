"""Problem -> OR-Tools routing model.  One function, one concept per block.

Modelling choices and why (measured facts in shared/ROUTING-NOTES.md):

* Integer seconds; matrices registered with ``RegisterTransitMatrix`` (more
  search iterations than Python callbacks).  Depot nodes are shared by workers
  with the same base, so a 100-vehicle VRPTW fleet adds no nodes.
* Every visit is optional (``AddDisjunction``): a first solution always exists
  and priorities become drop penalties.  Lexicographic levels: a level's
  penalty exceeds the sum of all lower levels' penalties plus the largest
  possible travel+balance cost, so no amount of travel or lower-priority visits
  can pay for dropping a higher-priority one; within a level, serving one more
  visit beats any travel saving.
* Time dimension: transit(i, j) = service(i) + travel(i, j); slack = idle time
  (and the lunch, when it falls in that gap).  Windows bound service *start*.
* Lunch: one ``FixedDurationIntervalVar`` per worker, kept off visits by the
  3-argument ``SetBreakIntervalsOfVehicle`` (the pre/post-travel form is not
  in the Python API of 9.15) and off drives by our own constraint (see
  ``_add_gap_rules``): it is taken where the worker is, then they drive.
  Tying the lunch to [route start, route end] as well made the first-solution
  search time out (4 workers, 5 visits: no plan in 10 s), so a lunch may also
  fall before the departure (taken at the base); it must be over by the
  return (one constraint; a lunch after the return, at the base, is not a
  plan the scheduler or the route sheet can show).
* Visit budget: arcs with travel + service > budget are removed; for the
  rest, cumul(next(i)) - cumul(i) <= budget + s_i - s_next (+ lunch if the
  worker's break starts in that gap) via ``Element`` over ``NextVar``.
* Balance (last objective): a companion "work" dimension counts minutes of
  travel+service; each worker pays balance_weight x minutes^2 (quadratic soft
  span bound at 0).  A convex cost of each worker's load evens out every
  route, not only the longest.  With travel_weight 1000 per second, moving a
  90-min visit from a 400-min to a 200-min day (19,800) is worth about 20 s of
  travel: travel dominates except for near-ties, which balance breaks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from ortools.constraint_solver import pywrapcp

from planner.routing.diagnose import Diagnosis, base_of, routable
from planner.routing.problem import Job, Problem, Worker

INT_LIMIT = 2**62


@dataclass
class Built:
    """The OR-Tools objects plus the maps back to our values."""

    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    workers: list[Worker]  # vehicle v -> worker
    jobs: list[Job]  # node (n_depots + k) -> jobs[k]
    n_depots: int
    node_location: list[int]
    time: pywrapcp.RoutingDimension
    breaks: dict[int, pywrapcp.IntervalVar] = field(default_factory=dict)
    penalties: dict[int, int] = field(default_factory=dict)  # priority -> penalty
    travel_by_profile: dict[str, list[list[int]]] = field(default_factory=dict)  # node x node
    allowed_vehicles: list[tuple[int, ...]] = field(default_factory=list)  # job k -> vehicles
    balance: bool = False  # the objective has the balance term

    def job_of_index(self, index: int) -> Job | None:
        node = self.manager.IndexToNode(index)
        return self.jobs[node - self.n_depots] if node >= self.n_depots else None


def level_penalties(priorities: list[int], max_cost: int) -> dict[int, int]:
    """Lexicographic drop penalty per priority level (1 = most important)."""
    out: dict[int, int] = {}
    below = 0  # sum of penalties of all jobs of less important levels
    for p in sorted(set(priorities), reverse=True):
        pen = below + max_cost + 1
        out[p] = pen
        below += pen * priorities.count(p)
    if below >= INT_LIMIT:
        raise OverflowError("drop penalties overflow int64: lower travel_weight or merge levels")
    return out


def build(problem: Problem, diag: Diagnosis, seed: int | None = None) -> Built | None:
    """Build the model for the jobs the diagnosis allows; ``None`` if nothing to route."""
    routable_wi = [wi for wi, w in enumerate(problem.workers) if routable(w)]
    vehicles = [problem.workers[wi] for wi in routable_wi]
    wi_to_v = {wi: v for v, wi in enumerate(routable_wi)}
    jobs = [j for j in problem.jobs if j.id in diag.allowed]
    if not vehicles or not jobs:
        return None
    if seed:
        random.Random(seed).shuffle(jobs)
    depot_locs: list[int] = []
    for w in vehicles:
        for loc in base_of(w):
            if loc not in depot_locs:
                depot_locs.append(loc)
    nd = len(depot_locs)
    node_loc = depot_locs + [j.routed_location() for j in jobs]
    service = [0] * nd + [j.service_s for j in jobs]
    n = len(node_loc)
    allowed_vehicles = [tuple(sorted(wi_to_v[wi] for wi in diag.allowed[j.id])) for j in jobs]
    starts = [depot_locs.index(base_of(w)[0]) for w in vehicles]
    ends = [depot_locs.index(base_of(w)[1]) for w in vehicles]
    manager = pywrapcp.RoutingIndexManager(n, len(vehicles), starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()
    horizon = max(max(w.shift[1] for w in vehicles),
                  max((j.time_window[1] for j in jobs if j.time_window), default=0)) + 1

    # --- per-profile matrices: travel cost, time transit, pre/post travel ----
    profiles = sorted({w.profile for w in vehicles})
    cb: dict[str, dict[str, int]] = {}  # profile -> OR-Tools callback index by kind
    travel_by: dict[str, list[list[int]]] = {}  # profile -> node x node travel seconds
    for p in profiles:
        m = problem.matrices[p]
        travel = [[m[node_loc[a]][node_loc[b]] for b in range(n)] for a in range(n)]
        cost = [[t * problem.travel_weight for t in row] for row in travel]
        transit = [[service[a] + travel[a][b] for b in range(n)] for a in range(n)]
        work = [[(service[a] + travel[a][b] + 30) // 60 for b in range(n)] for a in range(n)]
        cb[p] = {"travel": routing.RegisterTransitMatrix(travel),
                 "cost": routing.RegisterTransitMatrix(cost),
                 "time": routing.RegisterTransitMatrix(transit),
                 "work": routing.RegisterTransitMatrix(work)}
        travel_by[p] = travel
    for v, w in enumerate(vehicles):
        routing.SetArcCostEvaluatorOfVehicle(cb[w.profile]["cost"], v)

    # --- time: shifts and windows -------------------------------------------
    routing.AddDimensionWithVehicleTransits(
        [cb[w.profile]["time"] for w in vehicles], horizon, horizon, False, "time")
    time = routing.GetDimensionOrDie("time")
    for v, w in enumerate(vehicles):
        time.CumulVar(routing.Start(v)).SetRange(*w.shift)
        time.CumulVar(routing.End(v)).SetRange(*w.shift)
    for k, j in enumerate(jobs):
        idx = manager.NodeToIndex(nd + k)
        if j.time_window is not None:
            time.CumulVar(idx).SetRange(max(0, j.time_window[0]), j.time_window[1])
        if len(allowed_vehicles[k]) < len(vehicles):
            routing.VehicleVar(idx).SetValues([-1, *allowed_vehicles[k]])  # -1: unperformed

    _add_capacities(routing, vehicles, jobs, nd)
    max_balance = _add_balance(problem, routing, vehicles, len(jobs), [cb[w.profile]["work"] for w in vehicles],
                               horizon)

    built = Built(manager, routing, vehicles, jobs, nd, node_loc, time,
                  travel_by_profile=travel_by,
                  allowed_vehicles=allowed_vehicles, balance=max_balance > 0)
    _add_breaks(built, solver, service)

    # --- lunch without travel; visit budget ----------------------------------
    _add_gap_rules(problem, built, service, horizon)

    # --- priorities as drop penalties ---------------------------------------
    max_cost = sum((w.shift[1] - w.shift[0]) for w in vehicles) * problem.travel_weight + max_balance
    pens = level_penalties([j.priority for j in jobs], max_cost)
    for k, j in enumerate(jobs):
        routing.AddDisjunction([manager.NodeToIndex(nd + k)], pens[j.priority])
    built.penalties = pens
    return built


def _add_capacities(routing: Any, vehicles: list[Worker], jobs: list[Job], nd: int) -> None:
    """Capacities: demand ("load") and visit count ("count"), when any worker has a limit."""
    if any(w.capacity is not None for w in vehicles):
        d_idx = routing.RegisterUnaryTransitVector([0] * nd + [j.demand for j in jobs])
        caps = [w.capacity if w.capacity is not None else sum(j.demand for j in jobs)
                for w in vehicles]
        routing.AddDimensionWithVehicleCapacity(d_idx, 0, caps, True, "load")
    if any(w.max_jobs is not None for w in vehicles):
        c_idx = routing.RegisterUnaryTransitVector([0] * nd + [1] * len(jobs))
        caps = [w.max_jobs if w.max_jobs is not None else len(jobs) for w in vehicles]
        routing.AddDimensionWithVehicleCapacity(c_idx, 0, caps, True, "count")


def _add_balance(problem: Problem, routing: Any, vehicles: list[Worker], n_jobs: int, work_callbacks: list[int],
                 horizon: int) -> int:
    """Balance: a quadratic cost on each worker's minutes of work (``work_callbacks``: each
    vehicle's per-arc minutes).  Returns the largest cost it can add (0: no balancing)."""
    max_balance = 0
    if problem.balance_weight > 0 and len(vehicles) > 1:
        routing.AddDimensionWithVehicleTransits(work_callbacks, 0, horizon // 60 + 10**6, True, "work")
        work = routing.GetDimensionOrDie("work")
        for v, w in enumerate(vehicles):
            work.SetQuadraticCostSoftSpanUpperBoundForVehicle(
                pywrapcp.BoundCost(0, problem.balance_weight), v)
            # per-arc rounding can add up to half a minute per arc
            max_balance += problem.balance_weight * (
                (w.shift[1] - w.shift[0]) // 60 + n_jobs + 1) ** 2
    return max_balance


def _add_breaks(b: Built, solver: Any, service: list[int]) -> None:
    """Lunch breaks: one fixed-length interval per worker with a break window, over by the return."""
    routing, time = b.routing, b.time
    for v, w in enumerate(b.workers):
        br = w.break_window
        if br is None:
            continue
        iv = solver.FixedDurationIntervalVar(br.earliest_start, br.latest_start,
                                             br.duration_s, False, f"break_{w.id}")
        time.SetBreakIntervalsOfVehicle([iv], v, service)
        # over by the return: the plan has no "lunch at the base after the day's work"
        solver.Add(iv.EndExpr() <= time.CumulVar(routing.End(v)))
        routing.AddIntervalToAssignment(iv)
        b.breaks[v] = iv


def _index_service(b: Built, service: list[int], size: int) -> tuple[list[int], list[bool]]:
    """Per routing index (ends included, ``size`` of them): its service seconds and whether
    it is a visit (starts and ends are neither)."""
    routing, manager = b.routing, b.manager
    svc_of_index = [0] * size
    is_job = [False] * size
    for idx in range(routing.Size()):
        if not routing.IsStart(idx):
            node = manager.IndexToNode(idx)
            svc_of_index[idx] = service[node]
            is_job[idx] = node >= b.n_depots
    return svc_of_index, is_job


def _remove_long_arcs(b: Built, service: list[int], is_job: list[bool], start_vehicle: dict[int, int],
                      budget: int) -> None:
    """Arcs into a visit that no worker who could drive them covers within the visit budget
    (travel + service) are removed from the model before the search."""
    routing, manager, V = b.routing, b.manager, len(b.workers)
    for i in range(routing.Size()):
        vs = [start_vehicle[i]] if i in start_vehicle else list(range(V))
        ni = manager.IndexToNode(i)
        for j in range(routing.Size()):
            if j == i or not is_job[j]:
                continue
            nj = manager.IndexToNode(j)
            if all(b.travel_by_profile[b.workers[v].profile][ni][nj] + service[nj] > budget
                   for v in vs):
                routing.NextVar(i).RemoveValue(j)


def _add_gap_rules(problem: Problem, b: Built, service: list[int], horizon: int) -> None:
    """No travel during lunch, and the visit budget with the lunch exemption.

    ``z_i`` = "this worker's lunch starts in the gap after node i" (end of
    service at i <= lunch start < cumul(next(i))); for a start node, "before the
    first visit" (at the base, possibly before the day's departure).  Then
      cumul(next) - cumul(i) <= budget + s_i - s_next + z_i * lunch
    and for a start node with z = 1: cumul(next) - lunch end <= budget - s_next.

    No travel during lunch: the native break constraint may put the lunch in
    the middle of a drive, so  z_i => lunch end + travel(i, next(i)) <=
    cumul(next(i))  (an ``Element`` over NextVar; over vehicle x NextVar when
    profiles differ): the lunch is taken at i, then the worker drives.
    Written with ``SlackVar(i)`` instead, the same rule made a 25-visit descent
    take 2.5-4 s instead of 0.04 s; the Element form is measured in
    docs/benchmarks.md.
    """
    routing, manager, solver, time = b.routing, b.manager, b.routing.solver(), b.time
    budget = problem.visit_budget_s
    V = len(b.workers)
    size = routing.Size() + V
    svc_of_index, is_job = _index_service(b, service, size)
    start_vehicle = {routing.Start(v): v for v in range(V)}
    if budget is not None:
        _remove_long_arcs(b, service, is_job, start_vehicle, budget)
    if budget is None and not b.breaks:
        return
    cumuls = [time.CumulVar(k) for k in range(size)]
    H = 2 * horizon + 1
    # travel from index i to every index, per profile (0 to itself = unperformed)
    node_of = [manager.IndexToNode(k) for k in range(size)]
    travel_rows = {p: [[b.travel_by_profile[p][node_of[i]][node_of[k]] if k != i else 0
                        for k in range(size)] for i in range(routing.Size())]
                   for p in {w.profile for w in b.workers}} if b.breaks else {}
    if b.breaks:
        dummy = solver.IntVar(0, 0, "no_break")
        bstarts = [dummy] + [b.breaks[v].StartExpr().Var() if v in b.breaks else dummy
                             for v in range(V)]
        bdurs = [0] + [bw.duration_s if v in b.breaks and (bw := b.workers[v].break_window) is not None else 0
                       for v in range(V)]
    for i in range(routing.Size()):
        if not (is_job[i] or i in start_vehicle):
            continue
        s_i = svc_of_index[i]
        nxt = routing.NextVar(i)
        ncum = solver.Element(cumuls, nxt)
        z, dur = None, 0
        if b.breaks:
            if i in start_vehicle:
                v = start_vehicle[i]
                if v in b.breaks:
                    bs, dur = bstarts[v + 1], bdurs[v + 1]
                    z = (ncum >= bs + 1).Var()  # lunch before the first visit
                    trav = solver.Element(travel_rows[b.workers[v].profile][i], nxt)
            else:
                veh1 = (routing.VehicleVar(i) + 1).Var()
                bs, dur = solver.Element(bstarts, veh1), solver.Element(bdurs, veh1)
                z = ((bs >= cumuls[i] + s_i).Var() * (ncum >= bs + 1).Var()).Var()
                if len(travel_rows) == 1:
                    trav = solver.Element(next(iter(travel_rows.values()))[i], nxt)
                else:  # travel depends on the vehicle's profile: one flat Element
                    flat = [0] * size  # block 0: unperformed (vehicle -1)
                    flat += [t for v in range(V) for t in travel_rows[b.workers[v].profile][i]]
                    trav = solver.Element(flat, (veh1 * size + nxt).Var())
            if z is not None:
                # no travel during lunch: it ends, then the drive to next(i) starts
                solver.Add(bs + dur + trav <= ncum + H * (1 - z))
        if budget is not None:
            rhs_vals = [budget + s_i - svc_of_index[k] if is_job[k] and k != i else H
                        for k in range(size)]
            rhs = solver.Element(rhs_vals, nxt)
            if z is None:
                solver.Add(ncum - cumuls[i] <= rhs)
            elif i in start_vehicle:
                # lunch before the first visit (at the base): the clock starts after it
                solver.Add(ncum - cumuls[i] <= rhs + H * z)
                solver.Add(ncum - bs - dur <= rhs + H * (1 - z))
            else:
                solver.Add(ncum - cumuls[i] <= rhs + dur * z)
