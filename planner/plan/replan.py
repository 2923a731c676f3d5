"""Re-planning the rest of a day (``cvp replan plan.json --now 11:00``).

What has begun stays as it is: a stop whose service started before ``now``,
a stop the worker is already driving to or waiting at, and a lunch already
taken.  Everything else is planned again from where each worker will be, in
two rounds, so visits move as little as the rules allow:

1. every remaining visit may only go to the worker who had it (new, absent
   workers' and previously unassigned visits may go to anyone);
2. the visits round 1 could not keep are freed to go to anyone, while the
   kept ones stay with their worker.

New visits are the open tickets received before ``now`` that triage selects and
the plan does not have yet: imported since the morning, or from ``add_file``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from planner.actor import Actor
from planner.errors import UserError
from planner.geo.sources import make_matrix_source
from planner.geo.travel import TravelModel
from planner.plan.build import WorkerDay, build_day, worker_day
from planner.plan.compose import iso, plan_document, roster_fields, visit_of
from planner.plan.day import SolverSettings, save, travel_model_of
from planner.plan.document import Change, PlanDocument, ReplannedFrom, Route, Step, Unassigned, route_totals, summarise
from planner.records import StaffMember, Visit
from planner.roster import absent_on
from planner.routing.parallel import solve_on_all_cores
from planner.store import repository as repo
from planner.store.db import end_reads, transaction
from planner.triage import Rules
from planner.workflow import import_file, triage_day


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text)


def split_route(route: Route | dict, now: datetime) -> tuple[list[Step], list[Step]]:
    """(steps that have begun, visit steps still to come) of one route.

    A step has begun once the worker has left the previous one for it (the
    previous step ended at or before ``now``): they are driving there, waiting
    there, or already at work.  A worker still at the base has begun nothing.
    """
    steps = Route.of(route).steps
    fixed: list[Step] = []
    if len(steps) > 1 and _t(steps[0].end) <= now and steps[1].type != "end":
        fixed = [steps[0]]
        for s in steps[1:-1]:
            if _t(fixed[-1].end) > now:
                break
            fixed.append(s)
    remaining = [s for s in steps[len(fixed):] if s.type == "visit"]
    return fixed, remaining


def replan(session: Session, doc: PlanDocument | dict[str, Any], now: time, *, actor: Actor, rules: Rules,
           add_file: str | None = None, gazetteer: str | None = None, absent: tuple[str, ...] = (),
           solver: SolverSettings = SolverSettings(), audit_details: dict[str, Any] | None = None) -> dict[str, Any]:
    """A new version of the day's plan from ``now`` on; the begun part is kept unchanged.

    The workers gone from ``now`` are those named in ``absent`` and those the day's
    roster marks absent (:func:`planner.roster.absent_on`), as ``cvp plan`` leaves them out.
    Returns the new version's JSON form, as stored, audited ("plan", by ``actor``, with
    the version re-planned, ``now``, the absent workers, the added file's name and
    ``audit_details``) in the same transaction as the store."""
    doc = PlanDocument.of(doc)
    day = date.fromisoformat(doc.date)
    district = doc.district
    now_dt = datetime.combine(day, now, tzinfo=rules.tz)
    routes = {r.staff_id: r for r in doc.routes}
    unknown = set(absent) - set(routes)
    if unknown:
        raise UserError(f"--absent {', '.join(sorted(unknown))}: not in this plan ({', '.join(routes)})")
    # marked absent on the day's roster since the plan was made: gone from now on too
    absent = tuple(sorted(set(absent) | (set(absent_on(session, day, district)) & set(routes))))

    with transaction(session):
        roster = {s.staff_id: s for s in repo.staff_for(session, district)}
    fixed_of: dict[str, list[Step]] = {}
    owner: dict[str, str] = {}
    visits: list[Visit] = []
    left_by_absent: list[str] = []
    had: dict[str, str] = {}  # visit id -> the worker whose route had it still to come
    for sid, route in routes.items():
        fixed, remaining = split_route(route, now_dt)
        fixed_of[sid] = fixed
        if sid in absent:
            left_by_absent += [s.visit_id or "" for s in remaining]
        for s in remaining:
            vid = s.visit_id or ""  # the remaining steps are visits, each with its id
            had[vid] = sid
            visits.append(visit_of(s, district))
            if sid not in absent:
                owner[vid] = sid
    visits += [visit_of(u, district) for u in doc.unassigned]
    if add_file:
        # urgent tickets of this district only (whoever replans), named by the file's own name
        import_file(session, add_file, actor=actor, kind="tickets", gazetteer=gazetteer, rules=rules,
                    districts={district}, name=Path(add_file).name)
    # tickets that came in since the plan (imported before, or in add_file) and need a visit
    known = {t for v in visits for t in v.ticket_ids}
    known |= {t for steps in fixed_of.values() for s in steps for t in s.ticket_ids}
    visits += [v for v in triage_day(session, day, district, rules, as_of=now_dt, allow_empty=True).visits
               if not set(v.ticket_ids) & known]

    workers, full_day = [], {}
    for sid, route in routes.items():
        if sid in absent:
            continue
        staff = roster.get(sid) or _staff_from_route(route, district)
        full_day[sid] = worker_day(staff, day, rules)
        workers.append(_rest_of_day(full_day[sid], fixed_of[sid], now_dt))

    end_reads(session)  # no transaction spans the search
    travel = travel_model_of(rules)
    budget = doc.settings.visit_budget_min
    first = build_day(day, district, visits, workers, rules, travel, budget,
                      allowed={vid: (sid,) for vid, sid in owner.items()})
    sol = solve_on_all_cores(first.problem, solver.options(first.problem))
    kept = {j: r.worker_id for r in sol.routes for j in r.job_ids}
    model = first
    if any(v.visit_id in owner and v.visit_id not in kept for v in visits):
        model = build_day(day, district, visits, workers, rules, travel, budget,
                          allowed={vid: (sid,) for vid, sid in kept.items()})
        sol = solve_on_all_cores(model.problem, solver.options(model.problem))
    new = plan_document(model, sol, rules, solver=solver.to_dict(), author=actor.username,
                        replanned_from=ReplannedFrom(version=doc.version, now=now_dt.isoformat(),
                                                     absent=tuple(absent), added=add_file))
    served_by = {j: r.worker_id for r in sol.routes for j in r.job_ids}
    moved = [vid for vid, sid in owner.items() if served_by.get(vid) not in (None, sid)]
    handed_over = [vid for vid in left_by_absent if vid in served_by]
    merged = _merge(doc, new, fixed_of, full_day, travel)
    new = replace(new, routes=merged, summary=replace(
        new.summary, **summarise(merged, new.unassigned),
        moved_to_another_worker=tuple(sorted(moved)), handed_over_from_absent=tuple(sorted(handed_over)),
        changes=route_changes(had, served_by, new.unassigned)), phone_followups=doc.phone_followups)
    stored = new.to_json()
    save(session, stored, actor, {"replan_of": doc.version, "now": f"{now:%H:%M}", "absent": list(absent),
                                  "added": Path(add_file).name if add_file else None,
                                  **(audit_details or {})})
    return stored


def route_changes(had: dict[str, str], served_by: dict[str, str],
                  unassigned: tuple[Unassigned, ...]) -> tuple[Change, ...]:
    """Every visit that was on someone's route and is now elsewhere: ``to`` the worker who
    took it, or ``to: None`` with the reason when it was dropped to make room.  What the
    dispatcher phones the field staff about after a re-plan."""
    why = {u.visit_id: u for u in unassigned}
    changes = []
    for vid, before in sorted(had.items(), key=lambda kv: (kv[1], kv[0])):
        after = served_by.get(vid)
        if after == before:
            continue
        u = why.get(vid) if after is None else None
        changes.append(Change(visit_id=vid, from_=before, to=after, reason=u.reason if u else None,
                              explanation=u.explanation if u else None,
                              explanation_en=u.explanation_en if u else None))
    return tuple(changes)


def _staff_from_route(route: Route, district: str) -> StaffMember:
    return StaffMember(staff_id=route.staff_id, name=route.staff_name, district=district,
                       base_lat=route.base_lat, base_lon=route.base_lon, base_name=route.base_name,
                       skills=tuple(route.skills), transport=route.transport, max_visits=route.max_visits)


def _rest_of_day(wd: WorkerDay, fixed: list[Step], now: datetime) -> WorkerDay:
    """Where and when a worker can go on, how many visits are left to them, and whether
    lunch is still to come."""
    done_visits = sum(1 for s in fixed if s.type == "visit")
    lunch_taken = any(s.type == "break" for s in fixed)
    places = [s for s in fixed if s.type != "break"]
    start_at = places[-1].point if len(places) > 1 else None
    free_at = _t(fixed[-1].end) if fixed else max(now, wd.shift[0])
    brk = None if lunch_taken else wd.break_window
    if brk and brk[1] < free_at:
        brk = (free_at, free_at, brk[2])  # lunch still owed: as soon as the worker is free
    elif brk and brk[0] < free_at:
        brk = (free_at, brk[1], brk[2])
    return replace(wd, break_window=brk, max_visits=max(0, wd.max_visits - done_visits),
                   start_at=start_at, depart_not_before=free_at)


def _merge(old: PlanDocument, new: PlanDocument, fixed_of: dict[str, list[Step]],
           full_day: dict[str, WorkerDay], travel: TravelModel) -> tuple[Route, ...]:
    """Each worker's begun steps followed by their new steps (the new start step dropped);
    an absent worker's day ends with the way back to the base from where they stopped.

    Every route records its worker's whole day as the roster now has it (shift, lunch
    window, daily cap), not the rest of the day the solver was given.
    """
    new_routes = {r.staff_id: r for r in new.routes}
    gone_at = new.replanned_from.now if new.replanned_from else None
    merged = []
    for r in old.routes:
        sid = r.staff_id
        fixed = fixed_of[sid]
        if sid not in full_day:  # absent
            if fixed:  # gone for the rest of the day: no lunch owed on the plan
                merged.append(_with_steps(r, fixed + [_back_to_base(r, fixed, travel)], break_window=None,
                                          absent_from=gone_at))
            continue
        whole_day = roster_fields(full_day[sid])
        nr = new_routes.get(sid)
        if nr is None:  # nothing left for them: the begun part, then home
            if fixed:
                merged.append(_with_steps(r, fixed + [_back_to_base(r, fixed, travel)], **whole_day))
            continue
        steps = list(nr.steps)
        if fixed:
            first = steps[1]
            # the worker may wait where they are before going on: that is waiting, not travel
            arrival = _t(fixed[-1].end) + timedelta(minutes=first.travel_min)
            first = replace(first, arrival=iso(arrival),
                            wait_min=round((_t(first.start) - arrival).total_seconds() / 60, 2))
            steps = fixed + [first] + steps[2:]
        merged.append(_with_steps(nr, steps, **whole_day))
    return tuple(merged)


def _with_steps(route: Route, steps: list[Step], **changes: Any) -> Route:
    """The route with these steps, its totals recounted."""
    return replace(route, **changes, steps=tuple(steps), **route_totals(tuple(steps)))


def _back_to_base(route: Route, fixed: list[Step], travel: TravelModel) -> Step:
    here, base = [s for s in fixed if s.type != "break"][-1].point, route.base_point
    if here is None or base is None:
        raise ValueError(f"route {route.staff_id}: no coordinates to time the way back to the base")
    leg = make_matrix_source(travel).leg_seconds(here, base, route.transport)
    back = iso(_t(fixed[-1].end) + timedelta(seconds=leg))
    return replace(route.steps[-1], arrival=back, start=back, end=back, travel_min=round(leg / 60, 2),
                   wait_min=0.0, service_min=0.0)
