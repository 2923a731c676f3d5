"""The independent plan checker (``cvp check plan.json``).

A plan is a document: every time in it can be re-derived from the document
alone and the travel model it names.  This module shares nothing with the
solver model: it reads the JSON as :class:`planner.plan.document.PlanDocument`
(a data definition; a document of the wrong shape is one ``shape`` violation
naming where, never a traceback), recomputes each leg with the travel model and
checks every rule a dispatcher relies on.  A model that "looks right" once let
90.3-minute blocks through; this is what catches that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

from planner.geo.sources import make_matrix_source
from planner.jsondoc import ROOT, ShapeError
from planner.plan.document import FILE, PlanDocument, Route, Step, read_plan_file

TOLERANCE_S = 60  # the document's arithmetic holds "to within a minute"
ONE_SECOND = timedelta(seconds=1)  # ISO times carry whole seconds


@dataclass(frozen=True)
class Violation:
    where: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.where}: {self.rule}: {self.detail}"


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


class _Checker:
    def __init__(self, doc: PlanDocument):
        self.doc = doc
        self.v: list[Violation] = []
        budget = doc.settings.visit_budget_min
        self.budget_s = budget * 60 if budget else None
        self.times = make_matrix_source(doc.settings.travel_model)

    def fail(self, where: str, rule: str, detail: str) -> None:
        self.v.append(Violation(where, rule, detail))

    def run(self) -> list[Violation]:
        seen: dict[str, str] = {}
        for route in self.doc.routes:
            self.route(route, seen)
        for u in self.doc.unassigned:
            vid = u.visit_id
            if vid in seen:
                self.fail(f"unassigned {vid}", "each visit once", f"also planned on {seen[vid]}")
            seen[vid] = "unassigned"
            if not u.reason:
                self.fail(f"unassigned {vid}", "reason", "an unassigned visit must say why")
        self.summary(seen)
        return self.v

    def route(self, route: Route, seen: dict[str, str]) -> None:
        sid = route.staff_id
        steps = route.steps
        if not steps or steps[0].type != "start" or steps[-1].type != "end":
            self.fail(f"route {sid}", "shape", "a route starts with a start step and ends with an end step")
            return
        for s in (steps[0], steps[-1]):
            if s.place != route.base:
                self.fail(f"route {sid} {s.type}", "base", "start and end are at the worker's base")
        shift = [_t(x) for x in route.shift]
        if _t(steps[0].end) < shift[0]:
            self.fail(f"route {sid}", "shift", f"leaves at {steps[0].end}, before the shift starts {shift[0]}")
        if _t(steps[-1].arrival) > shift[1]:
            self.fail(f"route {sid}", "shift", f"returns at {steps[-1].arrival}, after the shift ends {shift[1]}")
        skills = set(route.skills)
        visits = route.visit_steps
        if route.max_visits is not None and len(visits) > route.max_visits:
            self.fail(f"route {sid}", "max visits", f"{len(visits)} visits, more than {route.max_visits}")
        breaks = [s for s in steps if s.type == "break"]
        window = route.break_window
        if window and visits and len(breaks) != 1:
            self.fail(f"route {sid}", "lunch break", f"expected one break, found {len(breaks)}")
        prev = steps[0]
        last_place = steps[0]
        for i, s in enumerate(steps[1:], start=1):
            where = f"route {sid} step {i} ({s.type} {s.visit_id or ''})".rstrip()
            self.step(route, s, prev, last_place, where, seen, skills)
            if s.type != "break":
                last_place = s
            prev = s

    def step(self, route: Route, s: Step, prev: Step, last_place: Step, where: str, seen: dict[str, str],
             skills: set[str]) -> None:
        self.step_times(s, prev, where)
        if s.type == "break":
            self.break_step(route, s, last_place, where)
            return
        if not self.leg(route, s, last_place, where):
            return
        if s.type == "visit":
            self.visit_step(route, s, prev, where, seen, skills)

    def step_times(self, s: Step, prev: Step, where: str) -> None:
        """arrival = previous end + travel, start = arrival + wait, end = start + service."""
        arrival, start, end = _t(s.arrival), _t(s.start), _t(s.end)
        travel, wait, service = s.travel_min * 60, s.wait_min * 60, s.service_min * 60
        if abs((arrival - _t(prev.end)).total_seconds() - travel) > TOLERANCE_S:
            self.fail(where, "arrival = previous end + travel", f"{s.arrival} vs {prev.end} + {_minutes(travel)}")
        if abs((start - arrival).total_seconds() - wait) > TOLERANCE_S or wait < 0:
            self.fail(where, "start = arrival + wait", f"{s.start} vs {s.arrival} + {_minutes(wait)}")
        if abs((end - start).total_seconds() - service) > TOLERANCE_S:
            self.fail(where, "end = start + service", f"{s.end} vs {s.start} + {_minutes(service)}")

    def break_step(self, route: Route, s: Step, last_place: Step, where: str) -> None:
        """The lunch: where the worker is, inside the break window, as long as it says."""
        travel, service = s.travel_min * 60, s.service_min * 60
        if travel or s.place != last_place.place:
            self.fail(where, "break where the worker is", "no travel during the lunch break")
        window = route.break_window
        if window:
            start, lo, hi = _t(s.start), _t(window[0]), _t(window[1])
            if start < lo - ONE_SECOND or start > hi + ONE_SECOND:
                self.fail(where, "break window", f"starts {s.start}, allowed {window[0]}–{window[1]}")
            if abs(service - window[2] * 60) > TOLERANCE_S:
                self.fail(where, "break length", f"{_minutes(service)}, expected {window[2]} min")

    def leg(self, route: Route, s: Step, last_place: Step, where: str) -> bool:
        """The travel to a step matches the travel model (False: it cannot be timed at all)."""
        here, there = last_place.point, s.point
        if here is None or there is None:
            self.fail(where, "place", "a step the worker travels to needs lat and lon")
            return False
        travel = s.travel_min * 60
        try:
            expected = self.times.leg_seconds(here, there, route.transport)
        except (KeyError, ValueError) as exc:
            self.fail(where, "travel time", f"the travel model cannot time a {route.transport!r} leg ({exc})")
            return False
        if abs(expected - travel) > TOLERANCE_S:
            self.fail(where, "travel time", f"{_minutes(travel)} in the plan, the travel model gives "
                                            f"{_minutes(expected)}")
        return True

    def visit_step(self, route: Route, s: Step, prev: Step, where: str, seen: dict[str, str],
                   skills: set[str]) -> None:
        """A visit: planned once, inside its appointment window, by a worker with its skills,
        within the visit budget."""
        vid = s.visit_id or ""
        if vid in seen:
            self.fail(where, "each visit once", f"{vid} also on {seen[vid]}")
        seen[vid] = f"route {route.staff_id}"
        start, end = _t(s.start), _t(s.end)
        tw = s.time_window
        if tw and not (_t(tw[0]) - ONE_SECOND <= start <= _t(tw[1]) + ONE_SECOND):
            self.fail(where, "appointment window", f"starts {s.start}, window {tw[0]}–{tw[1]}")
        missing = set(s.required_skills) - skills
        if missing:
            self.fail(where, "skills", f"needs {', '.join(sorted(missing))}, {route.staff_id} lacks it")
        if self.budget_s:
            # from the end of the previous step: after lunch the clock restarts, and idle
            # time before a lunch that may not start earlier belongs to the lunch gap
            used = (end - _t(prev.end)).total_seconds()
            if used > self.budget_s + 1:
                self.fail(where, "visit budget", f"travel + wait + on-site = {_minutes(used)} > "
                                                 f"{_minutes(self.budget_s)}")

    def summary(self, seen: dict[str, str]) -> None:
        summ = self.doc.summary
        assigned = sum(1 for v in seen.values() if v != "unassigned")
        unassigned = sum(1 for v in seen.values() if v == "unassigned")
        for key, actual in (("assigned", assigned), ("unassigned", unassigned), ("visits", len(seen))):
            if getattr(summ, key) != actual:
                self.fail("summary", "summary", f"{key}: says {getattr(summ, key)}, the routes hold {actual}")


def check_file(path: str) -> list[Violation]:
    """:func:`check_plan` of a plan file; a file that is not a plan document (not JSON, too
    big, too deep, the wrong shape) is one violation saying so."""
    try:
        plan = read_plan_file(path)
    except ShapeError as exc:
        return [_shape(exc, whole=path)]
    return check_plan(plan)


def _shape(exc: ShapeError, whole: str) -> Violation:
    """The violation of a document that is not of the plan's shape; ``whole`` names the file
    (or the document) when the problem is not at one place in it."""
    return Violation(whole if exc.path in (FILE, ROOT) else exc.path, "schema" if exc.path == "schema" else "shape",
                     exc.reason)


def check_plan(doc: PlanDocument | Mapping[str, Any] | Any) -> list[Violation]:
    """Every rule the plan breaks; an empty list means the plan holds.

    ``doc`` is parsed JSON (or a document): one of the wrong shape – a wrong
    schema, a missing key, a text where a number belongs – is one violation
    naming where (``routes[2].steps[5].arrival``), not an exception."""
    try:
        plan = PlanDocument.of(doc)
        checker = _Checker(plan)
    except ShapeError as exc:
        return [_shape(exc, whole=ROOT)]
    except (ValueError, TypeError, KeyError) as exc:  # a travel model the geo module cannot use
        return [Violation("settings.travel_model", "shape", str(exc) or type(exc).__name__)]
    try:
        return checker.run()
    except OverflowError as exc:  # a time at the edge of the calendar (year 1 or 9999)
        return checker.v + [Violation("plan", "shape", f"a time out of range ({exc})")]
