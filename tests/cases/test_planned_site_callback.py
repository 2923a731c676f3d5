"""规划在建型: a visit whose scenario comes from a planned site carries that site (id, expected
date) from the triage to the plan; its outcome needing a follow-up, or closed on site, puts the
customer's callback on the books for the day the site is expected live (else
``cases.callback_after_days`` after the visit), and the ledger shows it from that day."""

from __future__ import annotations

from contextlib import closing
from datetime import date, timedelta

import pytest

from planner import plans
from planner.actor import OPERATOR, Actor
from planner.cases.actions import callback_day, record_visit_outcome
from planner.cases.events import EventKind, VisitResult
from planner.cases.ledger import next_action
from planner.cases.lifecycle import Status, derive
from planner.closure import record_outcome
from planner.field_record import FieldRecord, Satisfaction
from planner.plan.day import SolverSettings, plan_day
from planner.plan.document import PlanDocument
from planner.records import SiteRef
from planner.store import cases as case_store
from planner.store.db import open_session
from planner.triage import load_rules
from planner.workflow import import_file, triage_day
from tests.conftest import FIXTURE_DAY

DAY1, DISTRICT = date(2010, 8, 5), "南区"
FAST = SolverSettings(time_limit_s=5, seed=1, solution_limit=60)
ACTOR = Actor("dispatcher1", OPERATOR, None)
#: the fixture network plan's sites that are not live yet, and when they are expected
EXPECTED = {"XA-NQ-JZ-2107": date(2010, 9, 15), "XA-NQ-JZ-2112": date(2010, 10, 30),
            "XA-NQ-JZ-2115": date(2010, 8, 25)}
NAMES = {"XA-NQ-JZ-2107": "曲江东站", "XA-NQ-JZ-2112": "电子城南站", "XA-NQ-JZ-2115": "丈八西站"}


@pytest.fixture
def published(tmp_path):
    """The fixture day imported, planned and published; yields (session, plan, rules)."""
    rules = load_rules()
    with closing(open_session(f"sqlite:///{tmp_path / 'cvp.db'}")) as s:
        for name, options in [("history.csv", {"history": True}),
                              ("tickets.csv", {"gazetteer": FIXTURE_DAY / "gazetteer.csv"}),
                              ("staff.csv", {}), ("network.csv", {})]:
            import_file(s, FIXTURE_DAY / name, actor=ACTOR, rules=rules, **options)
        plan = PlanDocument.from_json(plan_day(s, DAY1, DISTRICT, solver=FAST, actor=ACTOR, rules=rules))
        plans.publish(s, DAY1, DISTRICT, int(plan.version or 0), ACTOR)
        yield s, plan, rules


def _case_of(session, ticket_ids):
    [case] = [c for c in case_store.load_cases(session, DISTRICT, ticket_ids=list(ticket_ids))
              if c.kind.value == "visit"]
    return case


def test_the_triage_and_the_plan_carry_the_planned_site_of_a_planned_scenario(published):
    session, plan, rules = published
    entries = [step for _route, step in plan.visit_steps()] + list(plan.unassigned)
    planned = [e for e in entries if e.scenario == "planned"]
    assert planned, "the fixture day has 规划在建 customers"
    for e in entries:
        if e.scenario != "planned":
            assert e.planned_site is None, e.visit_id
            continue
        site = e.planned_site
        assert site is not None and site.status in ("planned", "under_construction")
        assert site.expected_date == EXPECTED[site.site_id].isoformat() and site.name == NAMES[site.site_id]
    assert {e.planned_site.site_id for e in planned if e.planned_site} <= set(EXPECTED)
    # the triage's own view says the same (what the dispatcher's triage page and the API show)
    triaged = triage_day(session, DAY1, DISTRICT, rules)
    assert {v.visit_id: v.planned_site.site_id for v in triaged.visits if v.planned_site} == {
        e.visit_id: e.planned_site.site_id for e in planned if e.planned_site}


def _routed_planned(plan):
    routed = [step for _route, step in plan.visit_steps() if step.planned_site is not None]
    assert routed, "a 规划在建 visit is on a route of the fixture day"
    return routed


def test_a_follow_up_schedules_the_callback_for_the_day_the_site_is_live(published):
    session, plan, rules = published
    step = _routed_planned(plan)[0]
    site, live = step.planned_site.site_id, EXPECTED[step.planned_site.site_id]
    name = NAMES[site]
    record_outcome(session, day=DAY1, district=DISTRICT, visit_id=str(step.visit_id), actor=ACTOR,
                   record=FieldRecord(VisitResult.FOLLOW_UP, Satisfaction.BASICALLY_SATISFIED), rules=rules)
    case = _case_of(session, step.ticket_ids)
    outcome, callback = case.events[-2:]
    assert outcome.kind is EventKind.OUTCOME and callback.kind is EventKind.CALLBACK_DUE
    assert callback.day == live
    assert callback.data == {"site_id": site, "name": name, "expected_date": live.isoformat()}
    state = derive(case.events)
    assert state.status is Status.FOLLOW_UP and state.callback_due == live
    # before the site is live the follow-up is what is next; from that day, the callback
    assert next_action(state, live - timedelta(days=1)) == ("assign the follow-up", False)
    assert next_action(state, live) == (f"callback due {live:%Y-%m-%d} (site {name} live)", False)
    assert next_action(state, live + timedelta(days=1))[1] is True  # overdue


def test_closed_on_site_schedules_it_too_and_a_corrected_outcome_takes_it_back(published):
    session, plan, rules = published
    step = _routed_planned(plan)[0]
    live = EXPECTED[step.planned_site.site_id]
    record_outcome(session, day=DAY1, district=DISTRICT, visit_id=str(step.visit_id), actor=ACTOR,
                   record=FieldRecord(VisitResult.CLOSED_ON_SITE, Satisfaction.SATISFIED), rules=rules)
    state = derive(_case_of(session, step.ticket_ids).events)
    assert state.status is Status.CLOSED and state.callback_due == live
    assert next_action(state, live)[0] == f"callback due {live:%Y-%m-%d} (site {step.planned_site.name} live)"
    # the worker corrects it: the customer was not met after all: no callback, the visit is back
    record_outcome(session, day=DAY1, district=DISTRICT, visit_id=str(step.visit_id), actor=ACTOR,
                   record=FieldRecord(VisitResult.NOT_MET), rules=rules)
    case = _case_of(session, step.ticket_ids)
    state = derive(case.events)
    assert state.status is Status.OPEN and state.callback_due is None and state.callback_site is None
    assert case.events[-1].kind is EventKind.OUTCOME


def test_a_visit_without_a_planned_site_schedules_no_callback(published):
    session, plan, rules = published
    step = next(step for _route, step in plan.visit_steps() if step.planned_site is None)
    record_outcome(session, day=DAY1, district=DISTRICT, visit_id=str(step.visit_id), actor=ACTOR,
                   record=FieldRecord(VisitResult.FOLLOW_UP), rules=rules)
    case = _case_of(session, step.ticket_ids)
    assert case.events[-1].kind is EventKind.OUTCOME and derive(case.events).callback_due is None


def test_a_site_without_a_date_ahead_is_called_back_after_the_rules_days(published):
    session, plan, rules = published
    after = rules.cases.callback_after_days
    assert callback_day(SiteRef("S", "planned", date(2010, 9, 1)), DAY1, after) == date(2010, 9, 1)
    assert callback_day(SiteRef("S", "planned", DAY1 - timedelta(days=1)), DAY1, after) == DAY1 + timedelta(days=after)
    assert callback_day(SiteRef("S", "planned", None), DAY1, after) == DAY1 + timedelta(days=after)
    step = next(step for _route, step in plan.visit_steps())
    undated = SiteRef("XA-NQ-JZ-9999", "planned", None)
    record_visit_outcome(session, ACTOR, DISTRICT, DAY1, version=int(plan.version or 0), staff_id="S1",
                         ticket_ids=step.ticket_ids, reasons=step.reasons, result=VisitResult.FOLLOW_UP,
                         planned_site=undated, callback_after_days=after)
    state = derive(_case_of(session, step.ticket_ids).events)
    due = DAY1 + timedelta(days=after)
    assert state.callback_due == due and state.callback_site is not None and state.callback_site.expected is None
    assert next_action(state, due) == (f"callback due {due:%Y-%m-%d} (site XA-NQ-JZ-9999)", False)
