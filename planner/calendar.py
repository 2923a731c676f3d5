"""Which days have something to work on: the district's open tickets by the first day they
can be planned, its plan versions by day, and a field worker's published routes.

The dispatcher's date box and the field worker's route list start from these, so
nobody lands on an empty today while the tickets or the route are on another day.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.plan.document import PlanDocument
from planner.store.db import transaction
from planner.store.models import PlanRow, TicketRow
from planner.triage.engine import shift_start_of
from planner.triage.rules import Rules

#: how many past published routes a field worker's list shows (every upcoming one is shown)
PAST_ROUTES_SHOWN = 7


@dataclass(frozen=True)
class TicketDay:
    """``tickets`` open tickets become plannable on ``day`` (and stay so until handled)."""

    day: date
    tickets: int


@dataclass(frozen=True)
class PlanDay:
    day: date
    versions: int
    published: bool


@dataclass(frozen=True)
class DistrictDays:
    tickets: list[TicketDay]
    plans: list[PlanDay]

    def useful(self) -> list[date]:
        """Every day with newly plannable open tickets or a plan, in order."""
        return sorted({t.day for t in self.tickets} | {p.day for p in self.plans})


@dataclass(frozen=True)
class RouteDay:
    """A day with a published plan that gives the worker a route."""

    day: date
    district: str
    version: int
    visits: int


def first_plannable_day(received_at: datetime, rules: Rules) -> date:
    """The first day whose triage takes the ticket: a day takes the tickets received
    before its shift starts (:func:`planner.workflow.triage_day`)."""
    local = received_at.astimezone(rules.tz)
    day = local.date()
    return day if local < shift_start_of(rules, day) else day + timedelta(days=1)


def district_days(session: Session, district: str, rules: Rules) -> DistrictDays:
    """The district's open tickets counted by their first plannable day, and its plan
    versions by day (published when any version of the day is)."""
    with transaction(session) as s:
        received = s.scalars(select(TicketRow.received_at).where(
            TicketRow.district == district, TicketRow.status == "open", TicketRow.is_history.is_(False))).all()
        plans = s.execute(select(PlanRow.day, PlanRow.status).where(PlanRow.district == district)).all()
    by_day = Counter(first_plannable_day(r, rules) for r in received)
    versions: Counter = Counter()
    published: set[date] = set()
    for day, status in plans:
        versions[day] += 1
        if status == "published":
            published.add(day)
    return DistrictDays([TicketDay(d, n) for d, n in sorted(by_day.items())],
                        [PlanDay(d, n, d in published) for d, n in sorted(versions.items())])


def nearest_day(days: list[date], today: date) -> date:
    """Today if it is among ``days``, else the next of them, else the latest, else today."""
    if today in days:
        return today
    upcoming = [d for d in days if d > today]
    if upcoming:
        return min(upcoming)
    return max(days) if days else today


def published_routes(session: Session, district: str, staff_id: str, today: date,
                     past: int = PAST_ROUTES_SHOWN) -> list[RouteDay]:
    """The worker's routes in the latest published version of each day of their district:
    every upcoming one and the ``past`` latest before today, in day order."""
    with transaction(session) as s:
        rows = s.scalars(select(PlanRow).where(PlanRow.district == district, PlanRow.status == "published")
                         .order_by(PlanRow.day, PlanRow.version)).all()
        latest = {r.day: r for r in rows}  # the latest published version of each day
        found = []
        for day, row in sorted(latest.items()):
            route = PlanDocument.from_json(row.document).route_of(staff_id)
            if route is not None:
                found.append(RouteDay(day, district, row.version, route.visits))
    before = [r for r in found if r.day < today][-past:] if past else []
    return before + [r for r in found if r.day >= today]
