"""The call list of a day (the pilot's step 2, 约见客户): suggested slots from a draft, the
triage when there is no plan, calls that open a visit's case, and the window agreed for a
date used on that date only."""

from __future__ import annotations

import shutil
from contextlib import closing
from datetime import date, datetime, time, timedelta, timezone

import pytest

from planner import plans
from planner.actor import OPERATOR, Actor
from planner.cases import actions
from planner.cases.call_list import NO_PLAN_NOTE, CallLine, call_list, suggested_slot
from planner.cases.events import CallResult, CaseKind, EventKind
from planner.cases.lifecycle import Status, derive
from planner.errors import UserError
from planner.plan.day import SolverSettings, plan_day
from planner.plan.document import PlanDocument
from planner.store import cases as case_store
from planner.store.db import open_session
from planner.triage import load_rules
from planner.workflow import triage_day
from tests.conftest import import_fixture_day, store_at

D1, D2, DISTRICT = date(2010, 8, 5), date(2010, 8, 6), "南区"
FAST = SolverSettings(time_limit_s=30, seed=1, solution_limit=60)
DISPATCHER = Actor("disp1", "dispatcher", frozenset({DISTRICT}))
EVENING_BEFORE = datetime(2010, 8, 4, 10, 0, tzinfo=timezone.utc)  # 18:00 in Xi'an, the day before
SAME_MORNING = datetime(2010, 8, 5, 0, 30, tzinfo=timezone.utc)    # 08:30 in Xi'an, the visit's day


def _template(tmp_path_factory, name: str, plan: bool):
    from planner.store import db

    path = tmp_path_factory.mktemp(name) / "store.sqlite3"
    url = f"sqlite:///{path}"
    with store_at(url):
        import_fixture_day()
        if plan:
            with closing(open_session(url)) as s:
                plan_day(s, D1, DISTRICT, solver=FAST, actor=Actor("disp1", OPERATOR, None), rules=load_rules())
        db.engine_for(url).dispose()
    return path


@pytest.fixture(scope="module")
def _imported(tmp_path_factory):
    return _template(tmp_path_factory, "imported", plan=False)


@pytest.fixture(scope="module")
def _drafted(tmp_path_factory):
    return _template(tmp_path_factory, "drafted", plan=True)


@pytest.fixture
def imported(_imported, tmp_path):
    """The test's own store holding the fixture day, not planned."""
    shutil.copyfile(_imported, tmp_path / "store.sqlite3")


@pytest.fixture
def drafted(_drafted, tmp_path):
    """The test's own store holding the fixture day and a draft plan of it (version 1)."""
    shutil.copyfile(_drafted, tmp_path / "store.sqlite3")


@pytest.fixture
def rules():
    return load_rules()


def _single(lines, n: int = 0) -> CallLine:
    """The n-th line of one customer (not a cluster) with a slot."""
    return [line for line in lines if len(line.contacts) == 1 and line.slot][n]


def test_a_draft_gives_each_visit_a_slot_around_its_start_within_the_shift(drafted, rules):
    with closing(open_session()) as s:
        listed = call_list(s, D1, DISTRICT, rules)
        plan, status = plans.get_plan(s, D1, DISTRICT)
    assert (listed.source, listed.version, listed.plan_status, listed.note) == ("plan", 1, "draft", None)
    routed = {str(step.visit_id): (route, step) for route, step in plan.visit_steps()}
    assert {line.visit_id for line in listed.lines} == set(routed) | {u.visit_id for u in plan.unassigned}
    for line in listed.lines:
        if line.visit_id not in routed:
            assert line.slot is None and line.unassigned and line.unassigned["zh"]  # listed too, no slot
            continue
        route, step = routed[line.visit_id]
        start = datetime.fromisoformat(step.start).astimezone(rules.tz)
        lo, hi = line.slot
        assert line.planned_start == start.time() and lo <= start.time() <= hi
        minutes = (datetime.combine(D1, hi) - datetime.combine(D1, lo)) / timedelta(minutes=1)
        assert 0 < minutes <= rules.cases.call_slot_minutes and lo.minute % 15 == 0
        shift = [datetime.fromisoformat(t).astimezone(rules.tz).time() for t in route.shift]
        assert shift[0] <= lo and hi <= shift[1]
        assert line.staff_id == route.staff_id
    # to agree first, by the draft's start (every line is still to agree)
    starts = [line.planned_start or time.max for line in listed.lines]
    assert starts == sorted(starts)
    line = _single(listed.lines)
    assert line.contacts[0].phone.isdigit() and len(line.contacts[0].phone) == 11  # the full number: it is dialled
    assert line.contacts[0].name and line.address and line.case_id is None and line.calls == 0


def test_each_line_carries_the_call_tip_of_its_customer_type_from_the_rules(drafted, rules):
    with closing(open_session()) as s:
        listed = call_list(s, D1, DISTRICT, rules)
    types = {line.customer_type for line in listed.lines}
    assert len(types) > 1
    for line in listed.lines:
        assert line.tip == rules.cases.call_tips.customer_types[line.customer_type]
    assert listed.general_tips == rules.cases.call_tips.general
    assert any("嘈杂" in tip["zh"] for tip in listed.general_tips)


def test_a_suggested_slot_begins_on_a_quarter_hour_and_is_clipped_to_the_shift():
    tz = load_rules().tz
    at = datetime(2010, 8, 5, 9, 47, tzinfo=tz)
    shift = (datetime(2010, 8, 5, 9, 0, tzinfo=tz), datetime(2010, 8, 5, 17, 30, tzinfo=tz))
    assert suggested_slot(at, shift, 60) == (datetime(2010, 8, 5, 9, 15, tzinfo=tz), datetime(2010, 8, 5, 10, 15, tzinfo=tz))
    early = datetime(2010, 8, 5, 9, 5, tzinfo=tz)
    assert suggested_slot(early, shift, 60) == (shift[0], datetime(2010, 8, 5, 9, 30, tzinfo=tz))
    late = datetime(2010, 8, 5, 17, 20, tzinfo=tz)
    assert suggested_slot(late, shift, 60)[1] == shift[1]


def test_with_no_plan_the_list_is_the_triage_with_no_slot_and_says_to_plan_a_draft(imported, rules):
    with closing(open_session()) as s:
        listed = call_list(s, D1, DISTRICT, rules)
        triaged = triage_day(s, D1, DISTRICT, rules)
    assert (listed.source, listed.version, listed.note) == ("triage", None, NO_PLAN_NOTE)
    assert listed.note["en"] == "plan a draft to get suggested times"
    assert {line.visit_id for line in listed.lines} == {v.visit_id for v in triaged.visits}
    assert all(line.slot is None and line.planned_start is None for line in listed.lines)
    assert all(line.contacts and line.tip for line in listed.lines)


def test_a_window_agreed_for_a_date_is_shown_and_planned_on_that_date_only(drafted, rules):
    with closing(open_session()) as s:
        line = _single(call_list(s, D1, DISTRICT, rules).lines)
        step = actions.call_about_visit(s, DISPATCHER, DISTRICT, D1, line.ticket_ids, line.reasons, "confirmed",
                                        start="10:00", end="11:00", note="customer at home in the morning",
                                        now=EVENING_BEFORE)
        case_id = step.case.case_id
        [shown] = [x for x in call_list(s, D1, DISTRICT, rules).lines if x.visit_id == line.visit_id]
        assert shown.case_id == case_id and shown.calls == 1 and shown.last_call.result is CallResult.CONFIRMED
        assert (shown.agreed.start, shown.agreed.end) == (time(10), time(11)) and not shown.to_agree
        assert shown.reconfirmed_at is None  # agreed the day before: not a same-morning reconfirmation
        # the next plan of that date holds the customer's window
        doc = PlanDocument.from_json(plan_day(s, D1, DISTRICT, solver=FAST, actor=DISPATCHER, rules=rules))
        [(_, planned)] = [(r, st) for r, st in doc.visit_steps() if st.ticket_ids == line.ticket_ids]
        window = [datetime.fromisoformat(t).astimezone(rules.tz).time() for t in planned.time_window]
        assert window == [time(10), time(11)]
        assert time(10) <= datetime.fromisoformat(planned.start).astimezone(rules.tz).time() <= time(11)
        # the day after, the window does not hold: the triage has no such window, the list asks for a new one
        [next_day] = [v for v in triage_day(s, D2, DISTRICT, rules).visits if v.ticket_ids == line.ticket_ids]
        assert next_day.case_id == case_id
        assert next_day.time_window is None or next_day.time_window[0].date() != D2 or \
            next_day.time_window[0].time() != time(10)
        [later] = [x for x in call_list(s, D2, DISTRICT, rules).lines if x.ticket_ids == line.ticket_ids]
        assert later.agreed is None and later.to_agree
        assert later.needs_new_appointment["en"] == "appointment of 08-05 has passed; a new appointment is needed"


def test_a_case_opened_by_a_call_is_the_one_publishing_plans_and_it_is_not_back(drafted, rules):
    with closing(open_session()) as s:
        first, second = _single(call_list(s, D1, DISTRICT, rules).lines), _single(call_list(s, D1, DISTRICT, rules).lines, 1)
        unreached = actions.call_about_visit(s, DISPATCHER, DISTRICT, D1, first.ticket_ids, first.reasons,
                                             "unreached", now=EVENING_BEFORE)
        case_id = unreached.case.case_id
        kinds = [e.kind for e in case_store.get_case(s, DISTRICT, case_id).events]
        assert kinds == [EventKind.SELECTED, EventKind.CALL_ATTEMPT]
        assert case_store.get_case(s, DISTRICT, case_id).events[0].data["reasons"] == list(first.reasons)
        # a second call goes to the same case, not a new one
        again = actions.call_about_visit(s, DISPATCHER, DISTRICT, D1, first.ticket_ids, first.reasons,
                                         "unreached", now=EVENING_BEFORE + timedelta(hours=1))
        assert again.case.case_id == case_id and again.state.calls == 2
        # opened today by a call: the day's triage carries it, but not as back, and it has not waited
        [v] = [v for v in triage_day(s, D1, DISTRICT, rules).visits if v.ticket_ids == first.ticket_ids]
        assert v.case_id == case_id and v.back_because == "" and v.carried_over_days == 0
        assert not [f for f in v.fired_rules if f.rule == "carried_over" and "back" in f.detail]
        plans.publish(s, D1, DISTRICT, 1, DISPATCHER)
        held = case_store.load_cases(s, DISTRICT, ticket_ids=list(first.ticket_ids))
        assert [c.case_id for c in held] == [case_id]  # planned on its case, not duplicated
        state = derive(held[0].events)
        assert state.status is Status.PLANNED and state.plan.day == D1 and state.calls == 2
        assert len(case_store.load_cases(s, DISTRICT, ticket_ids=list(second.ticket_ids))) == 1
        [listed] = [x for x in call_list(s, D1, DISTRICT, rules).lines if x.visit_id == first.visit_id]
        assert listed.case_id == case_id and listed.status is Status.PLANNED
        assert listed.last_call.result is CallResult.UNREACHED and listed.calls == 2


def test_a_same_morning_reconfirmation_is_recorded_and_shown_as_such(drafted, rules):
    with closing(open_session()) as s:
        line = _single(call_list(s, D1, DISTRICT, rules).lines)
        first = actions.call_about_visit(s, DISPATCHER, DISTRICT, D1, line.ticket_ids, line.reasons, "confirmed",
                                         start="14:00", end="15:00", now=EVENING_BEFORE)
        # the morning of the visit: confirmed again, the window said once more or not at all
        actions.record_call(s, DISPATCHER, DISTRICT, first.case.case_id, "confirmed", day=D1, now=SAME_MORNING)
        [shown] = [x for x in call_list(s, D1, DISTRICT, rules).lines if x.visit_id == line.visit_id]
    assert shown.calls == 2 and (shown.agreed.start, shown.agreed.end) == (time(14), time(15))
    assert shown.reconfirmed_at == SAME_MORNING.astimezone(rules.tz)


def test_a_visit_the_customer_moved_to_another_date_waits_for_that_date(drafted, rules):
    with closing(open_session()) as s:
        line = _single(call_list(s, D1, DISTRICT, rules).lines)
        actions.call_about_visit(s, DISPATCHER, DISTRICT, D1, line.ticket_ids, line.reasons, "rescheduled", on=D2,
                                 start="16:00", end="17:00", now=EVENING_BEFORE)
        [shown] = [x for x in call_list(s, D1, DISTRICT, rules).lines if x.visit_id == line.visit_id]
        assert shown.moved_to.day == D2 and not shown.to_agree and shown.needs_new_appointment is None
        order = [(x.visit_id, x.to_agree) for x in call_list(s, D1, DISTRICT, rules).lines]
        moved_at = order.index((line.visit_id, False))
        assert all(not to_agree for _, to_agree in order[moved_at:])  # after every line still to agree
        assert not [v for v in triage_day(s, D1, DISTRICT, rules).visits if set(v.ticket_ids) & set(line.ticket_ids)]
        [v] = [v for v in triage_day(s, D2, DISTRICT, rules).visits if v.ticket_ids == line.ticket_ids]
        assert [t.time() for t in v.time_window] == [time(16), time(17)]


def test_a_call_that_may_not_be_recorded_writes_no_case(drafted, rules):
    with closing(open_session()) as s:
        line = _single(call_list(s, D1, DISTRICT, rules).lines)
        with pytest.raises(UserError, match="resolved on the phone"):
            actions.call_about_visit(s, DISPATCHER, DISTRICT, D1, line.ticket_ids, line.reasons, "resolved")
        with pytest.raises(UserError, match="an agreed window needs a start and an end"):
            actions.call_about_visit(s, DISPATCHER, DISTRICT, D1, line.ticket_ids, line.reasons, "confirmed")
        with pytest.raises(UserError, match="no ticket NOPE-1 in 南区"):
            actions.call_about_visit(s, DISPATCHER, DISTRICT, D1, ["NOPE-1"], ["vip"], "unreached")
        north = Actor("north1", "dispatcher", frozenset({"北区"}))
        with pytest.raises(UserError, match="north1 may not change the cases of 南区"):
            actions.call_about_visit(s, north, DISTRICT, D1, line.ticket_ids, line.reasons, "unreached")
        field = Actor("w1", "field", frozenset({DISTRICT}))
        with pytest.raises(UserError, match="w1 may not change the cases of 南区"):
            actions.call_about_visit(s, field, DISTRICT, D1, line.ticket_ids, line.reasons, "unreached")
        assert case_store.load_cases(s, DISTRICT) == []


def test_open_phone_follow_up_cases_are_listed_in_a_second_part(drafted, rules):
    with closing(open_session()) as s:
        ticket = triage_day(s, D1, DISTRICT, rules).phone_followups[0].ticket_id
        phone = actions.open_case(s, DISPATCHER, DISTRICT, CaseKind.PHONE, D1, [ticket], [])
        listed = call_list(s, D1, DISTRICT, rules)
        assert [p.case_id for p in listed.phone_cases] == [phone.case.case_id]
        assert listed.phone_cases[0].contacts[0].ticket_ids == (ticket,) and listed.phone_cases[0].contacts[0].phone
        assert all(x.case_id is None for x in listed.lines)  # not a visit's case
        actions.record_call(s, DISPATCHER, DISTRICT, phone.case.case_id, "resolved", day=D1)
        assert call_list(s, D1, DISTRICT, rules).phone_cases == ()


@pytest.mark.postgres
def test_the_first_call_opens_the_case_in_one_transaction_on_postgresql(fresh_postgres, rules):
    with store_at(fresh_postgres):
        import_fixture_day()
        with closing(open_session(fresh_postgres)) as s:
            line = next(x for x in call_list(s, D1, DISTRICT, rules).lines if len(x.contacts) == 1)
            with pytest.raises(UserError, match="resolved on the phone"):
                actions.call_about_visit(s, DISPATCHER, DISTRICT, D1, line.ticket_ids, line.reasons, "resolved")
            assert case_store.load_cases(s, DISTRICT) == []  # the case the refused call opened is gone with it
            step = actions.call_about_visit(s, DISPATCHER, DISTRICT, D1, line.ticket_ids, line.reasons, "confirmed",
                                            start="09:30", end="10:30", now=EVENING_BEFORE)
            [shown] = [x for x in call_list(s, D1, DISTRICT, rules).lines if x.visit_id == line.visit_id]
            assert shown.case_id == step.case.case_id and (shown.agreed.start, shown.agreed.end) == (time(9, 30),
                                                                                                     time(10, 30))
            [v] = [v for v in triage_day(s, D1, DISTRICT, rules).visits if v.ticket_ids == line.ticket_ids]
            assert v.case_id == step.case.case_id and v.carried_over_days == 0 and v.back_because == ""
