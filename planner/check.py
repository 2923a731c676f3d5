"""The independent plan checker (``cvp check plan.json``).

A plan is a document: every time in it can be re-derived from the document
alone and the travel model it names.  This module shares nothing with the
solver model: it reads the JSON, recomputes each leg with the travel model and
checks every rule a dispatcher relies on.  A model that "looks right" once let
90.3-minute blocks through; this is what catches that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from planner.geo.travel import make_matrix_source

TOLERANCE_S = 60  # the document's arithmetic holds "to within a minute"
SCHEMA = "cvp.plan/1"
ONE_SECOND = timedelta(seconds=1)  # ISO times carry whole seconds


@dataclass(frozen=True)
class Violation:
    where: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.where}: {self.rule}: {self.detail}"


def _t(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


class _Checker:
    def __init__(self, doc: dict[str, Any]):
        self.doc = doc
        self.v: list[Violation] = []
        settings = doc.get("settings", {})
        self.budget_s = settings.get("visit_budget_min") and settings["visit_budget_min"] * 60
        self.times = make_matrix_source(settings["travel_model"])

    def fail(self, where: str, rule: str, detail: str) -> None:
        self.v.append(Violation(where, rule, detail))

    def run(self) -> list[Violation]:
        if self.doc.get("schema") != SCHEMA:
            self.fail("plan", "schema", f"expected {SCHEMA!r}, found {self.doc.get('schema')!r}")
            return self.v
        seen: dict[str, str] = {}
        for route in self.doc.get("routes", []):
            self.route(route, seen)
        for u in self.doc.get("unassigned", []):
            vid = u.get("visit_id")
            if vid in seen:
                self.fail(f"unassigned {vid}", "each visit once", f"also planned on {seen[vid]}")
            seen[vid] = "unassigned"
            if not u.get("reason"):
                self.fail(f"unassigned {vid}", "reason", "an unassigned visit must say why")
        self.summary(seen)
        return self.v

    def route(self, route: dict, seen: dict[str, str]) -> None:
        sid = route.get("staff_id", "?")
        steps = route.get("steps", [])
        if not steps or steps[0].get("type") != "start" or steps[-1].get("type") != "end":
            self.fail(f"route {sid}", "shape", "a route starts with a start step and ends with an end step")
            return
        base = (route.get("base_lat"), route.get("base_lon"))
        for s in (steps[0], steps[-1]):
            if (s.get("lat"), s.get("lon")) != base:
                self.fail(f"route {sid} {s['type']}", "base", "start and end are at the worker's base")
        shift = [_t(x) for x in route.get("shift", [None, None])]
        if shift[0] and _t(steps[0]["end"]) < shift[0]:
            self.fail(f"route {sid}", "shift", f"leaves at {steps[0]['end']}, before the shift starts {shift[0]}")
        if shift[1] and _t(steps[-1]["arrival"]) > shift[1]:
            self.fail(f"route {sid}", "shift", f"returns at {steps[-1]['arrival']}, after the shift ends {shift[1]}")
        transport = route.get("transport")
        skills = set(route.get("skills", []))
        visits = [s for s in steps if s.get("type") == "visit"]
        if route.get("max_visits") is not None and len(visits) > route["max_visits"]:
            self.fail(f"route {sid}", "max visits", f"{len(visits)} visits, more than {route['max_visits']}")
        breaks = [s for s in steps if s.get("type") == "break"]
        window = route.get("break_window")
        if window and visits and len(breaks) != 1:
            self.fail(f"route {sid}", "lunch break", f"expected one break, found {len(breaks)}")
        prev = steps[0]
        last_place = steps[0]
        for i, s in enumerate(steps[1:], start=1):
            where = f"route {sid} step {i} ({s.get('type')} {s.get('visit_id') or ''})".rstrip()
            arrival, start, end = _t(s["arrival"]), _t(s["start"]), _t(s["end"])
            travel = s.get("travel_min", 0) * 60
            wait = s.get("wait_min", 0) * 60
            service = s.get("service_min", 0) * 60
            prev_end = _t(prev["end"])
            if abs((arrival - prev_end).total_seconds() - travel) > TOLERANCE_S:
                self.fail(where, "arrival = previous end + travel",
                          f"{s['arrival']} vs {prev['end']} + {_minutes(travel)}")
            if abs((start - arrival).total_seconds() - wait) > TOLERANCE_S or wait < 0:
                self.fail(where, "start = arrival + wait", f"{s['start']} vs {s['arrival']} + {_minutes(wait)}")
            if abs((end - start).total_seconds() - service) > TOLERANCE_S:
                self.fail(where, "end = start + service", f"{s['end']} vs {s['start']} + {_minutes(service)}")
            if s.get("type") == "break":
                if travel or (s.get("lat"), s.get("lon")) != (last_place.get("lat"), last_place.get("lon")):
                    self.fail(where, "break where the worker is", "no travel during the lunch break")
                if window:
                    lo, hi = _t(window[0]), _t(window[1])
                    if start < lo - ONE_SECOND or start > hi + ONE_SECOND:
                        self.fail(where, "break window", f"starts {s['start']}, allowed {window[0]}–{window[1]}")
                    if abs(service - window[2] * 60) > TOLERANCE_S:
                        self.fail(where, "break length", f"{_minutes(service)}, expected {window[2]} min")
                prev = s
                continue
            expected = self.times.leg_seconds((last_place["lat"], last_place["lon"]), (s["lat"], s["lon"]), transport)
            if abs(expected - travel) > TOLERANCE_S:
                self.fail(where, "travel time", f"{_minutes(travel)} in the plan, the travel model gives "
                                                f"{_minutes(expected)}")
            if s.get("type") == "visit":
                vid = s.get("visit_id")
                if vid in seen:
                    self.fail(where, "each visit once", f"{vid} also on {seen[vid]}")
                seen[vid] = f"route {sid}"
                tw = s.get("time_window")
                if tw and not (_t(tw[0]) - ONE_SECOND <= start <= _t(tw[1]) + ONE_SECOND):
                    self.fail(where, "appointment window", f"starts {s['start']}, window {tw[0]}–{tw[1]}")
                missing = set(s.get("required_skills", [])) - skills
                if missing:
                    self.fail(where, "skills", f"needs {', '.join(sorted(missing))}, {sid} lacks it")
                if self.budget_s:
                    # from the end of the previous step: after lunch the clock restarts, and idle
                    # time before a lunch that may not start earlier belongs to the lunch gap
                    used = (end - prev_end).total_seconds()
                    if used > self.budget_s + 1:
                        self.fail(where, "visit budget", f"travel + wait + on-site = {_minutes(used)} > "
                                                         f"{_minutes(self.budget_s)}")
            last_place = s
            prev = s

    def summary(self, seen: dict[str, str]) -> None:
        summ = self.doc.get("summary", {})
        assigned = sum(1 for v in seen.values() if v != "unassigned")
        unassigned = sum(1 for v in seen.values() if v == "unassigned")
        for key, actual in (("assigned", assigned), ("unassigned", unassigned), ("visits", len(seen))):
            if summ.get(key) != actual:
                self.fail("summary", "summary", f"{key}: says {summ.get(key)}, the routes hold {actual}")


def check_plan(doc: dict[str, Any]) -> list[Violation]:
    """Every rule the plan breaks; an empty list means the plan holds."""
    return _Checker(doc).run()
