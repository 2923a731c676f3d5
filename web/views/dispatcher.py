"""The dispatcher's pages: import with preview, triage with overrides and appointments,
the day's roster, planning (through the job queue), the plan, publishing, downloads."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for

from planner.calendar import nearest_day
from planner.days import in_range as day_in_range
from planner.errors import BusyError, InvalidFileError, UserError
from planner.plan.document import PlanDocument
from planner.sheets.qr import is_loopback
from planner.triage.rules import SCENARIOS, TYPES
from planner.workflow import OVERRIDABLE, LosingUpdate, MisplacedFile
from web import downloads, security, services, uploads
from web.db import get_session
from web.i18n import error_lines, get_lang
from web.i18n import gettext as _
from web.security import DISPATCH, roles
from web.views.common import district, export_download, local_path, sheet_download

bp = Blueprint("dispatcher", __name__, url_prefix="/dispatch")

PREVIEW_ROWS = 20


@bp.get("/")
@roles(*DISPATCH)
def home():
    picked = request.args.get("day")
    if picked:
        try:
            chosen = date.fromisoformat(picked)
            if not day_in_range(chosen):
                raise ValueError(picked)
            return redirect(url_for("dispatcher.triage", day=chosen))
        except ValueError:
            flash(_("Bad request"), "error")
    d = district()
    today = services.today()
    days = services.district_days(d) if d else None
    return render_template("dispatcher/home.html", district=d, today=today, days=days,
                           default_day=nearest_day(days.useful(), today) if days else today,
                           districts=services.known_districts(), jobs=services.recent_plan_jobs(d) if d else [])


@bp.post("/district")
@roles("admin")
def choose_district():
    """An admin's district for the district pages (the dispatcher's, the ledger, the call list),
    then back to the page it was chosen on (``next``, a path on this site)."""
    chosen = request.form.get("district", "")
    if chosen in services.known_districts():
        session["district"] = chosen
    return redirect(local_path(request.form.get("next")) or url_for("dispatcher.home"))


# -- import -------------------------------------------------------------------------------

def _flash_error(exc: UserError) -> None:
    for line in error_lines(exc):
        flash(line, "error")


def _misplaced(exc: MisplacedFile) -> str:
    """Where a file in the wrong field belongs, naming this form's fields."""
    if exc.found == "gazetteer":
        return _("{file}: this is an address gazetteer; upload it in the gazetteer field together with the ticket file",
                 file=exc.path)
    return _("{file}: only ticket files can be imported as history, and this file holds {what}",
             file=exc.path, what=_(exc.found))


def _import_page(status: int = 200):
    return render_template("dispatcher/import.html", mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)), status


@bp.get("/import")
@roles(*DISPATCH)
def import_form():
    return _import_page()


@bp.post("/import")
@roles(*DISPATCH)
def import_preview():
    user = security.signed_in_user()
    kind = request.form.get("kind") or None
    if kind not in (None, "tickets", "staff", "sites"):
        abort(400)
    try:
        upload = uploads.save(current_app.config["WORK_DIR"], user.id, request.files.get("file"),
                              request.files.get("gazetteer"), kind, request.form.get("history") == "1",
                              tuple(current_app.config["UPLOAD_EXTENSIONS"]))
    except UserError as exc:
        _flash_error(exc)
        return _import_page(422)
    try:
        check = uploads.preview(upload, services.rules(), security.actor().districts)
    except BusyError:  # not now: 429, nothing read (the preview dropped the upload)
        raise
    except MisplacedFile as exc:  # said in the words of this form, not the command line's
        uploads.discard(upload)
        flash(_misplaced(exc), "error")
        return _import_page(422)
    except UserError as exc:  # e.g. an unreadable file, or a gazetteer with bad rows
        uploads.discard(upload)
        _flash_error(exc)
        return _import_page(422)
    result = check.result
    if result.errors:
        uploads.discard(upload)  # a file with any bad row imports nothing: fix it and check again
    return render_template("dispatcher/preview.html", upload=upload, result=result, report=check.report,
                           rows=result.records[:PREVIEW_ROWS]), (422 if result.errors else 200)


@bp.post("/import/<token>/confirm")
@roles(*DISPATCH)
def import_confirm(token: str):
    user = security.signed_in_user()
    try:
        upload = uploads.load(current_app.config["WORK_DIR"], token, user.id)
    except LookupError:
        flash(_("The upload has expired; check the file again"), "error")
        return redirect(url_for("dispatcher.import_form"))
    try:
        outcome = uploads.confirm(upload, services.rules(), security.actor())
    except BusyError:  # not now: 429, and the upload stays for a second press of the button
        raise
    except InvalidFileError as exc:  # the store changed since the preview (a row now refused)
        uploads.discard(upload)
        _flash_error(exc)
        return redirect(url_for("dispatcher.import_form"))
    except LosingUpdate:  # updates that lose values appeared after the preview: show them first
        uploads.discard(upload)
        flash(_("The stored data changed since the preview; nothing was imported: check the file again"), "error")
        return redirect(url_for("dispatcher.import_form"))
    except BaseException:
        uploads.discard(upload)
        raise
    uploads.discard(upload)
    what = _("history") if outcome.history else _(outcome.kind)
    flash(_("Imported {what}: {added} added, {updated} updated, {unchanged} unchanged", what=what,
            added=len(outcome.report.added), updated=len(outcome.report.updated),
            unchanged=len(outcome.report.unchanged)), "ok")
    return redirect(url_for("dispatcher.import_form"))


@bp.post("/import/<token>/cancel")
@roles(*DISPATCH)
def import_cancel(token: str):
    try:
        uploads.discard(uploads.load(current_app.config["WORK_DIR"], token, security.signed_in_user().id))
    except LookupError:
        pass
    return redirect(url_for("dispatcher.import_form"))


# -- triage -------------------------------------------------------------------------------

@bp.get("/<day:day>/triage")
@roles(*DISPATCH)
def triage(day: date):
    d = district()
    try:
        data, error = services.triage(day, d), None
    except UserError as exc:
        data, error = None, " ".join(error_lines(exc))
    return render_template("dispatcher/triage.html", day=day, district=d, t=data, error=error, types=TYPES,
                           days=services.district_days(d) if error else None,
                           scenarios=SCENARIOS, follow_ups=services.follow_ups_to_track(d),
                           tickets=services.triage_tickets(data) if data else {})


def _own_ticket(ticket_id: str, d: str) -> None:
    """Another district's ticket (or no ticket) is not found."""
    if not services.ticket_in_district(ticket_id, d):
        abort(404)


@bp.post("/<day:day>/overrides")
@roles(*DISPATCH)
def override(day: date):
    d = district()
    ticket_id = request.form.get("ticket_id", "")
    field, value = request.form.get("field", ""), request.form.get("value", "")
    _own_ticket(ticket_id, d)
    if field not in OVERRIDABLE:
        abort(400)
    services.set_overrides(d, [(ticket_id, field, value)], security.actor(), day=day.isoformat())
    flash(_("Override saved: {ticket} {field} = {value}", ticket=ticket_id, field=field, value=value), "ok")
    return redirect(url_for("dispatcher.triage", day=day) + f"#t-{ticket_id}")


@bp.post("/<day:day>/appointments")
@roles(*DISPATCH)
def appointment(day: date):
    d = district()
    ticket_id = request.form.get("ticket_id", "")
    _own_ticket(ticket_id, d)
    try:
        window = services.set_appointment(day, d, ticket_id, request.form.get("start", ""), request.form.get("end", ""),
                                          security.actor())
    except UserError as exc:
        flash(str(exc), "error")
        return redirect(url_for("dispatcher.triage", day=day) + f"#t-{ticket_id}")
    if window:
        flash(_("Appointment saved: {ticket} {start}–{end}", ticket=ticket_id, start=f"{window[0]:%H:%M}",
                end=f"{window[1]:%H:%M}"), "ok")
    else:
        flash(_("Appointment cleared: {ticket}", ticket=ticket_id), "ok")
    return redirect(url_for("dispatcher.triage", day=day) + f"#t-{ticket_id}")


# -- follow-ups (需要后期闭环) ---------------------------------------------------------------

@bp.get("/followups")
@roles(*DISPATCH)
def follow_ups():
    """The follow-ups are the district's follow-up queue (:mod:`web.views.followups`): one list."""
    return redirect(url_for("followups.queue"))


@bp.post("/<day:day>/followups/<visit_id>/close")
@roles(*DISPATCH)
def close_follow_up(day: date, visit_id: str):
    d = district()
    try:
        services.close_follow_up(day, d, visit_id, security.actor(), request.form.get("notes", ""))
    except UserError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Follow-up closed: {visit}", visit=visit_id), "ok")
    return redirect(url_for("followups.queue"))


# -- roster -------------------------------------------------------------------------------

@bp.get("/<day:day>/roster")
@roles(*DISPATCH)
def roster(day: date):
    d = district()
    lines = services.roster(day, d)
    return render_template("dispatcher/roster.html", day=day, district=d, lines=lines,
                           lunches=services.lunches(day, lines))


@bp.post("/<day:day>/roster")
@roles(*DISPATCH)
def roster_change(day: date):
    d = district()
    staff_id = request.form.get("staff_id", "")
    absent = request.form.get("absent") == "1"
    from planner.roster import set_absence  # checked there before any write: another district's member is "not found"

    set_absence(get_session(), security.actor(), day, d, staff_id, absent, request.form.get("reason", ""))
    flash(_("{staff} marked absent", staff=staff_id) if absent else _("{staff} back on duty", staff=staff_id), "ok")
    return redirect(url_for("dispatcher.roster", day=day))


# -- planning -----------------------------------------------------------------------------

@bp.post("/<day:day>/plan")
@roles(*DISPATCH)
def plan_start(day: date):
    d = district()
    pins = {key[4:]: value for key, value in request.form.items() if key.startswith("pin:") and value}
    try:
        job_id = services.start_plan(day, d, security.actor(), pins)
    except services.PlanningBusy as busy:
        return _busy(busy)
    return redirect(url_for("dispatcher.job_page", job_id=job_id))


@bp.post("/<day:day>/plan/<int:version>/replan")
@roles(*DISPATCH)
def replan_start(day: date, version: int):
    """Re-plan the rest of the day from this version (``cvp replan``): the begun stops stay,
    absent workers are gone from "now", urgent tickets in the optional file are inserted."""
    d = district()
    _plan_or_404(day, version)
    user = security.signed_in_user()
    now = services.parse_clock(day, request.form.get("now", ""), "now").time()
    running = services.planning_in_progress(day, d)
    if running is not None:
        return _busy(services.PlanningBusy(running))
    absent = [s for s in request.form.getlist("absent") if s]
    upload = None
    if request.files.get("file") and request.files["file"].filename:
        upload = uploads.save(current_app.config["WORK_DIR"], user.id, request.files["file"],
                              request.files.get("gazetteer"), "tickets", False,
                              tuple(current_app.config["UPLOAD_EXTENSIONS"]))
        try:
            # the urgent tickets are the re-planned district's, whoever sends them (an admin too)
            result = uploads.preview(upload, services.rules(), frozenset({d})).result
        except UserError:
            uploads.discard(upload)
            raise
        if result.errors:  # nothing imported, nothing planned: fix the file and try again
            uploads.discard(upload)
            return render_template("dispatcher/preview.html", upload=upload, result=result,
                                   rows=result.records[:PREVIEW_ROWS],
                                   back_url=url_for("dispatcher.plan_view", day=day, version=version)), 422
    try:
        job_id = services.start_replan(day, d, version, now, absent, security.actor(), upload)
    except services.PlanningBusy as busy:
        if upload:
            uploads.discard(upload)
        return _busy(busy)
    except BaseException:  # a refused re-plan keeps no upload behind
        if upload:
            uploads.discard(upload)
        raise
    return redirect(url_for("dispatcher.job_page", job_id=job_id))


def _busy(busy: services.PlanningBusy):
    """Another planning job of the day has not finished: show its progress instead."""
    flash(_("This day is already being planned (job {job}): wait for it to finish", job=busy.job.id), "error")
    return redirect(url_for("dispatcher.job_page", job_id=busy.job.id))


@bp.get("/jobs/<int:job_id>")
@roles(*DISPATCH)
def job_page(job_id: int):
    job = services.job(job_id)
    if job is None or job.params.get("district") != district():
        abort(404)
    day = date.fromisoformat(job.params["day"])
    return render_template("dispatcher/job.html", job=job, day=day, district=job.params["district"])


@bp.get("/<day:day>/plan")
@roles(*DISPATCH)
def plan_latest(day: date):
    d = district()
    found = services.plan(day, d)
    if found is not None:
        return redirect(url_for("dispatcher.plan_view", day=day, version=found[0].version))
    return render_template("dispatcher/plan_none.html", day=day, district=d, jobs=services.recent_plan_jobs(d))


def _plan_or_404(day: date, version: int) -> tuple[PlanDocument, str]:
    found = services.plan(day, district(), version)
    if found is None:
        abort(404)
    return found


@bp.get("/<day:day>/plan/<int:version>")
@roles(*DISPATCH)
def plan_view(day: date, version: int):
    d = district()
    doc, status = _plan_or_404(day, version)
    on_duty = [line.staff for line in services.roster(day, d) if line.on_duty]
    now = datetime.now(services.rules().tz)
    return render_template("dispatcher/plan.html", day=day, district=d, doc=doc, status=status,
                           versions=services.versions(day, d), on_duty=on_duty, pins=doc.pins or {},
                           map_available=downloads.map_available(),
                           replan_now=f"{now:%H:%M}" if now.date() == day else "",
                           qr_loopback=services.url_base() if is_loopback(services.url_base()) else None)


@bp.post("/<day:day>/plan/<int:version>/publish")
@roles(*DISPATCH)
def publish(day: date, version: int):
    d = district()
    _plan_or_404(day, version)
    services.publish(day, d, version, security.actor())
    flash(_("Published: field staff now see this version. It can no longer be changed; plan again to make a new version."),
          "ok")
    return redirect(url_for("dispatcher.plan_view", day=day, version=version))


@bp.get("/<day:day>/plan/<int:version>/sheets/<staff_id>.pdf")
@roles(*DISPATCH)
def sheet(day: date, version: int, staff_id: str):
    return sheet_download(_plan_or_404(day, version)[0], staff_id)


@bp.get("/<day:day>/plan/<int:version>/sheets.pdf")
@roles(*DISPATCH)
def sheets_all(day: date, version: int):
    return sheet_download(_plan_or_404(day, version)[0], None)


@bp.get("/<day:day>/plan/<int:version>/export.<fmt>")
@roles(*DISPATCH)
def export(day: date, version: int, fmt: str):
    return export_download(_plan_or_404(day, version)[0], fmt)


MAP_CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
           "img-src 'self' data: {tiles}; font-src 'self' data:; connect-src 'none'; frame-ancestors 'self'; "
           "form-action 'none'; base-uri 'none'")


@bp.get("/<day:day>/plan/<int:version>/map")
@roles(*DISPATCH)
def plan_map(day: date, version: int):
    doc, _status = _plan_or_404(day, version)
    if not downloads.map_available():
        return render_template("error.html", code=501, message=_("The map is not available yet.")), 501
    tiles = downloads.map_tiles(current_app.config.get("MAP_TILES"))
    html = downloads.map_html(get_session(), doc, get_lang(), services.rules(), tiles=tiles)
    resp = current_app.response_class(html, mimetype="text/html")
    # the map runs folium's inline scripts: allowed here only, and the plan page embeds it in a sandboxed frame
    resp.headers["Content-Security-Policy"] = MAP_CSP.format(tiles=downloads.tile_origin(tiles))
    return resp
