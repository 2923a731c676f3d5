"""The follow-up queue (the pilot's steps 4–6): a follow-up account's home page, the
dispatcher's Follow-ups page, and ``GET /api/followups``.

Every one reads :func:`planner.cases.queue.follow_up_queue` (through
:func:`web.services.follow_up_queue`), and each quick step on a row calls one case action
(:func:`planner.cases.actions.update_follow_up`; resolving, :func:`planner.closure.resolve_follow_up`,
which closes the case with :func:`~planner.cases.actions.resolve_follow_up` and its tickets);
a refused step is a message on the queue, never an error page.  The district is the
account's own (an admin chooses one); another district's case is not found.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for

from planner.cases.queue import Queue, QueueLine
from planner.errors import UserError
from planner.masking import mask_phone
from planner.store.models import INTEGER_MAX
from web import security, services
from web.i18n import error_lines
from web.i18n import gettext as _
from web.security import CASE_STAFF, roles
from web.views.api_base import bp as api_bp
from web.views.api_base import request_district
from web.views.common import district

bp = Blueprint("followups", __name__)


def _owns_follow_ups() -> bool:
    """Whether the account may own follow-ups (so "mine only" means something)."""
    return security.signed_in_user().role in ("followup", "dispatcher")


@bp.get("/followups")
@roles(*CASE_STAFF)
def queue():
    d = district()
    mine = request.args.get("mine") == "1" and _owns_follow_ups()
    user = security.signed_in_user()
    found = services.follow_up_queue(d, owner=user.username if mine else None)
    return render_template("followups/queue.html", district=d, queue=found, mine=mine,
                           can_filter=_owns_follow_ups(), solutions=services.rules().cases.follow_up_solutions)


def _back() -> Any:
    return redirect(url_for("followups.queue", mine="1") if request.form.get("mine") == "1"
                    else url_for("followups.queue"))


def _step(case_id: int, done: str, action) -> Any:
    """Run one case action on the account's district; a refusal is flashed, not raised."""
    if not 1 <= case_id <= INTEGER_MAX:
        flash(_("No such case: {case}", case=case_id), "error")
        return _back()
    try:
        action(district(), case_id)
    except UserError as exc:
        flash(_("Not recorded: {why}", why=" ".join(error_lines(exc))), "error")
    else:
        flash(done, "ok")
    return _back()


@bp.post("/followups/<int:case_id>/update")
@roles(*CASE_STAFF)
def update(case_id: int):
    note = request.form.get("note", "")
    return _step(case_id, _("Case {case}: follow-up in progress", case=case_id),
                 lambda d, c: services.update_follow_up(d, c, security.actor(), status="in_progress", note=note))


@bp.post("/followups/<int:case_id>/resolve")
@roles(*CASE_STAFF)
def resolve(case_id: int):
    note = request.form.get("note", "")
    return _step(case_id, _("Case {case}: follow-up resolved, the case is closed", case=case_id),
                 lambda d, c: services.resolve_follow_up(d, c, security.actor(), note))


# -- JSON ---------------------------------------------------------------------------------

def _day(value) -> str | None:
    return value.isoformat() if value else None


def line_json(line: QueueLine) -> dict[str, Any]:
    """One queue line as the API answers it (phone numbers masked, the due text in English)."""
    return {"case_id": line.case_id, "kind": line.kind.value, "overdue": line.overdue,
            "overdue_days": line.overdue_days, "due": str(line.due), "due_on": _day(line.due_on),
            "since": _day(line.since), "visited_by": line.visited_by, "ticket_ids": list(line.ticket_ids),
            "customers": [{"ticket_id": c.ticket_id, "name": c.name, "phone": mask_phone(c.phone),
                           "address": c.address} for c in line.customers],
            "solution": line.solution, "owner": line.owner, "promised": _day(line.promised),
            "status": line.status.value if line.status else None, "escalated_to": line.escalated_to,
            "note": line.note}


def queue_json(found: Queue) -> dict[str, Any]:
    return {"district": found.district, "date": found.day.isoformat(), "owner": found.owner,
            "lines": [line_json(line) for line in found.lines], "left_off": found.left_off}


@api_bp.get("/followups")
@roles(*CASE_STAFF)
def api_queue():
    """The queue as JSON: the account's district (an admin names one), ``?owner=`` one owner's lines."""
    owner = request.args.get("owner", "").strip()[:64] or None
    return jsonify(queue_json(services.follow_up_queue(request_district(), owner=owner)))
