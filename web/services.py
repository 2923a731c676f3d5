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
from pathlib import Path
from typing import Any

from flask import current_app, request

from planner import closure, plans
from planner.actor import Actor
from planner.clock import clock_time
from planner.errors import UserError
from planner.plan.document import PlanDocument, Route
from planner.roster import RosterLine, day_roster
from planner.store import jobs as job_store
from planner.store import repository as repo
from planner.store.locks import plan_lock
from planner.store.outcomes import Outcome
from planner.triage.rules import Rules
from web.db import database_url, get_session


def rules() -> Rules:
    return current_app.extensions["cvp_rules"]


def today() -> date:
    """Today in the rules' time zone (Asia/Shanghai)."""
    return datetime.now(rules().tz).date()


def district_days(district: str):
    """The district's days with open tickets and with plans (:mod:`planner.calendar`)."""
    from planner.calendar import district_days as days_of

    return days_of(get_session(), district, rules())


def published_routes(district: str, staff_id: str):
    """The worker's published routes, past few and upcoming (:mod:`planner.calendar`)."""
    from planner.calendar import published_routes as routes_of

    return routes_of(get_session(), district, staff_id, today())


def known_districts() -> list[str]:
    return repo.known_districts(get_session())


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
    from planner.store import db
    from planner.triage.report import triage_json
    from planner.workflow import triage_day

    fingerprint = repo.triage_fingerprint(get_session(), district)
    key = (database_url() or db.database_url(), rules().digest, day, district, fingerprint)
    with _TRIAGE_LOCK:
        cached = _TRIAGE_CACHE.get(key)
    if cached is not None:
        return copy.deepcopy(cached)
    result = triage_json(triage_day(get_session(), day, district, rules()), rules())
    with _TRIAGE_LOCK:
        if len(_TRIAGE_CACHE) > 64:
            _TRIAGE_CACHE.clear()
        _TRIAGE_CACHE[key] = result
    return copy.deepcopy(result)


def triage_tickets(t: dict[str, Any]) -> dict[str, Any]:
    """The tickets a triage names (visits and phone follow-ups), for who the customer is and
    what they said: the dispatcher phones them to agree a window or to follow up."""
    ids = [tid for v in t["visits"] for tid in v["ticket_ids"]] + [f["ticket_id"] for f in t["phone_followups"]]
    return repo.tickets_by_ids(get_session(), t["district"], ids, rules().tz)


def ticket_in_district(ticket_id: str, district: str) -> bool:
    """Whether the ticket exists and belongs to the district (a dispatcher's own tickets)."""
    return ticket_id in repo.existing_ticket_ids(get_session(), district, [ticket_id])


def set_overrides(district: str, items: list[tuple[str, str, str]], actor: Actor, **audit_details: Any) -> None:
    """Store overrides (:func:`planner.workflow.set_overrides`: all or none, each audited)."""
    from planner.workflow import set_overrides as store

    store(get_session(), district, items, actor=actor, rules=rules(), audit_details=audit_details)


def parse_clock(day: date, text: str, name: str = "time") -> datetime:
    """``HH:MM`` (or ``HH:MM:SS``, :func:`planner.clock.clock_time`) typed in a form or sent
    to the API, on the day, in the rules' time zone."""
    return datetime.combine(day, clock_time(text, name), tzinfo=rules().tz)


def set_appointment(day: date, district: str, ticket_id: str, start: str, end: str, actor: Actor,
                    **audit_details: Any) -> tuple[datetime, datetime] | None:
    """The window agreed on the phone (both empty: clear it), audited with the day."""
    from planner.workflow import set_appointment as store

    window = None
    if (start or "").strip() or (end or "").strip():
        window = parse_clock(day, start, "start"), parse_clock(day, end, "end")
    store(get_session(), district, ticket_id, *(window or (None, None)), actor=actor,
          audit_details={"day": day.isoformat(), **audit_details})
    return window


# -- roster -------------------------------------------------------------------------------

def roster(day: date, district: str) -> list[RosterLine]:
    return day_roster(get_session(), day, district)


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


def planning_in_progress(day: date, district: str) -> job_store.BackgroundJob | None:
    """The district's unfinished planning job for the day, after stuck jobs are marked
    failed (what the page shows; starting a plan does not rely on it, see :func:`_submit_planning`)."""
    from web import jobs

    jobs.reap()
    return job_store.active_job(get_session(), plan_lock(day, district))


class PlanningBusy(UserError):
    """A planning job for the same district and day has not finished."""

    def __init__(self, job: job_store.BackgroundJob):
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


def start_plan(day: date, district: str, actor: Actor, pins: dict[str, str] | None = None) -> int:
    """Queue the day's planning with the dispatcher's pins, which must name someone on duty;
    returns the job id.  The roster's absences are not passed: planning reads them itself
    (:func:`planner.roster.on_duty_staff`), as ``cvp plan`` does.  :class:`PlanningBusy`
    while another planning job of the day has not finished."""
    from planner.roster import check_pins

    pins = check_pins(get_session(), day, district, pins or {})
    params = {"day": day.isoformat(), "district": district, "pins": pins, "solver": dict(current_app.config["SOLVER"]),
              "author": actor.username, "role": actor.role, "rules_file": current_app.config.get("RULES_FILE")}
    return _submit_planning("plan_day", day, district, params, actor.username)


def start_replan(day: date, district: str, version: int, now: time, absent: list[str], actor: Actor,
                 upload=None) -> int:
    """Queue re-planning the rest of the day from ``now`` (:func:`planner.plan.replan.replan`,
    as ``cvp replan``): ``absent`` workers are gone from now on; ``upload`` (already
    validated) holds new urgent tickets to import and insert.  Returns the job id;
    :class:`PlanningBusy` while another planning job of the day has not finished."""
    params = {"day": day.isoformat(), "district": district, "version": version, "now": now.strftime("%H:%M"),
              "absent": sorted(set(absent)), "solver": dict(current_app.config["SOLVER"]),
              "author": actor.username, "role": actor.role,
              "rules_file": current_app.config.get("RULES_FILE"),
              "add_file": str(upload.path) if upload else None,
              "gazetteer": str(upload.gazetteer) if upload and upload.gazetteer else None,
              "upload_dir": str(upload.folder) if upload else None,
              "added": upload.original_name if upload else None}
    return _submit_planning("replan", day, district, params, actor.username)


def job(job_id: int) -> job_store.BackgroundJob | None:
    """A job, after stuck jobs are marked failed (so a dead server's job says so)."""
    from web import jobs

    jobs.reap()
    return job_store.get_job(get_session(), job_id)


def recent_plan_jobs(district: str, limit: int = 5) -> list[job_store.BackgroundJob]:
    from web import jobs

    jobs.reap()
    found = job_store.recent_jobs(get_session(), limit=100)
    return [j for j in found if j.kind in PLANNING_JOBS and j.params.get("district") == district][:limit]


def plan(day: date, district: str, version: int | None = None,
         published_only: bool = False) -> tuple[PlanDocument, str] | None:
    """A stored version and its status (:func:`planner.plans.get_plan`)."""
    return plans.get_plan(get_session(), day, district, version, published_only)


def versions(day: date, district: str) -> list[tuple[int, str, str, datetime]]:
    return plans.list_versions(get_session(), day, district)


def publish(day: date, district: str, version: int, actor: Actor, **audit_details: Any) -> None:
    """Publish a version (:func:`planner.plans.publish`, audited); its sheets are then rendered
    in the background (when the app prerenders), so the field staff's downloads are instant."""
    from web import jobs

    plans.publish(get_session(), day, district, version, actor, audit_details)
    if current_app.config.get("PRERENDER_SHEETS"):
        jobs.submit("render_sheets", {"day": day.isoformat(), "district": district, "version": version, "lang": "zh",
                                      "url_base": url_base(), "cache_dir": cache_dir(),
                                      "rules_file": current_app.config.get("RULES_FILE")}, author=actor.username)


# -- field --------------------------------------------------------------------------------

def published_route(day: date, district: str, staff_id: str) -> tuple[PlanDocument, Route] | None:
    """The latest published plan of the worker's district for the day, and the worker's
    route in it (:func:`planner.plans.published_route`)."""
    return plans.published_route(get_session(), day, district, staff_id)


def outcomes(day: date, district: str, staff_id: str | None = None) -> dict[str, Outcome]:
    return closure.outcomes_of(get_session(), day, district, staff_id)


def record_outcome(actor: Actor, audit_details: dict[str, Any] | None = None, **values: Any) -> closure.Recorded:
    """Store a visit's outcome, audited; closed on site closes its tickets (:mod:`planner.closure`)."""
    return closure.record_outcome(get_session(), actor=actor, audit_details=audit_details, rules=rules(), **values)


# -- follow-ups (需要后期闭环) ---------------------------------------------------------------

def follow_up_queue(district: str, owner: str | None = None):
    """The district's follow-up queue today (:func:`planner.cases.queue.follow_up_queue`)."""
    from planner.cases.queue import follow_up_queue as queue_of

    return queue_of(get_session(), district, rules(), day=today(), owner=owner)


def follow_ups_to_track(district: str) -> int:
    """How many visited cases of the queue are in follow-up (owned or to assign; callbacks not counted)."""
    from planner.cases.queue import LineKind

    return sum(1 for line in follow_up_queue(district).lines if line.kind is not LineKind.CALLBACK)


def update_follow_up(district: str, case_id: int, actor: Actor, *, status: str | None = None, note: str = ""):
    from planner.cases.actions import update_follow_up as update

    return update(get_session(), actor, district, case_id, rules=rules(), status=status, note=note)


def resolve_follow_up(district: str, case_id: int, actor: Actor, note: str):
    return closure.resolve_follow_up(get_session(), actor, district, case_id, note, rules=rules())


def close_follow_up(day: date, district: str, visit_id: str, actor: Actor, notes: str,
                    **audit_details: Any) -> closure.Recorded:
    return closure.close_follow_up(get_session(), day, district, visit_id, actor, notes, audit_details)
