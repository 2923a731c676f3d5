"""The field worker's pages: their own published route (tap-to-call, navigation by
coordinates), their sheet, each stop's page (the QR target) and the outcome form."""

from __future__ import annotations

import re

import pytest

from planner.sheets.qr import stop_url
from planner.store import accounts
from planner.store.db import session_scope
from planner.store.outcomes import outcomes_for
from tests.web.conftest import DAY, DISTRICT, text_of

pytestmark = pytest.mark.usefixtures("planned")


def test_the_route_page_lists_the_stops_in_order_with_call_and_navigation(client_for):
    c = client_for("f1")
    assert c.get("/field/").headers["Location"].startswith("/field/routes/")
    assert c.get(f"/field/routes/{DAY}").headers["Location"] == f"/field/routes/{DAY}/S1"
    r = c.get(f"/field/routes/{DAY}/S1")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'name="viewport"' in html and 'class="phone"' in html
    seqs = [int(n) for n in re.findall(r'id="stop-(\d+)"', html)]
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) >= 4
    assert re.search(r'href="tel:1\d{10}"', html)
    assert re.search(r'href="geo:34\.\d{6},108\.\d{6}\?q=34\.\d{6},108\.\d{6}"', html)
    assert f'href="/field/stops/{DAY}/S1/1"' in html
    assert "李卫东" in text_of(r) and "第 1 站" in text_of(r)


def test_arrival_times_are_in_order(client_for):
    html = client_for("f1").get(f"/field/routes/{DAY}/S1").get_data(as_text=True)
    times = re.findall(r"第 \d+ 站 · (\d\d:\d\d)", html)
    assert times == sorted(times) and times


def test_nothing_before_publishing(client_for, seeded_template, tmp_path):
    import shutil

    shutil.copyfile(seeded_template, tmp_path / "store.sqlite3")  # a store with no plan at all
    page = text_of(client_for("f1").get(f"/field/routes/{DAY}/S1"))
    assert "没有发布给您的路线" in page


def test_a_draft_version_is_not_shown(client_for):
    d = client_for("disp")
    d.post(f"/dispatch/{DAY}/roster", {"staff_id": "S1", "absent": "1"})
    d.post(f"/dispatch/{DAY}/plan")  # version 2, draft, without S1
    assert 'id="stop-1"' in client_for("f1").get(f"/field/routes/{DAY}/S1").get_data(as_text=True)


def test_the_qr_code_path_is_the_stop_page(client_for):
    url = stop_url("http://cvp.test", DAY.isoformat(), "S1", 2)
    path = url.removeprefix("http://cvp.test")
    r = client_for("f1").get(path)
    assert r.status_code == 200 and "第 2 站" in text_of(r)


def test_the_qr_code_asks_for_login_first_and_comes_back(client_for):
    c = client_for()
    path = f"/field/stops/{DAY}/S1/1"
    r = c.get(path)
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=")
    c.get(r.headers["Location"])
    back = c.http.post("/login", data={"username": "f1", "password": "correct-horse-42", "csrf_token": c.csrf,
                                       "next": path})
    assert back.headers["Location"] == path


def test_the_stop_page_and_the_outcome_form(client_for):
    c = client_for("f1")
    r = c.get(f"/field/stops/{DAY}/S1/1")
    page = text_of(r)
    for word in ("投诉内容", "网络测试", "中国移动", "中国联通", "中国电信", "客户满意度", "现场闭环"):
        assert word in page, word
    r = c.post(f"/field/stops/{DAY}/S1/1", {"arrived_at": "10:28", "test_china_mobile": "weak",
                                            "test_china_unicom": "good", "test_china_telecom": "",
                                            "closed_on_site": "yes", "satisfaction": "satisfied",
                                            "notes": "调整了天线参数"})
    assert r.status_code == 302 and r.headers["Location"] == f"/field/stops/{DAY}/S1/2"
    with session_scope() as s:
        [o] = outcomes_for(s, DAY, DISTRICT, "S1").values()
        assert o.network_tests == {"china_mobile": "weak", "china_unicom": "good"}
        assert o.closed_on_site is True and o.satisfaction == "satisfied" and o.recorded_by == "f1"
        assert f"{o.arrived_at.hour:02d}:{o.arrived_at.minute:02d}" == "02:28"  # 10:28 in Shanghai, stored in UTC
        assert accounts.audit_log(s, action="outcome")[0].username == "f1"
    again = c.get(f"/field/stops/{DAY}/S1/1").get_data(as_text=True)
    assert 'value="10:28"' in again and '<option value="satisfied" selected>' in again
    assert "已登记" in text_of(c.get(f"/field/routes/{DAY}/S1"))


def test_a_bad_outcome_is_refused(client_for):
    c = client_for("f1")
    r = c.post(f"/field/stops/{DAY}/S1/1", {"satisfaction": "thrilled"})
    assert r.status_code == 200 and "satisfaction" in text_of(r)
    r = c.post(f"/field/stops/{DAY}/S1/1", {"arrived_at": "25:00"})
    assert "HH:MM" in text_of(r)


def test_stops_out_of_range_are_not_found(client_for):
    c = client_for("f1")
    assert c.get(f"/field/stops/{DAY}/S1/0").status_code == 404
    assert c.get(f"/field/stops/{DAY}/S1/99").status_code == 404
    assert c.get("/field/stops/2010-08-06/S1/1").status_code == 404


def test_the_worker_downloads_their_sheet(client_for, tmp_path):
    from tests.web.helpers import pdf_text

    r = client_for("f1").get(f"/field/routes/{DAY}/S1/sheet.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    text = pdf_text(r.data, tmp_path)
    assert "李卫东" in text and "赵雅琴" not in text
    with session_scope() as s:
        assert accounts.audit_log(s, action="download")[0].target.endswith("sheet S1")
