"""The callback made (the pilot's step 6, 电话回访): reached, it is done and leaves the queue with
the customer's answer; not reached, it stays due, one attempt more; without a callback due, or
with an answer from nobody reached, it is refused and nothing is written."""

from __future__ import annotations

from contextlib import closing
from datetime import date, datetime, timedelta, timezone

import pytest

from planner.actor import Actor
from planner.cases import actions
from planner.cases.events import CaseKind, EventKind
from planner.cases.queue import follow_up_queue
from planner.errors import UserError
from planner.store import cases as case_store
from planner.store.db import open_session

D1 = date(2010, 8, 5)
DUE = D1 + timedelta(days=12)
NOW = datetime(2010, 8, 5, 4, 0, tzinfo=timezone.utc)
SOUTH = Actor("dispatcher1", "dispatcher", frozenset({"南区"}))
FOLLOWER = Actor("follow1", "followup", frozenset({"南区"}))
FIELD = Actor("f1", "field", frozenset({"南区"}))


def _closed_with_callback(s, ticket: str) -> int:
    case_id = actions.open_case(s, SOUTH, "南区", CaseKind.VISIT, D1, [ticket], ["vip"], now=NOW).case.case_id
    actions.record(s, SOUTH, "南区", case_id, EventKind.PLANNED, day=D1, data={"version": 1, "staff_id": "S1"}, now=NOW)
    actions.record(s, SOUTH, "南区", case_id, EventKind.OUTCOME, day=D1, data={"result": "closed_on_site"}, now=NOW)
    actions.record(s, SOUTH, "南区", case_id, EventKind.CALLBACK_DUE, day=DUE,
                   data={"site_id": "XA-NQ-JZ-2115", "name": "丈八西站", "expected_date": DUE.isoformat()}, now=NOW)
    return case_id


def _queued(s, rules, day: date) -> list[int]:
    return [line.case_id for line in follow_up_queue(s, "南区", rules, day=day).lines]


def test_a_callback_not_reached_stays_due_and_one_reached_is_done_with_the_answer(rules):
    with closing(open_session()) as s:
        case_id = _closed_with_callback(s, "T1")
        assert _queued(s, rules, DUE) == [case_id]
        step = actions.record_callback(s, FOLLOWER, "南区", case_id, reached=False, day=DUE, note="无人接听", now=NOW)
        assert step.state.callback_due == DUE and step.state.callback_attempts == 1
        assert _queued(s, rules, DUE + timedelta(days=1)) == [case_id]  # still due, overdue now
        step = actions.record_callback(s, FOLLOWER, "南区", case_id, reached=True, answer="satisfied",
                                       day=DUE + timedelta(days=1), note="站点已开通，信号好", now=NOW)
        assert step.state.callback_due is None and step.state.called_back == DUE + timedelta(days=1)
        assert step.state.callback_answer == "satisfied"
        assert _queued(s, rules, DUE + timedelta(days=2)) == []
        last = case_store.get_case(s, "南区", case_id).events[-1]
        assert (last.kind, last.actor, last.data) == (EventKind.CALLED_BACK, "follow1",
                                                       {"reached": True, "answer": "satisfied"})


def test_a_callback_is_refused_without_one_due_with_an_answer_from_nobody_and_from_a_field_account(rules):
    with closing(open_session()) as s:
        due = _closed_with_callback(s, "T1")
        plain = actions.open_case(s, SOUTH, "南区", CaseKind.VISIT, D1, ["T2"], ["vip"], now=NOW).case.case_id
        before = {c: len(case_store.get_case(s, "南区", c).events) for c in (due, plain)}
        with pytest.raises(actions.CaseRefused, match="cannot record called_back: the case is open"):
            actions.record_callback(s, SOUTH, "南区", plain, reached=True, day=DUE, now=NOW)
        actions.close_case(s, SOUTH, "南区", plain, "duplicate of T1", day=D1, now=NOW)
        before[plain] += 1
        with pytest.raises(actions.CaseRefused, match="no callback is due on this case"):
            actions.record_callback(s, SOUTH, "南区", plain, reached=True, day=DUE, now=NOW)
        with pytest.raises(actions.CaseRefused, match="an answer needs the customer reached"):
            actions.record_callback(s, SOUTH, "南区", due, reached=False, answer="unsatisfied", day=DUE, now=NOW)
        with pytest.raises(actions.CaseRefused, match="answer 'great'"):
            actions.record_callback(s, SOUTH, "南区", due, reached=True, answer="great", day=DUE, now=NOW)
        with pytest.raises(UserError, match="may not change the cases"):
            actions.record_callback(s, FIELD, "南区", due, reached=True, day=DUE, now=NOW)
        assert {c: len(case_store.get_case(s, "南区", c).events) for c in (due, plain)} == before


def test_a_callback_before_its_day_is_refused(rules):
    """The site is not live yet: calling back before the callback's day asks the customer about
    nothing; it is refused, and the callback stays due on its day."""
    with closing(open_session()) as s:
        case_id = _closed_with_callback(s, "T1")
        with pytest.raises(actions.CaseRefused, match="the callback is due from 2010-08-17"):
            actions.record_callback(s, FOLLOWER, "南区", case_id, reached=True, answer="satisfied",
                                    day=DUE - timedelta(days=1), now=NOW)
        assert _queued(s, rules, DUE) == [case_id]



def test_a_follow_up_is_resolved_only_with_how(rules):
    """The callback and the reports read how the problem was solved: an empty resolution is
    refused and the case stays in follow-up."""
    with closing(open_session()) as s:
        case_id = actions.open_case(s, SOUTH, "南区", CaseKind.VISIT, D1, ["T3"], ["vip"], now=NOW).case.case_id
        actions.record(s, SOUTH, "南区", case_id, EventKind.PLANNED, day=D1, data={"version": 1, "staff_id": "S1"},
                       now=NOW)
        actions.record(s, SOUTH, "南区", case_id, EventKind.OUTCOME, day=D1, data={"result": "follow_up"}, now=NOW)
        with pytest.raises(actions.CaseRefused, match="a resolved follow-up says how it was solved"):
            actions.resolve_follow_up(s, FOLLOWER, "南区", case_id, "  ", rules=rules, now=NOW)
        assert case_store.get_case(s, "南区", case_id).events[-1].kind is EventKind.OUTCOME
