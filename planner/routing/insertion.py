"""Routes as plain lists, with O(1) insertion checks: the recreate step of the LNS.

Why not let OR-Tools recreate: re-inserting ruined visits with an OR-Tools
descent from a partial assignment took 0.25-1.2 s per iteration on a
100-visit Solomon instance (its insertion operator takes the first feasible
position, then the whole neighbourhood polishes that), so a 30-s run made
about 20 ruin-and-recreate iterations.  Here a visit goes to its cheapest
feasible position, the positions next to its nearest neighbours tested in O(1) each.

Each route keeps, per position, the earliest departure and the latest
service start (forward and backward time slack, as in Savelsbergh's
insertion tests), so windows, shifts, capacity, the visit cap and the
allowed workers are checked exactly in O(1) per position.  The lunch break
and the visit budget are not in those bounds: there they are only relaxed
(every truly feasible position passes), and the chosen position is confirmed
by the route scheduler (``schedule_route``), the one that times the final
plan.  ``objective`` reproduces the OR-Tools model's cost exactly (travel,
drop penalties, balance), so acceptance decisions are the model's own.
Idle workers who are interchangeable (same base, shift, transport, limits
and the same visits allowed) are offered once, not once each.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Callable

from planner.routing.diagnose import base_of
from planner.routing.model import Built
from planner.routing.problem import Problem
from planner.routing.schedule import schedule_route

#: Positions tried per visit: next to its nearest visits.  25 against 40 on the
#: 56 Solomon instances at 30 s: about twice the iterations, mean gap 0.30 % vs 0.59 %.
NEIGHBOURS = 25

INF = 2**60
#: candidate positions confirmed with the scheduler before giving up on a visit
EXACT_TRIES = 6


@dataclass
class Fleet:
    """What the insertion test needs, per node and per vehicle."""

    service: list[int]
    lo: list[int]
    hi: list[int]
    demand: list[int]
    penalty: list[int]
    priority: list[int]
    allowed_sets: list[tuple[int, ...]]  # node -> vehicles that may serve it
    start: list[int]  # vehicle -> start node
    end: list[int]
    shift: list[tuple[int, int]]
    travel: list[list[list[int]]]  # vehicle -> node x node travel (its profile)
    cap: list[int]
    max_jobs: list[int]
    vclass: list[int]  # vehicle -> its interchangeability class
    travel_weight: int
    balance_weight: int  # 0 when the model has no balance term
    job_nodes: list[int]
    near: list[list[int]]  # node -> the nearest job nodes (granular neighbourhood)
    exact: Callable[[int, list[int]], bool] | None = None  # when lunch or budget apply

    @staticmethod
    def of(problem: Problem, b: Built, neighbours: int = NEIGHBOURS) -> "Fleet":
        n, nd, V = len(b.node_location), b.n_depots, len(b.workers)
        service = [0] * nd + [j.service_s for j in b.jobs]
        lo, hi = [-INF] * n, [INF] * n
        for k, j in enumerate(b.jobs):
            if j.time_window is not None:
                lo[nd + k], hi[nd + k] = max(0, j.time_window[0]), j.time_window[1]
        allowed = [()] * nd + list(b.allowed_vehicles)
        man, r = b.manager, b.routing
        start = [man.IndexToNode(r.Start(v)) for v in range(V)]
        end = [man.IndexToNode(r.End(v)) for v in range(V)]
        total_demand = sum(j.demand for j in b.jobs)
        keys: dict = {}
        vclass = [keys.setdefault((start[v], end[v], w.shift, w.profile, w.capacity, w.max_jobs,
                                   w.break_window, tuple(v in a for a in allowed)), len(keys))
                  for v, w in enumerate(b.workers)]
        fleet = Fleet(
            service, lo, hi, [0] * nd + [j.demand for j in b.jobs],
            [0] * nd + [b.penalties[j.priority] for j in b.jobs],
            [0] * nd + [j.priority for j in b.jobs], allowed, start, end,
            [w.shift for w in b.workers], [b.travel_by_profile[w.profile] for w in b.workers],
            [w.capacity if w.capacity is not None else total_demand for w in b.workers],
            [w.max_jobs if w.max_jobs is not None else n for w in b.workers],
            vclass, problem.travel_weight, problem.balance_weight if b.balance else 0,
            list(range(nd, n)), _nearest(b, neighbours))
        if problem.visit_budget_s is not None or b.breaks:
            bases = [base_of(w) for w in b.workers]

            def exact(v: int, nodes: list[int]) -> bool:
                ids = [b.jobs[x - nd].id for x in nodes]
                return schedule_route(problem, b.workers[v], ids, *bases[v]) is not None

            fleet.exact = exact
        return fleet

    def work(self, v: int, a: int, c: int) -> int:
        """The balance dimension's transit: minutes of service + travel, rounded."""
        return (self.service[a] + self.travel[v][a][c] + 30) // 60


def _nearest(b: Built, k: int) -> list[list[int]]:
    """Per node, the k job nodes nearest to it, either way (first worker's travel)."""
    m = b.travel_by_profile[b.workers[0].profile]
    jobs = range(b.n_depots, len(b.node_location))
    return [sorted((j for j in jobs if j != i), key=lambda j: min(m[i][j], m[j][i]))[:k]
            for i in range(len(b.node_location))]


class Routes:
    """One solution: each vehicle's visit nodes in order, with time slack caches.

    Per route: the path (start, visits, end), the earliest departure from and
    the latest service start at each position, and where each visit is.
    Candidate positions for a visit are the arcs next to its ``near`` nodes
    (a granular neighbourhood, as in HGS), the first arc of every route and
    one idle route per interchangeable class.
    """

    def __init__(self, fleet: Fleet, visits: list[list[int]]):
        self.f = fleet
        self.visits = [list(r) for r in visits]
        V = len(visits)
        self.path: list[list[int]] = [[] for _ in range(V)]
        self.dep: list[list[int]] = [[] for _ in range(V)]
        self.lst: list[list[int]] = [[] for _ in range(V)]
        self.route_cost = [0] * V
        self.work = [0] * V
        self.load = [0] * V
        self.where: dict[int, tuple[int, int]] = {}  # node -> (vehicle, path position)
        self.touched: set[int] = set()  # routes changed since the copy
        for v in range(V):
            self._refresh(v)

    def copy(self) -> "Routes":
        c = Routes.__new__(Routes)
        c.f = self.f
        c.visits = [list(r) for r in self.visits]
        c.path, c.dep, c.lst = list(self.path), list(self.dep), list(self.lst)  # replaced, not changed
        c.route_cost, c.work, c.load = list(self.route_cost), list(self.work), list(self.load)
        c.where = dict(self.where)
        c.touched = set()
        return c

    def _refresh(self, v: int) -> None:
        f = self.f
        path = [f.start[v]] + self.visits[v] + [f.end[v]]
        T, svc, lo, hi = f.travel[v], f.service, f.lo, f.hi
        s0, s1 = f.shift[v]
        legs = [T[a][c] for a, c in pairwise(path)]
        dep = [s0]
        for k, c in enumerate(path[1:-1]):
            dep.append(max(dep[-1] + legs[k], lo[c]) + svc[c])
        lst = [0] * len(path)
        lst[-1] = s1
        for i in range(len(path) - 2, -1, -1):
            lst[i] = min(hi[path[i]], lst[i + 1] - svc[path[i]] - legs[i])
        work = sum((svc[a] + t + 30) // 60 for a, t in zip(path, legs, strict=False))
        self.path[v], self.dep[v], self.lst[v] = path, dep, lst
        self.work[v] = work
        self.load[v] = sum(f.demand[x] for x in self.visits[v])
        cost = f.balance_weight * work * work
        if self.visits[v]:
            cost += f.travel_weight * sum(legs)
        self.route_cost[v] = cost
        where = self.where
        for k, x in enumerate(self.visits[v], 1):
            where[x] = (v, k)
        self.touched.add(v)

    def feasible(self) -> bool:
        """Whether every route changed since the copy is still feasible.

        Taking visits out can break a route too: with the visit budget the gap
        left behind may exceed it, and a travel matrix without the triangle
        inequality can make the next window unreachable.
        """
        f = self.f
        for v in self.touched:
            path, dep, lst = self.path[v], self.dep[v], self.lst[v]
            if any(dep[k] - f.service[path[k]] > lst[k] for k in range(1, len(path) - 1)):
                return False
            if self.visits[v] and f.exact is not None and not f.exact(v, self.visits[v]):
                return False
        return True

    def served(self) -> set[int]:
        return set(self.where)

    def remove(self, gone: set[int]) -> None:
        touched = {self.where.pop(x)[0] for x in gone if x in self.where}
        for v in touched:
            self.visits[v] = [x for x in self.visits[v] if x not in gone]
            self._refresh(v)

    def _candidates(self, u: int, rnd, blink: float) -> list[tuple[int, int, int]]:
        """Feasible (cost delta, vehicle, arc) for node u by the bounds.

        Arc i of a route joins path[i] and path[i + 1]; the arcs looked at are
        those next to u's near nodes, the first arc of every route and one
        idle route per class.
        """
        f = self.f
        s_u, lo_u, hi_u, d_u = f.service[u], f.lo[u], f.hi[u], f.demand[u]
        tw, bw = f.travel_weight, f.balance_weight
        visits, load, max_jobs, cap = self.visits, self.load, f.max_jobs, f.cap
        room = {v for v in f.allowed_sets[u]
                if len(visits[v]) < max_jobs[v] and load[v] + d_u <= cap[v]}
        if not room:
            return []
        arcs: dict[int, set[int]] = {}
        idle: set[int] = set()
        for v in room:
            if visits[v]:
                arcs[v] = {0}
            elif f.vclass[v] not in idle:
                idle.add(f.vclass[v])
                arcs[v] = {0}
        where = self.where
        for x in f.near[u]:
            loc = where.get(x)
            if loc is not None:
                v, k = loc
                if v in room:
                    arcs[v].update((k - 1, k))  # before x, after x
        out = []
        random = rnd.random
        for v, idxs in arcs.items():
            path, dep, lst, T = self.path[v], self.dep[v], self.lst[v], f.travel[v]
            Tu = T[u]
            w = self.work[v]
            for i in idxs:
                if blink and random() < blink:
                    continue
                a, c = path[i], path[i + 1]
                t_in = T[a][u]
                st = dep[i] + t_in
                if st < lo_u:
                    st = lo_u
                t_out = Tu[c]
                if st > hi_u or st + s_u + t_out > lst[i + 1]:
                    continue
                delta = (t_in + t_out - T[a][c]) * tw
                if bw:
                    dw = f.work(v, a, u) + f.work(v, u, c) - f.work(v, a, c)
                    delta += bw * (2 * w * dw + dw * dw)
                out.append((delta, v, i))
        return out

    def insert(self, u: int, rnd, blink: float = 0.0) -> bool:
        """Put u at its cheapest feasible position; False if it fits nowhere."""
        cands = self._candidates(u, rnd, blink)
        if not cands:
            return False
        if self.f.exact is None:
            _, v, i = min(cands)
            self.visits[v].insert(i, u)
            self._refresh(v)
            return True
        cands.sort()
        for _, v, i in cands[:EXACT_TRIES]:
            trial = self.visits[v][:i] + [u] + self.visits[v][i:]
            if self.f.exact(v, trial):
                self.visits[v] = trial
                self._refresh(v)
                return True
        return False

    def objective(self) -> int:
        """The OR-Tools model's cost of this solution (see planner.routing.model)."""
        where = self.where
        return sum(self.route_cost) + sum(self.f.penalty[x] for x in self.f.job_nodes
                                          if x not in where)
