"""How many uploads at once: an account reads one file at a time, a server process a few,
and an account keeps at most a handful of uploads waiting for a confirm.  Each file is
bounded on its own (``test_hostile_files``); these bound the number, so a burst of
heavy uploads from one ordinary account cannot take the server's cores, memory or
disk (the waiting uploads: ``test_upload_backlog``).  A refused request is 429 with
``Retry-After`` and has read or stored nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from planner.store import accounts
from planner.store.db import session_scope
from tests.security.import_helpers import fingerprint, row_of, rows_of
from tests.web.test_api import check
from tests.web.test_import_districts import _csv
from web import uploads

pytestmark = pytest.mark.usefixtures("seeded")

NORTH_TICKET = "XA-BQ-20100804-0001"


def _north_file(description: str = "客户补充") -> bytes:
    header, _ = rows_of("tickets.csv")
    return _csv(header, [{**row_of("tickets.csv", NORTH_TICKET), "投诉内容": description}])


def _user_id(name: str) -> int:
    with session_scope() as s:
        return accounts.get_user_by_name(s, name).id


@pytest.fixture
def api(app):
    with session_scope() as s:
        tokens = {n: accounts.issue_token(s, n) for n in ("disp", "disp_north")}

    def post(who: str, data: bytes, **form):
        r = app.test_client().post("/api/imports", headers={"Authorization": f"Bearer {tokens[who]}"},
                                   data={"file": (io.BytesIO(data), "t.csv"), **form},
                                   content_type="multipart/form-data")
        return check(r, "POST")

    return post


def _upload_folders(app) -> list[Path]:
    root = Path(app.config["WORK_DIR"]) / "uploads"
    return sorted(root.iterdir()) if root.exists() else []


def test_a_second_file_of_the_same_account_waits_for_the_first(api, app):
    before = fingerprint(None)
    with uploads.reading_slot(_user_id("disp_north")):  # the account's first file is being read
        r = api("disp_north", _north_file("第二个文件"))
        assert r.status_code == 429 and r.headers["Retry-After"] == "30"
        assert "still being checked" in r.get_json()["error"]["message"]
        assert fingerprint(None) == before and _upload_folders(app) == []
        assert api("disp", _north_file(), dry_run="true").status_code == 422  # another account is not held up
    assert api("disp_north", _north_file("第二个文件")).status_code == 200  # and afterwards it goes through


def test_when_every_reading_slot_is_taken_a_new_file_is_refused_after_a_short_wait(api, app, monkeypatch):
    monkeypatch.setattr(uploads, "SLOT_WAIT_S", 0.2)
    before = fingerprint(None)
    holders = [uploads.reading_slot(-1 - n) for n in range(uploads.READ_SLOTS)]  # other accounts' files
    for holder in holders:
        holder.__enter__()
    try:
        r = api("disp_north", _north_file())
        assert r.status_code == 429 and "reading other files" in r.get_json()["error"]["message"]
        assert fingerprint(None) == before and _upload_folders(app) == []
    finally:
        for holder in holders:
            holder.__exit__(None, None, None)
    assert api("disp_north", _north_file()).status_code == 200


def test_the_upload_page_answers_429_in_chinese(client_for):
    c = client_for("disp_north")
    with uploads.reading_slot(_user_id("disp_north")):
        r = c.post("/dispatch/import", {"file": (io.BytesIO(_north_file()), "t.csv")},
                   content_type="multipart/form-data")
    assert r.status_code == 429 and "您的另一个文件仍在检查或导入中" in r.get_data(as_text=True)


def test_a_waiting_upload_is_readable_by_the_servers_account_only(client_for, app):
    """A preview waiting for its confirm holds customers' names and phones."""
    c = client_for("disp_north")
    r = c.post("/dispatch/import", {"file": (io.BytesIO(_north_file()), "t.csv")}, content_type="multipart/form-data")
    assert r.status_code == 200
    [folder] = _upload_folders(app)
    assert folder.stat().st_mode & 0o777 == 0o700
    [data] = [p for p in folder.iterdir() if p.suffix == ".csv"]
    assert data.stat().st_mode & 0o777 == 0o600
