"""The JSON API: the same actions as the pages (import, triage, overrides, plan, plan
status, publish, sheets, cost run; the roster, outcomes, follow-ups and the export in
:mod:`web.views.api_day`), documented in ``web/openapi.yaml``.

Authentication: ``Authorization: Bearer cvp_…`` (an API token from an admin or
``cvp users token NAME``); a signed-in browser session works too, with the
``X-CSRF-Token`` header on POSTs.  Roles are those of the pages: a field
account reads ``/api/me`` and records and lists its own visits' outcomes.  Errors are ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from flask import abort, current_app, jsonify, request, send_file, url_for

from planner.errors import UserError
from planner.intake.lengths import check_text
from web import bodies, cost, security, services, uploads
from web.security import DISPATCH, roles
from web.views.api_base import bp, iso, json_body, plan_or_404, request_district, text_field
from web.views.common import sheet_download

SPEC = Path(__file__).resolve().parents[1] / "openapi.yaml"
PLAN_SCHEMA = SPEC.with_name("plan.schema.json")


@bp.get("/openapi.yaml")
@roles("dispatcher", "field", "followup", "planner", "admin")
def openapi():
    return send_file(SPEC, mimetype="application/yaml", max_age=0)


@bp.get("/plan.schema.json")
@roles("dispatcher", "field", "followup", "planner", "admin")
def plan_schema():
    """The plan document's JSON Schema, which openapi.yaml references by this relative name."""
    return send_file(PLAN_SCHEMA, mimetype="application/schema+json", max_age=0)


@bp.get("/me")
@roles("dispatcher", "field", "followup", "planner", "admin")
def me():
    u = security.signed_in_user()
    return jsonify({"username": u.username, "role": u.role, "staff_id": u.staff_id, "district": u.district})


def _changes(report) -> dict:
    return {"added": len(report.added), "updated": len(report.updated), "unchanged": len(report.unchanged),
            "warnings": {key: [str(w) for w in lost] for key, lost in sorted(report.warnings.items())}}


@bp.post("/imports")
@roles(*DISPATCH)
def imports():
    """Check a file (``dry_run``) or import it.  A dispatcher's file may hold only rows of
    their district; ``changes.warnings`` lists the updates that would lose stored values
    (a lower VIP tier, a cleared field, another district), which are imported only with
    ``allow_downgrade`` (else 409 and nothing imported), as with ``cvp import``."""
    user = security.signed_in_user()
    truthy = ("1", "true", "yes")
    kind = request.form.get("kind") or None
    if kind not in (None, "tickets", "staff", "sites"):
        raise UserError(f"kind {kind!r}: choose one of tickets, staff, sites")
    allow_downgrade = request.form.get("allow_downgrade", "").lower() in truthy
    districts = security.actor().districts
    upload = uploads.save(current_app.config["WORK_DIR"], user.id, request.files.get("file"),
                          request.files.get("gazetteer"), kind, request.form.get("history", "").lower() in truthy,
                          tuple(current_app.config["UPLOAD_EXTENSIONS"]))
    try:
        check = uploads.preview(upload, services.rules(), districts)
        result = check.result
        body = {"file": upload.original_name, "kind": result.kind, "history": upload.history,
                "rows": result.rows_read, "valid": len(result.records),
                "errors": [{"line": e.line, "column": e.column, "reason": e.reason} for e in result.errors],
                "ignored_columns": list(result.ignored_columns), "encoding": result.encoding,
                "imported": False, "report": None, "changes": None if result.errors else _changes(check.report)}
        if result.errors:
            return jsonify(body), 422
        if request.form.get("dry_run", "").lower() in truthy:
            return jsonify(body)
        if check.report.warnings and not allow_downgrade:
            return jsonify(body), 409
        outcome = uploads.confirm(upload, services.rules(), security.actor(), allow_downgrade=allow_downgrade,
                                  api=True)
    finally:
        uploads.discard(upload)
    rep = outcome.report
    body.update(imported=True, report={"added": len(rep.added), "updated": len(rep.updated),
                                       "unchanged": len(rep.unchanged)}, changes=_changes(rep))
    return jsonify(body)


@bp.get("/days/<day:day>/triage")
@roles(*DISPATCH)
def triage(day: date):
    return jsonify(services.triage(day, request_district()))


@bp.post("/days/<day:day>/overrides")
@roles(*DISPATCH)
def overrides(day: date):
    d = request_district()
    items = json_body().get("overrides")
    if not isinstance(items, list) or not items:
        raise UserError("overrides: a non-empty list of {ticket_id, field, value}")
    if len(items) > bodies.MAX_ITEMS:
        raise UserError(f"overrides: {len(items)} in one request; at most {bodies.MAX_ITEMS}")
    parsed = []
    for it in items:
        if not isinstance(it, dict) or not all(isinstance(it.get(k), str) for k in ("ticket_id", "field", "value")):
            raise UserError("each override is {ticket_id, field, value} (strings)")
        for k in ("ticket_id", "field", "value"):
            check_text(k, it[k])
        parsed.append((it["ticket_id"], it["field"], it["value"]))
    services.set_overrides(d, parsed, security.actor(), day=day.isoformat(), api=True)
    return jsonify({"saved": len(parsed)})


@bp.post("/days/<day:day>/appointments")
@roles(*DISPATCH)
def appointments(day: date):
    d = request_district()
    body = json_body()
    ticket_id = text_field(body, "ticket_id", required=True)
    if not services.ticket_in_district(ticket_id, d):
        raise UserError(f"no ticket {ticket_id!r} in {d}")
    start, end = (text_field(body, k, limit=len("HH:MM:SS")) for k in ("start", "end"))  # parsed by parse_clock
    window = services.set_appointment(day, d, ticket_id, start, end, security.actor(), api=True)
    return jsonify({"ticket_id": ticket_id, "start": iso(window[0]) if window else None,
                    "end": iso(window[1]) if window else None})


@bp.post("/days/<day:day>/plans")
@roles(*DISPATCH)
def plan(day: date):
    d = request_district()
    body = json_body(empty_ok=True)
    pins = body.get("pins") or {}
    if not isinstance(pins, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in pins.items()):
        raise UserError("pins: an object of visit_id → staff_id")
    if len(pins) > bodies.MAX_ITEMS:
        raise UserError(f"pins: {len(pins)} in one request; at most {bodies.MAX_ITEMS}")
    for visit_id, staff_id in pins.items():
        check_text("visit_id", visit_id, name="pins")
        check_text("staff_id", staff_id, name=f"pins.{visit_id}")
    try:
        job_id = services.start_plan(day, d, security.actor(), pins)
    except services.PlanningBusy as busy:
        resp = jsonify({"error": {"code": 409, "message": str(busy)}})
        resp.status_code = 409
        resp.headers["Location"] = url_for("api.job_status", job_id=busy.job.id)
        return resp
    status = services.job(job_id)
    resp = jsonify({"job_id": job_id, "status": status.status if status else "queued",
                    "status_url": url_for("api.job_status", job_id=job_id)})
    resp.status_code = 202
    resp.headers["Location"] = url_for("api.job_status", job_id=job_id)
    return resp


@bp.get("/jobs/<int:job_id>")
@roles(*DISPATCH)
def job_status(job_id: int):
    job = services.job(job_id)
    user = security.signed_in_user()
    if job is None or (user.role == "dispatcher" and job.params.get("district") != user.district):
        abort(404)
    body = job.to_dict()
    body["params"] = {k: v for k, v in body["params"].items()
                      if k in ("day", "district", "absent", "pins", "version", "now", "added")}
    r = job.result or {}
    if job.kind in services.PLANNING_JOBS and job.status == "done" and r.get("version"):
        body["plan_url"] = url_for("api.plan_version", day=date.fromisoformat(r["date"]), version=r["version"])
        body["page_url"] = url_for("dispatcher.plan_view", day=date.fromisoformat(r["date"]), version=r["version"])
    return jsonify(body)


@bp.get("/days/<day:day>/plans")
@roles(*DISPATCH)
def plan_versions(day: date):
    d = request_district()
    return jsonify({"date": day.isoformat(), "district": d,
                    "versions": [{"version": v, "status": s, "author": a, "created_at": iso(c)}
                                 for v, s, a, c in services.versions(day, d)]})


@bp.get("/days/<day:day>/plans/<int:version>")
@roles(*DISPATCH)
def plan_version(day: date, version: int):
    doc, status = plan_or_404(day, version)
    return jsonify({"status": status, "document": doc.to_json()})


@bp.post("/days/<day:day>/plans/<int:version>/publish")
@roles(*DISPATCH)
def publish(day: date, version: int):
    doc, _status = plan_or_404(day, version)
    services.publish(day, doc.district, version, security.actor(), api=True)
    return jsonify({"date": day.isoformat(), "district": doc.district, "version": version, "status": "published"})


@bp.get("/days/<day:day>/plans/<int:version>/sheets/<staff_id>.pdf")
@roles(*DISPATCH)
def sheet(day: date, version: int, staff_id: str):
    return sheet_download(plan_or_404(day, version)[0], staff_id, api=True)


@bp.get("/days/<day:day>/plans/<int:version>/sheets.pdf")
@roles(*DISPATCH)
def sheets_all(day: date, version: int):
    return sheet_download(plan_or_404(day, version)[0], None, api=True)


#: characters of a cost parameter's name or value in ``set`` (a dotted name, a number)
SET_VALUE_MAX = 128


def _decimalish(value):
    if isinstance(value, float):
        return Decimal(str(value))
    return value


@bp.post("/cost/run")
@roles("planner", "admin")
def cost_run():
    body = json_body()
    name, text, sets = body.get("scenario"), body.get("yaml"), body.get("set") or {}
    if (name is None) == (text is None):
        raise UserError("give either scenario (a built-in or saved name) or yaml (the scenario text)")
    if not isinstance(sets, dict):
        raise UserError("set: an object of parameter → value")
    for key, value in sets.items():  # NAME=VALUE as on the command line: a value is one number or word
        if not isinstance(value, (str, int, float)):
            raise UserError(f"set.{key}: a number or a string, not {type(value).__name__}")
        if isinstance(value, str):
            check_text("set", value, SET_VALUE_MAX, name=f"set.{key}")
        check_text("set", key, SET_VALUE_MAX, name="set")
    if text is None:
        if not isinstance(name, str):
            raise UserError("scenario: a name")
        text = cost.text_of(name, cost.viewer())
    if not isinstance(text, str):
        raise UserError("yaml: the scenario text")
    sets_text = "\n".join(f"{k}={_decimalish(v)}" for k, v in sets.items())
    return jsonify(cost.run(cost.Slot(text, sets_text, name or ""))["data"])

