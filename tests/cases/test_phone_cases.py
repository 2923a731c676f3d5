"""Phone follow-ups are cases: publishing a plan opens one per ticket the day's triage answers
by a call, once; the next triage lists an open one as that case, leaves a resolved one alone and
plans a converted one as a visit, saying why; on both stores."""

from __future__ import annotations

import json
from contextlib import closing
from datetime import date, timedelta

import pytest

from planner import plans
from planner.actor import OPERATOR, Actor
from planner.cases.actions import CaseRefused, close_case, convert_to_visit, record_call
from planner.cases.events import CaseKind, EventKind
from planner.cases.lifecycle import Status, derive
from planner.plan.day import SolverSettings, plan_day
from planner.plan.document import PlanDocument
from planner.store import cases as case_store
from planner.store.db import open_session
from planner.triage import load_rules
from planner.workflow import import_file, triage_day
from tests.conftest import FIXTURE_DAY

DAY1, DISTRICT = date(2010, 8, 5), "南区"
DAY2 = DAY1 + timedelta(days=1)
FAST = SolverSettings(time_limit_s=5, seed=1, solution_limit=60)
ACTOR = Actor("dispatcher1", OPERATOR, None)


def _import_day_one(session, rules):
    for name, options in [("history.csv", {"history": True}), ("tickets.csv", {"gazetteer": FIXTURE_DAY / "gazetteer.csv"}),
                          ("staff.csv", {}), ("network.csv", {})]:
        import_file(session, FIXTURE_DAY / name, actor=ACTOR, rules=rules, **options)


def _import_day_two(session, rules):
    import_file(session, FIXTURE_DAY.parent / "xian-south-2010-08-06" / "tickets.csv", actor=ACTOR, rules=rules)


def _plan(session, rules, day) -> PlanDocument:
    return PlanDocument.from_json(plan_day(session, day, DISTRICT, solver=FAST, actor=ACTOR, rules=rules))


def _publish(session, plan: PlanDocument) -> None:
    plans.publish(session, date.fromisoformat(plan.date), DISTRICT, int(plan.version or 0), ACTOR)


def _phone_cases(session):
    return [c for c in case_store.load_cases(session, DISTRICT) if c.kind is CaseKind.PHONE]


def _by_ticket(session) -> dict[str, int]:
    """Each ticket of a phone case → its case (one ticket a case)."""
    found = {}
    for case in _phone_cases(session):
        [ticket] = case.ticket_ids
        assert ticket not in found, f"{ticket} has two phone cases"
        found[ticket] = case.case_id
    return found


def test_a_draft_opens_no_phone_case_and_publishing_opens_each_once(tmp_path):
    rules = load_rules()
    with closing(open_session(f"sqlite:///{tmp_path / 'cvp.db'}")) as s:
        _import_day_one(s, rules)
        first = _plan(s, rules, DAY1)
        followups = {f.ticket_id for f in first.phone_followups}
        assert len(followups) == 18 and {f.why_code for f in first.phone_followups} <= {"no_visit_rule", "override"}
        assert json.loads(json.dumps(first.to_json()))["phone_followups"][0]["ticket_id"] in followups
        assert _phone_cases(s) == []  # a draft changes nothing
        _publish(s, first)
        opened = _by_ticket(s)
        assert set(opened) == followups
        for case in _phone_cases(s):
            state = derive(case.events)
            assert state.status is Status.OPEN and state.kind is CaseKind.PHONE and state.opened_on == DAY1
        # a second version of the day, published: its follow-ups are the open cases, nothing is opened twice
        second = _plan(s, rules, DAY1)
        assert {f.case_id for f in second.phone_followups} == set(opened.values())
        _publish(s, second)
        assert _by_ticket(s) == opened
        # and none of those tickets got a visit case on the side
        visit_tickets = {t for c in case_store.load_cases(s, DISTRICT) if c.kind is CaseKind.VISIT for t in c.ticket_ids}
        assert not visit_tickets & followups


def test_the_next_triage_leaves_a_resolved_one_lists_an_open_one_and_visits_a_converted_one(tmp_path):
    rules = load_rules()
    with closing(open_session(f"sqlite:///{tmp_path / 'cvp.db'}")) as s:
        _import_day_one(s, rules)
        _publish(s, _plan(s, rules, DAY1))
        opened = _by_ticket(s)
        resolved_ticket, converted_ticket, called_ticket, closed_ticket, *_rest = sorted(opened)
        record_call(s, ACTOR, DISTRICT, opened[resolved_ticket], "resolved", day=DAY1, note="signal fine again")
        close_case(s, ACTOR, DISTRICT, opened[closed_ticket], "duplicate of an earlier complaint", day=DAY1)
        record_call(s, ACTOR, DISTRICT, opened[called_ticket], "unreached", day=DAY1)
        with pytest.raises(CaseRefused, match="needs a reason"):
            convert_to_visit(s, ACTOR, DISTRICT, opened[converted_ticket], "  ", day=DAY1)
        convert_to_visit(s, ACTOR, DISTRICT, opened[converted_ticket], "wants someone to look at the roof antenna",
                         day=DAY1)
        with pytest.raises(CaseRefused, match="the case is a visit already"):
            convert_to_visit(s, ACTOR, DISTRICT, opened[converted_ticket], "again", day=DAY1)
        converted_on, next_day = DAY1, DAY2

        triaged = triage_day(s, next_day, DISTRICT, rules)
        listed = [f for f in triaged.phone_followups]
        visits = {t: v for v in triaged.visits for t in v.ticket_ids}
        # resolved by phone, or closed by a dispatcher: settled, neither called nor visited again
        for settled in (resolved_ticket, closed_ticket):
            assert settled not in {f.ticket_id for f in listed} and settled not in visits
        # still open: listed once, as the open case with its calls, not as a new follow-up
        called = [f for f in listed if f.ticket_id == called_ticket]
        assert len(called) == 1 and called[0].case_id == opened[called_ticket] and called[0].why_code == "open_case"
        assert called[0].why == f"phone follow-up open since 2010-08-05, case {opened[called_ticket]}, 1 call(s)"
        # converted: a visit, carried with its case and the reason
        visit = visits[converted_ticket]
        assert visit.case_id == opened[converted_ticket] and "dispatcher" in visit.reasons
        assert visit.back_because == (f"converted from a phone follow-up on {converted_on:%Y-%m-%d}: "
                                      "wants someone to look at the roof antenna")
        assert converted_ticket not in {f.ticket_id for f in listed}
        # every other follow-up of day 1 is listed as its open case
        assert {f.ticket_id: f.case_id for f in listed if f.ticket_id in opened} == {
            t: c for t, c in opened.items() if t not in (resolved_ticket, converted_ticket, closed_ticket)}

        # publishing that day plans the converted case itself and opens no second case for anyone
        plan = _plan(s, rules, next_day)
        _publish(s, plan)
        [case] = case_store.load_cases(s, DISTRICT, case_ids=[opened[converted_ticket]])
        state = derive(case.events)
        assert state.kind is CaseKind.VISIT and case.events[-1].kind in (EventKind.PLANNED, EventKind.UNASSIGNED)
        holding = [c.case_id for c in case_store.load_cases(s, DISTRICT) for t in c.ticket_ids
                   if t in (converted_ticket, called_ticket)]
        assert sorted(holding) == sorted([opened[converted_ticket], opened[called_ticket]])


def _two_days(url):
    """Day 1 published, its 18 phone follow-ups resolved on the phone; day 2's tickets imported:
    none of the 18 is back on 08-06, and day 2's own follow-ups are new cases."""
    rules = load_rules()
    with closing(open_session(url)) as s:
        _import_day_one(s, rules)
        _publish(s, _plan(s, rules, DAY1))
        opened = _by_ticket(s)
        assert len(opened) == 18
        for case_id in opened.values():
            record_call(s, ACTOR, DISTRICT, case_id, "resolved", day=DAY1, note="explained on the phone")
        assert all(derive(c.events).status is Status.CLOSED for c in _phone_cases(s))
        _import_day_two(s, rules)
        day2 = triage_day(s, DAY2, DISTRICT, rules)
        back = {f.ticket_id for f in day2.phone_followups} | {t for v in day2.visits for t in v.ticket_ids}
        assert not back & set(opened)
        assert day2.phone_followups and all(f.case_id is None for f in day2.phone_followups)
        plan = _plan(s, rules, DAY2)
        _publish(s, plan)
        now = _by_ticket(s)
        assert set(now) == set(opened) | {f.ticket_id for f in plan.phone_followups}


def test_the_follow_ups_resolved_on_the_phone_are_not_back_the_next_day_on_sqlite(tmp_path):
    _two_days(f"sqlite:///{tmp_path / 'cvp.db'}")


@pytest.mark.postgres
def test_the_follow_ups_resolved_on_the_phone_are_not_back_the_next_day_on_postgresql(fresh_postgres):
    _two_days(fresh_postgres)



def test_a_draft_published_after_its_phone_follow_ups_were_resolved_opens_none_again(tmp_path):
    """Day 1 published opens the phone cases; day 2's draft lists one of them again; it is
    resolved on the phone before that draft is published: publishing leaves the ticket alone."""
    rules = load_rules()
    with closing(open_session(f"sqlite:///{tmp_path / 'cvp.db'}")) as s:
        _import_day_one(s, rules)
        _publish(s, _plan(s, rules, DAY1))
        draft = _plan(s, rules, DAY2)
        listed = {f.ticket_id for f in draft.phone_followups} & set(_by_ticket(s))
        ticket = sorted(listed)[0]
        record_call(s, ACTOR, DISTRICT, _by_ticket(s)[ticket], "resolved", day=DAY2)
        _publish(s, draft)
        assert len(case_store.load_cases(s, DISTRICT, ticket_ids=[ticket])) == 1
