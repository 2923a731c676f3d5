"""An independent checker: re-derives every rule from the routes and matrices.

Why independent: the OR-Tools model expresses the per-visit budget, the
no-travel lunch and the windows through several indirect constraints; a model
that "looks right" once let 90.3-minute blocks through.  This module shares no
code with the model or the scheduler (only the plain input/output values), so
a bug has to be made twice to pass unnoticed.  Tests run it on every solution.
"""

from __future__ import annotations

from collections.abc import Sequence

from planner.routing.problem import Job, Problem, Worker
from planner.routing.solution import UNASSIGNED_REASONS, Solution, Step


def validate(problem: Problem, solution: Solution) -> list[str]:
    """Every rule broken by ``solution``, as sentences; ``[]`` means valid."""
    errs: list[str] = []
    jobs = {j.id: j for j in problem.jobs}
    workers = {w.id: w for w in problem.workers}
    seen: dict[str, str] = {}
    for route in solution.routes:
        w = workers.get(route.worker_id)
        if w is None:
            errs.append(f"route for unknown worker {route.worker_id}")
            continue
        errs += _check_route(problem, w, route, jobs)
        for jid in route.job_ids:
            if jid in seen:
                errs.append(f"{jid} served twice ({seen[jid]}, {w.id})")
            seen[jid] = w.id
    if len({r.worker_id for r in solution.routes}) != len(solution.routes):
        errs.append("a worker has two routes")
    for u in solution.unassigned:
        if u.reason not in UNASSIGNED_REASONS:
            errs.append(f"{u.job_id}: unknown reason {u.reason}")
        if u.job_id in seen:
            errs.append(f"{u.job_id} both served and unassigned")
        if u.job_id in seen or u.job_id not in jobs:
            continue
        seen[u.job_id] = "unassigned"
    missing = set(jobs) - set(seen)
    if missing:
        errs.append(f"jobs neither served nor unassigned: {sorted(missing)}")
    if len(solution.unassigned) != len({u.job_id for u in solution.unassigned}):
        errs.append("a job is listed as unassigned twice")
    travel = sum(r.travel_s for r in solution.routes)
    if travel != solution.total_travel_s:
        errs.append(f"total_travel_s {solution.total_travel_s} != sum of routes {travel}")
    return errs


def _check_route(problem, w, route, jobs) -> list[str]:
    errs: list[str] = []
    tag = f"route {w.id}"
    st = route.steps
    m = problem.matrices[w.profile]
    if len(st) < 2 or st[0].kind != "start" or st[-1].kind != "end":
        return [f"{tag}: must begin with start and finish with end"]
    base_s = w.start_location if w.start_location is not None else w.end_location
    base_e = w.end_location if w.end_location is not None else w.start_location
    if base_s is None:
        return [f"{tag}: worker has no base"]
    if st[0].location != base_s or st[-1].location != base_e:
        errs.append(f"{tag}: does not start/end at the base")
    s0, s1 = w.shift
    if st[0].end < s0 or not (st[0].arrival == st[0].start == st[0].end):
        errs.append(f"{tag}: bad start step")
    if st[-1].arrival > s1:
        errs.append(f"{tag}: back at {st[-1].arrival} after shift end {s1}")
    n_jobs, load, breaks = 0, 0, 0
    last_stop_end = st[0].end  # end of the previous non-break step
    lunch_since = 0
    for k in range(1, len(st)):
        p, s = st[k - 1], st[k]
        errs += _step_errors(tag, k, p, s, m, last=k == len(st) - 1)
        if s.kind == "break":
            breaks += 1
            errs += _break_errors(tag, s, w)
            lunch_since += s.service_s
            continue
        if s.kind == "job":
            n_jobs += 1
            job = jobs.get(s.job_id)
            if job is None:
                errs.append(f"{tag}: unknown job {s.job_id}")
                continue
            load += job.demand
            errs += _job_errors(tag, problem, w, s, job, s.end - last_stop_end - lunch_since)
        last_stop_end, lunch_since = s.end, 0
    if w.break_window is not None and n_jobs and breaks != 1:
        errs.append(f"{tag}: {breaks} breaks, expected 1")
    if w.break_window is None and breaks:
        errs.append(f"{tag}: unexpected break")
    if w.max_jobs is not None and n_jobs > w.max_jobs:
        errs.append(f"{tag}: {n_jobs} visits > max {w.max_jobs}")
    if w.capacity is not None and load > w.capacity:
        errs.append(f"{tag}: load {load} > capacity {w.capacity}")
    return errs


def _step_errors(tag: str, k: int, p: Step, s: Step, m: Sequence[Sequence[int]], *, last: bool) -> list[str]:
    """Any step's arithmetic: placed right, travel from the matrix, arrival = previous end +
    travel, start = arrival + wait, end = start + service."""
    errs: list[str] = []
    if s.kind == "start" or (s.kind == "end" and not last):
        errs.append(f"{tag}: start/end in the middle")
    if s.kind == "break" and (s.location != p.location or s.travel_s != 0):
        errs.append(f"{tag}: travel into the break (it is taken where the worker is)")
    if s.travel_s != m[p.location][s.location]:
        errs.append(f"{tag}: step {k} travel {s.travel_s} != matrix {m[p.location][s.location]}")
    if s.arrival != p.end + s.travel_s:
        errs.append(f"{tag}: step {k} arrival != previous end + travel")
    if s.wait_s < 0 or s.start != s.arrival + s.wait_s or s.end != s.start + s.service_s:
        errs.append(f"{tag}: step {k} times inconsistent")
    if s.kind == "end" and (s.wait_s or s.service_s or s.start != s.arrival):
        errs.append(f"{tag}: end step has wait or service")
    return errs


def _break_errors(tag: str, s: Step, w: Worker) -> list[str]:
    """A lunch: the worker has one, it starts inside its window and lasts as long as it says."""
    br = w.break_window
    if br is None:
        return [f"{tag}: break for a worker without one"]
    errs: list[str] = []
    if not br.earliest_start <= s.start <= br.latest_start:
        errs.append(f"{tag}: break starts at {s.start} outside its window")
    if s.service_s != br.duration_s:
        errs.append(f"{tag}: break lasts {s.service_s} not {br.duration_s}")
    return errs


def _job_errors(tag: str, problem: Problem, w: Worker, s: Step, job: Job, used: int) -> list[str]:
    """A visit: at the job's place for its service time, by a worker with its skills, inside
    its window and the shift; ``used`` (travel + wait + service since the previous stop,
    lunch excluded) within the visit budget."""
    errs: list[str] = []
    s0, s1 = w.shift
    if s.location != job.location or s.service_s != job.service_s:
        errs.append(f"{tag}: {job.id} location/service differ from the job")
    if not job.required_skills <= w.skills:
        errs.append(f"{tag}: {job.id} needs skills {sorted(job.required_skills)}")
    if job.time_window is not None:
        a, b = job.time_window
        if not a <= s.start <= b:
            errs.append(f"{tag}: {job.id} starts at {s.start} outside [{a}, {b}]")
    if s.start < s0 or s.end > s1:
        errs.append(f"{tag}: {job.id} outside the shift")
    if problem.visit_budget_s is not None and used > problem.visit_budget_s:
        errs.append(f"{tag}: {job.id} takes {used} s travel+wait+service "
                    f"> budget {problem.visit_budget_s}")
    return errs
