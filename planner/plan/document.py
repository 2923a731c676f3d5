"""The plan document (``plan.json``, schema ``cvp.plan/1``), defined once.

Everything that writes a plan builds these types and everything that reads one
(the checker, sheets, map, export, closure, re-planning, the web app) reads them
through :meth:`PlanDocument.from_json`, which says where a malformed document is
wrong (``routes[2].steps[5].arrival: expected an ISO 8601 time``) instead of
failing on a missing key somewhere later.  The JSON Schema in
``web/plan.schema.json`` is generated from these classes (``python -m
planner.plan.schema``); a test keeps it up to date.

The words are VROOM's where they fit (``docs/outputs.md``, "The plan document"):
a plan has ``routes``, one per worker, each a sequence of ``steps`` (``start``,
``visit`` – VROOM's ``job`` –, ``break``, ``end``) with ``arrival``, ``service``
and ``waiting`` spelled out; the visits left out are ``unassigned``, each with a
``reason``; totals are in the ``summary``.  Where this document differs from
VROOM: durations are minutes (``travel_min``, ``wait_min``, ``service_min``), times
are ISO 8601 with the plan's UTC offset, and **priority 1 is the most urgent**
(VROOM's ``priority`` is 0–100 with higher more important): the solver serves a
visit of priority *p* before any number of visits of priorities *p + 1* and
beyond, and a visit carried over rises one level (its number falls by one) per
day waited.

This module is a data definition only: no solver, no store.  The checker uses it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Final, Literal, Mapping

from planner.jsondoc import IsoDate, IsoTime, JsonDoc, ShapeError, doc_field, read_object

SCHEMA: Final = "cvp.plan/1"
#: bytes of a plan file read from disk: the fixture district's day (4 workers, 25 visits) is
#: 32 KB, so a day of a hundred workers stays under 1 MB; a file far past that is not a
#: plan, and is refused before it is read into memory
MAX_FILE_BYTES = 32 * 1024 * 1024
#: the path a ShapeError names for a problem with the file as a whole
FILE = "(file)"
#: what ``priority`` means, in the schema and the docs: the inverse of VROOM's
PRIORITY = ("1 is the most urgent: the position in the rules file's priority.levels (by default "
            "diamond VIP, gold VIP, escalation, silver/premium VIP, repeat, cluster, core, dispatcher); a visit "
            "is served before any number of visits of later levels, and an unassigned one comes back a level "
            "more urgent each day")


def _is_visit(step: "Step") -> bool:
    return step.type == "visit"


@dataclass(frozen=True, kw_only=True)
class Note(JsonDoc):
    """A note for the dispatcher in Chinese and English, e.g. an appointment of an earlier day
    has passed and the customer must be phoned for a new one."""

    code: str | None = doc_field("e.g. appointment_expired", omit_none=True, default=None)
    zh: str = doc_field("the note in Chinese", default="")
    en: str = doc_field("the note in English", default="")
    expired_window: tuple[IsoTime, IsoTime] | None = doc_field("the appointment that passed", omit_none=True,
                                                               default=None)

    def text(self, lang: str) -> str:
        return (self.zh if lang == "zh" else self.en) or self.en


@dataclass(frozen=True, kw_only=True)
class PlannedSite(JsonDoc):
    """The network-plan site a 规划在建型 visit relies on: the worker tells the customer the
    plan (说明计划情况) and the customer is called back when it is live."""

    site_id: str = doc_field("the site's id in the network plan")
    name: str = doc_field("the site's name in the network plan, \"\" when it gives none", default="")
    status: str = doc_field("planned or under_construction")
    expected_date: IsoDate | None = doc_field("when it is expected live, null when the plan does not say")


def visit_field(doc: str, **kw: Any) -> Any:
    """A field a step carries only when it is a visit (start, break and end steps lack the key)."""
    return doc_field(doc, written_if=_is_visit, **kw)


@dataclass(frozen=True, kw_only=True)
class Step(JsonDoc):
    """One step of a route.  ``arrival = previous end + travel``, ``start = arrival + wait``,
    ``end = start + service``; a ``break`` is taken where the worker is (no travel); the
    ``start`` step's ``end`` is the departure from the base, the ``end`` step's ``arrival``
    the return.  A ``visit`` step also carries its visit (ids, window, priority, type,
    scenario, what the sheet prints)."""

    type: Literal["start", "visit", "break", "end"] = doc_field("start, visit, break or end")
    visit_id: str | None = doc_field("the visit (visit steps only, else null)")
    ticket_ids: tuple[str, ...] = doc_field("the tickets the visit answers (a cluster has several)")
    lat: float | None = doc_field("WGS-84 latitude where the step is taken")
    lon: float | None = doc_field("WGS-84 longitude")
    arrival: IsoTime = doc_field("when the worker arrives")
    start: IsoTime = doc_field("when the service (or the break) starts")
    end: IsoTime = doc_field("when it ends")
    travel_min: float = doc_field("minutes of travel from the previous place")
    wait_min: float = doc_field("minutes of waiting before the start (an appointment not yet open)")
    service_min: float = doc_field("minutes on site (or of the break)")
    time_window: tuple[IsoTime, IsoTime] | None = visit_field("the appointment window, null for none",
                                                             default=None)
    priority: int | None = visit_field(PRIORITY, default=None)
    customer_type: str | None = visit_field("the rules' customer type", default=None)
    scenario: str | None = visit_field("the rules' scenario", default=None)
    reasons: tuple[str, ...] = visit_field("why the visit was chosen (rules' selection codes)", default=())
    required_skills: tuple[str, ...] = visit_field("skills the worker must have", default=())
    address: str = visit_field("the customer's address", default="")
    vip_level: str = visit_field("the customer's VIP tier", default="none")
    gift: bool = visit_field("bring a small gift", default=False)
    closable_on_site: bool = visit_field("likely closed on site", default=False)
    carried_over_days: int = visit_field("days the visit has waited", default=0)
    needs_new_appointment: Note | None = doc_field("the earlier day's appointment has passed", omit_none=True,
                                                   default=None)
    planned_site: PlannedSite | None = doc_field("the planned site the visit's scenario relies on", omit_none=True,
                                                 default=None)

    @property
    def is_visit(self) -> bool:
        return self.type == "visit"

    @property
    def place(self) -> tuple[float | None, float | None]:
        return (self.lat, self.lon)

    @property
    def point(self) -> tuple[float, float] | None:
        """Where the step is taken, when it has both coordinates (None: it has not)."""
        return (self.lat, self.lon) if self.lat is not None and self.lon is not None else None


@dataclass(frozen=True, kw_only=True)
class Route(JsonDoc):
    """One worker's day: who, from where, the shift, lunch window, skills and cap the checker
    holds the steps to, and the steps from ``start`` to ``end``."""

    staff_id: str = doc_field()
    staff_name: str = doc_field()
    transport: str = doc_field("walk, bus, taxi or car: the travel model's speed")
    skills: tuple[str, ...] = doc_field()
    max_visits: int | None = doc_field("the worker's visit cap for the day")
    base_lat: float | None = doc_field("where the route starts and ends (WGS-84)")
    base_lon: float | None = doc_field()
    base_name: str = doc_field("the base's name from the roster", default="")
    shift: tuple[IsoTime, IsoTime] = doc_field("the worker's shift")
    break_window: tuple[IsoTime, IsoTime, float] | None = doc_field(
        "earliest start, latest start and minutes of the lunch break; null for none")
    visits: int = doc_field("visit steps on the route")
    travel_min: float = doc_field("minutes of travel on the route")
    steps: tuple[Step, ...] = doc_field()
    absent_from: IsoTime | None = doc_field("after a re-plan: the worker left the day at this time",
                                            omit_none=True, default=None)

    @property
    def visit_steps(self) -> list[Step]:
        return [s for s in self.steps if s.type == "visit"]

    def step_of_type(self, kind: str) -> Step | None:
        return next((s for s in self.steps if s.type == kind), None)

    @property
    def base(self) -> tuple[float | None, float | None]:
        return (self.base_lat, self.base_lon)

    @property
    def base_point(self) -> tuple[float, float] | None:
        """The base, when the roster gave both coordinates (None: it did not)."""
        return (self.base_lat, self.base_lon) if self.base_lat is not None and self.base_lon is not None else None


@dataclass(frozen=True, kw_only=True)
class Unassigned(JsonDoc):
    """A visit left out, with the reason code, its explanation and the day it is carried over to."""

    visit_id: str = doc_field()
    ticket_ids: tuple[str, ...] = doc_field()
    time_window: tuple[IsoTime, IsoTime] | None = doc_field("the appointment window, null for none")
    priority: int = doc_field(PRIORITY)
    customer_type: str | None = doc_field()
    scenario: str | None = doc_field()
    reasons: tuple[str, ...] = doc_field()
    required_skills: tuple[str, ...] = doc_field(default=())
    address: str = doc_field(default="")
    vip_level: str = doc_field(default="none")
    gift: bool = doc_field(default=False)
    closable_on_site: bool = doc_field(default=False)
    carried_over_days: int = doc_field(default=0)
    needs_new_appointment: Note | None = doc_field(omit_none=True, default=None)
    planned_site: PlannedSite | None = doc_field("the planned site the visit's scenario relies on", omit_none=True,
                                                 default=None)
    lat: float | None = doc_field(default=None)
    lon: float | None = doc_field(default=None)
    service_min: float = doc_field("minutes the visit would take on site")
    reason: str = doc_field("one of the routing core's reason codes (planner.routing.solution.UNASSIGNED_REASONS)")
    explanation: str = doc_field("the reason in plain Chinese")
    explanation_en: str = doc_field("the same reason in English", default="")
    detail: str | None = doc_field(default="")
    carried_over_to: IsoDate = doc_field("the day the visit is triaged again, one priority level higher")

    def text(self, lang: str) -> str:
        """The reason as the dispatcher reads it."""
        return (self.explanation if lang == "zh" else self.explanation_en) or self.explanation or self.reason


@dataclass(frozen=True, kw_only=True)
class PhoneFollowUp(JsonDoc):
    """A ticket of the day answered by a call instead of a visit, as the triage the plan was
    made from listed it; publishing the plan opens its phone case (unless one is open)."""

    ticket_id: str = doc_field()
    why: str = doc_field("why a call and not a visit")
    why_code: str = doc_field("no_visit_rule, override (a dispatcher said no visit) or open_case")
    case_id: int | None = doc_field("the open phone case that holds the ticket already", omit_none=True,
                                    default=None)


@dataclass(frozen=True, kw_only=True)
class Gifts(JsonDoc):
    """The month's small gifts against the district's budget once the day is planned."""

    month: str = doc_field()
    budget: int = doc_field()
    before: int = doc_field("gift visits on the routes of earlier days of the month")
    on_routes: int = doc_field("gift visits on this plan's routes")
    total: int = doc_field()


@dataclass(frozen=True, kw_only=True)
class Change(JsonDoc):
    """After a re-plan: a visit that was on someone's route and is now elsewhere (``to`` null
    when it was dropped, with the reason)."""

    visit_id: str = doc_field()
    from_: str = doc_field(key="from")
    to: str | None = doc_field()
    reason: str | None = doc_field(omit_none=True, default=None)
    explanation: str | None = doc_field(omit_none=True, default=None)
    explanation_en: str | None = doc_field(omit_none=True, default=None)


@dataclass(frozen=True, kw_only=True)
class Summary(JsonDoc):
    """Totals over the routes (:func:`summarise`) and how the search ended."""

    visits: int = doc_field("assigned + unassigned")
    assigned: int = doc_field()
    unassigned: int = doc_field()
    carried_over: int = doc_field("visits carried over to the next day")
    travel_min: float = doc_field()
    wait_min: float = doc_field()
    service_min: float = doc_field()
    served_by_priority: dict[str, int] = doc_field("visits served per priority level")
    status: str = doc_field("complete, partial or no_solution")
    stopped_by: str = doc_field("time_limit, solution_limit, optimal or nothing_to_route")
    solve_seconds: float = doc_field()
    time_to_best_seconds: float | None = doc_field()
    warnings: tuple[str, ...] = doc_field()
    gifts: Gifts | None = doc_field(omit_none=True, default=None)
    moved_to_another_worker: tuple[str, ...] | None = doc_field("after a re-plan", omit_none=True, default=None)
    handed_over_from_absent: tuple[str, ...] | None = doc_field("after a re-plan", omit_none=True, default=None)
    changes: tuple[Change, ...] | None = doc_field("after a re-plan", omit_none=True, default=None)


@dataclass(frozen=True, kw_only=True)
class Settings(JsonDoc):
    """What the plan was made with: the checker re-derives every leg from ``travel_model``."""

    visit_budget_min: float | None = doc_field("travel + wait + on-site per visit, null for no budget")
    travel_model: dict[str, Any] = doc_field("planner.geo.travel.TravelModel.to_dict()")
    max_visits_per_worker: int = doc_field()
    break_minutes: float = doc_field()
    solver: dict[str, Any] = doc_field("time_limit_s, seed, solution_limit")


@dataclass(frozen=True, kw_only=True)
class ReplannedFrom(JsonDoc):
    """Which version a re-plan started from, and when."""

    version: int | None = doc_field()
    now: IsoTime = doc_field()
    absent: tuple[str, ...] = doc_field()
    added: str | None = doc_field("the file of urgent tickets inserted")


@dataclass(frozen=True, kw_only=True)
class PlanDocument(JsonDoc):
    """A district's day plan: everything needed to check it again later without the solver."""

    schema: Literal["cvp.plan/1"] = doc_field()
    date: IsoDate = doc_field()
    district: str = doc_field()
    timezone: str = doc_field()
    created_at: IsoTime = doc_field()
    author: str = doc_field()
    rules_version: str | None = doc_field()
    settings: Settings = doc_field()
    routes: tuple[Route, ...] = doc_field()
    unassigned: tuple[Unassigned, ...] = doc_field()
    summary: Summary = doc_field()
    replanned_from: ReplannedFrom | None = doc_field(omit_none=True, default=None)
    pins: dict[str, str] | None = doc_field("visit id -> staff id the dispatcher chose", omit_none=True,
                                            default=None)
    phone_followups: tuple[PhoneFollowUp, ...] = doc_field(
        "the day's tickets answered by a call, from the triage the plan was made from", default=())
    version: int | None = doc_field("the stored version (written by the store)", omit_none=True, default=None)

    @classmethod
    def from_json(cls, obj: Any) -> "PlanDocument":
        """The document from parsed JSON; :class:`planner.jsondoc.ShapeError` (a UserError) names
        the path of the first thing wrong."""
        if isinstance(obj, Mapping) and obj.get("schema") != SCHEMA:
            raise ShapeError("schema", f"expected {SCHEMA!r}, found {obj.get('schema')!r}: not a plan document "
                                       "(`cvp plan` writes one)")
        return read_object(cls, dict(obj) if isinstance(obj, Mapping) else obj, "")

    @classmethod
    def of(cls, doc: "PlanDocument | Mapping[str, Any]") -> "PlanDocument":
        """``doc`` itself, or read from its JSON form."""
        return doc if isinstance(doc, PlanDocument) else cls.from_json(doc)

    def route_of(self, staff_id: str) -> Route | None:
        return next((r for r in self.routes if r.staff_id == staff_id), None)

    @property
    def staff_ids(self) -> list[str]:
        return [r.staff_id for r in self.routes]

    def visit_steps(self) -> list[tuple[Route, Step]]:
        return [(r, s) for r in self.routes for s in r.steps if s.type == "visit"]


def summarise(routes: tuple[Route, ...], unassigned: tuple[Unassigned, ...]) -> dict[str, Any]:
    """The summary's totals over the routes, as plan and re-plan write them (the rest of the
    summary is how the search ended).  The waiting before the ``start`` step is not counted:
    a worker waiting at the base for the shift is not waiting for a customer."""
    steps = [s for r in routes for s in r.steps]
    visit_steps = [s for s in steps if s.type == "visit"]
    return {
        "visits": len(visit_steps) + len(unassigned),
        "assigned": len(visit_steps),
        "unassigned": len(unassigned),
        "travel_min": round(sum(s.travel_min for s in steps), 1),
        "wait_min": round(sum(s.wait_min for s in steps if s.type != "start"), 1),
        "service_min": round(sum(s.service_min for s in visit_steps), 1),
    }


def route_totals(steps: tuple[Step, ...]) -> dict[str, Any]:
    """A route's own totals (``visits``, ``travel_min``)."""
    return {"visits": sum(1 for s in steps if s.type == "visit"),
            "travel_min": round(sum(s.travel_min for s in steps), 2)}


def parse_plan(raw: bytes) -> PlanDocument:
    """A plan from the bytes of a plan file: UTF-8 JSON (a BOM is allowed) of the right shape,
    else :class:`ShapeError` – ``(file)`` for a file that is not JSON at all."""
    if len(raw) > MAX_FILE_BYTES:
        raise ShapeError(FILE, f"{len(raw):,} bytes; a plan file has at most {MAX_FILE_BYTES:,}")
    try:
        obj = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ShapeError(FILE, f"not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ShapeError(FILE, f"not JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:  # the decoder stops at the interpreter's recursion limit; a plan nests 6 levels
        raise ShapeError(FILE, "not a plan: the JSON is nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise ShapeError(FILE, f"not valid JSON ({str(exc)[:200]})") from None
    return PlanDocument.from_json(obj)


def read_plan_file(path: str | os.PathLike) -> PlanDocument:
    """:func:`parse_plan` of a file, its size checked before it is read; an unreadable file is
    a :class:`ShapeError` too (``(file)``)."""
    try:
        size = os.stat(path).st_size
        if size > MAX_FILE_BYTES:
            raise ShapeError(FILE, f"{size:,} bytes; a plan file has at most {MAX_FILE_BYTES:,}")
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ShapeError(FILE, f"cannot be read ({exc.strerror or exc})") from None
    return parse_plan(raw)
