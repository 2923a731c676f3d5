"""The web app's calls into the library, one function per thing a page shows or does.

Views parse the request, call one of these (or a library function directly)
and render the result; these functions only gather what the library returns.
No selection, classification, routing, cost or masking rule is decided here.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from flask import current_app
from sqlalchemy import select

from planner.errors import UserError
from planner.records import StaffMember
from planner.store import absences as absence_store
from planner.store import appointments
from planner.store import jobs as job_store
from planner.store import outcomes as outcome_store
from planner.store import repository as repo
from planner.store.db import session_scope
from planner.triage.rules import Rules


def rules() -> Rules:
    return current_app.extensions["cvp_rules"]


def database() -> str | None:
    return current_app.config.get("DATABASE_URL")


def today() -> date:
    """Today in the rules' time zone (Asia/Shanghai)."""
    return datetime.now(rules().tz).date()


def known_districts() -> list[str]:
    from planner.store.models import StaffRow, TicketRow

    with session_scope(database()) as s:
        names = set(s.scalars(select(StaffRow.district))) | set(
            s.scalars(select(TicketRow.district).where(TicketRow.is_history.is_(False))))
    return sorted(n for n in names if n)


# -- triage -------------------------------------------------------------------------------

_TRIAGE_CACHE: dict[tuple, dict[str, Any]] = {}
_TRIAGE_LOCK = threading.Lock()


def store_fingerprint(district: str) -> tuple:
    """Changes whenever anything triage reads changes: tickets (imports, appointments), network
    sites, overrides, and the district's plans (carry-over).  Nothing in the store is deleted."""
    from sqlalchemy import func

    from planner.store.models import OverrideRow, PlanRow, SiteRow, TicketRow

    with session_scope(database()) as s:
        tickets = s.execute(select(func.count(TicketRow.id), func.max(TicketRow.updated_at))).one()
        sites = s.execute(select(func.count(SiteRow.id), func.max(SiteRow.updated_at))).one()
        overrides = s.scalar(select(func.max(OverrideRow.id)))
        plans = s.scalar(select(func.max(PlanRow.id)).where(PlanRow.district == district))
    return (tuple(tickets), tuple(sites), overrides, plans)


def triage(day: date, district: str) -> dict[str, Any]:
    """The day's triage as :func:`planner.triage.report.triage_json` gives it (kept while the
    store's fingerprint is unchanged: the same inputs give the same triage)."""
    from planner.triage.report import triage_json
    from planner.workflow import triage_day

    from planner.store.db import database_url

    key = (database() or database_url(), rules().digest, day, district, store_fingerprint(district))
    with _TRIAGE_LOCK:
        cached = _TRIAGE_CACHE.get(key)
    if cached is not None:
        return copy.deepcopy(cached)
    result = triage_json(triage_day(day, district, rules(), database()), rules())
    with _TRIAGE_LOCK:
        if len(_TRIAGE_CACHE) > 64:
            _TRIAGE_CACHE.clear()
        _TRIAGE_CACHE[key] = result
    return copy.deepcopy(result)


def set_override(ticket_id: str, field: str, value: str, author: str) -> None:
    from planner.workflow import set_overrides

    set_overrides([(ticket_id, field, value)], author=author, database=database())


def parse_clock(day: date, text: str) -> datetime:
    try:
        t = time.fromisoformat((text or "").strip())
    except ValueError:
        raise UserError(f"time {text!r}: write HH:MM, e.g. 14:30") from None
    return datetime.combine(day, t, tzinfo=rules().tz)


def set_appointment(day: date, ticket_id: str, start: str, end: str, district: str) -> tuple[datetime, datetime] | None:
    """The window agreed on the phone (both empty: clear it)."""
    from planner.store.models import TicketRow

    with session_scope(database()) as s:
        row_district = s.scalar(select(TicketRow.district).where(TicketRow.ticket_id == ticket_id))
        if row_district is None or row_district != district:
            raise UserError(f"no ticket {ticket_id!r} in {district}")
        if not (start or "").strip() and not (end or "").strip():
            appointments.set_appointment(s, ticket_id, None, None)
            return None
        a, b = parse_clock(day, start), parse_clock(day, end)
        appointments.set_appointment(s, ticket_id, a, b)
        return a, b


def ticket_district(ticket_id: str) -> str | None:
    from planner.store.models import TicketRow

    with session_scope(database()) as s:
        return s.scalar(select(TicketRow.district).where(TicketRow.ticket_id == ticket_id))


# -- roster -------------------------------------------------------------------------------

@dataclass(frozen=True)
class RosterLine:
    staff: StaffMember
    absent: bool
    reason: str


def roster(day: date, district: str) -> list[RosterLine]:
    with session_scope(database()) as s:
        staff = repo.staff_for(s, district)
        off = absence_store.absences_on(s, day, [m.staff_id for m in staff])
    return [RosterLine(m, m.staff_id in off or not m.active, off[m.staff_id].reason if m.staff_id in off else "")
            for m in staff]


def set_absence(day: date, district: str, staff_id: str, absent: bool, reason: str, author: str) -> None:
    with session_scope(database()) as s:
        if absent:
            absence_store.set_absent(s, day, staff_id, reason, author, district=district)
        else:
            absence_store.clear_absent(s, day, staff_id)


def absent_on(day: date, district: str) -> list[str]:
    return [line.staff.staff_id for line in roster(day, district) if line.absent and line.staff.active]


# -- planning -----------------------------------------------------------------------------

def start_plan(day: date, district: str, author: str, pins: dict[str, str] | None = None) -> int:
    """Queue the day's planning (the roster's absences and the dispatcher's pins); returns the job id."""
    from web import jobs

    params = {"day": day.isoformat(), "district": district, "absent": absent_on(day, district),
              "pins": dict(pins or {}), "solver": dict(current_app.config["SOLVER"]), "author": author,
              "rules_file": current_app.config.get("RULES_FILE")}
    return jobs.submit("plan_day", params, author=author)


def job(job_id: int) -> job_store.Job | None:
    with session_scope(database()) as s:
        return job_store.get_job(s, job_id)


def recent_plan_jobs(district: str, limit: int = 5) -> list[job_store.Job]:
    with session_scope(database()) as s:
        found = job_store.recent_jobs(s, kind="plan_day", limit=50)
    return [j for j in found if j.params.get("district") == district][:limit]


def pins_of_version(day: date, district: str, version: int) -> dict[str, str]:
    """The pins the dispatcher asked for when this version was planned."""
    with session_scope(database()) as s:
        found = job_store.recent_jobs(s, kind="plan_day", limit=100)
    for j in found:
        r = j.result or {}
        if r.get("version") == version and r.get("date") == day.isoformat() and r.get("district") == district:
            return dict(r.get("pins") or {})
    return {}


def plan(day: date, district: str, version: int | None = None, published_only: bool = False) -> tuple[dict, str] | None:
    with session_scope(database()) as s:
        return repo.get_plan(s, day, district, version, published_only=published_only)


def versions(day: date, district: str) -> list[tuple[int, str, str, datetime]]:
    with session_scope(database()) as s:
        return repo.plan_versions(s, day, district)


def publish(day: date, district: str, version: int) -> None:
    with session_scope(database()) as s:
        repo.publish_plan(s, day, district, version)


# -- field --------------------------------------------------------------------------------

def staff_member(staff_id: str) -> StaffMember | None:
    from planner.store import convert
    from planner.store.models import StaffRow

    with session_scope(database()) as s:
        row = s.scalars(select(StaffRow).where(StaffRow.staff_id == staff_id)).first()
        return convert.staff_record(row) if row else None


def published_route(day: date, staff_id: str) -> tuple[dict, dict] | None:
    """The latest published plan of the worker's district for the day, and the worker's route in it."""
    member = staff_member(staff_id)
    if member is None:
        return None
    found = plan(day, member.district, published_only=True)
    if found is None:
        return None
    doc, _ = found
    route = next((r for r in doc.get("routes", []) if r["staff_id"] == staff_id), None)
    return (doc, route) if route else None


def outcomes(day: date, district: str, staff_id: str | None = None) -> dict[str, outcome_store.Outcome]:
    with session_scope(database()) as s:
        return outcome_store.outcomes_for(s, day, district, staff_id)


def record_outcome(**values: Any) -> outcome_store.Outcome:
    with session_scope(database()) as s:
        return outcome_store.record_outcome(s, **values)
