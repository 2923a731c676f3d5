"""Ruin and recreate around OR-Tools: our own outer loop, OR-Tools to polish.

Why: guided local search stalls on tight-window instances (RC101 stayed at
+8.7% from 0.4 s to 60 s), and the built-in ``use_iterated_local_search`` of
9.15 ran a single descent and stopped (measured: R101 0.3 s, no perturbation).
So, after a GLS warm-up, the best plan is ruined and recreated many times
(SISR: Christiaens & Vanden Berghe, "Slack induction by string removals",
Transportation Science 2020):

* ruin: starting from a random visit, walk its nearest neighbours and cut
  one string of consecutive stops out of each route met, until about
  ``remove`` visits are out;
* recreate: every removed (and every still unserved) visit goes to its
  cheapest feasible position (``planner.routing.insertion``), in a random,
  largest-demand-first, farthest-first or closest-first order (SISR's
  weights 4/4/2/1), most important priority level first, skipping each
  position with a small "blink" probability;
* accept: simulated annealing on the model's own objective, temperature
  cooling exponentially from ``t_start`` to ``t_end`` (multiples of the mean
  travel time of one leg, so the same values suit seconds and DIMACS units),
  in ``cycles`` rounds that each restart hot from the best plan so far;
* polish: every ``polish_every`` iterations, if the best plan improved, and
  at the end, an OR-Tools descent (all its operators, the exact model) runs
  from the best plan; the polished plan replaces it when cheaper.

Every plan the loop keeps is feasible for the model: the insertion test is
exact for windows, shifts, capacity, the visit cap and skills, lunch and the
visit budget are confirmed with the scheduler, and a candidate whose ruined
routes broke (a gap over the budget) is dropped.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from itertools import pairwise

from planner.routing.insertion import NEIGHBOURS, Fleet, Routes
from planner.routing.model import Built


@dataclass(frozen=True)
class LnsSettings:
    """The loop's parameters (defaults chosen by the measurements in docs/benchmarks.md)."""

    remove: int = 10
    neighbours: int = NEIGHBOURS  # the insertion's granular neighbourhood
    max_string: int = 10
    blink: float = 0.01
    t_start: float = 3.0
    t_end: float = 0.01
    polish_every: int = 1000
    cycles: int = 6  # reheats from the best plan: district days got stuck in one basin
    route_ruin: float = 0.0


def node_routes(b: Built, assignment) -> list[list[int]]:
    """Per vehicle, the routing indices of its visits in order."""
    r = b.routing
    out = []
    for v in range(r.vehicles()):
        i = assignment.Value(r.NextVar(r.Start(v)))
        route = []
        while not r.IsEnd(i):
            route.append(i)
            i = assignment.Value(r.NextVar(i))
        out.append(route)
    return out


def ruin(visits: list[list[int]], near: dict[int, list[int]], remove: int, max_string: int,
         rnd: random.Random, route_ruin: float = 0.0) -> set[int]:
    """SISR string removal: the visits to take out (at least one if any is served)."""
    where = {n: ri for ri, rt in enumerate(visits) for n in rt}
    if not where:
        return set()
    target = rnd.randint(max(1, remove // 2), max(1, remove * 3 // 2))
    seed = rnd.choice(list(where))
    gone: set[int] = set()
    ruined: set[int] = set()
    for x in near[seed]:
        if len(gone) >= target:
            break
        ri = where.get(x)
        if ri is None or ri in ruined:
            continue
        rt = visits[ri]
        pi = rt.index(x)
        length = rnd.randint(1, min(max_string, len(rt)))
        st = rnd.randint(max(0, pi - length + 1), min(pi, len(rt) - length))
        gone.update(rt[st:st + length])
        ruined.add(ri)
    if route_ruin and rnd.random() < route_ruin:  # also empty one of the shortest routes
        used = sorted((rt for rt in visits if rt), key=len)
        if len(used) > 1:
            gone.update(rnd.choice(used[: max(1, len(used) // 4)]))
    return gone


def _order(fleet: Fleet, nodes: list[int], depot_dist: dict[int, int],
           rnd: random.Random) -> list[int]:
    rnd.shuffle(nodes)
    pick = rnd.randrange(11)
    if pick < 4:
        pass  # random
    elif pick < 8:
        nodes.sort(key=lambda x: -fleet.demand[x])
    elif pick < 10:
        nodes.sort(key=lambda x: -depot_dist[x])
    else:
        nodes.sort(key=lambda x: depot_dist[x])
    nodes.sort(key=lambda x: fleet.priority[x])  # stable: most important level first
    return nodes


def improve(b_repair: Built, fleet: Fleet, polish, start_routes: list[list[int]],
            start_cost: int, deadline: float, rnd: random.Random, settings: LnsSettings,
            max_iterations: int | None, on_best) -> tuple[list[list[int]], int, int]:
    """Run the loop until ``deadline`` (perf_counter) or ``max_iterations``.

    ``start_routes`` are routing indices of ``b_repair``; ``polish(routes)``
    runs the OR-Tools descent from routing-index routes and returns
    ``(routes, cost)`` or ``None``.  Returns (best routes, best cost, iterations).
    """
    man = b_repair.manager
    nodes = [[man.IndexToNode(i) for i in r] for r in start_routes]
    cur = Routes(fleet, nodes)
    cur_cost = cur.objective()
    best, best_cost = cur, cur_cost
    ortools_best = (start_routes, start_cost)
    near = _neighbours(b_repair)
    T0 = _mean_leg(fleet, cur) * fleet.travel_weight
    t_start, t_end = settings.t_start * T0, settings.t_end * T0
    depot = fleet.start[0]
    depot_dist = {x: fleet.travel[0][depot][x] for x in fleet.job_nodes}
    t_begin = time.perf_counter()
    span = max(1e-9, deadline - t_begin)
    it, dirty, cycle_no = 0, False, 0.0
    while max_iterations is None or it < max_iterations:
        now = time.perf_counter()
        if now >= deadline:
            break
        it += 1
        cand = cur.copy()
        gone = ruin(cand.visits, near, settings.remove, settings.max_string, rnd, settings.route_ruin)
        cand.remove(gone)
        served = cand.served()
        for u in _order(fleet, [x for x in fleet.job_nodes if x not in served], depot_dist, rnd):
            cand.insert(u, rnd, settings.blink)
        if not cand.feasible():
            continue
        cost = cand.objective()
        progress = it / max_iterations if max_iterations else (now - t_begin) / span
        cycle, phase = divmod(min(progress, 0.999999) * settings.cycles, 1.0)
        if cycle > cycle_no:  # reheat, from the best plan
            cycle_no, cur, cur_cost = cycle, best, best_cost
        temp = t_start * (t_end / t_start) ** phase if t_start > 0 else 0.0
        if cost < cur_cost or (temp > 0 and rnd.random() < math.exp(-(cost - cur_cost) / temp)):
            cur, cur_cost = cand, cost
            if cost < best_cost:
                best, best_cost, dirty = cand, cost, True
                on_best(cost)
        if dirty and it % settings.polish_every == 0:
            best, best_cost, ortools_best = _polished(fleet, man, polish, best, best_cost,
                                                      ortools_best)
            if best_cost < cur_cost:
                cur, cur_cost = best, best_cost
            dirty = False
    if dirty:
        best, best_cost, ortools_best = _polished(fleet, man, polish, best, best_cost, ortools_best)
    if best_cost < ortools_best[1]:  # the polish could not read it back: keep ours
        return [[man.NodeToIndex(x) for x in r] for r in best.visits], best_cost, it
    return ortools_best[0], ortools_best[1], it


def _polished(fleet: Fleet, man, polish, best: Routes, best_cost: int, ortools_best):
    res = polish([[man.NodeToIndex(x) for x in r] for r in best.visits])
    if res is None:
        return best, best_cost, ortools_best
    routes, cost = res
    if cost <= best_cost:
        best = Routes(fleet, [[man.IndexToNode(i) for i in r] for r in routes])
        best_cost = cost
    return best, best_cost, (routes, cost) if cost <= ortools_best[1] else ortools_best


def _mean_leg(fleet: Fleet, routes: Routes) -> float:
    legs, total = 0, 0
    for v, r in enumerate(routes.visits):
        if r:
            path = [fleet.start[v]] + r + [fleet.end[v]]
            total += sum(fleet.travel[v][a][c] for a, c in pairwise(path))
            legs += len(path) - 1
    return total / legs if legs else 0.0


def _neighbours(b: Built) -> dict[int, list[int]]:
    """Job nodes by travel time from each job node (first worker's profile)."""
    m = b.travel_by_profile[b.workers[0].profile]
    jobs = list(range(b.n_depots, len(b.node_location)))
    return {i: sorted(jobs, key=lambda j: m[i][j]) for i in jobs}
