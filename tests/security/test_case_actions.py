"""The case actions' own checks, whoever calls them (the command line today, the pages
tomorrow): only a dispatcher (or an administrator, or the server's operator) of the
case's district changes a case, the district is checked before anything else is looked
up, and every text and number an action stores is bounded.  A refused action writes
nothing."""

from __future__ import annotations

from contextlib import closing
from datetime import date, datetime, timezone

import pytest

from planner.actor import Actor
from planner.cases import actions
from planner.cases.events import CaseKind, EventKind
from planner.errors import UserError
from planner.store import accounts
from planner.store import cases as case_store
from planner.store.db import open_session
from planner.store.models import INTEGER_MAX
from planner.triage import load_rules

D1 = date(2010, 8, 5)
NOW = datetime(2010, 8, 5, 4, 0, tzinfo=timezone.utc)
SOUTH = Actor("disp", "dispatcher", frozenset({"南区"}))
NORTH = Actor("disp_north", "dispatcher", frozenset({"北区"}))
FIELD = Actor("f1", "field", frozenset({"南区"}))
DEACTIVATED = Actor("gone", "", frozenset({"南区"}))  # what Actor.of gives a deactivated dispatcher


@pytest.fixture
def rules():
    return load_rules(None)


def _follow_up_case(s) -> int:
    case_id = actions.open_case(s, SOUTH, "南区", CaseKind.VISIT, D1, ["T1"], ["vip"], now=NOW).case.case_id
    actions.record(s, SOUTH, "南区", case_id, EventKind.PLANNED, day=D1, data={"version": 1, "staff_id": "S1"},
                   now=NOW)
    actions.record(s, SOUTH, "南区", case_id, EventKind.OUTCOME, day=D1, data={"result": "follow_up"}, now=NOW)
    return case_id


def _written(s, case_id: int) -> tuple[int, int]:
    found = case_store.get_case(s, "南区", case_id)
    return (len(found.events) if found else 0), len(accounts.audit_log(s, limit=10_000))


@pytest.mark.parametrize("actor", [FIELD, DEACTIVATED], ids=["field", "deactivated"])
def test_only_a_dispatcher_changes_a_case(store_url, rules, actor):
    with closing(open_session(store_url)) as s:
        case_id = _follow_up_case(s)
        before = _written(s, case_id)
        solution = next(iter(rules.cases.follow_up_solutions))
        steps = [
            lambda: actions.close_case(s, actor, "南区", case_id, "closed by someone else", day=NOW.date(), now=NOW),
            lambda: actions.reopen_case(s, actor, "南区", case_id, "again", day=NOW.date(), now=NOW),
            lambda: actions.record_call(s, actor, "南区", case_id, "unreached", day=D1, now=NOW),
            lambda: actions.close_day(s, actor, "南区", D1, now=NOW),
            lambda: actions.assign_follow_up(s, actor, "南区", case_id, solution=solution, owner="disp",
                                             promised=date(2010, 8, 9), rules=rules, now=NOW),
            lambda: actions.update_follow_up(s, actor, "南区", case_id, rules=rules, note="x", now=NOW),
            lambda: actions.escalate_follow_up(s, actor, "南区", case_id, to="centre", rules=rules, now=NOW),
            lambda: actions.resolve_follow_up(s, actor, "南区", case_id, "done", rules=rules, now=NOW),
        ]
        for step in steps:
            with pytest.raises(UserError, match="may not change the cases"):
                step()
        assert _written(s, case_id) == before


def test_another_districts_dispatcher_learns_nothing_of_its_accounts(store_url, rules):
    """北区's dispatcher naming an owner for a 南区 case is refused for the district, the same
    whether the owner is a real 南区 account or not (not an oracle of 南区's accounts)."""
    with closing(open_session(store_url)) as s:
        case_id = _follow_up_case(s)
        solution = next(iter(rules.cases.follow_up_solutions))
        for owner in ("disp", "nobody"):
            with pytest.raises(UserError, match="disp_north may not change the cases of 南区"):
                actions.assign_follow_up(s, NORTH, "南区", case_id, solution=solution, owner=owner,
                                         promised=date(2010, 8, 9), rules=rules, now=NOW)
            with pytest.raises(UserError, match="disp_north may not change the cases of 南区"):
                actions.escalate_follow_up(s, NORTH, "南区", case_id, to="centre", owner=owner, rules=rules, now=NOW)


def test_a_new_cases_note_is_bounded(store_url):
    with closing(open_session(store_url)) as s:
        with pytest.raises(UserError, match="note"):
            actions.open_case(s, SOUTH, "南区", CaseKind.PHONE, D1, ["T1"], ["vip"], note="x" * (actions.NOTE_MAX + 1),
                              now=NOW)
        assert case_store.load_cases(s, "南区") == []


def test_a_calls_window_is_a_clock_time(store_url):
    """``time.fromisoformat`` reads "1" * 100000 as 11:11:11.111111: the call's start and
    end are HH:MM (or HH:MM:SS), not 100 kB stored in the case's history."""
    with closing(open_session(store_url)) as s:
        case_id = actions.open_case(s, SOUTH, "南区", CaseKind.VISIT, D1, ["T1"], ["vip"], now=NOW).case.case_id
        before = _written(s, case_id)
        with pytest.raises(UserError, match="HH:MM"):
            actions.record_call(s, SOUTH, "南区", case_id, "confirmed", day=D1, start="1" * 100_000,
                                end="2" * 100_000, now=NOW)
        assert _written(s, case_id) == before
        step = actions.record_call(s, SOUTH, "南区", case_id, "confirmed", day=D1, start="09:00", end="10:30", now=NOW)
        assert step.state.appointment is not None


@pytest.mark.parametrize("case_id", [0, -1, INTEGER_MAX + 1, 2 ** 70])
def test_a_case_id_beyond_the_column_is_no_such_case(store_url, case_id):
    with closing(open_session(store_url)) as s:
        with pytest.raises(UserError, match=f"no case {case_id} in 南区"):
            actions.close_case(s, SOUTH, "南区", case_id, "x", day=NOW.date(), now=NOW)
        with pytest.raises(UserError, match=f"no case {case_id} in 南区"):
            actions.record_call(s, SOUTH, "南区", case_id, "unreached", day=D1, now=NOW)


def test_a_promised_date_is_within_a_year(store_url, rules):
    with closing(open_session(store_url)) as s:
        case_id = _follow_up_case(s)
        before = _written(s, case_id)
        solution = next(iter(rules.cases.follow_up_solutions))
        for promised in (date(9999, 12, 31), date(2011, 8, 6)):
            with pytest.raises(actions.CaseRefused, match="more than a year ahead"):
                actions.assign_follow_up(s, SOUTH, "南区", case_id, solution=solution, owner="disp",
                                         promised=promised, rules=rules, now=NOW)
            with pytest.raises(actions.CaseRefused, match="more than a year ahead"):
                actions.update_follow_up(s, SOUTH, "南区", case_id, promised=promised, rules=rules, now=NOW)
        assert _written(s, case_id) == before
        actions.assign_follow_up(s, SOUTH, "南区", case_id, solution=solution, owner="disp",
                                 promised=date(2011, 8, 5), rules=rules, now=NOW)


@pytest.mark.parametrize("kind, data", [(EventKind.CLOSED, {"reason": "dispatcher"}),
                                        (EventKind.REOPENED, {}),
                                        (EventKind.CALL_ATTEMPT, {"result": "refused"})])
def test_a_field_worker_records_only_a_visit_through_the_bare_record(store_url, kind, data):
    """``record`` is public (closure appends a worker's outcome with it): a field account
    gets the visit's own events there, not a dispatcher's step by another door."""
    with closing(open_session(store_url)) as s:
        case_id = _follow_up_case(s)
        before = _written(s, case_id)
        with pytest.raises(UserError, match="may not change the cases"):
            actions.record(s, FIELD, "南区", case_id, kind, day=D1, note="by the field", data=data, now=NOW)
        assert _written(s, case_id) == before


FOLLOWER = Actor("fu1", "followup", frozenset({"南区"}))
FOLLOWER_NORTH = Actor("fu_north", "followup", frozenset({"北区"}))


def test_follow_up_staff_track_follow_ups_and_call_but_do_not_decide(store_url, rules):
    """The pilot's follow-up staff (后续问题的追踪整理和二次回访) move a follow-up on, escalate
    it, call the customer and resolve it; deciding the follow-up, a dispatcher's own close,
    a reopening and closing the day stay the dispatcher's; another district's refuse all."""
    with closing(open_session(store_url)) as s:
        case_id = _follow_up_case(s)
        solution = next(iter(rules.cases.follow_up_solutions))
        before = _written(s, case_id)
        refused = [
            lambda: actions.assign_follow_up(s, FOLLOWER, "南区", case_id, solution=solution, owner="disp",
                                             promised=date(2010, 8, 9), rules=rules, now=NOW),
            lambda: actions.close_case(s, FOLLOWER, "南区", case_id, "closing it myself", day=D1, now=NOW),
            lambda: actions.close_day(s, FOLLOWER, "南区", D1, now=NOW),
            lambda: actions.record(s, FOLLOWER, "南区", case_id, EventKind.CLOSED, day=D1,
                                   data={"reason": "dispatcher"}, now=NOW),
            lambda: actions.update_follow_up(s, FOLLOWER_NORTH, "南区", case_id, status="in_progress", rules=rules,
                                             now=NOW),
        ]
        for step in refused:
            with pytest.raises(UserError, match="may not change the cases"):
                step()
        assert _written(s, case_id) == before
        actions.assign_follow_up(s, SOUTH, "南区", case_id, solution=solution, owner="disp",
                                 promised=date(2010, 8, 9), rules=rules, now=NOW)
        actions.update_follow_up(s, FOLLOWER, "南区", case_id, status="in_progress", note="site visit booked",
                                 rules=rules, now=NOW)
        with pytest.raises(UserError, match="may not change the cases"):  # who owns it is the dispatcher's call
            actions.escalate_follow_up(s, FOLLOWER, "南区", case_id, to="市网优中心", owner="fu1", rules=rules, now=NOW)
        actions.escalate_follow_up(s, FOLLOWER, "南区", case_id, to="市网优中心", rules=rules, now=NOW)
        actions.record_call(s, FOLLOWER, "南区", case_id, "unreached", day=D1, now=NOW)
        step = actions.resolve_follow_up(s, FOLLOWER, "南区", case_id, "parameters adjusted", rules=rules, now=NOW)
        assert step.state.status.value == "closed"
        with pytest.raises(UserError, match="may not change the cases"):
            actions.reopen_case(s, FOLLOWER, "南区", case_id, "again", day=D1, now=NOW)
        assert [e.actor for e in case_store.get_case(s, "南区", case_id).events][-5:] == ["disp", "fu1", "fu1", "fu1", "fu1"]


def test_a_refused_megabyte_is_named_not_echoed(store_url, rules):
    """A refusal repeats at most a short piece of what was sent (a megabyte of answer is not
    sent back whole to whoever sent it)."""
    with closing(open_session(store_url)) as s:
        case_id = _follow_up_case(s)
        actions.record(s, SOUTH, "南区", case_id, EventKind.CALLBACK_DUE, day=D1, now=NOW)
        with pytest.raises(actions.CaseRefused) as refused:
            actions.record_callback(s, SOUTH, "南区", case_id, reached=True, answer="x" * 1_000_000, day=D1, now=NOW)
        assert len(str(refused.value)) < 500 and "(1000000 characters)" in str(refused.value)


def test_a_call_agrees_a_visit_only_for_a_visit_on_a_sensible_day(store_url):
    """A window on an unreached call, a visit agreed on a phone follow-up, and a visit agreed for
    1990 or 2100 (a typo that would hide the customer from every triage) are refused, nothing written."""
    with closing(open_session(store_url)) as s:
        visit = actions.open_case(s, SOUTH, "南区", CaseKind.VISIT, D1, ["T1"], ["vip"], now=NOW).case.case_id
        phone = actions.open_case(s, SOUTH, "南区", CaseKind.PHONE, D1, ["T2"], ["no_visit_rule"], now=NOW).case.case_id
        before = (_written(s, visit), _written(s, phone))
        refusals = [
            ("a window belongs to a confirmed or rescheduled call",
             lambda: actions.record_call(s, SOUTH, "南区", visit, "unreached", day=D1, start="10:00", end="11:00", now=NOW)),
            ("a phone follow-up agrees no visit",
             lambda: actions.record_call(s, SOUTH, "南区", phone, "confirmed", day=D1, start="10:00", end="11:00", now=NOW)),
            ("a visit agreed for 1990-01-01: between 2010-08-05 and 2011-08-05",
             lambda: actions.record_call(s, SOUTH, "南区", visit, "rescheduled", day=date(1990, 1, 1), start="10:00",
                                         end="11:00", now=NOW)),
            ("a visit agreed for 2100-12-31",
             lambda: actions.record_call(s, SOUTH, "南区", visit, "rescheduled", day=date(2100, 12, 31), start="10:00",
                                         end="11:00", now=NOW)),
        ]
        for why, step in refusals:
            with pytest.raises(actions.CaseRefused, match=why):
                step()
        assert (_written(s, visit), _written(s, phone)) == before
        actions.record_call(s, SOUTH, "南区", visit, "rescheduled", day=date(2010, 8, 9), start="10:00", end="11:00",
                            now=NOW)
