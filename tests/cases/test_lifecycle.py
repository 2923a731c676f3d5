"""A case's state is what its events say, and nothing takes a case off the books but a closure."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.cases.events import CallResult, CaseEvent, CaseKind, CloseReason, EventKind, FollowUpStatus, VisitResult
from planner.cases.lifecycle import ALLOWED, Status, TransitionRefused, apply, derive

D1, D2 = date(2010, 8, 5), date(2010, 8, 6)
T0 = datetime(2010, 8, 5, 8, 0, tzinfo=timezone(timedelta(hours=8)))


class History:
    """Events appended the way the actions append them: numbered, a minute apart."""

    def __init__(self, kind: CaseKind = CaseKind.VISIT):
        self.events: list[CaseEvent] = []
        self.add(EventKind.SELECTED, D1, kind=kind.value, ticket_ids=["T1", "T2"], reasons=["vip"])

    def event(self, what: EventKind, day: date | None = None, note: str = "", **data) -> CaseEvent:
        n = len(self.events) + 1
        return CaseEvent(n, what, T0 + timedelta(minutes=n), "dispatcher1", day, note, data)

    def add(self, what: EventKind, day: date | None = None, note: str = "", **data):
        self.events.append(self.event(what, day, note, **data))
        return derive(self.events)

    def refused(self, what: EventKind, day: date | None = None, note: str = "", **data) -> str:
        before = derive(self.events)
        with pytest.raises(TransitionRefused) as refused:
            apply(before, self.event(what, day, note, **data))
        return str(refused.value)


def test_a_selected_visit_is_open_with_its_tickets_and_why():
    state = History().add(EventKind.CALL_ATTEMPT, D1, result="unreached")
    assert state.status is Status.OPEN and state.is_open
    assert state.ticket_ids == ("T1", "T2") and state.selected_because == ("vip",)
    assert state.calls == 1 and state.last_call is CallResult.UNREACHED
    assert state.opened_on == D1


def test_planned_with_no_outcome_comes_back_open_saying_so_and_its_window_does_not_carry_over():
    h = History()
    h.add(EventKind.APPOINTMENT_CONFIRMED, D1, start="14:00", end="15:00")
    h.add(EventKind.PLANNED, D1, version=2, staff_id="S1")
    state = h.add(EventKind.NOT_DONE, D1)
    assert state.status is Status.OPEN and state.plan is None
    assert state.back_because == "planned 2010-08-05, no outcome recorded"
    assert state.times_back(D2) == 1 and state.times_back(D1) == 0  # days, not plan versions
    assert state.appointment_on(D2) is None and state.appointment is None


def test_an_agreed_window_holds_on_its_date_only():
    h = History()
    state = h.add(EventKind.CALL_ATTEMPT, D2, result="confirmed", start="09:30", end="10:30")
    assert state.appointment_on(D2) is not None and state.appointment_on(D2).start == time(9, 30)
    assert state.appointment_on(D1) is None


@pytest.mark.parametrize("result, text", [(VisitResult.NOT_MET, "customer not met 2010-08-05"),
                                          (VisitResult.REFUSED, "customer refused the visit 2010-08-05")])
def test_customer_not_met_or_refusing_is_an_open_case_again(result, text):
    h = History()
    h.add(EventKind.PLANNED, D1, version=1, staff_id="S1")
    state = h.add(EventKind.OUTCOME, D1, result=result.value)
    assert state.status is Status.OPEN and state.back_because == text and state.last_visit is result


def test_left_unassigned_is_open_with_the_plans_reason():
    state = History().add(EventKind.UNASSIGNED, D1, version=1, reason="window_outside_shift")
    assert state.status is Status.OPEN and state.times_back(D2) == 1
    assert state.back_because == "left unassigned 2010-08-05: window_outside_shift"


def test_closed_on_site_closes_and_a_follow_up_keeps_it_open_until_resolved():
    h = History()
    h.add(EventKind.PLANNED, D1, version=1, staff_id="S1")
    assert h.add(EventKind.OUTCOME, D1, result="closed_on_site").status is Status.CLOSED

    h = History()
    h.add(EventKind.PLANNED, D1, version=1, staff_id="S1")
    state = h.add(EventKind.OUTCOME, D1, result="follow_up")
    assert state.status is Status.FOLLOW_UP and state.is_open
    h.add(EventKind.FOLLOW_UP_ASSIGNED, D1, solution="planned_site", owner="follow1", promised="2010-08-20")
    state = h.add(EventKind.FOLLOW_UP_ESCALATED, D2, to="市公司网优中心")
    assert state.follow_up.status is FollowUpStatus.ESCALATED and state.follow_up.escalated_to == "市公司网优中心"
    assert state.follow_up.owner == "follow1" and state.follow_up.promised == date(2010, 8, 20)
    state = h.add(EventKind.CLOSED, D2, "new site live", reason="follow_up_resolved")
    assert state.status is Status.CLOSED and state.follow_up.status is FollowUpStatus.RESOLVED
    assert state.closure.reason is CloseReason.FOLLOW_UP_RESOLVED and state.closure.note == "new site live"


def test_refused_transitions_say_why():
    h = History()
    assert "needs a written reason" in h.refused(EventKind.CLOSED, D1, reason="dispatcher")
    assert "cannot record outcome: the case is open" in h.refused(EventKind.OUTCOME, D1, result="closed_on_site")
    h.add(EventKind.CLOSED, D1, "duplicate of XA-9", reason="dispatcher")
    assert "the case is closed (dispatcher 2010-08-05)" in h.refused(EventKind.CLOSED, D1, "again", reason="dispatcher")
    assert "reason" in h.refused(EventKind.REOPENED, D1, "  ")
    state = h.add(EventKind.REOPENED, D2, "customer called again")
    assert state.status is Status.OPEN and state.back_because == "reopened: customer called again"


def test_an_outcome_is_for_the_day_the_visit_is_planned():
    h = History()
    h.add(EventKind.PLANNED, D1, version=1, staff_id="S1")
    assert "planned for 2010-08-05" in h.refused(EventKind.OUTCOME, D2, result="closed_on_site")


def test_an_outcome_just_recorded_can_be_corrected_but_not_one_followed_by_more():
    h = History()
    h.add(EventKind.PLANNED, D1, version=1, staff_id="S1")
    assert h.add(EventKind.OUTCOME, D1, result="not_met").status is Status.OPEN
    state = h.add(EventKind.OUTCOME, D1, result="closed_on_site")  # the worker corrects it
    assert state.status is Status.CLOSED and state.last_visit is VisitResult.CLOSED_ON_SITE
    state = h.add(EventKind.OUTCOME, D1, result="follow_up")
    assert state.status is Status.FOLLOW_UP and state.closure is None
    h.add(EventKind.FOLLOW_UP_ASSIGNED, D1, solution="indoor_coverage", owner="follow1")
    assert "cannot record outcome: the case is follow_up" in h.refused(EventKind.OUTCOME, D1, result="not_met")
    assert "cannot record outcome: the case is open" in History().refused(EventKind.OUTCOME, D1, result="not_met")


def test_an_outcome_typed_in_after_the_day_was_closed_is_taken_late():
    h = History()
    h.add(EventKind.PLANNED, D1, version=1, staff_id="S1")
    h.add(EventKind.NOT_DONE, D1)
    assert h.add(EventKind.OUTCOME, D1, result="closed_on_site").status is Status.CLOSED
    h = History()
    h.add(EventKind.PLANNED, D1, version=1, staff_id="S1")
    h.add(EventKind.NOT_DONE, D1)
    h.add(EventKind.CALL_ATTEMPT, D2, result="unreached")  # something happened since: no longer late
    assert "cannot record outcome" in h.refused(EventKind.OUTCOME, D1, result="closed_on_site")


def test_a_phone_follow_up_is_resolved_on_the_phone_or_turned_into_a_visit():
    h = History(CaseKind.PHONE)
    assert "phone follow-up" in h.refused(EventKind.PLANNED, D1, version=1, staff_id="S1")
    h.add(EventKind.CALL_ATTEMPT, D1, result="resolved")
    assert h.add(EventKind.CLOSED, D1, reason="resolved_by_phone").status is Status.CLOSED

    h = History(CaseKind.PHONE)
    state = h.add(EventKind.CONVERTED_TO_VISIT, D1)
    assert state.kind is CaseKind.VISIT and state.status is Status.OPEN
    assert h.add(EventKind.PLANNED, D2, version=1, staff_id="S2").status is Status.PLANNED


def test_a_visit_is_not_resolved_by_phone():
    h = History()
    assert "not resolved on the phone" in h.refused(EventKind.CALL_ATTEMPT, D1, result="resolved")
    assert "phone follow-ups" in h.refused(EventKind.CLOSED, D1, reason="resolved_by_phone")


def test_moving_or_refusing_a_planned_visit_on_the_phone_takes_it_off_the_route():
    h = History()
    h.add(EventKind.PLANNED, D1, version=1, staff_id="S1")
    state = h.add(EventKind.CALL_ATTEMPT, D2, result="rescheduled", start="10:00", end="11:00")
    assert state.status is Status.OPEN and state.appointment_on(D2) is not None
    assert state.back_because == "customer moved the visit to 2010-08-06"

    h.add(EventKind.PLANNED, D2, version=1, staff_id="S1")
    state = h.add(EventKind.CALL_ATTEMPT, D2, result="refused")
    assert state.status is Status.OPEN and state.back_because == "customer refused the visit on the phone 2010-08-06"


# -- properties over any history --------------------------------------------------------------

DATA = {
    EventKind.CALL_ATTEMPT: st.fixed_dictionaries({"result": st.sampled_from([r.value for r in CallResult])}),
    EventKind.APPOINTMENT_CONFIRMED: st.just({"start": "09:00", "end": "10:00"}),
    EventKind.PLANNED: st.fixed_dictionaries({"version": st.integers(1, 3), "staff_id": st.just("S1")}),
    EventKind.UNASSIGNED: st.fixed_dictionaries({"version": st.integers(1, 3)}),
    EventKind.OUTCOME: st.fixed_dictionaries({"result": st.sampled_from([r.value for r in VisitResult])}),
    EventKind.CLOSED: st.fixed_dictionaries({"reason": st.sampled_from([r.value for r in CloseReason])}),
    EventKind.FOLLOW_UP_ESCALATED: st.fixed_dictionaries({"to": st.sampled_from(["", "市公司"])}),
    EventKind.FOLLOW_UP_UPDATED: st.fixed_dictionaries({"status": st.sampled_from([s.value for s in FollowUpStatus])}),
}
LATER_KINDS = [k for k in EventKind if k is not EventKind.SELECTED]
step = st.tuples(st.sampled_from(LATER_KINDS), st.sampled_from([D1, D2]), st.sampled_from(["", "because"]),
                 st.data())


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(list(CaseKind)), steps=st.lists(step, max_size=25))
def test_any_history_folds_to_one_state_and_only_a_closure_closes(kind, steps):
    h = History(kind)
    state = derive(h.events)
    for event_kind, day, note, data in steps:
        values = data.draw(DATA.get(event_kind, st.just({})))
        event = h.event(event_kind, day, note, **values)
        try:
            after = apply(state, event)
        except TransitionRefused:
            assert derive(h.events) == state  # a refusal changes nothing
            continue
        assert state.status in ALLOWED[event_kind]
        h.events.append(event)
        if after.status is Status.CLOSED and (state.status is not Status.CLOSED or event_kind is EventKind.OUTCOME):
            assert event_kind is EventKind.CLOSED or (event_kind is EventKind.OUTCOME
                                                      and values["result"] == "closed_on_site")
        state = after
        assert (state.status is Status.CLOSED) == (state.closure is not None)
        assert state.events == len(h.events)
    assert derive(h.events) == state  # the state is the fold of the stored history, replayed
