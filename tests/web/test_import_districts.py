"""Imports through the upload page and ``POST /api/imports`` keep to the dispatcher's
district, list the updates that lose stored values before they are confirmed, and
never show where the server keeps an upload."""

from __future__ import annotations

import html
import io
import re

import pytest

from planner.store import accounts
from planner.store.db import session_scope
from tests.security.import_helpers import fingerprint, row_of, rows_of, stored
from tests.web.conftest import text_of
from tests.web.test_api import check

pytestmark = pytest.mark.usefixtures("seeded")

SOUTH_TICKET = "XA-NQ-20100804-0071"
NORTH_TICKET = "XA-BQ-20100804-0001"
DIAMOND = "XA-NQ-20100804-0012"


def _csv(header: list[str], rows: list[dict]) -> bytes:
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows([[r.get(h, "") for h in header] for r in rows])
    return buf.getvalue().encode("utf-8")


def _tickets(*rows: dict) -> bytes:
    return _csv(rows_of("tickets.csv")[0], list(rows))


def _south_ticket_rewritten() -> bytes:
    row = row_of("tickets.csv", SOUTH_TICKET)
    row["投诉内容"], row["客户号码"] = "已处理，无需上门", "13800000000"
    return _tickets(row)


def _upload(c, data: bytes, name: str = "t.csv"):
    return c.post("/dispatch/import", {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


@pytest.fixture
def api(app):
    with session_scope() as s:
        tokens = {n: accounts.issue_token(s, n) for n in ("disp", "disp_north", "admin")}

    def post(who: str, data: bytes, name: str = "t.csv", **form):
        r = app.test_client().post("/api/imports", headers={"Authorization": f"Bearer {tokens[who]}"},
                                   data={"file": (io.BytesIO(data), name), **form}, content_type="multipart/form-data")
        return check(r, "POST")

    return post


def test_the_api_refuses_another_districts_ticket_by_line(api):
    before = fingerprint(None)
    r = api("disp_north", _south_ticket_rewritten())
    body = r.get_json()
    assert r.status_code == 422 and body["imported"] is False
    assert body["errors"] == [{"line": 2, "column": "区域",
                               "reason": "district 南区 is not yours to import (yours: 北区)"}]
    assert fingerprint(None) == before
    # the same id under 北区 is 北区's own record: imported, and 南区's ticket is untouched
    south = stored(None, "TicketRow", SOUTH_TICKET, "南区")
    row = {**row_of("tickets.csv", SOUTH_TICKET), "区域": "北区", "投诉内容": "已处理，无需上门"}
    r = api("disp_north", _tickets(row))
    assert r.status_code == 200 and r.get_json()["report"]["added"] == 1
    assert stored(None, "TicketRow", SOUTH_TICKET, "南区").description == south.description


def test_the_upload_page_refuses_it_before_the_confirm_button(client_for):
    before = fingerprint(None)
    c = client_for("disp_north")
    r = _upload(c, _south_ticket_rewritten())
    page = html.unescape(text_of(r))
    assert r.status_code == 422 and "confirm-import" not in r.get_data(as_text=True)
    assert re.search(r"2 区域 不能导入南区的数据（您的区域：北区）", page), page[:2000]
    header, _ = rows_of("staff.csv")
    s1 = row_of("staff.csv", "S1")
    r = _upload(c, _csv(header, [s1]), "roster.csv")
    assert r.status_code == 422 and "不能导入南区的数据" in html.unescape(text_of(r))
    assert fingerprint(None) == before
    assert stored(None, "StaffRow", "S1", "南区").district == "南区"


def test_own_district_rows_import(api, client_for):
    new = {**row_of("tickets.csv", NORTH_TICKET), "工单号": "XA-BQ-NEW-1"}
    r = api("disp_north", _tickets(new))
    assert r.status_code == 200 and r.get_json()["report"] == {"added": 1, "updated": 0, "unchanged": 0}
    c = client_for("disp_north")
    r = _upload(c, _tickets({**new, "工单号": "XA-BQ-NEW-2"}))
    assert r.status_code == 200
    token = re.search(r"/dispatch/import/([\w-]+)/confirm", r.get_data(as_text=True)).group(1)
    assert c.post(f"/dispatch/import/{token}/confirm").status_code == 302
    assert stored(None, "TicketRow", "XA-BQ-NEW-2").district == "北区"


def _downgraded() -> bytes:
    row = row_of("tickets.csv", DIAMOND)
    row.update({"VIP等级": "普通", "客户姓名": ""})
    return _tickets(row)


def test_the_preview_lists_a_downgrade_before_confirming(client_for):
    c = client_for("disp")
    before = fingerprint(None)
    r = _upload(c, _downgraded())
    page = html.unescape(text_of(r))
    assert r.status_code == 200 and "以下更新会丢失已保存的数据" in page
    assert f"{DIAMOND} 客户姓名被清空（文件中该单元格为空）；VIP等级从 diamond 降为 none" in page
    assert page.index("以下更新会丢失") < page.index("导入全部数据")
    assert fingerprint(None) == before
    token = re.search(r"/dispatch/import/([\w-]+)/confirm", r.get_data(as_text=True)).group(1)
    assert c.post(f"/dispatch/import/{token}/confirm").status_code == 302
    assert stored(None, "TicketRow", DIAMOND).vip_level == "none"


def test_the_api_lists_a_downgrade_and_imports_it_only_when_allowed(api):
    expected = {DIAMOND: ["customer name cleared (the file's cell is empty)",
                          "VIP tier lowered from diamond to none"]}
    r = api("disp", _downgraded(), dry_run="true")
    assert r.status_code == 200 and r.get_json()["changes"]["warnings"] == expected
    before = fingerprint(None)
    r = api("disp", _downgraded())
    assert r.status_code == 409 and r.get_json()["imported"] is False
    assert r.get_json()["changes"]["warnings"] == expected and fingerprint(None) == before
    r = api("disp", _downgraded(), allow_downgrade="true")
    assert r.status_code == 200 and r.get_json()["changes"]["warnings"] == expected
    assert stored(None, "TicketRow", DIAMOND).vip_level == "none"


def test_errors_name_the_uploaded_file_not_the_servers_path(api, client_for, app):
    work = app.config["WORK_DIR"]
    r = _upload(client_for("disp"), b"a,b\n1,2\n", "mine.csv")
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "mine.csv: line 1: cannot tell" in html.unescape(page)
    assert work not in page and "/uploads/" not in page
    r = api("disp", b"a,b\n1,2\n", "mine.csv")
    message = r.get_json()["error"]["message"]
    assert r.status_code == 422 and message.startswith("mine.csv: line 1") and work not in message


def test_a_loss_that_appears_after_the_preview_is_not_imported(api, client_for):
    """The preview showed no losing update; meanwhile the API filled the new ticket's ARPU,
    which the confirmed file would now clear: nothing is imported, the dispatcher checks again."""
    new = {**row_of("tickets.csv", SOUTH_TICKET), "工单号": "XA-NQ-NEW-9", "ARPU": ""}
    c = client_for("disp")
    r = _upload(c, _tickets(new))
    assert r.status_code == 200 and "以下更新会丢失" not in html.unescape(text_of(r))
    assert api("disp", _tickets({**new, "ARPU": "99"})).status_code == 200
    before = fingerprint(None)
    token = re.search(r"/dispatch/import/([\w-]+)/confirm", r.get_data(as_text=True)).group(1)
    done = c.post(f"/dispatch/import/{token}/confirm")
    assert done.status_code == 302
    assert "预览之后已保存的数据有变化，未导入任何数据" in html.unescape(text_of(c.get("/dispatch/import")))
    assert fingerprint(None) == before and stored(None, "TicketRow", "XA-NQ-NEW-9").arpu == 99
