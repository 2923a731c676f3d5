"""An open case is on the list every morning until it is closed; a settled one is not."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from planner.cases.carry import cases_on
from planner.cases.events import CaseEvent, CaseKind, EventKind
from planner.records import CarriedCase
from planner.store.cases import StoredCase
from planner.triage import load_rules, triage
from tests.triage.helpers import DAY, ticket

D1, D2 = date(2010, 8, 5), date(2010, 8, 6)
AT = datetime(2010, 8, 5, 1, 0, tzinfo=timezone.utc)


def case(case_id: int, tickets: tuple[str, ...], *steps: tuple, kind: CaseKind = CaseKind.VISIT) -> StoredCase:
    events = [CaseEvent(1, EventKind.SELECTED, AT, "cli", D1, "", {"kind": kind.value, "ticket_ids": list(tickets),
                                                                   "reasons": ["vip"]})]
    for n, (what, day, data) in enumerate(steps, start=2):
        events.append(CaseEvent(n, what, AT + timedelta(minutes=n), "cli", day, "", data))
    return StoredCase(case_id, "南区", kind, D1, tickets, tuple(events))


def test_every_open_case_is_carried_with_why_and_settled_ones_are_left_alone():
    planned = (EventKind.PLANNED, D1, {"version": 1, "staff_id": "S1"})
    found = cases_on(D2, [
        case(1, ("A",), planned),                                                       # no outcome on 08-05
        case(2, ("B",), planned, (EventKind.OUTCOME, D1, {"result": "not_met"})),
        case(3, ("C",), (EventKind.UNASSIGNED, D1, {"version": 1, "reason": "over_capacity"})),
        case(4, ("D",), planned, (EventKind.OUTCOME, D1, {"result": "closed_on_site"})),
        case(5, ("E",), planned, (EventKind.OUTCOME, D1, {"result": "follow_up"})),
        case(6, ("F",), (EventKind.PLANNED, date(2010, 8, 9), {"version": 1, "staff_id": "S1"})),
        case(7, ("G",), (EventKind.PLANNED, D2, {"version": 3, "staff_id": "S2"})),     # today's own plan
    ])
    assert found.settled == {"D", "E", "F"}
    assert set(found.carried) == {"A", "B", "C", "G"}
    assert found.carried["A"].why == "planned 2010-08-05, no outcome recorded" and found.carried["A"].times_back == 1
    assert found.carried["B"].why == "customer not met 2010-08-05"
    assert found.carried["C"].why == "left unassigned 2010-08-05: over_capacity"
    assert found.carried["G"].why == "" and found.carried["G"].reasons == ("vip",)


def test_a_replan_of_the_same_day_is_not_a_day_waited():
    unassigned = (EventKind.UNASSIGNED, D1, {"version": 1, "reason": "over_capacity"})
    same_day = cases_on(D1, [case(1, ("A",), unassigned)]).carried["A"]
    assert same_day.times_back == 0 and same_day.why == ""
    next_day = cases_on(D2, [case(1, ("A",), unassigned)]).carried["A"]
    assert next_day.times_back == 1 and next_day.why == "left unassigned 2010-08-05: over_capacity"


def test_a_carried_customer_is_selected_again_whatever_todays_rules_say_and_waits_higher():
    rules = load_rules()
    plain = ticket()  # one complaint, no VIP: today's rules would phone, not visit
    assert [f.ticket_id for f in triage([plain], [plain], [], rules, DAY, "南区").phone_followups] == [plain.ticket_id]

    def visit(times_back: int):
        back = CarriedCase(9, "visit", ("repeat",), times_back, "customer not met 2010-08-04")
        result = triage([plain], [plain], [], rules, DAY, "南区", carried={plain.ticket_id: back})
        assert not result.phone_followups
        (v,) = result.visits
        assert v.case_id == 9 and v.back_because == "customer not met 2010-08-04" and "repeat" in v.reasons
        assert any(f.rule == "carried_over" and "customer not met" in f.detail for f in v.fired_rules)
        return v

    assert visit(3).priority < visit(0).priority  # waiting raises it, as the rules' aging says


def test_a_dispatchers_select_no_still_wins_over_a_carried_case():
    rules = load_rules()
    t = ticket()
    back = CarriedCase(9, "visit", ("vip",), 1, "planned 2010-08-04, no outcome recorded")
    result = triage([t], [t], [], rules, DAY, "南区", overrides={t.ticket_id: {"select": "no"}},
                    carried={t.ticket_id: back})
    assert not result.visits and [f.ticket_id for f in result.phone_followups] == [t.ticket_id]


def test_a_window_agreed_on_a_call_for_the_day_is_the_visits_window():
    from datetime import time

    rules = load_rules()
    t = ticket(window_start=datetime(2010, 8, 4, 9, 30, tzinfo=rules.tz), window_end=datetime(2010, 8, 4, 10, 30,
                                                                                               tzinfo=rules.tz))
    back = CarriedCase(9, "visit", ("vip",), 1, "planned 2010-08-04, no outcome recorded", (time(14), time(15)))
    (v,) = triage([t], [t], [], rules, DAY, "南区", carried={t.ticket_id: back}).visits
    assert v.time_window == (datetime(2010, 8, 5, 14, 0, tzinfo=rules.tz), datetime(2010, 8, 5, 15, 0, tzinfo=rules.tz))


def test_cases_on_a_day_carry_the_window_agreed_for_that_day_only():
    planned = (EventKind.PLANNED, D1, {"version": 1, "staff_id": "S1"})
    call = (EventKind.CALL_ATTEMPT, D2, {"result": "confirmed", "start": "14:00", "end": "15:00"})
    found = cases_on(D2, [case(1, ("A",), planned, (EventKind.NOT_DONE, D1, {"version": 1}), call)])
    assert found.carried["A"].window is not None and found.carried["A"].window[0].hour == 14
    assert cases_on(date(2010, 8, 7), [case(1, ("A",), planned, call)]).carried["A"].window is None


def test_a_customer_who_chose_a_later_date_is_not_triaged_before_it():
    moved = (EventKind.CALL_ATTEMPT, D2, {"result": "rescheduled", "start": "16:00", "end": "17:00"})
    before = cases_on(D1, [case(1, ("A",), moved)])
    assert before.settled == {"A"} and not before.carried
    on_the_day = cases_on(D2, [case(1, ("A",), moved)]).carried["A"]
    assert on_the_day.window is not None and on_the_day.window[0].hour == 16 and on_the_day.times_back == 0


def test_a_case_opened_by_a_call_on_its_day_is_carried_but_not_back():
    unreached = (EventKind.CALL_ATTEMPT, D1, {"result": "unreached"})
    carried = cases_on(D1, [case(1, ("A",), unreached, unreached)]).carried["A"]
    assert carried.times_back == 0 and carried.why == "" and carried.window is None
