"""The sheet cache is bounded, whatever Host header a signed-in user sends.

Without ``CVP_URL_BASE`` the QR codes on a route sheet point to the request's own host,
and the cached PDF is keyed by it.  A field worker downloading their own sheet with a
new Host header each time (``h1.example``, ``h2.example`` …) stored a new 400 KB PDF
each time, forever.  The cache now keeps at most ``MAX_CACHED_SHEETS`` PDFs, removing
the oldest.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import Client, make_app
from web import downloads


@pytest.mark.slow
def test_downloads_under_ever_new_hosts_keep_the_cache_bounded(planned, tmp_path, monkeypatch):
    monkeypatch.setattr(downloads, "MAX_CACHED_SHEETS", 2)
    app = make_app(tmp_path, URL_BASE=None)
    field = Client(app, "f1")
    cookie = field.http.get_cookie("cvp_session").value
    for i in range(4):
        host = f"h{i}.example"
        field.http.set_cookie("cvp_session", cookie, domain=host)
        r = field.http.get("/field/routes/2010-08-05/S1/sheet.pdf", base_url=f"http://{host}")
        assert r.status_code == 200 and r.data.startswith(b"%PDF")
    cached = list((Path(app.config["WORK_DIR"]) / "sheet-cache").glob("*.pdf"))
    assert len(cached) == 2
