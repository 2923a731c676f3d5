"""The JSON API for cases: the district's ledger, a case's history and where it stands,
the steps on a case (close, reopen, a phone follow-up converted to a visit, a call, a follow-up assigned, updated, escalated,
resolved) and closing a day.

The routes are on :data:`web.views.api_base.bp`; each calls the same function as the
case pages (:mod:`planner.cases.ledger`, :mod:`planner.cases.actions`).  A refused step
is 422 with the reason and nothing written; another district's case is 404.  Dispatchers
(and admins, naming ``?district=``) take every step; follow-up accounts read the cases of
their district and take the follow-up's steps (calls, progress, escalation, resolution).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from flask import abort, jsonify, request

from planner.cases import actions
from planner.cases.carry import as_seen_on
from planner.cases.events import CaseEvent, CaseKind
from planner.cases.ledger import LedgerFilter, LedgerLine, narrow, next_action
from planner.cases.ledger import ledger as case_ledger
from planner.cases.lifecycle import CaseState, Status, derive
from planner.errors import UserError
from planner.masking import mask_phone
from planner.store import cases as case_store
from planner.store.cases import StoredCase
from web import security, services
from web.db import get_session
from web.security import CASE_STAFF, DISPATCH, roles
from web.views.api_base import bp, iso, json_body, request_district, text_field
from web.views.common import optional_day


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _state(state: CaseState, on: date) -> dict[str, Any]:
    """Where a case stands on ``on``: its state, what is next, its follow-up and closure."""
    action, overdue = next_action(state, on)
    f, c = state.follow_up, state.closure
    return {
        "state": state.status.value, "kind": state.kind.value, "next_action": str(action), "overdue": overdue,
        "why_back": str(state.back_because) if state.back_because else None,
        "selected_because": list(state.selected_because), "calls": state.calls,
        "last_call": state.last_call.value if state.last_call else None,
        "plan": {"date": _day(state.plan.day), "version": state.plan.version, "staff_id": state.plan.staff_id}
        if state.plan else None,
        "follow_up": {"solution": f.solution, "owner": f.owner, "promised": _day(f.promised), "status": f.status.value,
                      "escalated_to": f.escalated_to, "note": f.note} if f else None,
        "closure": {"reason": c.reason.value, "date": _day(c.day), "by": c.by, "note": c.note} if c else None,
    }


def _line(line: LedgerLine, on: date) -> dict[str, Any]:
    return {"case_id": line.case.case_id, "opened": line.case.opened_day.isoformat(), "age_days": line.age_days,
            "ticket_ids": list(line.case.ticket_ids),
            "customer": {"name": line.customer_name, "phone": mask_phone(line.phone)}, **_state(line.state, on)}


def _event(e: CaseEvent) -> dict[str, Any]:
    return {"seq": e.seq, "kind": e.kind.value, "at": iso(e.at.astimezone(services.rules().tz)), "actor": e.actor,
            "date": _day(e.day), "note": e.note, "data": e.data}


def _flag(name: str) -> bool:
    value = request.args.get(name, "").strip().lower()
    if value not in ("", "0", "1", "true", "false"):
        raise UserError(f"{name}: 1 or 0")
    return value in ("1", "true")


def _choice(cls: type[StrEnum], name: str) -> Any:
    value = request.args.get(name, "").strip()
    try:
        return cls(value) if value else None
    except ValueError:
        raise UserError(f"{name}: one of {', '.join(m.value for m in cls)}") from None


@bp.get("/cases")
@roles(*CASE_STAFF)
def cases():
    """The district's case ledger (open cases; ``all=1``: closed ones too), narrowed and a page at a time."""
    d = request_district()
    today = services.today()
    wanted = LedgerFilter(status=_choice(Status, "state"), kind=_choice(CaseKind, "kind"),
                          overdue_only=_flag("overdue"), ticket=request.args.get("ticket", "")[:64])
    page = request.args.get("page", "1").strip()
    if not page.isdigit() or len(page) > 6 or int(page) < 1:
        raise UserError("page: a page number from 1")
    show_all = _flag("all") or wanted.status is Status.CLOSED
    found = narrow(case_ledger(get_session(), d, today, open_only=not show_all), wanted, int(page))
    return jsonify({"district": d, "date": today.isoformat(), "total": found.total, "page": found.page,
                    "pages": found.pages, "cases": [_line(line, today) for line in found.lines]})


def _case_or_404(district: str, case_id: int) -> StoredCase:
    case = case_store.get_case(get_session(), district, case_id)
    if case is None:
        abort(404)
    return case


def _answer(district: str, case_id: int):
    """The case's whole history and where it stands today."""
    case = _case_or_404(district, case_id)
    today = services.today()
    who = case_store.customers(get_session(), district, case.ticket_ids)
    return jsonify({"case_id": case.case_id, "district": case.district, "opened": case.opened_day.isoformat(),
                    "age_days": (today - case.opened_day).days,
                    "tickets": [{"ticket_id": t, "customer_name": who.get(t, ("", ""))[0],
                                 "phone": mask_phone(who.get(t, ("", ""))[1])} for t in case.ticket_ids],
                    **_state(as_seen_on(derive(case.events), today), today),
                    "events": [_event(e) for e in case.events]})


@bp.get("/cases/<int:case_id>")
@roles(*CASE_STAFF)
def case_history(case_id: int):
    return _answer(request_district(), case_id)


def _step(case_id: int, act) -> Any:
    """Run one action on the district's case (404 when it has none) and answer the case."""
    d = request_district()
    _case_or_404(d, case_id)
    act(d, json_body(empty_ok=True))
    return _answer(d, case_id)


def _date_field(body: dict, name: str) -> date | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise UserError(f"{name}: a date YYYY-MM-DD")
    return optional_day(value, name)


def _required_date(body: dict, name: str) -> date:
    found = _date_field(body, name)
    if found is None:
        raise UserError(f"{name}: a date YYYY-MM-DD")
    return found


@bp.post("/cases/<int:case_id>/close")
@roles(*DISPATCH)
def close_case(case_id: int):
    return _step(case_id, lambda d, body: actions.close_case(
        get_session(), security.actor(), d, case_id, text_field(body, "reason", required=True, field="note"),
        day=services.today()))


@bp.post("/cases/<int:case_id>/reopen")
@roles(*DISPATCH)
def reopen_case(case_id: int):
    return _step(case_id, lambda d, body: actions.reopen_case(
        get_session(), security.actor(), d, case_id, text_field(body, "reason", required=True, field="note"),
        day=services.today()))


@bp.post("/cases/<int:case_id>/convert")
@roles(*DISPATCH)
def convert_case(case_id: int):
    """An open phone follow-up becomes a visit (the reason is kept in its history)."""
    return _step(case_id, lambda d, body: actions.convert_to_visit(
        get_session(), security.actor(), d, case_id, text_field(body, "reason", required=True, field="note"),
        day=services.today()))


@bp.post("/cases/<int:case_id>/callback")
@roles(*CASE_STAFF)
def record_callback(case_id: int):
    """The callback due on the case was made: ``reached`` (true/false), ``answer`` when asked."""
    def act(d: str, body: dict) -> Any:
        reached = body.get("reached")
        if not isinstance(reached, bool):
            raise UserError("reached: true or false")
        answer = body.get("answer")
        if answer is not None and not isinstance(answer, str):
            raise UserError("answer: satisfied, basically_satisfied or unsatisfied")
        return actions.record_callback(get_session(), security.actor(), d, case_id, reached=reached, answer=answer,
                                       day=services.today(), note=text_field(body, "note", field="note"))
    return _step(case_id, act)


@bp.post("/cases/<int:case_id>/calls")
@roles(*CASE_STAFF)
def record_call(case_id: int):
    return _step(case_id, lambda d, body: actions.record_call(
        get_session(), security.actor(), d, case_id, text_field(body, "result", required=True, limit=32),
        day=_date_field(body, "date") or services.today(), start=text_field(body, "start", limit=8) or None,
        end=text_field(body, "end", limit=8) or None, note=text_field(body, "note")))


@bp.post("/cases/<int:case_id>/follow-up")
@roles(*DISPATCH)
def assign_follow_up(case_id: int):
    return _step(case_id, lambda d, body: actions.assign_follow_up(
        get_session(), security.actor(), d, case_id, solution=text_field(body, "solution", required=True, limit=64),
        owner=text_field(body, "owner", required=True, limit=64),
        promised=_required_date(body, "promised"), rules=services.rules(), note=text_field(body, "note")))


@bp.post("/cases/<int:case_id>/follow-up/update")
@roles(*CASE_STAFF)
def update_follow_up(case_id: int):
    return _step(case_id, lambda d, body: actions.update_follow_up(
        get_session(), security.actor(), d, case_id, rules=services.rules(),
        status=text_field(body, "status", limit=32) or None, promised=_date_field(body, "promised"),
        note=text_field(body, "note")))


@bp.post("/cases/<int:case_id>/follow-up/escalate")
@roles(*CASE_STAFF)
def escalate_follow_up(case_id: int):
    return _step(case_id, lambda d, body: actions.escalate_follow_up(
        get_session(), security.actor(), d, case_id, to=text_field(body, "to", required=True, limit=200),
        rules=services.rules(), owner=text_field(body, "owner", limit=64) or None,
        promised=_date_field(body, "promised"), note=text_field(body, "note")))


@bp.post("/cases/<int:case_id>/follow-up/resolve")
@roles(*CASE_STAFF)
def resolve_follow_up(case_id: int):
    return _step(case_id, lambda d, body: actions.resolve_follow_up(
        get_session(), security.actor(), d, case_id, text_field(body, "note"), rules=services.rules()))


@bp.post("/days/<day:day>/close")
@roles(*DISPATCH)
def close_day(day: date):
    """End the district's day: its planned visits with no outcome are marked not done (once)."""
    d = request_district()
    marked = actions.close_day(get_session(), security.actor(), d, day)
    return jsonify({"date": day.isoformat(), "district": d, "marked": marked})
