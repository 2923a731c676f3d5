"""The case ledger and a case's page: the district's open cases with filters, overdue ones
marked, closed ones on request; a case's history; each step's form writes its event and its
audit row, a refused one shows why and writes nothing; another district's case is not
found; follow-up staff take only their steps; closing a day twice marks its visits once."""

from __future__ import annotations

import re
from contextlib import closing
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from planner.actor import Actor
from planner.cases import actions
from planner.cases.events import CaseKind, EventKind
from planner.store import accounts
from planner.store import cases as case_store
from planner.store.db import open_session
from planner.store.models import TicketRow
from tests.web.conftest import DAY, DISTRICT, text_of

pytestmark = pytest.mark.usefixtures("seeded")

SOUTH = Actor("disp", "dispatcher", frozenset({DISTRICT}))
NORTH = Actor("disp_north", "dispatcher", frozenset({"北区"}))
#: a time on the fixture day: a promise made then is long overdue today
THEN = datetime(2010, 8, 5, 4, 0, tzinfo=timezone.utc)


def tickets(district: str = DISTRICT) -> list[tuple[str, str, str]]:
    """The district's tickets: (id, customer name, phone)."""
    with closing(open_session()) as s:
        return list(s.execute(select(TicketRow.ticket_id, TicketRow.customer_name, TicketRow.phone)
                              .where(TicketRow.district == district, TicketRow.is_history.is_(False))
                              .order_by(TicketRow.ticket_id)))


def open_visit(ticket: str, *, actor: Actor = SOUTH, district: str = DISTRICT, kind: CaseKind = CaseKind.VISIT) -> int:
    with closing(open_session()) as s:
        return actions.open_case(s, actor, district, kind, DAY, [ticket], ["vip"]).case.case_id


def planned(ticket: str) -> int:
    case_id = open_visit(ticket)
    with closing(open_session()) as s:
        actions.record(s, SOUTH, DISTRICT, case_id, EventKind.PLANNED, day=DAY, data={"version": 1, "staff_id": "S1"})
    return case_id


def in_follow_up(ticket: str, *, owner: str | None = None, promised: date | None = None) -> int:
    """A visited case whose problem is followed up; with an owner and a promise made on the
    fixture day when given (a promise of 2010 is overdue today)."""
    case_id = planned(ticket)
    with closing(open_session()) as s:
        actions.record(s, SOUTH, DISTRICT, case_id, EventKind.OUTCOME, day=DAY,
                       data={"result": "follow_up", "version": 1, "staff_id": "S1"})
        if owner:
            actions.assign_follow_up(s, SOUTH, DISTRICT, case_id, solution="on_site_fix", owner=owner,
                                     promised=promised or DAY + timedelta(days=3), rules=_rules(), now=THEN)
    return case_id


def _rules():
    from planner.triage import load_rules

    return load_rules(None)


def closed(ticket: str) -> int:
    case_id = open_visit(ticket)
    with closing(open_session()) as s:
        actions.close_case(s, SOUTH, DISTRICT, case_id, "duplicate of another ticket", day=DAY)
    return case_id


def events_of(case_id: int, district: str = DISTRICT) -> list:
    with closing(open_session()) as s:
        return list(case_store.get_case(s, district, case_id).events)


def audit_rows(action: str) -> list:
    with closing(open_session()) as s:
        return accounts.audit_log(s, action=action, limit=1000)


def rows(response) -> dict[int, str]:
    """The ledger's rows: case id → the row's HTML."""
    html = response.get_data(as_text=True)
    return {int(m.group(1)): m.group(0) for m in re.finditer(r'<tr id="case-(\d+)".*?</tr>', html, re.S)}


def test_the_ledger_lists_the_districts_open_cases_only(client_for):
    south = tickets()
    first = open_visit(south[0][0])
    gone = closed(south[1][0])
    north_ticket = tickets("北区")[0][0]
    north = open_visit(north_ticket, actor=NORTH, district="北区")
    r = client_for("disp").get("/cases")
    assert r.status_code == 200
    found = rows(r)
    assert first in found and gone not in found and north not in found
    row = found[first]
    _id, name, phone = south[0]
    assert name in row and phone not in row and phone[-4:] in row  # the phone masked, as everywhere
    assert south[0][0] in row and "电话预约拜访时间" in row  # the next action, in Chinese by default
    # closed cases on request, shown as closed
    shown = client_for("disp").get("/cases?closed=1")
    assert gone in rows(shown) and 'data-state="closed"' in rows(shown)[gone] and "已关闭" in rows(shown)[gone]
    assert north not in rows(shown)


def test_the_ledger_filters_by_state_kind_ticket_and_overdue(client_for):
    south = tickets()
    waiting = open_visit(south[0][0])
    late = in_follow_up(south[1][0], owner="fu", promised=date(2010, 8, 9))
    phone = open_visit(south[2][0], kind=CaseKind.PHONE)
    c = client_for("disp")
    assert set(rows(c.get("/cases?state=follow_up"))) == {late}
    assert set(rows(c.get("/cases?kind=phone"))) == {phone}
    assert set(rows(c.get(f"/cases?ticket={south[0][0][-6:].lower()}"))) == {waiting}
    overdue = c.get("/cases?overdue=1")
    assert set(rows(overdue)) == {late}
    row = rows(overdue)[late]
    assert 'class="overdue"' in row and "逾期" in row  # marked in words, not only in colour
    assert "fu" in row and "2010-08-09" in row  # the owner and the promised date
    assert 'class="overdue"' not in rows(c.get("/cases"))[waiting]
    assert c.get("/cases?state=nonsense").status_code == 400


def test_the_ledger_is_paged(client_for, monkeypatch):
    import planner.cases.ledger as ledger_module

    south = tickets()
    ids = [open_visit(t[0]) for t in south[:3]]
    monkeypatch.setattr(ledger_module, "PAGE_SIZE", 2)
    c = client_for("disp")
    first, second = c.get("/cases"), c.get("/cases?page=2")
    assert list(rows(first)) == ids[:2] and list(rows(second)) == ids[2:]
    assert "/cases?page=2" in first.get_data(as_text=True)
    html = c.get("/cases?kind=visit&_external=1&_anchor=x").get_data(as_text=True)
    pager = re.search(r'<p class="pager">.*?</p>', html, re.S).group(0)
    assert re.findall(r'href="([^"]*)"', pager) == ["/cases?page=2&amp;kind=visit"]  # the filters only, kept


def test_the_pages_read_in_english_on_request(client_for):
    case_id = in_follow_up(tickets()[0][0])
    c = client_for("disp")
    c.post("/lang", data={"lang": "en"})
    ledger_text = text_of(c.get("/cases"))
    assert "Case ledger, 南区" in ledger_text and "assign the follow-up" in ledger_text and "in follow-up" in ledger_text
    page = text_of(c.get(f"/cases/{case_id}"))
    assert "Where it stands" in page and "visit outcome" in page and "Assign the follow-up" in page
    assert "fix or test on site" in c.get(f"/cases/{case_id}").get_data(as_text=True)  # the rules file's English


def test_a_case_page_shows_the_whole_history_in_the_districts_time(client_for):
    case_id = in_follow_up(tickets()[0][0])
    r = client_for("disp").get(f"/cases/{case_id}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    history = re.search(r'<table id="case-history">.*?</table>', html, re.S).group(0)
    assert [m for m in re.findall(r'data-kind="(\w+)"', history)] == ["selected", "planned", "outcome"]
    e = events_of(case_id)[0]
    assert e.at.astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M") in history
    assert "version=1" in history and "staff_id=S1" in history and "后续跟踪中" in text_of(r)


def _post(client, case_id: int, step: str, **form):
    return client.post(f"/cases/{case_id}/{step}", data=form)


@pytest.mark.parametrize(("step", "form", "kind", "audit"), [
    ("close", {"reason": "customer moved away"}, EventKind.CLOSED, "case_closed"),
    ("calls", {"result": "confirmed", "day": "", "start": "10:00", "end": "11:00", "note": "ok"},
     EventKind.CALL_ATTEMPT, "case_call_attempt"),
])
def test_a_dispatchers_step_on_an_open_case_writes_its_event_and_audit_row(client_for, step, form, kind, audit):
    case_id = open_visit(tickets()[0][0])
    before = len(audit_rows(audit))
    r = _post(client_for("disp"), case_id, step, **form)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/cases/{case_id}")
    assert events_of(case_id)[-1].kind is kind
    assert len(audit_rows(audit)) == before + 1 and audit_rows(audit)[0].username == "disp"


def test_reopening_a_closed_case_writes_its_reason(client_for):
    case_id = closed(tickets()[0][0])
    c = client_for("disp")
    page = c.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="form-reopen"' in page  # a closed case offers only reopening
    assert not re.search(r'id="form-(close|call|assign|update|escalate|resolve)"', page)
    r = _post(c, case_id, "reopen", reason="customer called again")
    assert r.status_code == 302
    last = events_of(case_id)[-1]
    assert last.kind is EventKind.REOPENED and last.note == "customer called again"
    assert audit_rows("case_reopened")[0].details["note"] == "customer called again"


def test_a_phone_follow_up_is_turned_into_a_visit_by_a_dispatcher_only(client_for):
    case_id = open_visit(tickets()[0][0], kind=CaseKind.PHONE)
    assert 'id="form-convert"' not in client_for("fu").get(f"/cases/{case_id}").get_data(as_text=True)
    assert _post(client_for("fu"), case_id, "convert", reason="wants a visit").status_code == 403
    c = client_for("disp")
    assert 'id="form-convert"' in c.get(f"/cases/{case_id}").get_data(as_text=True)
    assert _post(c, case_id, "convert", reason="customer wants a visit").status_code == 302
    last = events_of(case_id)[-1]
    assert last.kind is EventKind.CONVERTED_TO_VISIT and last.note == "customer wants a visit"
    assert 'id="form-convert"' not in c.get(f"/cases/{case_id}").get_data(as_text=True)  # a visit now
    assert _post(c, open_visit(tickets()[1][0]), "convert", reason="x").status_code == 400  # not a phone case


def test_the_follow_up_forms_assign_update_escalate_and_resolve(client_for):
    case_id = in_follow_up(tickets()[0][0])
    c = client_for("disp")
    page = c.get(f"/cases/{case_id}").get_data(as_text=True)
    assert '<option value="fu">fu</option>' in page and '<option value="disp">disp</option>' in page
    assert '<option value="disp_north">' not in page  # another district's account owns none of these
    promised = (date.today() + timedelta(days=5)).isoformat()
    steps = [("follow-up", {"solution": "cell_parameters", "owner": "fu", "promised": promised, "note": "tune"},
              EventKind.FOLLOW_UP_ASSIGNED, "case_follow_up_assigned"),
             ("follow-up/update", {"status": "in_progress", "promised": "", "note": "site survey"},
              EventKind.FOLLOW_UP_UPDATED, "case_follow_up_updated"),
             ("follow-up/escalate", {"to": "市网优中心", "owner": "", "promised": "", "note": ""},
              EventKind.FOLLOW_UP_ESCALATED, "case_follow_up_escalated"),
             ("follow-up/resolve", {"note": "new cell on air"}, EventKind.CLOSED, "case_closed")]
    for step, form, kind, audit in steps:
        before = len(audit_rows(audit))
        assert _post(c, case_id, step, **form).status_code == 302, step
        assert events_of(case_id)[-1].kind is kind and len(audit_rows(audit)) == before + 1
    assert events_of(case_id)[-1].data == {"reason": "follow_up_resolved"}
    page = c.get(f"/cases/{case_id}")
    assert "市网优中心" in text_of(page) and "后续跟踪解决" in text_of(page)


def test_a_refused_step_shows_the_reason_and_writes_nothing(client_for):
    case_id = open_visit(tickets()[0][0])
    c = client_for("disp")
    before_events, before_audit = len(events_of(case_id)), len(audit_rows("case_reopened"))
    r = _post(c, case_id, "reopen", reason="again")
    assert r.status_code == 400
    assert re.search(r'id="case-error"[^>]*>[^<]*无法登记 reopened：案例状态为 open', r.get_data(as_text=True))
    r = _post(c, case_id, "close", reason="  ")  # a dispatcher's close says why
    assert r.status_code == 400 and "调度员关闭须填写原因" in text_of(r)
    r = _post(c, case_id, "calls", result="confirmed", day="2010-13-40", start="10:00", end="11:00")
    assert r.status_code == 400 and "YYYY-MM-DD" in text_of(r)
    assert len(events_of(case_id)) == before_events and len(audit_rows("case_reopened")) == before_audit


def test_another_districts_case_is_not_found(client_for):
    case_id = open_visit(tickets("北区")[0][0], actor=NORTH, district="北区")
    c = client_for("disp")
    assert c.get(f"/cases/{case_id}").status_code == 404
    assert _post(c, case_id, "close", reason="not mine").status_code == 404
    assert len(events_of(case_id, "北区")) == 1
    assert c.get("/cases/99999").status_code == 404


def test_a_field_account_may_not_see_cases(client_for):
    case_id = open_visit(tickets()[0][0])
    c = client_for("f1")
    assert c.get("/cases").status_code == 403
    assert c.get(f"/cases/{case_id}").status_code == 403
    assert _post(c, case_id, "calls", result="unreached").status_code == 403


def test_a_followup_account_takes_the_follow_ups_steps_only(client_for):
    south = tickets()
    case_id = in_follow_up(south[0][0], owner="fu", promised=date(2010, 8, 9))
    open_one = open_visit(south[1][0])
    c = client_for("fu")
    assert 'id="nav-cases"' in c.get("/cases").get_data(as_text=True)
    assert case_id in rows(c.get("/cases"))
    page = c.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="form-update"' in page and 'id="form-escalate"' in page and 'id="form-resolve"' in page
    assert 'id="form-close"' not in page and 'id="form-assign"' not in page and 'id="close-day"' not in page
    # deciding stays the dispatcher's: refused before anything is written
    promised = (date.today() + timedelta(days=5)).isoformat()
    assert _post(c, case_id, "follow-up", solution="on_site_fix", owner="fu", promised=promised).status_code == 403
    assert _post(c, open_one, "close", reason="mine now").status_code == 403
    assert c.post("/cases/close-day", data={"day": DAY.isoformat()}).status_code == 403
    closed_one = closed(south[2][0])
    assert _post(c, closed_one, "reopen", reason="called again").status_code == 403
    assert [e.kind for e in events_of(open_one)] == [EventKind.SELECTED]
    # ... the follow-up's own steps are theirs
    assert _post(c, open_one, "calls", result="unreached", note="no answer").status_code == 302
    assert _post(c, case_id, "follow-up/update", status="in_progress", note="on it").status_code == 302
    assert _post(c, case_id, "follow-up/escalate", to="市网优中心").status_code == 302
    assert _post(c, case_id, "follow-up/resolve", note="fixed").status_code == 302
    assert events_of(case_id)[-1].actor == "fu" and events_of(case_id)[-1].kind is EventKind.CLOSED


def test_closing_the_day_twice_marks_its_visits_once(client_for):
    south = tickets()
    first, second = planned(south[0][0]), planned(south[1][0])
    c = client_for("disp")
    r = c.post("/cases/close-day", data={"day": DAY.isoformat()}, follow_redirects=True)
    assert "2 个未登记结果的拜访记为未完成" in text_of(r)
    r = c.post("/cases/close-day", data={"day": DAY.isoformat()}, follow_redirects=True)
    assert "0 个未登记结果的拜访记为未完成" in text_of(r)
    for case_id in (first, second):
        assert [e.kind for e in events_of(case_id)].count(EventKind.NOT_DONE) == 1
    assert len(audit_rows("day_close")) == 2
    # from the plan page, it comes back there
    r = c.post("/cases/close-day", data={"day": DAY.isoformat(), "next": f"/dispatch/{DAY}/plan"})
    assert r.headers["Location"].endswith(f"/dispatch/{DAY}/plan")
    # never to another site: a browser reads "/\\evil.example" as "//evil.example"
    for elsewhere in ("//evil.example/", "/\\evil.example", "https://evil.example/"):
        r = c.post("/cases/close-day", data={"day": DAY.isoformat(), "next": elsewhere})
        assert r.headers["Location"] == "/cases", elsewhere


def test_the_nav_links_to_the_cases(client_for):
    assert 'href="/cases"' in client_for("disp").get("/dispatch/").get_data(as_text=True)
    assert 'href="/cases"' not in client_for("f1").get("/field/").get_data(as_text=True)


def test_an_admin_chooses_the_district(client_for):
    north = open_visit(tickets("北区")[0][0], actor=NORTH, district="北区")
    c = client_for("admin")
    r = c.post("/dispatch/district", data={"district": "北区", "next": "/cases?kind=visit"})
    assert r.status_code == 302 and r.headers["Location"] == "/cases?kind=visit"
    assert north in rows(c.get("/cases"))
    assert c.get(f"/cases/{north}").status_code == 200


def test_a_published_plans_page_closes_its_day(planned, client_for):
    c = client_for("disp")
    page = c.get(f"/dispatch/{DAY}/plan/1").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/cases/close-day" id="close-day">.*?</form>', page, re.S).group(0)
    assert f'name="day" value="{DAY}"' in form and f'name="next" value="/dispatch/{DAY}/plan/1"' in form
    r = c.post("/cases/close-day", data={"day": DAY.isoformat(), "next": f"/dispatch/{DAY}/plan/1"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/dispatch/{DAY}/plan/1")
    assert audit_rows("day_close")[0].target == f"{DAY} {DISTRICT}"


def test_every_case_code_has_words_in_both_languages():
    from planner.cases.events import CallResult, CloseReason, FollowUpStatus
    from planner.cases.lifecycle import Status
    from web.i18n import CASE_LABELS, ZH

    codes = {m.value for cls in (EventKind, CaseKind, Status, CallResult, FollowUpStatus, CloseReason) for m in cls}
    assert not codes - set(CASE_LABELS)
    assert not set(CASE_LABELS.values()) - set(ZH)
