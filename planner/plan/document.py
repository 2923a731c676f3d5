"""The plan as a document (``plan.json``, schema ``cvp.plan/1``).

VROOM's output vocabulary where it fits (routes of steps, ``unassigned`` with
reasons, a ``summary``), plus everything needed to check the plan again later
without the solver: each route's shift, lunch window, skills and visit cap,
each stop's window and required skills, and the travel-model parameters.
Times are ISO 8601 with the plan's UTC offset; durations are minutes.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from planner.plan.build import DayModel, WorkerDay
from planner.plan.notes import reason_texts
from planner.records import Visit
from planner.routing import Solution
from planner.triage.rules import Rules

SCHEMA = "cvp.plan/1"


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat(timespec="seconds") if dt else None


def _min(seconds: int) -> float:
    return round(seconds / 60, 2)


def roster_fields(wd: WorkerDay) -> dict[str, Any]:
    """What a route records of its worker's day: who, where from, shift, lunch window, cap."""
    staff, bw = wd.staff, wd.break_window
    return {
        "staff_id": staff.staff_id, "staff_name": staff.name, "transport": staff.transport,
        "skills": list(staff.skills), "max_visits": wd.max_visits,
        "base_lat": staff.base_lat, "base_lon": staff.base_lon, "base_name": staff.base_name,
        "shift": [_iso(wd.shift[0]), _iso(wd.shift[1])],
        "break_window": [_iso(bw[0]), _iso(bw[1]), bw[2]] if bw else None,
    }


def plan_document(model: DayModel, solution: Solution, rules: Rules, *, solver: dict[str, Any],
                  author: str = "", replanned_from: dict[str, Any] | None = None) -> dict[str, Any]:
    routes = []
    for route in solution.routes:
        wd = model.workers[route.worker_id]
        staff = wd.staff
        steps = []
        last_place = None
        for st in route.steps:
            kind = {"job": "visit"}.get(st.kind, st.kind)
            # a break is taken where the worker is: the previous place, not the solver's node
            place = last_place if kind == "break" else model.point(st.location)
            last_place = place
            step: dict[str, Any] = {
                "type": kind, "visit_id": None, "ticket_ids": [],
                "lat": place[0] if place else None, "lon": place[1] if place else None,
                "arrival": _iso(model.at(st.arrival)), "start": _iso(model.at(st.start)),
                "end": _iso(model.at(st.end)),
                "travel_min": _min(st.travel_s), "wait_min": _min(st.wait_s), "service_min": _min(st.service_s),
            }
            if kind == "visit":
                step.update(visit_step_fields(model.visits[st.job_id]))
            steps.append(step)
        routes.append({
            **roster_fields(wd),
            "visits": sum(1 for s in steps if s["type"] == "visit"),
            "travel_min": _min(route.travel_s),
            "steps": steps,
        })
    next_day = (model.day + timedelta(days=1)).isoformat()
    unassigned = []
    for u in solution.unassigned:
        v = model.visits[u.job_id]
        texts = reason_texts(rules, u.reason)
        unassigned.append({
            **visit_step_fields(v), "lat": v.lat, "lon": v.lon, "service_min": v.service_min,
            "reason": u.reason, "explanation": texts["zh"], "explanation_en": texts["en"], "detail": u.detail,
            "carried_over_to": next_day,
        })
    visit_steps = [s for r in routes for s in r["steps"] if s["type"] == "visit"]
    d = rules.data["day"]
    doc = {
        "schema": SCHEMA,
        "date": model.day.isoformat(),
        "district": model.district,
        "timezone": str(rules.tz),
        "created_at": _iso(datetime.now(timezone.utc).astimezone(rules.tz)),
        "author": author,
        "rules_version": rules.version,
        "settings": {
            "visit_budget_min": (model.problem.visit_budget_s or 0) / 60 or None,
            "travel_model": model.travel.to_dict(),
            "max_visits_per_worker": d["max_visits_per_worker"],
            "break_minutes": d["break_minutes"],
            "solver": solver,
        },
        "routes": routes,
        "unassigned": unassigned,
        "summary": {
            "visits": len(visit_steps) + len(unassigned),
            "assigned": len(visit_steps),
            "unassigned": len(unassigned),
            "carried_over": len(unassigned),
            "travel_min": round(sum(s["travel_min"] for r in routes for s in r["steps"]), 1),
            "wait_min": round(sum(s["wait_min"] for r in routes for s in r["steps"] if s["type"] != "start"), 1),
            "service_min": round(sum(s["service_min"] for s in visit_steps), 1),
            "served_by_priority": {str(k): v for k, v in sorted(solution.served_by_priority.items())},
            "status": solution.status,
            "stopped_by": solution.stopped_by,
            "solve_seconds": round(solution.solve_seconds, 3),
            "time_to_best_seconds": solution.time_to_best_s,
            "warnings": model.warnings + list(solution.warnings),
        },
    }
    if replanned_from:
        doc["replanned_from"] = replanned_from
    return doc


def visit_step_fields(v: Visit) -> dict[str, Any]:
    """What a stop carries about its visit: enough for the checker, the sheet, the map,
    and for re-planning (:func:`visit_from_fields` reads it back)."""
    return {
        "visit_id": v.visit_id, "ticket_ids": list(v.ticket_ids),
        "time_window": [_iso(v.time_window[0]), _iso(v.time_window[1])] if v.time_window else None,
        "priority": v.priority, "customer_type": v.customer_type, "scenario": v.scenario,
        "reasons": list(v.reasons), "required_skills": list(v.required_skills), "address": v.address,
        "vip_level": v.vip_level, "gift": v.gift, "closable_on_site": v.closable_on_site,
        "carried_over_days": v.carried_over_days,
        **({"needs_new_appointment": v.extra["needs_new_appointment"]}
           if v.extra.get("needs_new_appointment") else {}),
    }


def visit_from_fields(d: dict[str, Any], district: str) -> Visit:
    """The visit behind a plan's stop or unassigned entry."""
    tw = d.get("time_window")
    return Visit(
        visit_id=d["visit_id"], ticket_ids=tuple(d["ticket_ids"]), district=district, reasons=tuple(d["reasons"]),
        customer_type=d["customer_type"], scenario=d["scenario"], priority=d["priority"],
        service_min=int(round(d["service_min"])), lat=d.get("lat"), lon=d.get("lon"), address=d.get("address", ""),
        time_window=(datetime.fromisoformat(tw[0]), datetime.fromisoformat(tw[1])) if tw else None,
        gift=d.get("gift", False), closable_on_site=d.get("closable_on_site", False),
        vip_level=d.get("vip_level", "none"), required_skills=tuple(d.get("required_skills", ())),
        carried_over_days=d.get("carried_over_days", 0),
        extra={"needs_new_appointment": d["needs_new_appointment"]} if d.get("needs_new_appointment") else {},
    )
