"""Reasons a visit cannot be planned, found *before* solving.

Why a pre-check: the solver only says "dropped"; a dispatcher needs to know
whether to phone the customer (window), fix the roster (skills, base) or add
staff (capacity).  Each visit is checked against each worker in stages; the
reason reported is the first stage that *no* worker passes, so the sentence
names the most fundamental obstacle.  Visits that pass every stage for some
worker are handed to the solver with exactly those workers allowed; if the
solver still leaves one out, it is ``over_capacity`` (see ``after_solve``).
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.routing.problem import Job, Problem, Worker
from planner.routing.solution import Unassigned

_STAGES = ("no_skilled_staff", "window_outside_shift", "window_unreachable",
           "exceeds_visit_budget")


def _hhmm(t: int) -> str:
    sign = "-" if t < 0 else ""
    t = abs(t)
    return f"{sign}{t // 3600:02d}:{t % 3600 // 60:02d}"


def routable(worker: Worker) -> bool:
    """A worker can be routed only with a base (start or end location)."""
    return worker.start_location is not None or worker.end_location is not None


def base_of(worker: Worker) -> tuple[int, int]:
    """(start, end) locations; a missing one defaults to the other."""
    s = worker.start_location if worker.start_location is not None else worker.end_location
    e = worker.end_location if worker.end_location is not None else worker.start_location
    assert s is not None and e is not None
    return s, e


@dataclass(frozen=True)
class Diagnosis:
    """Pre-check result: who may serve each routable job, and who is out."""

    allowed: dict[str, tuple[int, ...]]  # job id -> indices into problem.workers
    unassigned: list[Unassigned]
    warnings: list[str]


def _stage(problem: Problem, job: Job, w: Worker, ok_locs: list[int]) -> tuple[int, str]:
    """How many stages (0..4) job passes for worker w, and why it stopped."""
    if not routable(w) or not job.required_skills <= w.skills:
        return 0, ""
    if job.allowed_workers is not None and w.id not in job.allowed_workers:
        return 0, ""
    s0, s1 = w.shift
    a, b = job.time_window if job.time_window is not None else (s0, s1)
    if max(a, s0) > min(b, s1 - job.service_s):
        return 1, (f"window {_hhmm(a)}-{_hhmm(b)} (+{job.service_s // 60} min on site) "
                   f"misses the shift {_hhmm(s0)}-{_hhmm(s1)}")
    m = problem.matrix_for(w)
    start, end = base_of(w)
    loc = job.routed_location()
    earliest = max(a, s0 + m[start][loc])
    back = earliest + job.service_s + m[loc][end]
    if earliest > b or back > s1:
        return 2, (f"from the base the earliest start is {_hhmm(earliest)} "
                   f"(window ends {_hhmm(b)}), back at {_hhmm(back)} (shift ends {_hhmm(s1)})")
    budget = problem.visit_budget_s
    if budget is not None:
        preds = [start] + ok_locs
        best = min(m[p][loc] for p in preds)
        if best + job.service_s > budget:
            return 3, (f"nearest possible previous stop is {best // 60} min away; with "
                       f"{job.service_s // 60} min on site that exceeds the "
                       f"{budget // 60}-min visit budget")
    return 4, ""


def diagnose(problem: Problem) -> Diagnosis:
    """Find, per job, the workers that can serve it, or the reason none can."""
    warnings = [f"worker {w.id} has no base and is not routed" for w in problem.workers
                if not routable(w)]
    n_loc = len(next(iter(problem.matrices.values()))) if problem.matrices else 0
    unassigned: list[Unassigned] = []
    located = []
    for job in problem.jobs:
        if job.location is None or not (0 <= job.location < n_loc):
            unassigned.append(Unassigned(job.id, "no_coordinates",
                                         "the visit has no usable location"))
        else:
            located.append(job)
    # Locations of jobs each worker could reach at all: candidate predecessors
    # for the visit-budget check (stages 1-3 only, to avoid a fixed point).
    pre_ok: dict[int, list[int]] = {}
    free = _no_budget(problem)
    for wi, w in enumerate(problem.workers):
        locs = []
        for job in located:
            st, _ = _stage(free, job, w, [])
            if st >= 3:
                locs.append(job.routed_location())
        pre_ok[wi] = locs
    allowed: dict[str, tuple[int, ...]] = {}
    for job in located:
        best_stage, best_detail, ok = -1, "", []
        for wi, w in enumerate(problem.workers):
            others = [loc for loc in pre_ok[wi] if loc is not None]
            # the job itself is not its own predecessor (unless another job shares it)
            if job.location in others:
                others = list(others)
                others.remove(job.location)
            st, detail = _stage(problem, job, w, others)
            if st == 4:
                ok.append(wi)
            elif st > best_stage:
                best_stage, best_detail = st, detail
        if ok:
            allowed[job.id] = tuple(ok)
            continue
        if best_stage <= 0:
            need = ", ".join(sorted(job.required_skills)) or "none"
            if not any(routable(w) for w in problem.workers):
                detail = "no worker with a base is on duty"
            elif job.allowed_workers is not None:
                detail = (f"pinned to {', '.join(sorted(job.allowed_workers))}, who is not on duty "
                          f"or lacks the skills needed ({need})")
            else:
                detail = f"no routable worker has the skills needed ({need})"
            unassigned.append(Unassigned(job.id, "no_skilled_staff", detail))
        else:
            unassigned.append(Unassigned(job.id, _STAGES[best_stage], best_detail))
    return Diagnosis(allowed, unassigned, warnings)


def _no_budget(problem: Problem) -> Problem:
    from dataclasses import replace
    return replace(problem, visit_budget_s=None)


def after_solve(problem: Problem, dropped: list[str], routes) -> list[Unassigned]:
    """Explain visits the solver left out although someone could serve them.

    ``exceeds_visit_budget`` when the visit would fit into some route at some
    position if the budget were lifted (so the budget is what keeps it out);
    otherwise ``over_capacity`` (the day is full).  Insertion is checked with
    the scheduler, respecting visit count, capacity and skills.
    """
    from planner.routing.schedule import schedule_route

    budget = problem.visit_budget_s
    free = _no_budget(problem) if budget is not None else None
    served_prios = [problem.job(j).priority for r in routes for j in r.job_ids]
    out = []
    for jid in dropped:
        job = problem.job(jid)
        if budget is not None and free is not None and _fits_somewhere(free, job, routes, schedule_route):
            out.append(Unassigned(jid, "exceeds_visit_budget",
                                  f"it fits into a route only with more than "
                                  f"{budget // 60} min of travel, waiting and "
                                  f"service since the previous stop"))
            continue
        lower = sum(1 for p in served_prios if p > job.priority)
        detail = "the day is full: no worker has room for it within shifts, windows and limits"
        if lower:
            detail += f" ({lower} lower-priority visits are served where it cannot fit)"
        out.append(Unassigned(jid, "over_capacity", detail))
    return out


def _fits_somewhere(problem: Problem, job: Job, routes, schedule_route) -> bool:
    by_id = {r.worker_id: r for r in routes}
    for w in problem.workers:
        if not routable(w) or not job.required_skills <= w.skills:
            continue
        ids = by_id[w.id].job_ids if w.id in by_id else []
        if w.max_jobs is not None and len(ids) + 1 > w.max_jobs:
            continue
        if w.capacity is not None and sum(problem.job(j).demand for j in ids) + job.demand > w.capacity:
            continue
        start, end = base_of(w)
        for pos in range(len(ids) + 1):
            if schedule_route(problem, w, ids[:pos] + [job.id] + ids[pos:], start, end):
                return True
    return False
