"""The JSON API for phone follow-ups: a dispatcher turns an open phone follow-up into a visit.

The route is on :data:`web.views.api_base.bp` and calls
:func:`planner.cases.actions.convert_to_visit`, as ``cvp cases convert`` does; the next
triage selects the case for a visit, saying it was converted.
"""

from __future__ import annotations

from flask import jsonify

from planner.cases.actions import NOTE_MAX, convert_to_visit
from web import security, services
from web.db import get_session
from web.security import roles
from web.views.api_base import DISPATCH, bp, json_body, request_district, text_field


@bp.post("/v1/cases/<int:case_id>/convert")
@roles(*DISPATCH)
def convert_case(case_id: int):
    """An open phone follow-up becomes a visit (the reason is required and kept in its history)."""
    d = request_district()
    reason = text_field(json_body(), "reason", required=True, field="note", limit=NOTE_MAX)
    step = convert_to_visit(get_session(), security.actor(), d, case_id, reason,
                            day=services.today())
    state = step.state
    return jsonify({"case_id": step.case.case_id, "district": d, "kind": state.kind.value,
                    "status": state.status.value, "ticket_ids": list(step.case.ticket_ids),
                    "back_because": str(state.back_because or "")})
