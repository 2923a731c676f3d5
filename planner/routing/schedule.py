"""Times for a route whose order is fixed: the earliest feasible schedule.

Why our own scheduler instead of reading the solver's cumul variables: the
solver's values are only *some* feasible assignment (cumul optimisers move
them around for soft costs); a dispatcher wants a canonical plan: every visit as
early as the rules allow, the worker leaving the base just in time for the
first stop, lunch as early as its window and the route allow.

With the order fixed, every rule is a difference constraint between two
events (a Simple Temporal Network on a chain), so the earliest schedule is the
least fixed point of lower-bound propagation and its existence is exact:
  windows / shift / break window:  lo <= x <= hi
  sequence:   x[k+1] >= x[k] + duration[k] + travel(k, k+1)
              (a lunch sits at the stop before the drive: travel 0 into it)
  budget:     x[job] + service - (x[prev] + duration[prev]) - lunch <= budget
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.routing.problem import Problem, Worker
from planner.routing.solution import Route, Step


@dataclass
class _Event:
    kind: str
    location: int
    duration: int
    lo: int
    hi: int
    job_id: str | None = None


def _events(problem: Problem, worker: Worker, job_ids: list[str], gap: int | None,
            start: int, end: int) -> list[_Event]:
    """Events in route order; the lunch in gap ``gap`` (0 = at the base before
    the first visit), taken where the worker is, before the drive."""
    s0, s1 = worker.shift
    ev = [_Event("start", start, 0, s0, s1)]
    stops = [(problem.job(j), j) for j in job_ids]
    br = worker.break_window
    for k in range(len(stops) + 1):
        if gap == k and br is not None:  # a gap is only tried for a worker with a break
            ev.append(_Event("break", ev[-1].location, br.duration_s,
                             br.earliest_start, br.latest_start))
        if k == len(stops):
            break
        job, jid = stops[k]
        a, b = job.time_window if job.time_window is not None else (s0, s1)
        ev.append(_Event("job", job.routed_location(), job.service_s, max(a, s0), min(b, s1), jid))
    ev.append(_Event("end", end, 0, s0, s1))
    return ev


def _solve_stn(problem: Problem, worker: Worker, ev: list[_Event]) -> list[int] | None:
    m = problem.matrix_for(worker)
    cons: list[tuple[int, int, int]] = []  # x[j] >= x[i] + c
    for k in range(len(ev) - 1):
        cons.append((k, k + 1, ev[k].duration + m[ev[k].location][ev[k + 1].location]))
    budget = problem.visit_budget_s
    if budget is not None:
        for k, e in enumerate(ev):
            if e.kind != "job":
                continue
            p, lunch = k - 1, 0
            if ev[p].kind == "break":
                lunch, p = ev[p].duration, p - 1
            # x[k] + s - x[p] - dur[p] - lunch <= budget  <=>  x[p] >= x[k] + c
            cons.append((k, p, e.duration - ev[p].duration - lunch - budget))
    x = [e.lo for e in ev]
    for _ in range(len(ev) + 2):
        changed = False
        for i, j, c in cons:
            if x[i] + c > x[j]:
                x[j] = x[i] + c
                changed = True
        if any(x[i] > ev[i].hi for i in range(len(ev))):
            return None
        if not changed:
            break
    else:
        return None
    if any(x[i] + c > x[j] for i, j, c in cons):
        return None
    # Leave the base just in time: raise the departure up to the next event.
    if len(ev) > 1:
        x[0] = min(ev[0].hi, max(x[0], x[1] - m[ev[0].location][ev[1].location]))
    return x


def _steps(problem: Problem, worker: Worker, ev: list[_Event], x: list[int]) -> tuple[Step, ...]:
    m = problem.matrix_for(worker)
    steps = [Step("start", ev[0].location, x[0], x[0], x[0])]
    for k in range(1, len(ev)):
        e, prev = ev[k], steps[-1]
        travel = m[prev.location][e.location]
        arrival = prev.end + travel
        if e.kind == "end":
            steps.append(Step("end", e.location, arrival, arrival, arrival, travel))
            continue
        start = x[k]
        steps.append(Step(e.kind, e.location, arrival, start, start + e.duration, travel,
                          start - arrival, e.duration, e.job_id))
    return tuple(steps)


def schedule_route(problem: Problem, worker: Worker, job_ids: list[str],
                   start: int, end: int, gap_hint: int | None = None) -> Route | None:
    """The earliest feasible schedule of ``job_ids`` in this order, or ``None``.

    With a break, every gap (at the base before leaving, after each visit) is
    tried; the earliest return wins (ties: ``gap_hint``, then the earliest
    gap), so the result never depends on solver internals.
    """
    gaps: list[int | None] = [None]
    if worker.break_window is not None:
        gaps = list(range(len(job_ids) + 1))
        if gap_hint is not None:
            gaps.sort(key=lambda g: g != gap_hint)
    best = None
    for g in gaps:
        ev = _events(problem, worker, job_ids, g, start, end)
        x = _solve_stn(problem, worker, ev)
        if x is not None and (best is None or x[-1] < best[0][-1]):
            best = (x, ev)
    if best is None:
        return None
    x, ev = best
    return Route(worker.id, _steps(problem, worker, ev, x))
