"""The call list page (the pilot's step 2, 约见客户): whom the dispatcher phones to agree the
day's visits, with a form on each line that records the call and comes back to the list.

A thin shell over :mod:`planner.cases.call_list`: the list, the suggested slots, which
case a call goes to and what a call may record are decided there.  The page is the
district's dispatcher's (an admin's chosen district): full phone numbers are shown, as
the dispatcher dials them; another district's dispatcher sees only their own list, and
a call about another district's ticket is refused as not on the list.  A refused call
is the list again with the reason (400), nothing written.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for

from planner import days
from planner.cases.actions import CaseRefused
from planner.cases.call_list import call_about, call_list
from planner.cases.events import CallResult
from planner.errors import UserError
from web import security, services
from web.db import get_session
from web.i18n import error_lines, translate
from web.i18n import gettext as _
from web.security import DISPATCH, roles
from web.views.common import district

bp = Blueprint("calls", __name__)

#: what a call may come to: about a visit (resolved on the phone is for phone follow-ups), about a phone follow-up
VISIT_RESULTS = tuple(r.value for r in CallResult if r is not CallResult.RESOLVED)
PHONE_RESULTS = (CallResult.UNREACHED.value, CallResult.REFUSED.value, CallResult.RESOLVED.value)


def result_labels() -> dict[str, str]:
    """Each call result in the page's language."""
    return {"unreached": _("not reached"), "refused": _("refused the visit"),
            "rescheduled": _("moved to another date or time"), "confirmed": _("confirmed"),
            "resolved": _("resolved on the phone")}


def status_labels() -> dict[str, str]:
    """Where a listed visit's case stands, in the page's language."""
    return {"open": _("to be planned"), "planned": _("on a route")}


def _day(text: str | None, name: str = "day") -> date:
    """A date typed in the URL or the form (YYYY-MM-DD, within the planner's years)."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        raise UserError(_("{name}: a date as YYYY-MM-DD, not {value!r}", name=name, value=(text or "")[:40])) from None
    if not days.in_range(day):
        raise UserError(_("{name}: a date as YYYY-MM-DD, not {value!r}", name=name, value=text))
    return day


def _message(exc: UserError) -> str:
    """A refusal in the page's language: a case's reason translated, others as they read."""
    if isinstance(exc, CaseRefused):
        return _("case {case}: {reason}", case=exc.case_id, reason=translate(exc.reason))
    return " ".join(error_lines(exc))


def _page(day: date, d: str, status: int = 200):
    try:
        listed, error = call_list(get_session(), day, d, services.rules()), None
    except UserError as exc:
        listed, error = None, _message(exc)
    return render_template("calls/list.html", day=day, district=d, listed=listed, error=error, visit_results=VISIT_RESULTS,
                           phone_results=PHONE_RESULTS, labels=result_labels(), statuses=status_labels(),
                           districts=services.known_districts()), status


@bp.get("/calls", endpoint="call_list")
@roles(*DISPATCH)
def call_list_page():
    d = district()
    try:
        day = _day(request.args["day"]) if request.args.get("day") else services.today()
    except UserError as exc:
        flash(_message(exc), "error")
        return _page(services.today(), d, 400)
    return _page(day, d)


@bp.post("/calls")
@roles(*DISPATCH)
def record():
    d = district()
    form = request.form
    try:
        day = _day(form.get("day"))
    except UserError as exc:
        flash(_message(exc), "error")
        return _page(services.today(), d, 400)
    tickets = [t for t in form.getlist("ticket_id") if t]
    result = form.get("result", "")
    try:
        on = _day(form["date"], "date") if form.get("date") else day
        step = call_about(get_session(), security.actor(), d, day, tickets, result, rules=services.rules(), on=on,
                          start=form.get("start") or None, end=form.get("end") or None, note=form.get("note", ""))
    except UserError as exc:
        flash(_message(exc), "error")
        return _page(day, d, 400)
    flash(_("Call recorded on case {case}: {result}", case=step.case.case_id, result=result_labels().get(result, result)), "ok")
    anchor = f"#call-{form.get('visit_id')}" if form.get("visit_id") else ""
    return redirect(url_for("calls.call_list", day=day.isoformat()) + anchor)


