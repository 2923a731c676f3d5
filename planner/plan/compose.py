"""From a solved day to the plan document (:class:`planner.plan.document.PlanDocument`).

The routing core speaks seconds from local midnight and node indexes; the
document speaks ISO 8601 times with the plan's UTC offset, minutes and
coordinates, and carries everything the checker needs to re-derive the plan
without the solver.  This module is the one translation between the two, and
back (:func:`visit_of`: the visit behind a stop, for re-planning).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar, overload

from planner.errors import UserError
from planner.plan.build import DayModel, WorkerDay
from planner.plan.document import (
    SCHEMA,
    Note,
    PlanDocument,
    PlannedSite,
    ReplannedFrom,
    Route,
    Settings,
    Step,
    Summary,
    Unassigned,
    route_totals,
    summarise,
)
from planner.plan.notes import reason_texts
from planner.records import SiteRef, Visit
from planner.routing import Solution
from planner.triage.rules import Rules


@overload
def iso(dt: datetime) -> str: ...
@overload
def iso(dt: None) -> None: ...
def iso(dt: datetime | None) -> str | None:
    return dt.isoformat(timespec="seconds") if dt else None


T = TypeVar("T")


def _given(value: T | None, what: str, visit_id: str | None) -> T:
    """A field every visit of a plan has; a plan file without it is refused, not half-read."""
    if value is None:
        raise UserError(f"visit {visit_id}: the plan gives no {what}")
    return value


def _min(seconds: int) -> float:
    return round(seconds / 60, 2)


def roster_fields(wd: WorkerDay) -> dict[str, Any]:
    """What a route records of its worker's day: who, where from, shift, lunch window, cap."""
    staff, bw = wd.staff, wd.break_window
    return {
        "staff_id": staff.staff_id, "staff_name": staff.name, "transport": staff.transport,
        "skills": tuple(staff.skills), "max_visits": wd.max_visits,
        "base_lat": staff.base_lat, "base_lon": staff.base_lon, "base_name": staff.base_name,
        "shift": (iso(wd.shift[0]), iso(wd.shift[1])),
        "break_window": (iso(bw[0]), iso(bw[1]), bw[2]) if bw else None,
    }


def visit_fields(v: Visit) -> dict[str, Any]:
    """What a stop (or an unassigned entry) carries about its visit: enough for the checker,
    the sheet, the map, and for re-planning (:func:`visit_of` reads it back)."""
    note = v.extra.get("needs_new_appointment")
    return {
        "visit_id": v.visit_id, "ticket_ids": tuple(v.ticket_ids),
        "time_window": (iso(v.time_window[0]), iso(v.time_window[1])) if v.time_window else None,
        "priority": v.priority, "customer_type": v.customer_type, "scenario": v.scenario,
        "reasons": tuple(v.reasons), "required_skills": tuple(v.required_skills), "address": v.address,
        "vip_level": v.vip_level, "gift": v.gift, "closable_on_site": v.closable_on_site,
        "carried_over_days": v.carried_over_days,
        "needs_new_appointment": Note(code=note.get("code"), zh=note.get("zh", ""), en=note.get("en", ""),
                                      expired_window=tuple(note["expired_window"]) if note.get("expired_window")
                                      else None) if note else None,
        "planned_site": planned_site_of(v.planned_site),
    }


def planned_site_of(site: SiteRef | None) -> PlannedSite | None:
    """What a stop records of the site its scenario relies on."""
    if site is None:
        return None
    return PlannedSite(site_id=site.site_id, name=site.name, status=site.status,
                       expected_date=site.expected_date.isoformat() if site.expected_date else None)


def site_ref(entry: PlannedSite | None) -> SiteRef | None:
    """The site behind a stop's record of it (re-planning keeps it with the visit; closing
    the visit dates the callback by it)."""
    if entry is None:
        return None
    return SiteRef(entry.site_id, entry.status,
                   date.fromisoformat(entry.expected_date) if entry.expected_date else None, entry.name)


def _note_dict(note: Note | None) -> dict[str, Any]:
    return {"needs_new_appointment": {k: v for k, v in (("code", note.code), ("zh", note.zh), ("en", note.en),
                                                         ("expired_window", note.expired_window)) if v is not None}
            } if note else {}


def visit_of(entry: Step | Unassigned, district: str) -> Visit:
    """The visit behind a plan's stop or unassigned entry."""
    tw = entry.time_window
    return Visit(
        visit_id=entry.visit_id or "", ticket_ids=tuple(entry.ticket_ids), district=district,
        reasons=tuple(entry.reasons), customer_type=_given(entry.customer_type, "customer type", entry.visit_id),
        scenario=_given(entry.scenario, "scenario", entry.visit_id),
        priority=_given(entry.priority, "priority", entry.visit_id), service_min=int(round(entry.service_min)),
        lat=entry.lat, lon=entry.lon, address=entry.address,
        time_window=(datetime.fromisoformat(tw[0]), datetime.fromisoformat(tw[1])) if tw else None,
        gift=entry.gift, closable_on_site=entry.closable_on_site, vip_level=entry.vip_level,
        required_skills=tuple(entry.required_skills), carried_over_days=entry.carried_over_days,
        planned_site=site_ref(entry.planned_site), extra=_note_dict(entry.needs_new_appointment),
    )


def plan_document(model: DayModel, solution: Solution, rules: Rules, *, solver: dict[str, Any],
                  author: str = "", replanned_from: ReplannedFrom | None = None) -> PlanDocument:
    """The document of a solved day: every step's times, the unassigned visits with reasons."""
    routes = []
    for route in solution.routes:
        wd = model.workers[route.worker_id]
        steps = []
        last_place = None
        for st in route.steps:
            kind = {"job": "visit"}.get(st.kind, st.kind)
            # a break is taken where the worker is: the previous place, not the solver's node
            place = last_place if kind == "break" else model.point(st.location)
            last_place = place
            visit = visit_fields(model.visits[st.job_id]) if kind == "visit" and st.job_id is not None else {}
            steps.append(Step(**{
                "type": kind, "visit_id": None, "ticket_ids": (),
                "lat": place[0] if place else None, "lon": place[1] if place else None,
                "arrival": iso(model.at(st.arrival)), "start": iso(model.at(st.start)),
                "end": iso(model.at(st.end)),
                "travel_min": _min(st.travel_s), "wait_min": _min(st.wait_s), "service_min": _min(st.service_s),
                **visit}))
        route_steps = tuple(steps)
        routes.append(Route(**roster_fields(wd), **route_totals(route_steps), steps=route_steps))
    next_day = (model.day + timedelta(days=1)).isoformat()
    unassigned = []
    for u in solution.unassigned:
        v = model.visits[u.job_id]
        texts = reason_texts(rules, u.reason)
        unassigned.append(Unassigned(
            **visit_fields(v), lat=v.lat, lon=v.lon, service_min=v.service_min,
            reason=u.reason, explanation=texts["zh"], explanation_en=texts["en"], detail=u.detail,
            carried_over_to=next_day))
    all_routes, all_unassigned = tuple(routes), tuple(unassigned)
    d = rules.data["day"]
    return PlanDocument(
        schema=SCHEMA,
        date=model.day.isoformat(),
        district=model.district,
        timezone=str(rules.tz),
        created_at=iso(datetime.now(timezone.utc).astimezone(rules.tz)),
        author=author,
        rules_version=rules.version,
        settings=Settings(
            visit_budget_min=(model.problem.visit_budget_s or 0) / 60 or None,
            travel_model=model.travel.to_dict(),
            max_visits_per_worker=d["max_visits_per_worker"],
            break_minutes=d["break_minutes"],
            solver=solver),
        routes=all_routes,
        unassigned=all_unassigned,
        summary=Summary(
            **summarise(all_routes, all_unassigned),
            carried_over=len(unassigned),
            served_by_priority={str(k): v for k, v in sorted(solution.served_by_priority.items())},
            status=solution.status,
            stopped_by=solution.stopped_by,
            solve_seconds=round(solution.solve_seconds, 3),
            time_to_best_seconds=solution.time_to_best_s,
            warnings=tuple(model.warnings) + tuple(solution.warnings)),
        replanned_from=replanned_from,
    )
