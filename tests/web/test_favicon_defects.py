"""Browsers ask every site for /favicon.ico: it was a 404 on every page."""

from __future__ import annotations


def test_the_favicon_is_served_to_anyone(app):
    r = app.test_client().get("/favicon.ico")
    assert r.status_code == 200
    assert r.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert r.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")


def test_pages_name_their_icon(app):
    html = app.test_client().get("/login").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in html and 'href="/favicon.ico"' in html
    svg = app.test_client().get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.data.startswith(b"<svg")
