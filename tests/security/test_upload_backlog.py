"""Uploads awaiting confirmation are bounded per account.

A previewed upload is kept an hour so that it can be confirmed.  Before this bound a
dispatcher sending the same 5 MB file to the preview in a loop (never confirming)
left a folder per request: a thousand an hour filled the server's disk.  Now an
account keeps at most ``MAX_PENDING_PER_USER`` waiting uploads; a new one removes its
oldest (whose preview then says it has expired), never another account's.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from tests.web.conftest import Client
from web import uploads

TICKETS = ("工单号,受理时间,客户号码,客户姓名,VIP等级,区域,地址,纬度,经度\n"
           "{id},2010-08-04 10:00,13800000001,张三,普通,{district},{district}某路1号,34.28,108.94\n")


def _preview(client: Client, district: str = "北区", ticket: str = "XA-BQ-NEW-0001"):
    data = TICKETS.format(id=ticket, district=district).encode()
    return client.post("/dispatch/import", data={"file": (io.BytesIO(data), "t.csv")},
                       content_type="multipart/form-data")


def _waiting(work_dir: Path, user_id: int) -> list[Path]:
    import json

    root = work_dir / "uploads"
    return [f for f in root.iterdir()
            if json.loads((f / "meta.json").read_text(encoding="utf-8")).get("user_id") == user_id]


def _token(response) -> str:
    return re.search(r"/dispatch/import/([A-Za-z0-9_-]+)/confirm", response.get_data(as_text=True)).group(1)


def test_previews_in_a_loop_keep_a_bounded_number_of_uploads(seeded, tmp_path, app):
    north, south = Client(app, "disp_north"), Client(app, "disp")
    south_tokens = [_token(_preview(south, "南区", "XA-NQ-NEW-0001")) for _ in range(2)]
    first = _preview(north)
    assert first.status_code == 200
    tokens = [_token(first)] + [_token(_preview(north)) for _ in range(3 * uploads.MAX_PENDING_PER_USER)]
    work = Path(app.config["WORK_DIR"])
    north_id = _id_of("disp_north")
    assert len(_waiting(work, north_id)) == uploads.MAX_PENDING_PER_USER
    # the other account's waiting uploads are untouched
    assert all((work / "uploads" / t).is_dir() for t in south_tokens)
    # the oldest preview has expired; the newest still imports
    r = north.post(f"/dispatch/import/{tokens[0]}/confirm", follow_redirects=True)
    assert "已过期" in r.get_data(as_text=True) or "expired" in r.get_data(as_text=True)
    r = north.post(f"/dispatch/import/{tokens[-1]}/confirm", follow_redirects=True)
    assert r.status_code == 200
    from planner.store import repository as repo
    from planner.store.db import session_scope

    with session_scope() as s:
        assert repo.existing_ticket_ids(s, "北区", ["XA-BQ-NEW-0001"]) == {"XA-BQ-NEW-0001"}


def _id_of(username: str) -> int:
    from planner.store import accounts
    from planner.store.db import session_scope

    with session_scope() as s:
        return accounts.get_user_by_name(s, username).id
