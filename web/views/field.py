"""The field worker's pages: their own published route on a phone, their sheet as PDF,
and each stop's page (the QR code on the printed sheet) with the outcome form.

A field account sees only its own staff member's route: any other staff id in
the URL is 403, whatever the route holds.  Full phone numbers appear here (and
on the worker's sheet) only, because this is the assigned worker's own route.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from planner.calendar import nearest_day
from planner.cases.events import VisitResult
from planner.errors import UserError
from planner.field_record import Satisfaction, TestResult, read_record
from web import downloads, security, services
from web.db import get_session
from web.i18n import error_lines, get_lang
from web.i18n import gettext as _
from web.security import roles
from web.views.common import sheet_download

bp = Blueprint("field", __name__, url_prefix="/field")


def _own(staff_id: str) -> str:
    """The worker's district, when the route asked for is the signed-in worker's own."""
    user = security.signed_in_user()
    if not user.staff_id or staff_id != user.staff_id:
        abort(403)
    return user.district or ""


@bp.get("/")
@roles("field")
def home():
    """The worker's route of today if published, else the next published one, else the latest."""
    user = security.signed_in_user()
    staff_id = user.staff_id
    today = services.today()
    day = (nearest_day([r.day for r in services.published_routes(user.district or "", staff_id)], today)
           if staff_id else today)
    return redirect(url_for("field.route", day=day, staff_id=staff_id))


@bp.get("/routes/<day:day>")
@roles("field")
def route_of_day(day: date):
    return redirect(url_for("field.route", day=day, staff_id=security.signed_in_user().staff_id))


def _sheet_view(doc, staff_id: str):
    views = downloads.sheet_views(get_session(), doc, get_lang(), services.url_base(), services.rules(),
                                  only=[staff_id])
    return views[0] if views else None


@bp.get("/routes/<day:day>/<staff_id>")
@roles("field")
def route(day: date, staff_id: str):
    district = _own(staff_id)
    found = services.published_route(day, district, staff_id)
    routes = services.published_routes(district, staff_id)
    if found is None:
        return render_template("field/route.html", day=day, sheet=None, doc=None, route=None, outcomes={},
                               routes=routes, today=services.today(), staff_id=staff_id)
    doc, r = found
    sheet = _sheet_view(doc, staff_id)
    return render_template("field/route.html", day=day, doc=doc, route=r, sheet=sheet, steps=r.visit_steps,
                           outcomes=services.outcomes(day, doc.district, staff_id), routes=routes,
                           today=services.today(), staff_id=staff_id)


@bp.get("/routes/<day:day>/<staff_id>/sheet.pdf")
@roles("field")
def route_sheet(day: date, staff_id: str):
    district = _own(staff_id)
    found = services.published_route(day, district, staff_id)
    if found is None:
        abort(404)
    return sheet_download(found[0], staff_id)


def _stop(day: date, staff_id: str, seq: int):
    district = _own(staff_id)
    found = services.published_route(day, district, staff_id)
    if found is None:
        abort(404)
    doc, r = found
    steps = r.visit_steps
    if not 1 <= seq <= len(steps):
        abort(404)
    sheet = _sheet_view(doc, staff_id)
    return doc, steps[seq - 1], sheet.stops[seq - 1], len(steps)


def record_of_form(form, day: date):
    """The stop form as the record's JSON shape (:func:`planner.field_record.read_record`
    checks it): one grid line per operator × technology of the rules, named
    ``signal|call|data|kbps:OPERATOR:TECHNOLOGY``."""
    rules = services.rules()
    tests = []
    for op, tech in rules.field_record.lines():
        line = {part: form.get(f"{part}:{op.code}:{tech}", "").strip() for part in ("signal", "call", "data", "kbps")}
        if any(line.values()):
            tests.append({"operator": op.code, "technology": tech, "signal_dbm": line["signal"],
                          "call": line["call"], "data": line["data"], "data_kbps": line["kbps"]})
    body = {name: form.get(name, "") for name in ("result", "satisfaction", "arrived_at", "problem", "requests",
                                                 "measure", "gift_item", "promised_date", "notes")}
    body["gift_given"] = form.get("gift_given") == "yes"
    return read_record({**body, "tests": tests}, rules, day)


#: what the worker is told once a record is saved, by visit result
SAVED = {VisitResult.CLOSED_ON_SITE: "Outcome saved: the tickets are closed",
         VisitResult.FOLLOW_UP: "Outcome saved: the dispatcher follows up for later closure",
         VisitResult.NOT_MET: "Outcome saved: the visit is planned again",
         VisitResult.REFUSED: "Outcome saved: the visit is planned again"}


@bp.route("/stops/<day:day>/<staff_id>/<int:seq>", methods=["GET", "POST"])
@roles("field")
def stop(day: date, staff_id: str, seq: int):
    doc, step, view, count = _stop(day, staff_id, seq)
    if request.method == "POST":
        try:
            done = services.record_outcome(
                security.actor(), {"seq": seq}, day=day, district=doc.district, visit_id=step.visit_id,
                staff_id=staff_id, plan_version=doc.version, record=record_of_form(request.form, day))
        except UserError as exc:
            for line in error_lines(exc):
                flash(line, "error")
        else:
            saved = done.outcome.result
            if done.unchanged or saved is None:
                flash(_("Nothing changed: this outcome was recorded already"), "ok")
            else:
                flash(_(SAVED[saved]), "ok")
            if seq < count:
                return redirect(url_for("field.stop", day=day, staff_id=staff_id, seq=seq + 1))
            return redirect(url_for("field.route", day=day, staff_id=staff_id))
    outcome = services.outcomes(day, doc.district, staff_id).get(step.visit_id)
    rules = services.rules()
    # a refused form shows what was typed again, not the stored record
    typed = request.form if request.method == "POST" else None
    return render_template("field/stop.html", day=day, doc=doc, step=step, stop=view, seq=seq, count=count,
                           staff_id=staff_id, outcome=outcome, record=outcome.record if outcome else None,
                           typed=typed, lines=rules.field_record.lines(), field_rules=rules.field_record,
                           results=list(VisitResult), satisfaction=list(Satisfaction), tests=list(TestResult),
                           promise_max=day + timedelta(days=rules.field_record.promise_days))
