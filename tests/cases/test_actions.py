"""Each case action checks the account and the transition, and writes its event and its
audit row together, or nothing."""

from __future__ import annotations

from contextlib import closing
from datetime import date, datetime, timezone

import pytest

from planner.actor import Actor
from planner.cases import actions
from planner.cases.events import CaseKind, EventKind
from planner.cases.ledger import ledger
from planner.cases.lifecycle import Status
from planner.errors import UserError
from planner.store import accounts
from planner.store import cases as case_store
from planner.store.db import open_session

D1, D2 = date(2010, 8, 5), date(2010, 8, 6)
NOW = datetime(2010, 8, 5, 12, 0, tzinfo=timezone.utc)
SOUTH = Actor("dispatcher1", "dispatcher", frozenset({"南区"}))
NORTH = Actor("north1", "dispatcher", frozenset({"北区"}))


def _planned_case(session, ticket: str = "T1", day: date = D1) -> int:
    step = actions.open_case(session, SOUTH, "南区", CaseKind.VISIT, day, [ticket], ["vip"], now=NOW)
    case_id = step.case.case_id
    actions.record(session, SOUTH, "南区", case_id, EventKind.PLANNED, day=day, data={"version": 1, "staff_id": "S1"},
                   now=NOW)
    return case_id


def _story(url: str | None) -> None:
    with closing(open_session(url)) as s:
        planned = _planned_case(s, "T1")
        met = _planned_case(s, "T2")
        actions.record(s, SOUTH, "南区", met, EventKind.OUTCOME, day=D1, data={"result": "closed_on_site"}, now=NOW)
        assert actions.close_day(s, SOUTH, "南区", D1, now=NOW) == [planned]
        assert actions.close_day(s, SOUTH, "南区", D1, now=NOW) == []  # safe to run twice
        lines = ledger(s, "南区", D2)
        assert [(line.case.case_id, line.state.back_because) for line in lines] == [
            (planned, "planned 2010-08-05, no outcome recorded")]
        assert lines[0].age_days == 1 and lines[0].next_action == "call to agree a time" and not lines[0].overdue
        entries = accounts.audit_log(s, action="day_close")
        assert len(entries) == 2 and entries[-1].details["not_done"] == [planned]
        assert entries[-1].username == "dispatcher1"


def test_closing_a_day_marks_what_has_no_outcome_once_on_sqlite():
    _story(None)


@pytest.mark.postgres
def test_closing_a_day_marks_what_has_no_outcome_once_on_postgresql(fresh_postgres):
    _story(fresh_postgres)


def test_a_refused_step_names_the_case_and_writes_nothing():
    with closing(open_session()) as s:
        case_id = _planned_case(s)
        actions.close_case(s, SOUTH, "南区", case_id, "duplicate of T9", day=NOW.date(), now=NOW)
        before = len(case_store.get_case(s, "南区", case_id).events), len(accounts.audit_log(s, limit=1000))
        with pytest.raises(actions.CaseRefused, match=rf"case {case_id} \(南区\): cannot record closed: the case is closed"):
            actions.close_case(s, SOUTH, "南区", case_id, "again", day=NOW.date(), now=NOW)
        with pytest.raises(actions.CaseRefused, match="reopening a case needs a reason"):
            actions.reopen_case(s, SOUTH, "南区", case_id, " ", day=NOW.date(), now=NOW)
        with pytest.raises(actions.CaseRefused, match="a dispatcher's close needs a written reason"):
            actions.close_case(s, SOUTH, "南区", _planned_case(s, "T7"), "", day=NOW.date(), now=NOW)
        assert len(case_store.get_case(s, "南区", case_id).events) == before[0]
        assert len(accounts.audit_log(s, limit=1000)) == before[1] + 2  # the other case's selection and plan only
        step = actions.reopen_case(s, SOUTH, "南区", case_id, "customer called again", day=NOW.date(), now=NOW)
        assert step.state.status is Status.OPEN
        assert accounts.audit_log(s, action="case_reopened")[0].details["note"] == "customer called again"


def test_another_districts_account_cannot_touch_a_case_nor_find_it():
    with closing(open_session()) as s:
        case_id = _planned_case(s)
        with pytest.raises(UserError, match="north1 may not change the cases of 南区"):
            actions.close_case(s, NORTH, "南区", case_id, "not mine", day=NOW.date(), now=NOW)
        with pytest.raises(UserError, match=f"no case {case_id} in 北区"):
            actions.close_case(s, NORTH, "北区", case_id, "not mine", day=NOW.date(), now=NOW)
        assert ledger(s, "北区", D1) == []


def test_a_phone_follow_up_resolved_on_the_phone_is_closed_by_the_call():
    with closing(open_session()) as s:
        case_id = actions.open_case(s, SOUTH, "南区", CaseKind.PHONE, D1, ["T5"], [], now=NOW).case.case_id
        actions.record_call(s, SOUTH, "南区", case_id, "unreached", now=NOW)
        step = actions.record_call(s, SOUTH, "南区", case_id, "resolved", note="explained the outage", now=NOW)
        assert step.state.status is Status.CLOSED and step.state.calls == 2
        assert step.state.closure.reason.value == "resolved_by_phone"
        assert ledger(s, "南区", D2) == []


def _visited_case(s, result: str = "follow_up") -> int:
    case_id = _planned_case(s)
    actions.record(s, SOUTH, "南区", case_id, EventKind.OUTCOME, day=D1, data={"result": result}, now=NOW)
    return case_id


def test_a_follow_up_has_a_solution_an_owner_and_a_promised_date_and_is_resolved_by_closing(rules):
    with closing(open_session()) as s:
        accounts.add_user(s, "follow1", "a long password", "dispatcher", district="南区")
        accounts.add_user(s, "north2", "a long password", "dispatcher", district="北区")
        s.commit()
        case_id = _visited_case(s)
        with pytest.raises(actions.CaseRefused, match="solution 'magic': choose one of on_site_fix, cell_parameters"):
            actions.assign_follow_up(s, SOUTH, "南区", case_id, solution="magic", owner="follow1",
                                     promised=date(2010, 8, 20), rules=rules, now=NOW)
        with pytest.raises(actions.CaseRefused, match="'north2' is not an active dispatcher or follow-up account of 南区"):
            actions.assign_follow_up(s, SOUTH, "南区", case_id, solution="planned_site", owner="north2",
                                     promised=date(2010, 8, 20), rules=rules, now=NOW)
        with pytest.raises(actions.CaseRefused, match="the promised date 2010-08-01 is in the past"):
            actions.assign_follow_up(s, SOUTH, "南区", case_id, solution="planned_site", owner="follow1",
                                     promised=date(2010, 8, 1), rules=rules, now=NOW)
        step = actions.assign_follow_up(s, SOUTH, "南区", case_id, solution="planned_site", owner="follow1",
                                        promised=date(2010, 8, 20), rules=rules, now=NOW)
        assert step.state.follow_up.owner == "follow1" and step.state.follow_up.solution == "planned_site"
        line = ledger(s, "南区", date(2010, 8, 21))[0]
        assert line.next_action == "follow1 follows up by 2010-08-20" and line.overdue
        step = actions.escalate_follow_up(s, SOUTH, "南区", case_id, to="市公司网优中心", rules=rules, now=NOW)
        assert step.state.follow_up.status.value == "escalated"
        step = actions.resolve_follow_up(s, SOUTH, "南区", case_id, "new site live", rules=rules, now=NOW)
        assert step.state.status is Status.CLOSED and ledger(s, "南区", D2) == []
        kinds = [e.action for e in accounts.audit_log(s, target_contains=f"case {case_id}")]
        assert kinds[:3] == ["case_closed", "case_follow_up_escalated", "case_follow_up_assigned"]


def test_a_follow_up_step_on_a_case_not_in_follow_up_is_refused(rules):
    with closing(open_session()) as s:
        case_id = _visited_case(s, "closed_on_site")
        with pytest.raises(actions.CaseRefused, match="cannot record follow_up_updated: the case is closed"):
            actions.update_follow_up(s, SOUTH, "南区", case_id, status="in_progress", rules=rules, now=NOW)


def test_a_late_outcome_goes_to_the_visits_own_case_and_a_refused_one_opens_no_other():
    from planner.cases.events import VisitResult

    with closing(open_session()) as s:
        case_id = _planned_case(s, "T1")
        actions.close_day(s, SOUTH, "南区", D1, now=NOW)
        step = actions.record_visit_outcome(s, SOUTH, "南区", D1, version=1, staff_id="S1", ticket_ids=("T1",),
                                            reasons=("vip",), result=VisitResult.CLOSED_ON_SITE, now=NOW)
        assert step.case.case_id == case_id and step.state.status is Status.CLOSED
        with pytest.raises(actions.CaseRefused, match=f"case {case_id}"):  # for another day: refused, no new case
            actions.record_visit_outcome(s, SOUTH, "南区", D2, version=1, staff_id="S1", ticket_ids=("T1",),
                                         reasons=("vip",), result=VisitResult.NOT_MET, now=NOW)
        assert [c.case_id for c in case_store.load_cases(s, "南区")] == [case_id]
