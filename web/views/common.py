"""Small helpers shared by the views: the day in URLs, the user's district, downloads."""

from __future__ import annotations

import io
from datetime import date

from flask import abort, current_app, request, send_file, session
from werkzeug.routing import BaseConverter, ValidationError

from web import security, services


class DayConverter(BaseConverter):
    """``2010-08-05`` in a URL ↔ a :class:`datetime.date` (anything else: 404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValidationError() from None

    def to_url(self, value) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)


def district() -> str:
    """The district the signed-in dispatcher works for (an admin chooses one)."""
    user = security.current_user()
    if user.role == "dispatcher":
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


def url_base() -> str:
    """Where the sheets' QR codes point: CVP_URL_BASE, else this server."""
    return (current_app.config.get("URL_BASE") or request.url_root).rstrip("/")


def download(data: bytes, filename: str, mimetype: str):
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename,
                     max_age=0)


def cache_dir() -> str:
    from pathlib import Path

    return str(Path(current_app.config["WORK_DIR"]) / "sheet-cache")
