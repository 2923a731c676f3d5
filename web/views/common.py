"""Small helpers shared by the views: the day in URLs, the user's district, downloads."""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import urlsplit

from flask import abort, send_file, session
from werkzeug.routing import BaseConverter, IntegerConverter, ValidationError

from planner import days
from planner.errors import Reason, UserError
from planner.plan.document import PlanDocument
from planner.store.models import INTEGER_MAX
from web import downloads, security, services
from web.db import get_session
from web.i18n import get_lang


class DayConverter(BaseConverter):
    """``2010-08-05`` in a URL ↔ a :class:`datetime.date`; anything else, and a day outside
    the years the planner works in (:mod:`planner.days`), is 404."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValidationError() from None
        if not days.in_range(day):
            raise ValidationError()
        return day

    def to_url(self, value) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)


class StoreIntConverter(IntegerConverter):
    """``<int:…>`` in every URL: a job id, a plan version, a stop number.  A number past
    what the store's INTEGER column holds names no record (404); passed on, it crashed
    the database driver (a 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INTEGER_MAX)
        super().__init__(map, *args, **kwargs)


def district() -> str:
    """The district the signed-in dispatcher (or follow-up account) works for (an admin chooses one)."""
    user = security.signed_in_user()
    if user.role in ("dispatcher", "followup"):
        if not user.district:
            abort(403)
        return user.district
    chosen = session.get("district")
    known = services.known_districts()
    if chosen in known:
        return chosen
    if known:
        return known[0]
    return user.district or ""


def safe_next(target: str | None) -> str | None:
    """Where a form may send the browser back to: only a path on this site (no scheme, no
    host, no //evil.example, and no backslash, which browsers read as a slash); else None."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def download(data: bytes, filename: str, mimetype: str):
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename,
                     max_age=0)


def sheet_download(doc, staff_id: str | None, **audit_details):
    """One worker's route sheet (``staff_id``) or all of them (None) as a PDF download,
    audited; 404 when the plan has no route for that worker.  ``doc``: the plan, typed or stored."""
    doc = PlanDocument.of(doc)
    try:
        path = downloads.sheet_pdf_path(get_session(), doc, staff_id, get_lang(), services.url_base(),
                                        services.rules(), services.cache_dir())
    except LookupError:
        abort(404)
    security.audit("download", f"{doc.date} {doc.district} v{doc.version} sheet {staff_id or 'all'}",
                   **audit_details)
    return download(path.read_bytes(), downloads.sheet_filename(doc, staff_id), "application/pdf")


EXPORT_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export_download(doc, fmt: str, **audit_details):
    """The plan's visits as CSV or XLSX (phone numbers masked), audited; 404 for other formats."""
    if fmt not in EXPORT_TYPES:
        abort(404)
    doc = PlanDocument.of(doc)
    data, name = downloads.export_bytes(get_session(), doc, fmt, get_lang(), services.rules())
    security.audit("download", f"{doc.date} {doc.district} v{doc.version} export {fmt}", **audit_details)
    return download(data, name, EXPORT_TYPES[fmt])


def optional_day(text: str | None, name: str) -> date | None:
    """A date a form or JSON body gives as YYYY-MM-DD (None when empty); a malformed one, or
    one outside the years the planner works in, is the user's mistake naming the field."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or len(text) != 10 or not days.in_range(day):
        raise UserError(Reason("{name}: a date YYYY-MM-DD, not {value!r}", name=name, value=text[:40]))
    return day
