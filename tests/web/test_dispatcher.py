"""The dispatcher's pages: upload preview → confirm, triage with overrides and appointment
windows, the roster's absences, planning through the job queue, the plan (per-worker
tables, unassigned visits with Chinese reasons), pins, publishing, versions, downloads,
and the audit log of all of it."""

from __future__ import annotations

import csv
import io
import re

import pytest

from planner.store import accounts
from planner.store.db import session_scope
from planner.store.models import TicketRow
from tests.web.conftest import DAY, DISTRICT, text_of
from tests.web.helpers import csv_bytes, fixture_rows, gazetteer_bytes, pdf_pages, pdf_text, tickets_with_bad_row

pytestmark = pytest.mark.usefixtures("seeded")


def _upload(c, data: bytes, name: str = "tickets.csv", gazetteer: bool = True, **form):
    files = {"file": (io.BytesIO(data), name), **form}
    if gazetteer:
        files["gazetteer"] = (io.BytesIO(gazetteer_bytes()), "gazetteer.csv")
    return c.post("/dispatch/import", files, content_type="multipart/form-data")


def _token(response) -> str:
    return re.search(r"/dispatch/import/([\w-]+)/confirm", response.get_data(as_text=True)).group(1)


def _ticket_count() -> int:
    with session_scope() as s:
        return s.query(TicketRow).count()


def test_the_preview_lists_row_errors_with_line_numbers_and_saves_nothing(client_for):
    c = client_for("disp")
    before = _ticket_count()
    bad, line = tickets_with_bad_row()
    header, rows = fixture_rows()
    r = _upload(c, bad)
    assert r.status_code == 422
    page = text_of(r)
    assert re.search(rf"{line} 受理时间 ", page), page[:3000]
    assert "不会导入任何数据" in page and "导入全部数据" not in page
    assert _ticket_count() == before


def test_row_errors_are_shown_in_the_pages_language(client_for):
    import html

    bad, line = tickets_with_bad_row()
    c = client_for("disp")
    page = html.unescape(text_of(_upload(c, bad)))
    assert f"{line} 受理时间 无法识别的时间 '2010-08-32 25:61'（应如 2010-08-05 09:30）" in page
    c.post("/lang", data={"lang": "en"})
    page = html.unescape(text_of(_upload(c, bad)))
    assert f"{line} 受理时间 unparseable time '2010-08-32 25:61' (expected e.g. 2010-08-05 09:30)" in page


def test_a_gazetteer_with_bad_rows_is_listed_in_chinese(client_for):
    import html

    header, rows = fixture_rows()
    c = client_for("disp")
    r = c.post("/dispatch/import", {"file": (io.BytesIO(csv_bytes(header, rows)), "tickets.csv"),
                                    "gazetteer": (io.BytesIO("地址,纬度,经度\n某路1号,abc,108.9\n".encode()), "g.csv")},
               content_type="multipart/form-data")
    page = html.unescape(text_of(r))
    assert r.status_code == 422 and " g.csv：1 处问题，未导入任何数据" in page and "/gazetteer/" not in page
    assert "第 2 行，纬度 列：纬度 'abc' 不是数字" in page


def test_confirming_imports_all_rows_once(client_for):
    c = client_for("disp")
    header, rows = fixture_rows()
    new = [list(r) for r in rows[:3]]
    for i, r in enumerate(new):
        r[0] = f"XA-NQ-NEW-{i}"
    r = _upload(c, csv_bytes(header, new))
    assert r.status_code == 200
    page = text_of(r)
    assert "共读取 3 行，3 行有效，0 行有问题" in page and "尚未保存任何数据" in page
    before = _ticket_count()
    done = c.post(f"/dispatch/import/{_token(r)}/confirm")
    assert done.status_code == 302
    assert _ticket_count() == before + 3
    assert "新增 3" in text_of(c.get("/dispatch/import"))
    assert c.post(f"/dispatch/import/{_token(r)}/confirm").status_code == 302  # used up: nothing twice
    assert _ticket_count() == before + 3
    with session_scope() as s:
        [entry] = accounts.audit_log(s, action="import", username="disp")
        assert entry.username == "disp" and entry.target == "tickets.csv" and entry.details["added"] == 3


def test_a_roster_upload_is_recognised_from_its_headers(client_for):
    header, rows = fixture_rows("staff.csv")
    r = _upload(client_for("disp"), csv_bytes(header, rows), "staff.csv", gazetteer=False)
    assert r.status_code == 200 and "人员名单" in text_of(r) and "李卫东" in text_of(r)


def test_an_unreadable_file_is_explained(client_for):
    r = _upload(client_for("disp"), "a,b\n1,2\n".encode(), "x.csv", gazetteer=False)
    assert r.status_code == 422 and "cannot tell what this file holds" in text_of(r)


def test_the_triage_table(client_for):
    page = text_of(client_for("disp").get(f"/dispatch/{DAY}/triage"))
    assert "需拜访 25 户，电话回访 18 户" in page
    for word in ("钻卡VIP", "多次投诉", "集中投诉", "触发的规则", "电话回访", "预约时间"):
        assert word in page, word


def test_an_override_is_stored_shown_and_audited(client_for):
    c = client_for("disp")
    r = c.post(f"/dispatch/{DAY}/overrides", {"ticket_id": "XA-NQ-20100804-0071", "field": "type", "value": "irate"})
    assert r.status_code == 302 and r.headers["Location"].endswith("#t-XA-NQ-20100804-0071")
    html = c.get(f"/dispatch/{DAY}/triage").get_data(as_text=True)
    row = html.split('data-visit="V-XA-NQ-20100804-0071"')[1].split("</tr>")[0]
    type_cell = re.search(r'<td class="type"[^>]*>(.*?)</td>', row, re.S).group(1)
    assert "激愤暴躁型" in type_cell and "人工调整" in type_cell
    with session_scope() as s:
        assert accounts.audit_log(s, action="override")[0].details["value"] == "irate"


def test_a_bad_override_is_refused(client_for):
    c = client_for("disp")
    r = c.post(f"/dispatch/{DAY}/overrides", {"ticket_id": "XA-NQ-20100804-0071", "field": "type", "value": "angry"})
    assert r.status_code == 422 and "not one of" in text_of(r)
    r = c.post(f"/dispatch/{DAY}/overrides", {"ticket_id": "XA-NQ-20100804-0071", "field": "priority", "value": "1"})
    assert r.status_code == 400


def test_deselecting_and_selecting_tickets(client_for):
    c = client_for("disp")
    c.post(f"/dispatch/{DAY}/overrides", {"ticket_id": "XA-NQ-20100804-0071", "field": "select", "value": "no"})
    assert "需拜访 24 户" in text_of(c.get(f"/dispatch/{DAY}/triage"))
    html = c.get(f"/dispatch/{DAY}/triage").get_data(as_text=True)
    follow = re.search(r'<tr id="f-([^"]+)">', html).group(1)
    c.post(f"/dispatch/{DAY}/overrides", {"ticket_id": follow, "field": "select", "value": "yes"})
    assert f'data-visit="V-{follow}"' in c.get(f"/dispatch/{DAY}/triage").get_data(as_text=True)


def test_setting_and_clearing_an_appointment_window(client_for):
    c = client_for("disp")
    r = c.post(f"/dispatch/{DAY}/appointments", {"ticket_id": "XA-NQ-20100804-0071", "start": "14:00", "end": "15:30"})
    assert r.status_code == 302
    html = c.get(f"/dispatch/{DAY}/triage").get_data(as_text=True)
    assert "已保存预约：XA-NQ-20100804-0071 14:00–15:30" in html
    row = html.split('data-visit="V-XA-NQ-20100804-0071"')[1].split("</tr>")[0]
    assert re.search(r'<td class="window"[^>]*>14:00–15:30</td>', row)
    r = c.post(f"/dispatch/{DAY}/appointments", {"ticket_id": "XA-NQ-20100804-0071", "start": "16:00", "end": "15:00"})
    assert "after the start" in text_of(c.get(r.headers["Location"]))
    c.post(f"/dispatch/{DAY}/appointments", {"ticket_id": "XA-NQ-20100804-0071", "start": "", "end": ""})
    row = c.get(f"/dispatch/{DAY}/triage").get_data(as_text=True).split('data-visit="V-XA-NQ-20100804-0071"')[1]
    assert re.search(r'<td class="window"[^>]*>全天可</td>', row.split("</tr>")[0])
    with session_scope() as s:
        assert [e.details.get("cleared") for e in accounts.audit_log(s, action="appointment")] == [True, None]


def test_the_roster_and_absences(client_for):
    c = client_for("disp")
    page = text_of(c.get(f"/dispatch/{DAY}/roster"))
    for word in ("S1", "李卫东", "09:00–17:30", "11:30–13:00", "VIP 服务", "在岗"):
        assert word in page
    r = c.post(f"/dispatch/{DAY}/roster", {"staff_id": "S2", "absent": "1", "reason": "病假"})
    assert r.status_code == 302
    row = c.get(f"/dispatch/{DAY}/roster").get_data(as_text=True).split('id="s-S2"')[1].split("</tr>")[0]
    assert "缺勤" in row and "病假" in row
    assert c.post(f"/dispatch/{DAY}/roster", {"staff_id": "S9", "absent": "1"}).status_code == 404
    c.post(f"/dispatch/{DAY}/roster", {"staff_id": "S2", "absent": "0"})
    row = c.get(f"/dispatch/{DAY}/roster").get_data(as_text=True).split('id="s-S2"')[1].split("</tr>")[0]
    assert "在岗" in row


def _plan(c) -> int:
    r = c.post(f"/dispatch/{DAY}/plan")
    assert r.status_code == 302
    job_page = c.get(r.headers["Location"])
    assert job_page.status_code == 200
    return int(re.search(r"/dispatch/jobs/(\d+)", r.headers["Location"]).group(1))


def test_planning_goes_through_the_job_queue(client_for):
    c = client_for("disp")
    assert "当天还没有路线计划" in text_of(c.get(f"/dispatch/{DAY}/plan"))
    job_id = _plan(c)
    status = c.get(f"/api/jobs/{job_id}").get_json()
    assert status["status"] == "done" and status["result"]["version"] == 1
    assert status["page_url"] == f"/dispatch/{DAY}/plan/1"
    job_page = c.get(f"/dispatch/jobs/{job_id}").get_data(as_text=True)
    assert f'data-status-url="/api/jobs/{job_id}"' in job_page and "打开计划" in job_page
    assert c.get(f"/dispatch/{DAY}/plan").headers["Location"].endswith("/plan/1")


def test_the_plan_page(client_for):
    c = client_for("disp")
    _plan(c)
    html = c.get(f"/dispatch/{DAY}/plan/1").get_data(as_text=True)
    page = text_of(c.get(f"/dispatch/{DAY}/plan/1"))
    assert "共 25 个拜访，已安排 24 个，未安排 1 个" in page
    for staff in ("S1", "S2", "S3", "S4"):
        assert f'id="route-{staff}"' in html
    unassigned = html.split('id="unassigned"')[1].split("</table>")[0]
    assert "当日人员已排满" in unassigned  # the reason in plain Chinese
    assert "草稿" in page and "发布此版本" in page


def test_an_absent_worker_gets_no_route(client_for):
    c = client_for("disp")
    c.post(f"/dispatch/{DAY}/roster", {"staff_id": "S2", "absent": "1"})
    job_id = _plan(c)
    assert c.get(f"/api/jobs/{job_id}").get_json()["status"] == "done"
    html = c.get(f"/dispatch/{DAY}/plan/1").get_data(as_text=True)
    assert 'id="route-S2"' not in html and 'id="route-S1"' in html


def test_a_pinned_visit_is_planned_on_the_chosen_worker(client_for):
    c = client_for("disp")
    _plan(c)
    r = c.post(f"/dispatch/{DAY}/plan", {"pin:V-XA-NQ-20100804-0071": "S3", "pin:V-XA-NQ-20100804-0009": ""})
    job = c.get(r.headers["Location"].replace("/dispatch/jobs/", "/api/jobs/")).get_json()
    assert job["result"]["pins"] == {"V-XA-NQ-20100804-0071": "S3"} and job["result"]["version"] == 2
    html = c.get(f"/dispatch/{DAY}/plan/2").get_data(as_text=True)
    row = html.split('data-visit="V-XA-NQ-20100804-0071"')[1].split("</tr>")[0]
    assert '<option value="S3" selected>' in row and "已固定" in row
    from planner.store import repository as repo

    with session_scope() as s:
        doc, _ = repo.get_plan(s, DAY, DISTRICT, 2)
    owners = {st["visit_id"]: r["staff_id"] for r in doc["routes"] for st in r["steps"] if st["type"] == "visit"}
    assert owners.get("V-XA-NQ-20100804-0071") in ("S3", None)
    assert "V-XA-NQ-20100804-0071" in owners or "V-XA-NQ-20100804-0071" in {u["visit_id"] for u in doc["unassigned"]}


def test_a_pin_to_someone_off_duty_is_refused(client_for):
    c = client_for("disp")
    c.post(f"/dispatch/{DAY}/roster", {"staff_id": "S2", "absent": "1"})
    r = c.post(f"/dispatch/{DAY}/plan", {"pin:V-XA-NQ-20100804-0071": "S2"})
    assert r.status_code == 422 and "not on duty" in text_of(r)


def test_publishing_makes_a_read_only_version_and_a_new_one_can_follow(client_for):
    c = client_for("disp")
    _plan(c)
    r = c.post(f"/dispatch/{DAY}/plan/1/publish")
    assert r.status_code == 302
    page = text_of(c.get(f"/dispatch/{DAY}/plan/1"))
    assert "已发布" in page and "只读" in page and "发布此版本" not in page
    _plan(c)
    page2 = text_of(c.get(f"/dispatch/{DAY}/plan/2"))
    assert "第 2 版" in page2 and "草稿" in page2 and "v1 已发布" in page2
    c.post(f"/dispatch/{DAY}/plan/2/publish")
    assert "/field/stops/2010-08-05/S1/1" in client_for("f1").get(f"/field/routes/{DAY}/S1").get_data(as_text=True)
    with session_scope() as s:
        assert [e.target for e in accounts.audit_log(s, action="publish")] == [f"{DAY} {DISTRICT} v2",
                                                                               f"{DAY} {DISTRICT} v1"]
        assert len(accounts.audit_log(s, action="plan")) == 2


def test_downloads_sheet_and_export(client_for):
    c = client_for("disp")
    _plan(c)
    r = c.get(f"/dispatch/{DAY}/plan/1/sheets/S1.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    assert "2010-08-05_S1.pdf" in r.headers["Content-Disposition"]
    assert c.get(f"/dispatch/{DAY}/plan/1/sheets/S9.pdf").status_code == 404
    r = c.get(f"/dispatch/{DAY}/plan/1/export.csv")
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["日期", "区域", "员工编号"] and len(rows) == 26
    x = c.get(f"/dispatch/{DAY}/plan/1/export.xlsx")
    assert x.status_code == 200 and x.data.startswith(b"PK")
    assert c.get(f"/dispatch/{DAY}/plan/1/export.pdf").status_code == 404
    with session_scope() as s:
        targets = [e.target for e in accounts.audit_log(s, action="download")]
    assert targets == [f"{DAY} {DISTRICT} v1 export xlsx", f"{DAY} {DISTRICT} v1 export csv",
                       f"{DAY} {DISTRICT} v1 sheet S1"]


@pytest.mark.slow
def test_all_sheets_in_one_pdf(client_for, tmp_path):
    c = client_for("disp")
    _plan(c)
    r = c.get(f"/dispatch/{DAY}/plan/1/sheets.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF") and "2010-08-05_all.pdf" in r.headers["Content-Disposition"]
    single = c.get(f"/dispatch/{DAY}/plan/1/sheets/S1.pdf").data
    assert pdf_pages(r.data, tmp_path) >= 4 and pdf_pages(r.data, tmp_path) > pdf_pages(single, tmp_path)
    text = pdf_text(r.data, tmp_path)
    assert all(name in text for name in ("李卫东", "赵雅琴", "杨帆", "马建军"))


def test_a_missing_version_is_not_found(client_for):
    assert client_for("disp").get(f"/dispatch/{DAY}/plan/7").status_code == 404


def test_an_admin_chooses_the_district(client_for):
    a = client_for("admin")
    a.post("/dispatch/district", {"district": DISTRICT})
    assert "需拜访 25 户" in text_of(a.get(f"/dispatch/{DAY}/triage"))
    page = text_of(a.get("/dispatch/"))
    assert DISTRICT in page


def test_the_map_is_served_with_local_assets_and_masked_phones(client_for):
    from web.downloads import map_available

    if not map_available():
        pytest.skip("planner.maps has not landed")
    c = client_for("disp")
    _plan(c)
    html = c.get(f"/dispatch/{DAY}/plan/1").get_data(as_text=True)
    assert f'sandbox="allow-scripts" src="/dispatch/{DAY}/plan/1/map"' in html
    r = c.get(f"/dispatch/{DAY}/plan/1/map")
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "leaflet" in body.lower()
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', body)  # nothing from a CDN
    csp = r.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" in csp and "connect-src 'none'" in csp and "frame-ancestors 'self'" in csp
    from tests.web.helpers import fixture_phones

    assert not [p for p in fixture_phones() if p in body]


def test_a_tile_server_is_allowed_by_the_maps_csp(tmp_path, client_for):
    from web.downloads import map_available, tile_origin

    if not map_available():
        pytest.skip("planner.maps has not landed")
    from planner.maps import AMAP, tiles_spec

    assert tile_origin(AMAP) == "https://*.is.autonavi.com"
    assert tile_origin(tiles_spec("http://tiles.intranet/{z}/{x}/{y}.png")) == "http://tiles.intranet"
    assert tile_origin(None) == ""


def test_the_triage_page_shows_the_months_gifts_against_the_budget(client_for):
    page = text_of(client_for("disp").get(f"/dispatch/{DAY}/triage"))
    assert "本月礼品 5 / 80（今日 5，今日限额 5）" in page
