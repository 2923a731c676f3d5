"""The cases through the JSON API: the ledger, a case's history, each step writing its
event and audit row (a refused one 422 and nothing written), another district's case 404,
follow-up accounts limited to the follow-up's steps, closing a day twice marking once;
every response checked against web/openapi.yaml."""

from __future__ import annotations

from contextlib import closing
from datetime import date, timedelta

import pytest

from planner.cases.events import CaseKind, EventKind
from planner.store import accounts
from planner.store.db import open_session
from tests.web.conftest import DAY, DISTRICT
from tests.web.test_api import SPEC, check
from tests.web.test_cases_pages import (
    NORTH,
    audit_rows,
    closed,
    events_of,
    in_follow_up,
    open_visit,
    planned,
    tickets,
)

pytestmark = pytest.mark.usefixtures("seeded")

PATHS = ["/api/cases", "/api/cases/{case_id}", "/api/cases/{case_id}/close", "/api/cases/{case_id}/reopen",
         "/api/cases/{case_id}/calls", "/api/cases/{case_id}/follow-up", "/api/cases/{case_id}/follow-up/update",
         "/api/cases/{case_id}/follow-up/escalate", "/api/cases/{case_id}/follow-up/resolve",
         "/api/days/{day}/close"]


@pytest.fixture
def api(app):
    with closing(open_session()) as s:
        tokens = {name: accounts.issue_token(s, name) for name in ("disp", "disp_north", "f1", "admin", "fu")}
        s.commit()

    class Api:
        def __init__(self, who: str):
            self.http = app.test_client()
            self.headers = {"Authorization": f"Bearer {tokens[who]}"}

        def get(self, url):
            return check(self.http.get(url, headers=self.headers), "GET")

        def post(self, url, **kw):
            return check(self.http.post(url, headers=self.headers, **kw), "POST")

    return Api


def test_every_cases_path_is_documented():
    assert all(p in SPEC["paths"] for p in PATHS)


def test_the_ledger_lists_the_districts_open_cases(api):
    south = tickets()
    first = open_visit(south[0][0])
    gone = closed(south[1][0])
    late = in_follow_up(south[2][0], owner="fu", promised=date(2010, 8, 9))
    north = open_visit(tickets("北区")[0][0], actor=NORTH, district="北区")
    body = api("disp").get("/api/cases").get_json()
    ids = [c["case_id"] for c in body["cases"]]
    assert ids == [first, late] and body["total"] == 2 and body["district"] == DISTRICT
    line = body["cases"][0]
    assert line["customer"]["name"] == south[0][1] and line["customer"]["phone"] != south[0][2]
    assert line["customer"]["phone"].endswith(south[0][2][-4:]) and "*" in line["customer"]["phone"]
    assert line["next_action"] == "call to agree a time" and line["state"] == "open" and not line["overdue"]
    overdue = api("disp").get("/api/cases?overdue=1").get_json()["cases"]
    assert [c["case_id"] for c in overdue] == [late] and overdue[0]["follow_up"]["owner"] == "fu"
    assert [c["case_id"] for c in api("disp").get("/api/cases?all=1").get_json()["cases"]] == [first, gone, late]
    assert [c["case_id"] for c in api("disp").get("/api/cases?state=closed").get_json()["cases"]] == [gone]
    assert [c["case_id"] for c in api("disp").get(f"/api/cases?ticket={south[2][0]}").get_json()["cases"]] == [late]
    assert api("disp").get("/api/cases?kind=phone").get_json()["cases"] == []
    assert api("disp").get("/api/cases?state=bogus").status_code == 422
    assert api("disp").get("/api/cases?page=0").status_code == 422
    assert [c["case_id"] for c in api("disp_north").get("/api/cases").get_json()["cases"]] == [north]
    assert api("admin").get("/api/cases").status_code == 422  # an admin names the district
    assert [c["case_id"] for c in api("admin").get("/api/cases?district=北区").get_json()["cases"]] == [north]
    assert [c["case_id"] for c in api("fu").get("/api/cases").get_json()["cases"]] == [first, late]
    assert api("f1").get("/api/cases").status_code == 403


def test_a_cases_history_and_where_it_stands(api):
    case_id = in_follow_up(tickets()[0][0])
    body = api("disp").get(f"/api/cases/{case_id}").get_json()
    assert [e["kind"] for e in body["events"]] == ["selected", "planned", "outcome"]
    assert body["events"][1]["data"] == {"version": 1, "staff_id": "S1"} and body["events"][0]["at"].endswith("+08:00")
    assert body["state"] == "follow_up" and body["next_action"] == "assign the follow-up"
    assert body["tickets"][0]["ticket_id"] == tickets()[0][0] and "*" in body["tickets"][0]["phone"]


def test_each_step_writes_its_event_and_audit_row(api):
    case_id = in_follow_up(tickets()[0][0])
    a = api("disp")
    promised = (date.today() + timedelta(days=5)).isoformat()
    steps = [("follow-up", {"solution": "planned_site", "owner": "fu", "promised": promised},
              EventKind.FOLLOW_UP_ASSIGNED, "case_follow_up_assigned"),
             ("follow-up/update", {"status": "in_progress", "note": "survey booked"},
              EventKind.FOLLOW_UP_UPDATED, "case_follow_up_updated"),
             ("follow-up/escalate", {"to": "市网优中心", "owner": "disp"},
              EventKind.FOLLOW_UP_ESCALATED, "case_follow_up_escalated"),
             ("calls", {"result": "unreached"}, EventKind.CALL_ATTEMPT, "case_call_attempt"),
             ("follow-up/resolve", {"note": "site on air"}, EventKind.CLOSED, "case_closed"),
             ("reopen", {"reason": "customer called again"}, EventKind.REOPENED, "case_reopened"),
             ("close", {"reason": "duplicate"}, EventKind.CLOSED, "case_closed")]
    for step, body, kind, audit in steps:
        before = len(audit_rows(audit))
        r = a.post(f"/api/cases/{case_id}/{step}", json=body)
        assert r.status_code == 200, (step, r.get_json())
        assert r.get_json()["events"][-1]["kind"] == kind.value
        assert events_of(case_id)[-1].kind is kind and len(audit_rows(audit)) == before + 1, step
    assert a.get(f"/api/cases/{case_id}").get_json()["closure"]["reason"] == "dispatcher"


def test_a_refused_step_is_422_and_writes_nothing(api):
    case_id = open_visit(tickets()[0][0])
    a = api("disp")
    before = len(events_of(case_id)), len(audit_rows("case_reopened"))
    r = a.post(f"/api/cases/{case_id}/reopen", json={"reason": "again"})
    assert r.status_code == 422 and "cannot record reopened: the case is open" in r.get_json()["error"]["message"]
    assert a.post(f"/api/cases/{case_id}/close", json={}).status_code == 422
    assert a.post(f"/api/cases/{case_id}/calls", json={"result": "maybe"}).status_code == 422
    r = a.post(f"/api/cases/{case_id}/calls", json={"result": "confirmed", "date": "2010-02-30"})
    assert r.status_code == 422 and "date" in r.get_json()["error"]["message"]
    r = a.post(f"/api/cases/{case_id}/follow-up/update", json={"status": "in_progress"})
    assert r.status_code == 422  # no follow-up on an open case
    assert (len(events_of(case_id)), len(audit_rows("case_reopened"))) == before


def test_another_districts_case_is_not_found(api):
    case_id = open_visit(tickets("北区")[0][0], actor=NORTH, district="北区")
    a = api("disp")
    assert a.get(f"/api/cases/{case_id}").status_code == 404
    assert a.post(f"/api/cases/{case_id}/close", json={"reason": "not mine"}).status_code == 404
    assert len(events_of(case_id, "北区")) == 1
    assert api("admin").get(f"/api/cases/{case_id}?district=北区").status_code == 200


def test_a_followup_account_takes_only_the_follow_ups_steps(api):
    south = tickets()
    case_id = in_follow_up(south[0][0], owner="fu", promised=date(2010, 8, 9))
    open_one = open_visit(south[1][0])
    f = api("fu")
    promised = (date.today() + timedelta(days=5)).isoformat()
    assert f.post(f"/api/cases/{case_id}/follow-up", json={"solution": "on_site_fix", "owner": "fu",
                                                           "promised": promised}).status_code == 403
    assert f.post(f"/api/cases/{open_one}/close", json={"reason": "x"}).status_code == 403
    assert f.post(f"/api/days/{DAY}/close").status_code == 403
    assert [e.kind for e in events_of(open_one)] == [EventKind.SELECTED]
    assert f.post(f"/api/cases/{open_one}/calls", json={"result": "unreached"}).status_code == 200
    assert f.post(f"/api/cases/{case_id}/follow-up/update", json={"note": "on it"}).status_code == 200
    assert f.post(f"/api/cases/{case_id}/follow-up/resolve", json={}).status_code == 422  # how it was solved
    assert f.post(f"/api/cases/{case_id}/follow-up/resolve", json={"note": "参数调整后恢复"}).status_code == 200
    assert events_of(case_id)[-1].actor == "fu"
    assert api("f1").post(f"/api/cases/{open_one}/calls", json={"result": "unreached"}).status_code == 403


def test_closing_a_day_twice_marks_its_visits_once(api):
    south = tickets()
    first, second = planned(south[0][0]), planned(south[1][0])
    phone = open_visit(south[2][0], kind=CaseKind.PHONE)
    a = api("disp")
    r = a.post(f"/api/days/{DAY}/close")
    assert r.get_json() == {"date": DAY.isoformat(), "district": DISTRICT, "marked": [first, second]}
    assert a.post(f"/api/days/{DAY}/close").get_json()["marked"] == []
    assert [e.kind for e in events_of(first)].count(EventKind.NOT_DONE) == 1
    assert [e.kind for e in events_of(phone)] == [EventKind.SELECTED]
    back = a.get(f"/api/cases/{first}").get_json()
    assert back["state"] == "open" and back["why_back"] == "planned 2010-08-05, no outcome recorded"
