"""The web app's calls into the library, one function per thing a page shows or does.

Views parse the request, call one of these (or a library function directly)
and render the result; these functions only gather what the library returns.
No selection, classification, routing, cost or masking rule is decided here.
"""

from __future__ import annotations

import copy
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from flask import current_app, request

from planner import closure
from planner.errors import UserError
from planner.roster import RosterLine, day_roster
from planner.store import appointments
from planner.store import jobs as job_store
from planner.store import repository as repo
from planner.store.db import session_scope
from planner.store.locks import plan_lock
from planner.store.outcomes import Outcome
from planner.triage.rules import Rules


def rules() -> Rules:
    return current_app.extensions["cvp_rules"]


def database() -> str | None:
    return current_app.config.get("DATABASE_URL")


def today() -> date:
    """Today in the rules' time zone (Asia/Shanghai)."""
    return datetime.now(rules().tz).date()


def district_days(district: str):
    """The district's days with open tickets and with plans (:mod:`planner.calendar`)."""
    from planner.calendar import district_days as days_of

    return days_of(district, rules(), database())


def published_routes(district: str, staff_id: str):
    """The worker's published routes, past few and upcoming (:mod:`planner.calendar`)."""
    from planner.calendar import published_routes as routes_of

    return routes_of(district, staff_id, today(), database())


def known_districts() -> list[str]:
    with session_scope(database()) as s:
        return repo.known_districts(s)


def url_base() -> str:
    """Where the sheets' QR codes point: CVP_URL_BASE, else this server."""
    return (current_app.config.get("URL_BASE") or request.url_root).rstrip("/")


def cache_dir() -> str:
    """The folder of rendered sheet PDFs (plan versions never change, so they stay valid)."""
    return str(Path(current_app.config["WORK_DIR"]) / "sheet-cache")


# -- triage -------------------------------------------------------------------------------

_TRIAGE_CACHE: dict[tuple, dict[str, Any]] = {}
_TRIAGE_LOCK = threading.Lock()


def triage(day: date, district: str) -> dict[str, Any]:
    """The day's triage as :func:`planner.triage.report.triage_json` gives it (kept while the
    store's fingerprint is unchanged: the same inputs give the same triage)."""
    from planner.store.db import database_url
    from planner.triage.report import triage_json
    from planner.workflow import triage_day

    with session_scope(database()) as s:
        fingerprint = repo.triage_fingerprint(s, district)
    key = (database() or database_url(), rules().digest, day, district, fingerprint)
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


def triage_tickets(t: dict[str, Any]) -> dict[str, Any]:
    """The tickets a triage names (visits and phone follow-ups), for who the customer is and
    what they said: the dispatcher phones them to agree a window or to follow up."""
    ids = [tid for v in t["visits"] for tid in v["ticket_ids"]] + [f["ticket_id"] for f in t["phone_followups"]]
    with session_scope(database()) as s:
        return repo.tickets_by_ids(s, t["district"], ids, rules().tz)


def ticket_in_district(ticket_id: str, district: str) -> bool:
    """Whether the ticket exists and belongs to the district (a dispatcher's own tickets)."""
    with session_scope(database()) as s:
        return ticket_id in repo.existing_ticket_ids(s, district, [ticket_id])


def set_override(district: str, ticket_id: str, field: str, value: str, author: str) -> None:
    from planner.workflow import set_overrides

    set_overrides(district, [(ticket_id, field, value)], author=author, database=database(), rules=rules())


_CLOCK = re.compile(r"\d{2}:\d{2}(:\d{2})?")


def parse_clock(day: date, text: str, name: str = "time") -> datetime:
    """``HH:MM`` (or ``HH:MM:SS``) typed in a form or sent to the API, on the day, in the
    rules' time zone.  Only that: ``time.fromisoformat`` also takes "1"*100000 (as
    11:11:11.111111), fractions and offsets."""
    text = (text or "").strip()
    try:
        if not _CLOCK.fullmatch(text):
            raise ValueError(text)
        t = time.fromisoformat(text)
    except ValueError:
        raise UserError(f"{name} {text[:20]!r}: write HH:MM, e.g. 14:30") from None
    return datetime.combine(day, t, tzinfo=rules().tz)


def set_appointment(day: date, district: str, ticket_id: str, start: str, end: str,
                    author: str) -> tuple[datetime, datetime] | None:
    """The window agreed on the phone (both empty: clear it)."""
    with session_scope(database()) as s:
        if not (start or "").strip() and not (end or "").strip():
            appointments.set_appointment(s, district, ticket_id, None, None, author)
            return None
        a, b = parse_clock(day, start, "start"), parse_clock(day, end, "end")
        appointments.set_appointment(s, district, ticket_id, a, b, author)
        return a, b


# -- roster -------------------------------------------------------------------------------

def roster(day: date, district: str) -> list[RosterLine]:
    return day_roster(day, district, database())


@dataclass(frozen=True)
class Lunch:
    """A worker's lunch as the plan takes it: ``minutes`` starting no earlier than
    ``earliest`` and ending by ``ends_by``; ``default`` when the roster row is silent
    and the rules file's window applies."""

    earliest: datetime
    ends_by: datetime
    minutes: int
    default: bool


def lunches(day: date, lines: list[RosterLine]) -> dict[str, Lunch | None]:
    """Each roster line's lunch from :func:`planner.plan.build.worker_day`, the one rule the
    plan uses (the rules' default window where the roster is silent, clipped to the shift;
    None: the shift leaves no room for lunch)."""
    from datetime import timedelta

    from planner.plan.build import worker_day

    found: dict[str, Lunch | None] = {}
    for line in lines:
        window = worker_day(line.staff, day, rules()).break_window
        found[line.staff.staff_id] = None if window is None else Lunch(
            window[0], window[1] + timedelta(minutes=window[2]), window[2],
            not (line.staff.break_start and line.staff.break_end))
    return found


# -- planning -----------------------------------------------------------------------------

PLANNING_JOBS = job_store.PLANNING_KINDS  # the job kinds that make a plan version


def planning_in_progress(day: date, district: str) -> job_store.Job | None:
    """The district's unfinished planning job for the day, after stuck jobs are marked
    failed (what the page shows; starting a plan does not rely on it, see :func:`_submit_planning`)."""
    from web import jobs

    jobs.reap()
    with session_scope(database()) as s:
        return job_store.active_job(s, plan_lock(day, district))


class PlanningBusy(UserError):
    """A planning job for the same district and day has not finished."""

    def __init__(self, job: job_store.Job):
        self.job = job
        super().__init__(f"planning of {job.params.get('district')} on {job.params.get('day')} is already "
                         f"{job.status} (job {job.id}); wait for it to finish")


def _submit_planning(kind: str, day: date, district: str, params: dict[str, Any], author: str) -> int:
    """Queue a job that makes a plan version of the district's day: one at a time.

    Atomic: the job row carries the key of (district, day) and the database lets
    one queued or running job hold it (:func:`planner.store.jobs.create_job`), so
    two requests at the same moment, from any server process, give one job and
    :class:`PlanningBusy` for the other.  Stuck jobs are marked failed first, so a
    server that died mid-plan does not block the day.
    """
    from web import jobs

    jobs.reap()
    for _ in range(SUBMIT_ATTEMPTS):
        try:
            return jobs.submit(kind, params, author=author)
        except job_store.JobBusy as busy:
            if busy.job is not None:
                raise PlanningBusy(busy.job) from None
            # the job holding the key finished between the refusal and the look-up: try again
    raise UserError(f"planning of {district} on {day} keeps being started and finished by others; try again")


SUBMIT_ATTEMPTS = 3  # a refused request whose blocking job has just finished is retried this often


def start_plan(day: date, district: str, author: str, pins: dict[str, str] | None = None) -> int:
    """Queue the day's planning with the dispatcher's pins, which must name someone on duty;
    returns the job id.  The roster's absences are not passed: planning reads them itself
    (:func:`planner.roster.on_duty_staff`), as ``cvp plan`` does.  :class:`PlanningBusy`
    while another planning job of the day has not finished."""
    from planner.roster import check_pins

    pins = check_pins(day, district, pins or {}, database())
    params = {"day": day.isoformat(), "district": district, "pins": pins, "solver": dict(current_app.config["SOLVER"]),
              "author": author, "rules_file": current_app.config.get("RULES_FILE")}
    return _submit_planning("plan_day", day, district, params, author)


def start_replan(day: date, district: str, version: int, now: time, absent: list[str], author: str,
                 upload=None) -> int:
    """Queue re-planning the rest of the day from ``now`` (:func:`planner.plan.replan.replan`,
    as ``cvp replan``): ``absent`` workers are gone from now on; ``upload`` (already
    validated) holds new urgent tickets to import and insert.  Returns the job id;
    :class:`PlanningBusy` while another planning job of the day has not finished."""
    params = {"day": day.isoformat(), "district": district, "version": version, "now": now.strftime("%H:%M"),
              "absent": sorted(set(absent)), "solver": dict(current_app.config["SOLVER"]), "author": author,
              "rules_file": current_app.config.get("RULES_FILE"),
              "add_file": str(upload.path) if upload else None,
              "gazetteer": str(upload.gazetteer) if upload and upload.gazetteer else None,
              "upload_dir": str(upload.folder) if upload else None,
              "added": upload.original_name if upload else None}
    return _submit_planning("replan", day, district, params, author)


def job(job_id: int) -> job_store.Job | None:
    """A job, after stuck jobs are marked failed (so a dead server's job says so)."""
    from web import jobs

    jobs.reap()
    with session_scope(database()) as s:
        return job_store.get_job(s, job_id)


def recent_plan_jobs(district: str, limit: int = 5) -> list[job_store.Job]:
    from web import jobs

    jobs.reap()
    with session_scope(database()) as s:
        found = job_store.recent_jobs(s, limit=100)
    return [j for j in found if j.kind in PLANNING_JOBS and j.params.get("district") == district][:limit]


def plan(day: date, district: str, version: int | None = None, published_only: bool = False) -> tuple[dict, str] | None:
    with session_scope(database()) as s:
        return repo.get_plan(s, day, district, version, published_only=published_only)


def versions(day: date, district: str) -> list[tuple[int, str, str, datetime]]:
    with session_scope(database()) as s:
        return repo.plan_versions(s, day, district)


def publish(day: date, district: str, version: int, author: str) -> None:
    """Publish a version; its sheets are then rendered in the background (when the app
    prerenders), so the field staff's downloads are instant."""
    from web import jobs

    with session_scope(database()) as s:
        repo.publish_plan(s, day, district, version)
    if current_app.config.get("PRERENDER_SHEETS"):
        jobs.submit("render_sheets", {"day": day.isoformat(), "district": district, "version": version, "lang": "zh",
                                      "url_base": url_base(), "cache_dir": cache_dir(),
                                      "rules_file": current_app.config.get("RULES_FILE")}, author=author)


# -- field --------------------------------------------------------------------------------

def published_route(day: date, district: str, staff_id: str):
    """The latest published plan of the worker's district for the day, and the worker's route in it
    (a :class:`planner.plan.document.PlanDocument` and its :class:`~planner.plan.document.Route`)."""
    from planner.plan.document import PlanDocument

    found = plan(day, district, published_only=True)
    if found is None:
        return None
    doc = PlanDocument.from_json(found[0])
    route = doc.route_of(staff_id)
    return (doc, route) if route else None


def outcomes(day: date, district: str, staff_id: str | None = None) -> dict[str, Outcome]:
    return closure.outcomes_of(day, district, staff_id, database())


def record_outcome(**values: Any) -> closure.Recorded:
    """Store a visit's outcome; closed on site closes its tickets (:mod:`planner.closure`)."""
    return closure.record_outcome(**values, database=database())


# -- follow-ups (需要后期闭环) ---------------------------------------------------------------

def follow_ups(district: str) -> list[closure.FollowUp]:
    return closure.follow_ups(district, database(), rules().tz)


def close_follow_up(day: date, district: str, visit_id: str, author: str, notes: str) -> closure.Recorded:
    return closure.close_follow_up(day, district, visit_id, author, notes, database())
