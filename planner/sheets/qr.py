"""The QR code on each stop: it opens that stop's outcome page in the web app."""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import quote, urlsplit

import segno

DEFAULT_URL_BASE = "http://localhost:8000"
URL_BASE_ENV = "CVP_URL_BASE"


def url_base(explicit: str | None = None) -> str:
    """The web app's address: the option, else ``$CVP_URL_BASE``, else the local default."""
    return (explicit or os.environ.get(URL_BASE_ENV) or DEFAULT_URL_BASE).rstrip("/")


def is_loopback(base: str) -> bool:
    """True for an address only this machine reaches (localhost, 127.x, ::1, or no host)."""
    host = (urlsplit(base if "//" in base else "//" + base).hostname or "").rstrip(".").lower()
    if host in ("", "localhost") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def loopback_warning(base: str) -> str | None:
    """What to tell whoever prints sheets whose QR codes a worker's phone cannot open."""
    if not is_loopback(base):
        return None
    return (f"the QR codes on these sheets open {base}, which a worker's phone cannot reach: set {URL_BASE_ENV} "
            f"to the web app's address as the phones see it (e.g. export {URL_BASE_ENV}=http://192.168.1.10:8000) "
            f"or pass --url-base")


def stop_url(base: str, day: str, staff_id: str, seq: int) -> str:
    """``{base}/field/stops/{date}/{staff_id}/{seq}``: the page where the worker records the outcome."""
    return f"{base.rstrip('/')}/field/stops/{quote(day, safe='')}/{quote(staff_id, safe='')}/{int(seq)}"


def qr_png_data_uri(data: str) -> str:
    """A PNG data URI (4 px a module): cheaper to lay out and print than SVG paths."""
    return segno.make(data, error="m", micro=False).png_data_uri(scale=4, border=2)
