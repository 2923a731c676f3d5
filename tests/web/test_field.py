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


#: the stop form of a whole record: the grid's lines are named part:operator:technology
FORM = {"arrived_at": "10:28", "result": "follow_up", "satisfaction": "basically_satisfied",
        "signal:china_mobile:GSM": "-97", "call:china_mobile:GSM": "failed",
        "signal:china_mobile:TD-SCDMA": "-104", "data:china_mobile:TD-SCDMA": "failed", "kbps:china_mobile:TD-SCDMA": "",
        "signal:china_telecom:CDMA": "-88", "call:china_telecom:CDMA": "ok",
        "signal:china_unicom:WCDMA": "", "call:china_unicom:GSM": "",
        "problem": "家中卧室通话经常掉话", "requests": "本月内解决", "measure": "记录掉话位置，上报网优调整参数",
        "gift_given": "yes", "gift_item": "小礼品", "promised_date": "2010-08-12", "notes": "客户情绪平稳"}


def _outcome_events() -> list:
    from planner.store import cases as case_store

    with session_scope() as s:
        return [e for c in case_store.load_cases(s, DISTRICT) for e in c.events if e.kind.value == "outcome"]


def test_the_stop_form_records_the_whole_sheet_and_shows_it_again(client_for):
    from planner.cases.events import VisitResult
    from planner.field_record import NetworkTest, Satisfaction, TestResult

    c = client_for("f1")
    page = text_of(c.get(f"/field/stops/{DAY}/S1/1"))
    for word in ("投诉内容", "网络测试", "中国移动 GSM", "中国移动 TD-SCDMA", "中国联通 WCDMA", "中国电信 CDMA", "拜访结果",
                 "客户满意度", "客户反映问题", "客户要求", "处理措施", "已赠送礼品", "承诺客户日期"):
        assert word in page, word
    r = c.post(f"/field/stops/{DAY}/S1/1", FORM)
    assert r.status_code == 302 and r.headers["Location"] == f"/field/stops/{DAY}/S1/2"
    assert "调度员将跟踪后期闭环" in text_of(c.get(r.headers["Location"]))
    with session_scope() as s:
        [o] = outcomes_for(s, DAY, DISTRICT, "S1").values()
        rec = o.record
        assert (rec.result, rec.satisfaction, o.recorded_by) == (VisitResult.FOLLOW_UP, Satisfaction.BASICALLY_SATISFIED,
                                                                 "f1")
        assert rec.tests == (NetworkTest("china_mobile", "GSM", -97, TestResult.FAILED),
                             NetworkTest("china_mobile", "TD-SCDMA", -104, data=TestResult.FAILED),
                             NetworkTest("china_telecom", "CDMA", -88, TestResult.OK))  # empty lines left out
        assert (rec.problem, rec.requests, rec.measure) == (FORM["problem"], FORM["requests"], FORM["measure"])
        assert (rec.gift_given, rec.gift_item, str(rec.promised), o.notes) == (True, "小礼品", "2010-08-12", "客户情绪平稳")
        assert f"{o.arrived_at.hour:02d}:{o.arrived_at.minute:02d}" == "02:28"  # 10:28 in Shanghai, stored in UTC
        assert accounts.audit_log(s, action="outcome")[0].username == "f1"
    again = c.get(f"/field/stops/{DAY}/S1/1").get_data(as_text=True)
    for shown in ('value="10:28"', '<option value="follow_up" selected>', '<option value="basically_satisfied" selected>',
                  'name="signal:china_mobile:GSM"', 'value="-97"', 'value="-104"', 'value="-88"', 'value="2010-08-12"',
                  'value="小礼品"', "家中卧室通话经常掉话", "checked"):
        assert shown in again, shown
    grid = again.split('id="network-grid"')[1].split("</table>")[0]
    assert grid.count('<option value="failed" selected>') == 2 and grid.count('<option value="ok" selected>') == 1
    assert "已登记" in text_of(c.get(f"/field/routes/{DAY}/S1"))
    # the same form again (sent twice, or saved once more) changes nothing: no second case event
    assert len(_outcome_events()) == 1
    r = c.post(f"/field/stops/{DAY}/S1/1", FORM)
    assert "未作更改" in text_of(c.get(r.headers["Location"]))
    assert len(_outcome_events()) == 1
    with session_scope() as s:
        assert len(accounts.audit_log(s, action="outcome")) == 1
    # a changed one is a correction: a second event
    c.post(f"/field/stops/{DAY}/S1/1", {**FORM, "result": "closed_on_site", "promised_date": ""})
    assert [e.data["result"] for e in _outcome_events()] == ["follow_up", "closed_on_site"]


@pytest.mark.parametrize("wrong, said", [
    ({"satisfaction": "thrilled"}, "satisfaction"),
    ({"result": ""}, "result：必填"),
    ({"result": "not_met"}, "satisfaction：仅在见到客户时填写"),
    ({"signal:china_mobile:GSM": "-150"}, ("中国移动/GSM signal_dbm", "-150", "须为 -140 到 -30 dBm 的整数")),
    ({"call:china_unicom:WCDMA": "maybe"}, "中国联通/WCDMA call"),
    ({"promised_date": "2010-08-04"}, "早于拜访日 2010-08-05"),
    ({"promised_date": "2011-08-06"}, "超过 365 天"),
    ({"gift_given": "", "gift_item": "小礼品"}, "未勾选赠送礼品"),
])
def test_a_bad_record_is_refused_naming_the_field_and_nothing_is_written(client_for, wrong, said):
    c = client_for("f1")
    r = c.post(f"/field/stops/{DAY}/S1/1", {**FORM, **wrong})
    assert r.status_code == 200 and all(part in text_of(r) for part in ([said] if isinstance(said, str) else said))
    assert "家中卧室通话经常掉话" in r.get_data(as_text=True)  # what was typed is shown again, to correct
    with session_scope() as s:
        assert outcomes_for(s, DAY, DISTRICT, "S1") == {}
    assert _outcome_events() == []


def test_a_bad_outcome_is_refused(client_for):
    c = client_for("f1")
    r = c.post(f"/field/stops/{DAY}/S1/1", {"result": "follow_up", "arrived_at": "25:00"})
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
