"""The QR code on each stop: it opens that stop's outcome page in the web app."""

from __future__ import annotations

import os
from urllib.parse import quote

import segno

DEFAULT_URL_BASE = "http://localhost:8000"
URL_BASE_ENV = "CVP_URL_BASE"


def url_base(explicit: str | None = None) -> str:
    """The web app's address: the option, else ``$CVP_URL_BASE``, else the local default."""
    return (explicit or os.environ.get(URL_BASE_ENV) or DEFAULT_URL_BASE).rstrip("/")


def stop_url(base: str, day: str, staff_id: str, seq: int) -> str:
    """``{base}/field/stops/{date}/{staff_id}/{seq}``: the page where the worker records the outcome."""
    return f"{base.rstrip('/')}/field/stops/{quote(day, safe='')}/{quote(staff_id, safe='')}/{int(seq)}"


def qr_png_data_uri(data: str) -> str:
    """A PNG data URI (4 px a module): cheaper to lay out and print than SVG paths."""
    return segno.make(data, error="m", micro=False).png_data_uri(scale=4, border=2)
