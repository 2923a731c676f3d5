"""The API for the day beyond planning: roster and absences, visit outcomes (record and
list, a field worker only their own), follow-ups, and the export; every response checked
against web/openapi.yaml."""

from __future__ import annotations

import csv
import io

import pytest

from planner.store import accounts
from planner.store import repository as repo
from planner.store.db import session_scope
from tests.web.conftest import DAY, DISTRICT
from tests.web.test_api import check
from tests.web.test_closure import statuses

pytestmark = pytest.mark.usefixtures("planned")


@pytest.fixture
def api(app):
    with session_scope() as s:
        tokens = {name: accounts.issue_token(s, name) for name in ("disp", "disp_north", "f1", "f2", "admin")}

    class Api:
        def __init__(self, who: str):
            self.http = app.test_client()
            self.headers = {"Authorization": f"Bearer {tokens[who]}"}

        def get(self, url):
            return check(self.http.get(url, headers=self.headers), "GET")

        def post(self, url, **kw):
            return check(self.http.post(url, headers=self.headers, **kw), "POST")

    return Api


def visits_of(staff_id: str) -> list[dict]:
    with session_scope() as s:
        doc, _ = repo.get_plan(s, DAY, DISTRICT, 1)
    route = next(r for r in doc["routes"] if r["staff_id"] == staff_id)
    return [st for st in route["steps"] if st["type"] == "visit"]


def test_the_roster_and_an_absence(api):
    a = api("disp")
    staff = a.get(f"/api/days/{DAY}/roster").get_json()["staff"]
    s1 = next(x for x in staff if x["staff_id"] == "S1")
    assert [x["staff_id"] for x in staff] == ["S1", "S2", "S3", "S4"]
    assert (s1["shift_start"], s1["shift_end"], s1["on_duty"], "phone" in s1) == ("09:00", "17:30", True, False)
    r = a.post(f"/api/days/{DAY}/absences", json={"staff_id": "S2", "reason": "病假"})
    assert r.get_json()["on_duty"] is False and r.get_json()["absence_reason"] == "病假"
    assert not next(x for x in a.get(f"/api/days/{DAY}/roster").get_json()["staff"] if x["staff_id"] == "S2")["on_duty"]
    assert a.post(f"/api/days/{DAY}/absences", json={"staff_id": "S2", "absent": False}).get_json()["on_duty"]
    assert a.post(f"/api/days/{DAY}/absences", json={"staff_id": "S9"}).status_code == 404
    assert a.post(f"/api/days/{DAY}/absences", json={"staff_id": "S2", "absent": "yes"}).status_code == 422
    assert api("disp_north").post(f"/api/days/{DAY}/absences", json={"staff_id": "S2"}).status_code == 404
    assert api("f1").get(f"/api/days/{DAY}/roster").status_code == 403
    with session_scope() as s:
        assert [e.details["absent"] for e in accounts.audit_log(s, action="absence")] == [False, True]


RECORD = {"result": "follow_up", "satisfaction": "unsatisfied",
          "tests": [{"operator": "中国移动", "technology": "GSM", "signal_dbm": -103, "call": "failed"},
                    {"operator": "china_mobile", "technology": "TD-SCDMA", "signal_dbm": -109, "data": "failed",
                     "data_kbps": 40},
                    {"operator": "China Telecom", "technology": "CDMA", "signal_dbm": -89, "call": "ok"}],
          "problem": "家中打不通电话", "requests": "本周内解决", "measure": "上报网优中心", "gift_given": True,
          "gift_item": "小礼品", "promised_date": "2010-08-06", "notes": "客户坚持本周内解决"}


def test_a_field_worker_records_and_lists_their_own_outcomes(api):
    first, second = visits_of("S1")[:2]
    f1 = api("f1")
    r = f1.post(f"/api/days/{DAY}/outcomes", json={
        "visit_id": first["visit_id"], "arrived_at": "09:35", "result": "closed_on_site", "satisfaction": "satisfied",
        "tests": [{"operator": "china_mobile", "technology": "GSM", "signal_dbm": -85, "call": "ok"}],
        "notes": "调整了天线"})
    body = r.get_json()
    assert r.status_code == 200 and body["closed"] == sorted(first["ticket_ids"]) and body["reopened"] == []
    o = body["outcome"]
    assert (o["staff_id"], o["arrived_at"], o["needs_follow_up"]) == ("S1", "2010-08-05T09:35:00+08:00", False)
    assert o["tests"] == [{"operator": "china_mobile", "technology": "GSM", "signal_dbm": -85, "call": "ok",
                           "data": "not_tried", "data_kbps": None}]
    assert set(statuses(first["ticket_ids"]).values()) == {"closed"}
    r = f1.post(f"/api/days/{DAY}/outcomes", json={"visit_id": second["visit_id"], **RECORD})
    assert r.status_code == 200 and r.get_json()["unchanged"] is False
    again = f1.post(f"/api/days/{DAY}/outcomes", json={"visit_id": second["visit_id"], **RECORD})
    assert again.get_json()["unchanged"] is True and again.get_json()["outcome"] == r.get_json()["outcome"]
    listed = f1.get(f"/api/days/{DAY}/outcomes").get_json()["outcomes"]
    assert next(x for x in listed if x["visit_id"] == first["visit_id"])["arrived_at"] == "2010-08-05T09:35:00+08:00"
    assert {x["visit_id"]: x["needs_follow_up"] for x in listed} == {first["visit_id"]: False,
                                                                      second["visit_id"]: True}
    whole = next(x for x in listed if x["visit_id"] == second["visit_id"])
    # the record reads back as sent, the operators by their codes
    assert {k: whole[k] for k in RECORD if k != "tests"} == {k: v for k, v in RECORD.items() if k != "tests"}
    assert [(t["operator"], t["technology"], t["signal_dbm"], t["call"], t["data"], t["data_kbps"])
            for t in whole["tests"]] == [("china_mobile", "GSM", -103, "failed", "not_tried", None),
                                         ("china_mobile", "TD-SCDMA", -109, "not_tried", "failed", 40),
                                         ("china_telecom", "CDMA", -89, "ok", "not_tried", None)]
    # another worker neither records S1's visits nor sees them
    f2 = api("f2")
    assert f2.post(f"/api/days/{DAY}/outcomes", json={"visit_id": first["visit_id"], "result": "not_met"}
                   ).status_code == 403
    assert f2.get(f"/api/days/{DAY}/outcomes").get_json()["outcomes"] == []
    assert len(api("disp").get(f"/api/days/{DAY}/outcomes").get_json()["outcomes"]) == 2


@pytest.mark.parametrize("body,field", [
    ({}, "visit_id"),
    ({"visit_id": "V-NOPE", "result": "follow_up"}, "not on any route"),
    ({"result": "yes"}, "result 'yes': choose one of closed_on_site, follow_up, not_met, refused"),
    ({"result": None}, "result: required"),
    ({"closed_on_site": True, "result": "follow_up"}, "'closed_on_site': unknown field"),
    ({"result": "follow_up", "arrived_at": "9 o'clock"}, "arrived_at"),
    ({"result": "not_met", "satisfaction": "satisfied"}, "satisfaction: only for a customer who was met"),
    ({"result": "refused", "gift_given": True}, "gift_given: only for a customer who was met"),
    ({"result": "follow_up", "tests": [{"operator": "vodafone", "technology": "GSM"}]},
     "tests[0]: unknown operator 'vodafone'"),
    ({"result": "follow_up", "tests": [{"operator": "中国电信", "technology": "GSM"}]},
     "tests[0]: 中国电信 has no technology 'GSM', choose one of CDMA"),
    ({"result": "follow_up", "tests": [{"operator": "中国移动", "technology": "GSM", "signal_dbm": -20}]},
     "中国移动/GSM signal_dbm -20: a whole number from -140 to -30 dBm"),
    ({"result": "follow_up", "tests": [{"operator": "中国移动", "technology": "GSM"},
                                       {"operator": "china_mobile", "technology": "GSM", "call": "ok"}]},
     "中国移动/GSM is given twice"),
    ({"result": "follow_up", "promised_date": "2010-08-04"}, "promised_date 2010-08-04: before the visit day"),
    ({"result": "follow_up", "promised_date": "2011-08-06"}, "more than 365 days after the visit day"),
    ({"result": "follow_up", "satisfaction": "thrilled"}, "satisfaction"),
    ({"result": "follow_up", "plan_version": 7}, "no published version 7"),
])
def test_bad_outcomes_name_the_field_and_change_nothing(api, body, field):
    first = visits_of("S1")[0]
    body = {"visit_id": first["visit_id"], **body} if "visit_id" not in body and body else body
    r = api("disp").post(f"/api/days/{DAY}/outcomes", json=body)
    assert r.status_code == 422 and field in r.get_json()["error"]["message"], r.get_json()
    assert set(statuses(first["ticket_ids"]).values()) == {"open"}
    assert api("disp").get(f"/api/days/{DAY}/outcomes").get_json()["outcomes"] == []


def test_follow_ups_are_listed_and_closed(api):
    visit = visits_of("S1")[0]
    api("f1").post(f"/api/days/{DAY}/outcomes", json={"visit_id": visit["visit_id"], "result": "follow_up",
                                                       "notes": "待基站开通"})
    d = api("disp")
    [line] = d.get("/api/followups").get_json()["lines"]  # the follow-up queue, by case
    assert line["ticket_ids"] == visit["ticket_ids"] and "****" in line["customers"][0]["phone"]
    assert api("disp_north").get("/api/followups").get_json()["lines"] == []
    assert api("disp_north").post(f"/api/days/{DAY}/followups/{visit['visit_id']}/close").status_code == 422
    r = d.post(f"/api/days/{DAY}/followups/{visit['visit_id']}/close", json={"notes": "已开通，回访满意"})
    assert r.get_json()["closed"] == sorted(visit["ticket_ids"])
    assert r.get_json()["outcome"]["followed_up_by"] == "disp"
    assert d.get("/api/followups").get_json()["lines"] == []
    assert d.post(f"/api/days/{DAY}/followups/{visit['visit_id']}/close").status_code == 422
    assert api("f1").get("/api/followups").status_code == 403


def test_the_export(api, tmp_path):
    from tests.web.helpers import fixture_phones

    d = api("disp")
    r = d.get(f"/api/days/{DAY}/plans/1/export.csv")
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert r.status_code == 200 and rows[0][:3] == ["日期", "区域", "员工编号"] and len(rows) == 26
    assert not [p for p in fixture_phones() if p in r.data.decode("utf-8-sig")]
    x = d.get(f"/api/days/{DAY}/plans/1/export.xlsx")
    assert x.status_code == 200 and x.data.startswith(b"PK") and "attachment" in x.headers["Content-Disposition"]
    assert d.get(f"/api/days/{DAY}/plans/1/export.pdf").status_code == 404
    assert api("disp_north").get(f"/api/days/{DAY}/plans/1/export.csv").status_code == 404
    with session_scope() as s:
        assert accounts.audit_log(s, action="download")[0].details == {"api": True}
