"""The case pages: the district's case ledger (dispatchers, admins, follow-up staff) and a
case's page with its whole history and the steps the signed-in account may take.

Thin views over :mod:`planner.cases`: the ledger is :func:`planner.cases.ledger.ledger`
narrowed by :class:`~planner.cases.ledger.LedgerFilter`, and every form calls one action of
:mod:`planner.cases.actions`, which checks the account and the case's state and writes the
event with its audit row, or nothing.  A refused step is shown on the case page (400); a
case of another district is not found (404).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from planner import closure
from planner.cases import actions
from planner.cases.carry import as_seen_on
from planner.cases.events import CallResult, CaseKind, EventKind, FollowUpStatus, Satisfaction
from planner.cases.ledger import LedgerFilter, narrow, next_action
from planner.cases.ledger import ledger as case_ledger
from planner.cases.lifecycle import Status, derive
from planner.errors import Reason, UserError
from planner.store import cases as case_store
from planner.store.cases import StoredCase
from web import security, services
from web.db import get_session
from web.i18n import error_lines, get_lang, translate
from web.i18n import gettext as _
from web.security import CASE_STAFF, DISPATCH, roles
from web.views.common import district, local_path, optional_day

bp = Blueprint("cases", __name__)


#: the ledger's filters, as the page's links carry them
FILTERS = ("state", "kind", "ticket", "overdue", "closed")

#: the event values a history row does not repeat (shown elsewhere on the page)
HIDDEN_VALUES = ("kind", "ticket_ids")


def _enum(cls: type, text: str | None) -> Any:
    try:
        return cls(text) if text else None
    except ValueError:
        abort(400)


def _page_number(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 7 else 1


# -- the ledger ---------------------------------------------------------------------------

@bp.get("/cases")
@roles(*CASE_STAFF)
def ledger():
    d = district()
    today = services.today()
    args = request.args
    wanted = LedgerFilter(status=_enum(Status, args.get("state")), kind=_enum(CaseKind, args.get("kind")),
                          overdue_only=args.get("overdue") == "1", ticket=args.get("ticket", "")[:64])
    show_closed = args.get("closed") == "1" or wanted.status is Status.CLOSED
    found = narrow(case_ledger(get_session(), d, today, open_only=not show_closed), wanted,
                   _page_number(args.get("page")))
    query = {k: args[k] for k in FILTERS if args.get(k)}  # what the page links keep (only these: url_for's own keys stay ours)
    return render_template("cases/ledger.html", district=d, today=today, found=found, wanted=wanted,
                           show_closed=show_closed, query=query, statuses=list(Status), kinds=list(CaseKind),
                           districts=services.known_districts(), decides=security.actor().dispatches(d))


@bp.post("/cases/close-day")
@roles(*DISPATCH)
def close_day():
    """End a day of the district (default today): its planned visits with no outcome are
    marked not done; a second press marks none."""
    d = district()
    try:
        day = optional_day(request.form.get("day"), "day") or services.today()
        marked = actions.close_day(get_session(), security.actor(), d, day)
    except UserError as exc:
        for line in error_lines(exc):
            flash(line, "error")
    else:
        flash(_("{day} closed: {n} planned visit(s) without an outcome marked not done", day=day.isoformat(),
                n=len(marked)), "ok")
    return redirect(local_path(request.form.get("next")) or url_for("cases.ledger"))


# -- one case -----------------------------------------------------------------------------

def _case_or_404(case_id: int) -> tuple[str, StoredCase]:
    d = district()
    case = case_store.get_case(get_session(), d, case_id)
    if case is None:
        abort(404)
    return d, case


def _case_page(case_id: int, error: str | None = None, status: int = 200):
    d, case = _case_or_404(case_id)
    today = services.today()
    state = as_seen_on(derive(case.events), today)
    actor = security.actor()
    decides, follows = actor.dispatches(d), actor.follows_up(d)
    in_follow_up = state.status is Status.FOLLOW_UP
    forms = {"close": decides and state.is_open, "reopen": decides and state.status is Status.CLOSED,
             "convert": decides and state.kind is CaseKind.PHONE and state.is_open,
             "callback": follows and state.callback_due is not None,
             "call": follows and state.is_open, "assign": decides and in_follow_up,
             "update": follows and in_follow_up, "escalate": follows and in_follow_up, "resolve": follows and in_follow_up}
    rules = services.rules()
    lang = get_lang()
    solutions = {code: texts.get(lang) or code for code, texts in rules.cases.follow_up_solutions.items()}
    events = [(e, [(k, v) for k, v in e.data.items() if k not in HIDDEN_VALUES]) for e in case.events]
    visited_days = {e.day for e in case.events if e.kind is EventKind.OUTCOME and e.day}
    recorded = closure.outcomes_of_case(get_session(), d, visited_days, case.ticket_ids) if visited_days else []
    return render_template("cases/case.html", district=d, case=case, state=state, today=today,
                           next_action=next_action(state, today), events=events, forms=forms, error=error, recorded=recorded,
                           customers=case_store.customers(get_session(), d, case.ticket_ids),
                           owners=actions.follow_up_owners(get_session(), d) if forms["assign"] or forms["escalate"]
                           else [], solutions=solutions, call_results=list(CallResult), satisfactions=list(Satisfaction),
                           follow_up_statuses=[s for s in FollowUpStatus if s is not FollowUpStatus.RESOLVED]), status


@bp.get("/cases/<int:case_id>")
@roles(*CASE_STAFF)
def case_page(case_id: int):
    return _case_page(case_id)


def _step(case_id: int, done: str, act) -> Any:
    """Run one action on the district's case: done, back to the case page saying so; refused,
    the case page with the reason (400) and nothing written."""
    d, _case = _case_or_404(case_id)
    form = request.form
    try:
        act(d, form)
    except actions.CaseRefused as refused:
        return _case_page(case_id, _("Case {case}: {reason}", case=case_id, reason=translate(refused.reason)), 400)
    except UserError as exc:
        return _case_page(case_id, " ".join(error_lines(exc)), 400)
    flash(done, "ok")
    return redirect(url_for("cases.case_page", case_id=case_id))


@bp.post("/cases/<int:case_id>/close")
@roles(*DISPATCH)
def close(case_id: int):
    return _step(case_id, _("Case closed"), lambda d, form: actions.close_case(
        get_session(), security.actor(), d, case_id, form.get("reason", ""), day=services.today()))


@bp.post("/cases/<int:case_id>/reopen")
@roles(*DISPATCH)
def reopen(case_id: int):
    return _step(case_id, _("Case open again"), lambda d, form: actions.reopen_case(
        get_session(), security.actor(), d, case_id, form.get("reason", ""), day=services.today()))


@bp.post("/cases/<int:case_id>/convert")
@roles(*DISPATCH)
def convert(case_id: int):
    return _step(case_id, _("The phone follow-up is a visit now: the next triage selects it"),
                 lambda d, form: actions.convert_to_visit(get_session(), security.actor(), d, case_id,
                                                          form.get("reason", ""), day=services.today()))


@bp.post("/cases/<int:case_id>/callback")
@roles(*CASE_STAFF)
def record_callback(case_id: int):
    form = request.form

    def act(d: str, f: Any) -> Any:
        if form.get("reached") not in ("yes", "no"):
            raise UserError(Reason("reached: yes or no"))
        return actions.record_callback(get_session(), security.actor(), d, case_id, reached=form.get("reached") == "yes",
                                       answer=form.get("answer") or None, day=services.today(),
                                       note=form.get("note", ""))
    return _step(case_id, _("Callback recorded"), act)


@bp.post("/cases/<int:case_id>/calls")
@roles(*CASE_STAFF)
def record_call(case_id: int):
    return _step(case_id, _("Call recorded"), lambda d, form: actions.record_call(
        get_session(), security.actor(), d, case_id, form.get("result", ""),
        day=optional_day(form.get("day"), "day") or services.today(), start=form.get("start") or None,
        end=form.get("end") or None, note=form.get("note", "")))


def _promised(form) -> date | None:
    return optional_day(form.get("promised"), "promised")


def _promised_to_customer(form) -> date:
    promised = _promised(form)
    if promised is None:
        raise UserError(_("promised: the date promised to the customer"))
    return promised


@bp.post("/cases/<int:case_id>/follow-up")
@roles(*DISPATCH)
def assign_follow_up(case_id: int):
    return _step(case_id, _("Follow-up assigned"), lambda d, form: actions.assign_follow_up(
        get_session(), security.actor(), d, case_id, solution=form.get("solution", ""), owner=form.get("owner", ""),
        promised=_promised_to_customer(form), rules=services.rules(), note=form.get("note", "")))


@bp.post("/cases/<int:case_id>/follow-up/update")
@roles(*CASE_STAFF)
def update_follow_up(case_id: int):
    return _step(case_id, _("Follow-up updated"), lambda d, form: actions.update_follow_up(
        get_session(), security.actor(), d, case_id, rules=services.rules(), status=form.get("status") or None,
        promised=_promised(form), note=form.get("note", "")))


@bp.post("/cases/<int:case_id>/follow-up/escalate")
@roles(*CASE_STAFF)
def escalate_follow_up(case_id: int):
    return _step(case_id, _("Follow-up escalated"), lambda d, form: actions.escalate_follow_up(
        get_session(), security.actor(), d, case_id, to=form.get("to", ""), rules=services.rules(),
        owner=form.get("owner") or None, promised=_promised(form), note=form.get("note", "")))


@bp.post("/cases/<int:case_id>/follow-up/resolve")
@roles(*CASE_STAFF)
def resolve_follow_up(case_id: int):
    return _step(case_id, _("Follow-up resolved: the case is closed"), lambda d, form: actions.resolve_follow_up(
        get_session(), security.actor(), d, case_id, form.get("note", ""), rules=services.rules()))
