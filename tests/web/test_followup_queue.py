"""The follow-up queue in the web app: a follow-up account lands on it, sees its own
district only (overdue first, marked), filters to its own lines, and moves a follow-up on
or resolves it from the row; the dispatcher's Follow-ups page is the same queue; the JSON
API answers it.  Every API response is checked against web/openapi.yaml."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from planner import closure
from planner.actor import Actor
from planner.cases import actions
from planner.cases.events import CaseKind, EventKind, VisitResult
from planner.field_record import FieldRecord
from planner.store import accounts
from planner.store import cases as case_store
from planner.store import repository as repo
from planner.store.db import session_scope
from planner.store.outcomes import open_follow_ups
from planner.triage import load_rules
from tests.store_calls import in_store
from tests.web.conftest import DAY, DISTRICT, PASSWORD, text_of
from tests.web.test_api import check
from tests.web.test_closure import statuses

pytestmark = pytest.mark.usefixtures("planned")

SOUTH = Actor("disp", "dispatcher", frozenset({DISTRICT}))
NORTH = Actor("disp_north", "dispatcher", frozenset({"北区"}))
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()
LONG_AGO = datetime(2010, 8, 5, 4, 0, tzinfo=timezone.utc)


def _visits(n: int) -> list[dict]:
    with session_scope() as s:
        doc, _ = repo.get_plan(s, DAY, DISTRICT, 1)
    return [st for r in doc["routes"] for st in r["steps"] if st["type"] == "visit"][:n]


def _case_of(ticket_ids) -> int:
    with session_scope() as s:
        return case_store.load_cases(s, DISTRICT, ticket_ids=ticket_ids)[-1].case_id


@pytest.fixture
def queue_cases() -> dict[str, int]:
    """Three visits of the fixture day needing follow-up: one owned by fu1 and overdue (its
    promise of 2010-08-10), one owned by fu2 and due in a week, one nobody owns yet; and a
    follow-up of 北区 with its own follow-up account."""
    rules = load_rules()
    with session_scope() as s:
        for name, district in (("fu1", DISTRICT), ("fu2", DISTRICT), ("fu_north", "北区")):
            accounts.add_user(s, name, PASSWORD, "followup", district=district)
    cases = {}
    for name, stop in zip(("overdue", "due", "unowned"), _visits(3), strict=True):
        in_store(closure.record_outcome, day=DAY, district=DISTRICT, visit_id=stop["visit_id"], author="f1",
                 record=FieldRecord(VisitResult.FOLLOW_UP, notes=f"{name}: 需协调基站参数优化"))
        cases[name] = _case_of(stop["ticket_ids"])
    with session_scope() as s:
        actions.assign_follow_up(s, SOUTH, DISTRICT, cases["overdue"], solution="cell_parameters", owner="fu1",
                                 promised=DAY + timedelta(days=5), rules=rules, now=LONG_AGO)
        actions.assign_follow_up(s, SOUTH, DISTRICT, cases["due"], solution="planned_site", owner="fu2",
                                 promised=TODAY + timedelta(days=7), rules=rules)
        north = actions.open_case(s, NORTH, "北区", CaseKind.VISIT, DAY, ["N-1"], [], now=LONG_AGO).case.case_id
        actions.record(s, NORTH, "北区", north, EventKind.PLANNED, day=DAY, data={"version": 1, "staff_id": "N1"})
        actions.record(s, NORTH, "北区", north, EventKind.OUTCOME, day=DAY, data={"result": "follow_up"})
    cases["north"] = north
    return cases


def _rows(html: str) -> list[int]:
    import re

    return [int(m) for m in re.findall(r'<tr id="case-(\d+)"', html)]


def _events(case_id: int, district: str = DISTRICT) -> list[str]:
    with session_scope() as s:
        return [e.kind.value for e in case_store.get_case(s, district, case_id).events]


def test_a_followup_account_lands_on_its_districts_queue_overdue_first(client_for, queue_cases):
    fu1 = client_for("fu1")
    home = fu1.get("/")
    assert home.status_code == 302 and home.headers["Location"] == "/followups"
    page = fu1.get("/followups")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert _rows(html) == [queue_cases["overdue"], queue_cases["due"], queue_cases["unowned"]]
    opening = {case_id: html.split(f'id="case-{case_id}"')[1].split(">")[0] for case_id in _rows(html)}
    assert 'class="overdue"' in opening[queue_cases["overdue"]]
    assert 'class="overdue"' not in opening[queue_cases["due"]] + opening[queue_cases["unowned"]]
    row = html.split(f'id="case-{queue_cases["overdue"]}"')[1].split("</tr>")[0]
    overdue_days = (TODAY - (DAY + timedelta(days=5))).days
    assert f"逾期 {overdue_days} 天" in row and "调整周边小区参数" in row and "fu1" in row
    assert f'href="/cases/{queue_cases["overdue"]}"' in row and "overdue: 需协调基站参数优化" in row
    unowned = html.split(f'id="case-{queue_cases["unowned"]}"')[1].split("</tr>")[0]
    assert "待指定" in unowned and "指定后续跟踪" in unowned
    assert "后期闭环跟踪" in text_of(page)  # the nav link
    # another district's follow-up account sees only its own
    assert _rows(client_for("fu_north").get("/followups").get_data(as_text=True)) == [queue_cases["north"]]


def test_mine_only(client_for, queue_cases):
    fu2 = client_for("fu2")
    assert _rows(fu2.get("/followups?mine=1").get_data(as_text=True)) == [queue_cases["due"]]
    assert "只看我的" in text_of(fu2.get("/followups"))


def test_the_quick_steps_write_their_events_and_a_refusal_is_a_message(client_for, queue_cases):
    fu1 = client_for("fu1")
    case_id = queue_cases["overdue"]
    r = fu1.post(f"/followups/{case_id}/update", {"note": "参数已提交网优", "mine": "1"})
    assert r.status_code == 302 and r.headers["Location"] == "/followups?mine=1"
    assert f"案例 {case_id}：后续跟踪处理中" in text_of(fu1.get(r.headers["Location"]))
    assert _events(case_id)[-1] == "follow_up_updated"
    row = fu1.get("/followups").get_data(as_text=True).split(f'id="case-{case_id}"')[1].split("</tr>")[0]
    assert "处理中" in row and "参数已提交网优" in row
    r = fu1.post(f"/followups/{case_id}/resolve", {"note": "优化后信号恢复，客户满意"})
    assert r.status_code == 302
    page = fu1.get(r.headers["Location"])
    assert f"案例 {case_id}：后续跟踪已解决，案例已关闭" in text_of(page)
    assert case_id not in _rows(page.get_data(as_text=True))
    assert _events(case_id)[-1] == "closed"
    with session_scope() as s:
        entry = accounts.audit_log(s, action="case_closed")[0]
        assert entry.username == "fu1" and entry.details["reason"] == "follow_up_resolved"
        tickets = case_store.get_case(s, DISTRICT, case_id).ticket_ids
    # its tickets are closed with it, and the visit has left the outcome-based follow-up list
    assert set(statuses(tickets).values()) == {"closed"}
    assert not set(tickets) & {t for o in in_store(open_follow_ups, DISTRICT) for t in o.ticket_ids}
    # refused: the case is closed already; another district's case is not found; nothing written, no error page
    before = _events(case_id)
    r = fu1.post(f"/followups/{case_id}/resolve", {"note": "again"})
    assert r.status_code == 302
    assert "未登记：" in (text := text_of(fu1.get("/followups"))) and f"case {case_id}" in text
    assert _events(case_id) == before
    north = queue_cases["north"]
    r = fu1.post(f"/followups/{north}/update", {"note": "not mine"})
    assert r.status_code == 302 and f"no case {north} in {DISTRICT}" in text_of(fu1.get("/followups"))
    assert _events(north, "北区")[-1] == "outcome"
    assert fu1.post("/followups/99999999999/update", {"note": "x"}).status_code == 404
    # a note longer than a note may be is refused as well
    r = fu1.post(f"/followups/{queue_cases['due']}/update", {"note": "x" * 5000})
    assert r.status_code == 302 and _events(queue_cases["due"])[-1] == "follow_up_assigned"


def test_a_field_account_is_refused_and_the_old_dispatcher_url_leads_to_the_queue(client_for, queue_cases):
    f1 = client_for("f1")
    assert f1.get("/followups").status_code == 403
    assert f1.post(f"/followups/{queue_cases['due']}/update", {"note": "x"}).status_code == 403
    assert _events(queue_cases["due"])[-1] == "follow_up_assigned"
    assert client_for("plan").get("/followups").status_code == 403
    d = client_for("disp")
    old = d.get("/dispatch/followups")
    assert old.status_code == 302 and old.headers["Location"] == "/followups"
    page = d.get("/followups")
    assert _rows(page.get_data(as_text=True)) == [queue_cases["overdue"], queue_cases["due"], queue_cases["unowned"]]
    assert 'href="/followups"' in page.get_data(as_text=True)  # the nav link
    assert "3 个已拜访的案例需要后期闭环" in text_of(d.get(f"/dispatch/{DAY}/triage"))


def test_the_queue_as_json(app, queue_cases):
    with session_scope() as s:
        tokens = {name: accounts.issue_token(s, name) for name in ("fu1", "disp", "admin", "f1")}

    def get(who: str, url: str):
        return check(app.test_client().get(url, headers={"Authorization": f"Bearer {tokens[who]}"}))

    body = get("fu1", "/api/followups").get_json()
    assert body["district"] == DISTRICT and body["date"] == TODAY.isoformat() and body["left_off"] == 0
    assert [line["case_id"] for line in body["lines"]] == [queue_cases["overdue"], queue_cases["due"],
                                                           queue_cases["unowned"]]
    first = body["lines"][0]
    assert first["overdue"] and first["owner"] == "fu1" and first["due"] == "fu1 follows up by 2010-08-10"
    assert first["customers"] and "****" in first["customers"][0]["phone"]
    assert body["lines"][2]["kind"] == "to_assign"
    mine = get("fu1", "/api/followups?owner=fu2&district=北区").get_json()  # a district is the account's own
    assert mine["district"] == DISTRICT and [line["case_id"] for line in mine["lines"]] == [queue_cases["due"]]
    assert get("admin", "/api/followups").status_code == 422
    assert [line["case_id"] for line in get("admin", "/api/followups?district=北区").get_json()["lines"]] == [
        queue_cases["north"]]
    assert get("f1", "/api/followups").status_code == 403
