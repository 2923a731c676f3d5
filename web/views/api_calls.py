"""The JSON API of the call list (the pilot's step 2, 约见客户): the district's day to phone,
and a call recorded on a case or, for a listed visit with no case yet, on the case the
call opens.  The routes are on :data:`web.views.api_base.bp`; each calls the same
function as the page (:mod:`planner.cases.call_list`).  Full phone numbers: the
district's dispatcher dials them (another district's list is never given)."""

from __future__ import annotations

from datetime import date

from flask import jsonify, request

from planner.cases.actions import record_call as record_case_call
from planner.cases.call_list import call_about, call_list, call_list_json
from planner.errors import UserError
from planner.store.models import INTEGER_MAX
from web import bodies, security, services
from web.db import get_session
from web.security import DISPATCH, roles
from web.views.api_base import bp, json_body, request_district, text_field


def _date(value: object, name: str) -> date:
    from planner import days

    try:
        day = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None or not days.in_range(day):
        raise UserError(f"{name}: a date as YYYY-MM-DD")
    return day


@bp.get("/calls")
@roles(*DISPATCH)
def call_list_of_day():
    """The call list of ``?date=`` (default today) of the district."""
    d = request_district()
    day = _date(request.args["date"], "date") if request.args.get("date") else services.today()
    return jsonify(call_list_json(call_list(get_session(), day, d, services.rules())))


@bp.post("/calls")
@roles(*DISPATCH)
def record_visit_call():
    """One call: ``case_id``, or ``ticket_ids`` of a visit on the call list of ``date``."""
    d = request_district()
    body = json_body()
    day = _date(body.get("date"), "date")
    on = _date(body["on"], "on") if body.get("on") is not None else day
    result = text_field(body, "result", required=True, limit=20)
    start, end = text_field(body, "start", limit=8) or None, text_field(body, "end", limit=8) or None
    note = text_field(body, "note")
    case_id, tickets = body.get("case_id"), body.get("ticket_ids")
    if (case_id is None) == (tickets is None):
        raise UserError("name the case (case_id) or the visit's tickets (ticket_ids), one of them")
    actor = security.actor()
    if case_id is not None:
        if isinstance(case_id, bool) or not isinstance(case_id, int) or not 1 <= case_id <= INTEGER_MAX:
            raise UserError(f"case_id: an integer from 1 to {INTEGER_MAX}")
        step = record_case_call(get_session(), actor, d, case_id, result, day=on, start=start, end=end, note=note)
    else:
        if not isinstance(tickets, list) or not tickets or len(tickets) > bodies.MAX_ITEMS:
            raise UserError(f"ticket_ids: a list of 1 to {bodies.MAX_ITEMS} ticket ids")
        ids = [text_field({"ticket_id": t}, "ticket_id", required=True) for t in tickets]
        step = call_about(get_session(), actor, d, day, ids, result, rules=services.rules(), on=on, start=start,
                          end=end, note=note)
    agreed = step.state.appointment
    return jsonify({"case_id": step.case.case_id, "status": step.state.status.value, "calls": step.state.calls,
                    "last_call": step.state.last_call.value if step.state.last_call else None,
                    "appointment": {"date": agreed.day.isoformat(), "start": f"{agreed.start:%H:%M}",
                                    "end": f"{agreed.end:%H:%M}"} if agreed else None})
