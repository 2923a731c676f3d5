"""From triaged visits and the roster to the routing core's problem.

The one place where domain values (``Visit``, ``StaffMember``, the rules'
working day) become solver values (``Job``, ``Worker``, integer seconds from
local midnight of the plan's day).  Everything the solver needs and the plan
document must record passes through :class:`DayModel`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from planner.geo.sources import make_matrix_source
from planner.geo.travel import TravelModel
from planner.plan.notes import appointment_expired_note
from planner.records import StaffMember, Visit
from planner.routing import BreakSpec, Job, Problem, Worker
from planner.triage.rules import Rules


@dataclass(frozen=True)
class WorkerDay:
    """One staff member's working day as planned (local datetimes)."""

    staff: StaffMember
    shift: tuple[datetime, datetime]
    break_window: tuple[datetime, datetime, int] | None  # earliest start, latest start, minutes
    max_visits: int
    start_at: tuple[float, float] | None = None  # where the day (or the re-planned rest) starts
    depart_not_before: datetime | None = None


@dataclass
class DayModel:
    day: date
    district: str
    origin: datetime
    visits: dict[str, Visit]
    workers: dict[str, WorkerDay]
    points: list[tuple[float, float]]
    problem: Problem
    travel: TravelModel
    warnings: list[str] = field(default_factory=list)

    def at(self, seconds: int) -> datetime:
        return self.origin + timedelta(seconds=seconds)

    def point(self, location: int | None) -> tuple[float, float] | None:
        return None if location is None else self.points[location]


def _local(day: date, t: time, rules: Rules) -> datetime:
    return datetime.combine(day, t, tzinfo=rules.tz)


def worker_day(staff: StaffMember, day: date, rules: Rules) -> WorkerDay:
    """The roster row's shift and lunch window, with the rules' defaults where it is silent.

    ``break_start``/``break_end`` bound the whole lunch: it starts no earlier than
    ``break_start`` and ends no later than ``break_end``.  The lunch also has to fit
    inside the shift; a shift that leaves no room for it (someone off at 12:30) has
    no lunch on the plan.
    """
    d = rules.day
    shift = (_local(day, staff.shift_start or d.shift_start, rules),
             _local(day, staff.shift_end or d.shift_end, rules))
    minutes = d.break_minutes
    if staff.break_start and staff.break_end:
        earliest = _local(day, staff.break_start, rules)
        latest = max(earliest, _local(day, staff.break_end, rules) - timedelta(minutes=minutes))
    else:
        earliest = _local(day, d.break_earliest_start, rules)
        latest = _local(day, d.break_latest_start, rules)
    earliest = max(earliest, shift[0])
    latest = min(latest, shift[1] - timedelta(minutes=minutes))
    lunch = (earliest, latest, minutes) if earliest <= latest else None
    return WorkerDay(staff=staff, shift=shift, break_window=lunch,
                     max_visits=staff.max_visits or d.max_visits_per_worker)


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def pilot_worker_values(rules: Rules) -> dict:
    """The rules' working day as routing-core values, in seconds from local midnight:
    ``shift``, ``break_window`` and ``max_jobs`` for a :class:`~planner.routing.Worker`
    and ``visit_budget_s`` for the :class:`~planner.routing.Problem`.

    For callers of the routing core that have no roster (benchmarks, hand-made test
    days): the core keeps no working day of its own, so these numbers come from the
    rules file only.  Real days go through :func:`worker_day`, where a roster row's own
    shift and lunch beat the rules."""
    d = rules.day
    return {"shift": (_seconds(d.shift_start), _seconds(d.shift_end)),
            "break_window": BreakSpec(_seconds(d.break_earliest_start), _seconds(d.break_latest_start),
                                      d.break_minutes * 60),
            "max_jobs": d.max_visits_per_worker,
            "visit_budget_s": int(d.visit_budget_min * 60)}


def without_past_appointments(visits: list[Visit], day: date, rules: Rules) -> list[Visit]:
    """A confirmed window holds on its own date only.

    A visit carried over from an earlier day keeps its customer but not the
    appointment: on the later day it is planned without a window and carries the
    note that a new appointment is needed (``needs_new_appointment``), instead of
    becoming unplannable for a window that lies before the day began.
    """
    out = []
    for v in visits:
        if v.time_window and v.time_window[1].astimezone(rules.tz).date() < day:
            note = appointment_expired_note(rules, v.time_window)
            v = replace(v, time_window=None, extra={**v.extra, "needs_new_appointment": note})
        out.append(v)
    return out


def build_day(day: date, district: str, visits: list[Visit], workers: list[WorkerDay], rules: Rules,
              travel: TravelModel, budget_min: float | None = None,
              allowed: dict[str, tuple[str, ...]] | None = None) -> DayModel:
    """Map a district's day onto the routing core.

    ``allowed`` (visit id → staff ids) restricts who may take a visit: a
    dispatcher's pin, or re-planning keeping visits with their worker.
    """
    origin = datetime.combine(day, time(0), tzinfo=rules.tz)
    visits = without_past_appointments(visits, day, rules)
    points: list[tuple[float, float]] = []
    index: dict[tuple[float, float], int] = {}

    def loc(p: tuple[float | None, float | None] | None, shared: bool = True) -> int | None:
        """A location index; visits never share one, so two stops at one address still
        cost the per-leg overhead (the travel model's same-place rule)."""
        if p is None or p[0] is None or p[1] is None:
            return None
        key = (round(p[0], 7), round(p[1], 7))
        if shared and key in index:
            return index[key]
        points.append(key)
        if shared:
            index[key] = len(points) - 1
        return len(points) - 1

    def secs(dt: datetime) -> int:
        return int((dt - origin).total_seconds())

    solver_workers = []
    warnings = []
    for w in workers:
        s = w.staff
        base = loc((s.base_lat, s.base_lon))
        start = loc(w.start_at) if w.start_at else base
        if base is None:
            warnings.append(f"{s.staff_id} {s.name}: no base coordinates on the roster, so no route")
        shift_start = secs(max(w.shift[0], w.depart_not_before) if w.depart_not_before else w.shift[0])
        brk = None
        if w.break_window:
            brk = BreakSpec(secs(w.break_window[0]), secs(w.break_window[1]), w.break_window[2] * 60)
        solver_workers.append(Worker(
            id=s.staff_id, start_location=start, end_location=base,
            shift=(shift_start, secs(w.shift[1])), break_window=brk, skills=frozenset(s.skills),
            max_jobs=w.max_visits, profile=s.transport))
    jobs = []
    for v in visits:
        window = None
        if v.time_window:
            window = (secs(v.time_window[0]), secs(v.time_window[1]))
        jobs.append(Job(id=v.visit_id, location=loc((v.lat, v.lon), shared=False), service_s=v.service_min * 60,
                        time_window=window, priority=v.priority, required_skills=frozenset(v.required_skills),
                        allowed_workers=frozenset(allowed[v.visit_id]) if allowed and v.visit_id in allowed
                        else None))
    source = make_matrix_source(travel)
    profiles = sorted({w.profile for w in solver_workers}) or ["bus"]
    matrices = {p: source.matrix_seconds(points, p) if points else [] for p in profiles}
    budget = rules.day.visit_budget_min if budget_min is None else budget_min
    problem = Problem(jobs=tuple(jobs), workers=tuple(solver_workers), matrices=matrices,
                      visit_budget_s=int(budget * 60) if budget else None)
    return DayModel(day=day, district=district, origin=origin, visits={v.visit_id: v for v in visits},
                    workers={w.staff.staff_id: w for w in workers}, points=points, problem=problem,
                    travel=travel, warnings=warnings)
