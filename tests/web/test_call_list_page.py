"""The call list page and its API: the district's dispatcher phones the day's customers and
records each call from the list; nobody else sees the list or the phone numbers."""

from __future__ import annotations

from contextlib import closing

import pytest

from planner.cases.call_list import call_list
from planner.store import accounts
from planner.store import cases as case_store
from planner.store.db import open_session, session_scope
from planner.triage import load_rules
from tests.web.conftest import DAY, DISTRICT, text_of
from tests.web.test_api import check

URL = f"/calls?day={DAY}"


def _lines():
    with closing(open_session()) as s:
        return call_list(s, DAY, DISTRICT, load_rules()).lines


def _single(n: int = 0):
    return [line for line in _lines() if len(line.contacts) == 1 and line.slot][n]


def _cases() -> list:
    with closing(open_session()) as s:
        return case_store.load_cases(s, DISTRICT)


def _record(client, line, **values):
    data = {"day": DAY.isoformat(), "visit_id": line.visit_id, "ticket_id": list(line.ticket_ids), **values}
    return client.post("/calls", data=data)


def test_the_dispatcher_sees_the_days_list_with_slots_phones_and_tips(planned, client_for):
    disp = client_for("disp")
    r = disp.get(URL)
    assert r.status_code == 200
    text = text_of(r)
    assert "南区 2010-08-05 拜访电话预约" in text and "依据第 1 版计划" in text
    line = _single()
    assert line.contacts[0].phone in text and f'href="tel:{line.contacts[0].phone}"' in r.get_data(as_text=True)
    assert f"{line.slot[0]:%H:%M}–{line.slot[1]:%H:%M}" in text
    assert line.tip["zh"] in text and "语速不要太快" in text
    assert "电话预约" in text_of(disp.get(f"/dispatch/{DAY}/triage"))  # the navigation links to it


def test_with_no_plan_the_page_says_to_plan_a_draft(seeded, client_for):
    text = text_of(client_for("disp").get(URL))
    assert "尚无计划：先生成计划草稿以获得建议时段" in text


def test_recording_calls_from_the_list_comes_back_to_it_with_the_result(planned, client_for):
    disp = client_for("disp")
    first, second = _single(0), _single(1)
    r = _record(disp, first, result="confirmed", date=DAY.isoformat(), start="10:00", end="11:00", note="在家")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/calls?day={DAY}#call-{first.visit_id}")
    r = _record(disp, second, result="unreached")
    assert r.status_code == 302
    page = disp.get(URL)
    html = page.get_data(as_text=True)
    row = html[html.index(f'id="call-{first.visit_id}"'):]
    row = row[:row.index("</tr>")]
    assert "10:00–11:00" in row and "已确认" in row and "已致电 1 次" in row
    row2 = html[html.index(f'id="call-{second.visit_id}"'):]
    assert "未接通" in row2[:row2.index("</tr>")]
    assert len(_cases()) == len({c.case_id for c in _cases()})
    held = {t for c in _cases() for t in c.ticket_ids}
    assert set(first.ticket_ids) <= held and set(second.ticket_ids) <= held


def test_a_refused_call_is_a_message_on_the_list_and_nothing_is_written(planned, client_for):
    disp = client_for("disp")
    before = len(_cases())
    line = _single()
    r = _record(disp, line, result="confirmed", date=DAY.isoformat())  # no window
    assert r.status_code == 400
    assert "约定时间须有开始和结束（HH:MM）" in text_of(r)
    r = _record(disp, line, result="confirmed", date=DAY.isoformat(), start="11:00", end="10:00")
    assert r.status_code == 400 and "结束早于" in text_of(r)
    r = _record(disp, line, result="confirmed", date="2010-02-30", start="10:00", end="11:00")
    assert r.status_code == 400
    r = disp.post("/calls", data={"day": DAY.isoformat(), "ticket_id": "NOPE-1", "result": "unreached"})
    assert r.status_code == 400 and "工单 NOPE-1 不在 南区 2010-08-05 的电话预约清单中" in text_of(r)
    assert disp.get("/calls?day=not-a-day").status_code == 400
    assert len(_cases()) == before


def test_another_districts_dispatcher_never_sees_the_list_nor_the_phones(planned, client_for):
    north = client_for("disp_north")
    r = north.get(URL)
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "南区" not in text_of(r).replace("北区", "")
    for line in _lines():
        for c in line.contacts:
            assert c.phone not in text
    line = _single()
    r = _record(north, line, result="unreached")
    assert r.status_code == 400 and len(_cases()) == 0  # not on the north's list: nothing written


def test_a_field_account_is_refused(planned, client_for):
    field = client_for("f1")
    assert field.get(URL).status_code == 403
    assert _record(field, _single(), result="unreached").status_code == 403
    assert "电话预约" not in text_of(field.get("/field/"))


def test_an_admin_chooses_the_district(planned, client_for):
    admin = client_for("admin")
    assert 'id="district-chooser"' in admin.get(URL).get_data(as_text=True)
    r = admin.post("/dispatch/district", data={"district": DISTRICT, "next": URL})
    assert r.status_code == 302 and r.headers["Location"].endswith(URL)
    assert _single().contacts[0].phone in admin.get(URL).get_data(as_text=True)


@pytest.fixture
def tokens(planned):
    with session_scope() as s:
        return {name: accounts.issue_token(s, name) for name in ("disp", "disp_north", "f1", "admin")}


def test_the_api_lists_and_records_calls_as_documented(app, tokens):
    http = app.test_client()

    def auth(who):
        return {"Authorization": f"Bearer {tokens[who]}"}

    listed = check(http.get(f"/api/calls?date={DAY}", headers=auth("disp"))).get_json()
    assert listed["source"] == "plan" and listed["version"] == 1 and listed["lines"]
    line = next(x for x in listed["lines"] if len(x["customers"]) == 1 and x["slot"])
    body = {"date": DAY.isoformat(), "ticket_ids": line["ticket_ids"][:1], "result": "confirmed",
            "start": "10:00", "end": "11:00"}
    done = check(http.post("/api/calls", json=body, headers=auth("disp")), "POST").get_json()
    assert done["appointment"] == {"date": DAY.isoformat(), "start": "10:00", "end": "11:00"}
    again = {"date": DAY.isoformat(), "case_id": done["case_id"], "result": "confirmed"}  # reconfirmed
    assert check(http.post("/api/calls", json=again, headers=auth("disp")), "POST").get_json()["calls"] == 2
    after = check(http.get(f"/api/calls?date={DAY}", headers=auth("disp"))).get_json()
    [shown] = [x for x in after["lines"] if x["visit_id"] == line["visit_id"]]
    assert shown["case_id"] == done["case_id"] and shown["agreed"]["start"] == "10:00" and shown["calls"] == 2
    refused = check(http.post("/api/calls", json={"date": DAY.isoformat(), "ticket_ids": line["ticket_ids"],
                                                  "case_id": 1, "result": "unreached"}, headers=auth("disp")), "POST")
    assert refused.status_code == 422
    north = check(http.get(f"/api/calls?date={DAY}", headers=auth("disp_north"))).get_json()
    assert north["district"] == "北区" and line["customers"][0]["phone"] not in str(north)
    assert check(http.post("/api/calls", json=body, headers=auth("disp_north")), "POST").status_code == 422
    assert check(http.get(f"/api/calls?date={DAY}", headers=auth("f1"))).status_code == 403
    assert check(http.get(f"/api/calls?date={DAY}&district={DISTRICT}", headers=auth("admin"))).get_json()["lines"]


def test_the_triage_page_shows_a_window_agreed_on_the_phone_at_once(planned, client_for):
    """The triage page keeps a triage while nothing it reads has changed: a call is such a change."""
    disp = client_for("disp")
    line = _single()
    triage_url = f"/dispatch/{DAY}/triage"

    def window_cell():
        html = disp.get(triage_url).get_data(as_text=True)
        row = html[html.index(f'id="v-{line.visit_id}"'):]
        row = row[row.index('class="window"'):]
        return row[:row.index("</td>")]

    assert "14:00–15:00" not in window_cell()  # the triage is kept from here on
    assert _record(disp, line, result="confirmed", date=DAY.isoformat(), start="14:00", end="15:00").status_code == 302
    assert "14:00–15:00" in window_cell()
