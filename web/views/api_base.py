"""What every JSON API module shares: the blueprint, who dispatches, the request's district,
the bounded JSON body and its text fields, and a stored plan or 404.  The endpoints are in
:mod:`web.views.api`, :mod:`web.views.api_day` and :mod:`web.views.followups`, all on this blueprint."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, request

from planner.errors import UserError
from planner.intake.lengths import check_text
from planner.plan.document import PlanDocument
from web import bodies, security, services

bp = Blueprint("api", __name__, url_prefix="/api")



def request_district() -> str:
    """A dispatcher's (or field worker's, or follow-up account's) own district; an admin names
    one with ``?district=``."""
    user = security.signed_in_user()
    if user.role in ("dispatcher", "field", "followup"):
        return user.district or abort(403)
    d = request.args.get("district", "").strip()
    if not d:
        raise UserError("an admin names the district: ?district=NAME")
    return d


def json_body(empty_ok: bool = False) -> dict:
    """The request's JSON object, bounded in size and depth (:mod:`web.bodies`): every
    JSON endpoint reads its body here."""
    if (request.content_length or 0) > bodies.MAX_BYTES:
        raise UserError(f"the request body has {request.content_length} bytes; at most {bodies.MAX_BYTES}")
    raw = request.get_data(cache=True)
    if raw.strip() and not request.is_json:
        raise UserError("the request body must be a JSON object (Content-Type: application/json)")
    return bodies.json_object(raw, empty_ok=empty_ok)


def text_field(body: dict, name: str, *, required: bool = False, field: str | None = None, limit: int | None = None) -> str:
    """A text field of the body, checked against its store column (``field``: the
    column's name where it differs; ``limit``: a parsed value's most characters), ""
    when absent; 422 naming the field."""
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise UserError(f"{name}: a non-empty string")
        return ""
    if not isinstance(value, str):
        raise UserError(f"{name}: a string")
    return check_text(field or name, value, limit, name=name)


def iso(dt):
    return dt.isoformat() if dt else None


def plan_or_404(day: date, version: int) -> tuple[PlanDocument, str]:
    found = services.plan(day, request_district(), version)
    if found is None:
        abort(404)
    return found
