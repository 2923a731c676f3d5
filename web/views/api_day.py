"""The JSON API for a district's day beyond planning: the roster and absences, the visits'
outcomes (record and list), the follow-ups that close the loop, and the export.

The routes are on :data:`web.views.api_base.bp`; each calls the same function as the page
(:mod:`planner.roster`, :mod:`planner.closure`, :mod:`web.downloads`).  A field
account records and lists only the outcomes of visits on its own route.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, jsonify

from planner.errors import UserError
from planner.field_record import read_record
from planner.roster import set_absence
from planner.store.models import INTEGER_MAX
from planner.store.outcomes import Outcome
from web import security, services
from web.db import get_session
from web.security import DISPATCH, roles
from web.views.api_base import bp, iso, json_body, plan_or_404, request_district, text_field
from web.views.common import export_download

OUTCOME_ROLES = ("dispatcher", "field", "admin")


def _clock(value) -> str | None:
    return value.strftime("%H:%M") if value else None


def _roster_line(line) -> dict[str, Any]:
    m = line.staff
    return {"staff_id": m.staff_id, "name": m.name, "shift_start": _clock(m.shift_start),
            "shift_end": _clock(m.shift_end), "break_start": _clock(m.break_start), "break_end": _clock(m.break_end),
            "skills": list(m.skills), "transport": m.transport, "max_visits": m.max_visits, "active": m.active,
            "on_duty": line.on_duty, "absence_reason": line.reason}


@bp.get("/days/<day:day>/roster")
@roles(*DISPATCH)
def roster(day: date):
    d = request_district()
    return jsonify({"date": day.isoformat(), "district": d,
                    "staff": [_roster_line(line) for line in services.roster(day, d)]})


@bp.post("/days/<day:day>/absences")
@roles(*DISPATCH)
def absence(day: date):
    d = request_district()
    body = json_body()
    staff_id, absent = text_field(body, "staff_id", required=True), body.get("absent", True)
    if not isinstance(absent, bool):
        raise UserError("absent: true (off for the day) or false (back on duty)")
    reason = text_field(body, "reason")
    # who may, and whether the member is the district's, is checked before any write (404 if not)
    line = set_absence(get_session(), security.actor(), day, d, staff_id, absent, reason, api=True)
    return jsonify(_roster_line(line))


# -- outcomes and follow-ups --------------------------------------------------------------

def _local(dt) -> str | None:
    """A stored (UTC) time in the rules' zone, as the API gives every time (+08:00)."""
    return iso(dt.astimezone(services.rules().tz)) if dt else None


def _outcome(o: Outcome) -> dict[str, Any]:
    """An outcome as the API gives it: the record's fields (:meth:`FieldRecord.to_json`, the
    shape the POST takes), then who recorded it and the follow-up."""
    record = o.record.to_json() if o.record else {"result": None, "satisfaction": None, "tests": [], "problem": "",
                                                   "requests": "", "measure": "", "gift_given": False,
                                                   "gift_item": "", "promised_date": None, "notes": o.notes}
    return {"date": o.day.isoformat(), "district": o.district, "visit_id": o.visit_id, "ticket_ids": list(o.ticket_ids),
            "staff_id": o.staff_id, "plan_version": o.plan_version, "arrived_at": _local(o.arrived_at), **record,
            "recorded_by": o.recorded_by, "recorded_at": _local(o.recorded_at), "needs_follow_up": o.needs_follow_up,
            "followed_up_at": _local(o.followed_up_at), "followed_up_by": o.followed_up_by,
            "follow_up_notes": o.follow_up_notes}


def _own_staff() -> str | None:
    """A field account's staff id (it sees only its own visits); None for the office."""
    user = security.signed_in_user()
    if user.role != "field":
        return None
    if not user.staff_id:
        abort(403)
    return user.staff_id


@bp.get("/days/<day:day>/outcomes")
@roles(*OUTCOME_ROLES)
def outcomes(day: date):
    d = request_district()
    found = services.outcomes(day, d, _own_staff())
    return jsonify({"date": day.isoformat(), "district": d,
                    "outcomes": [_outcome(o) for _vid, o in sorted(found.items())]})


def _version(body: dict) -> int | None:
    """``plan_version``: null (the latest published) or a version the store can hold."""
    value = body.get("plan_version")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= INTEGER_MAX):
        raise UserError(f"plan_version: the published version the visit is on (an integer from 1 to {INTEGER_MAX})")
    return value


@bp.post("/days/<day:day>/outcomes")
@roles(*OUTCOME_ROLES)
def record_outcome(day: date):
    """A visit's record (:mod:`planner.field_record`) on the day's published plan; closed on site
    closes its tickets; the same record again changes nothing (``unchanged``)."""
    from planner.closure import visit_in_plan

    d = request_district()
    body = json_body()
    visit_id = text_field(body, "visit_id", required=True)
    version = _version(body)
    record = read_record(body, services.rules(), day, also=("visit_id", "plan_version"))
    own = _own_staff()
    if own is not None:
        found = services.plan(day, d, version, published_only=True)
        if found is None or visit_in_plan(found[0], visit_id)[0] != own:
            abort(403)  # not on this worker's own route
    done = services.record_outcome(security.actor(), {"api": True}, day=day, district=d, visit_id=visit_id,
                                   plan_version=version, staff_id=own, record=record)
    return jsonify({"outcome": _outcome(done.outcome), "closed": done.closed, "reopened": done.reopened,
                    "unchanged": done.unchanged})


@bp.post("/days/<day:day>/followups/<visit_id>/close")
@roles(*DISPATCH)
def close_follow_up(day: date, visit_id: str):
    d = request_district()
    notes = text_field(json_body(empty_ok=True), "notes", field="follow_up_notes")
    done = services.close_follow_up(day, d, visit_id, security.actor(), notes, api=True)
    return jsonify({"outcome": _outcome(done.outcome), "closed": done.closed, "reopened": done.reopened})


# -- export -------------------------------------------------------------------------------

@bp.get("/days/<day:day>/plans/<int:version>/export.<fmt>")
@roles(*DISPATCH)
def export(day: date, version: int, fmt: str):
    """The plan's visits as CSV or XLSX (phone numbers masked), as on the plan page."""
    return export_download(plan_or_404(day, version)[0], fmt, api=True)
