"""What a day's triage takes from the cases already on the books.

An open case is selected again every morning until it is closed: whatever its
tickets would score under today's selection rules, it keeps the reasons it was
first selected for, says why it is back ("planned 2010-08-05, no outcome
recorded"), and rises in priority with the days it came back (the rules file's
aging).  An open phone follow-up is listed as that case (the triage calls it
again, it does not open a new one) until it is resolved on the phone, closed or
turned into a visit.  A case in follow-up is the follow-up staff's (not visited again by
triage), one planned for a later day is already on that day's plan, one whose
customer agreed a later date on the phone waits for that date (the customer chooses
the time), and a closed one is done: their tickets are not triaged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from planner.cases.lifecycle import CaseState, Status, derive
from planner.errors import Reason
from planner.records import CarriedCase
from planner.store.cases import StoredCase


@dataclass(frozen=True)
class CasesOnDay:
    """The cases as a day's triage sees them: tickets to leave alone, and tickets carried."""

    settled: frozenset[str]
    carried: dict[str, CarriedCase]


def as_seen_on(state: CaseState, day: date) -> CaseState:
    """The case on ``day``: a visit planned for an earlier day that has no outcome is open
    again, as closing that day would record (:func:`planner.cases.actions.close_day`),
    whether or not anyone closed it."""
    planned = state.plan
    if state.status is Status.PLANNED and planned is not None and planned.day < day:
        back_on = state.back_on if planned.day in state.back_on else (*state.back_on, planned.day)
        return replace(state, status=Status.OPEN, plan=None, appointment=None, back_on=back_on, back_day=planned.day,
                       back_because=Reason("planned {day}, no outcome recorded", day=f"{planned.day:%Y-%m-%d}"))
    return state


def cases_on(day: date, cases: Iterable[StoredCase]) -> CasesOnDay:
    """Which tickets of these cases the triage of ``day`` settles or carries."""
    settled: set[str] = set()
    carried: dict[str, CarriedCase] = {}
    for case in cases:
        state = as_seen_on(derive(case.events), day)
        planned_later = state.status is Status.PLANNED and state.plan is not None and state.plan.day > day
        agreed_later = state.status is Status.OPEN and state.appointment is not None and state.appointment.day > day
        if state.status in (Status.CLOSED, Status.FOLLOW_UP) or planned_later or agreed_later:
            settled.update(case.ticket_ids)
            continue
        # back from an earlier day: say why; open again on this very day (a re-plan): not back
        back = state.back_because if state.back_day is not None and state.back_day < day else None
        agreed = state.appointment_on(day)
        entry = CarriedCase(case.case_id, state.kind.value, state.selected_because, state.times_back(day),
                            str(back or ""), (agreed.start, agreed.end) if agreed else None,
                            opened_on=case.opened_day, calls=state.calls)
        carried.update(dict.fromkeys(case.ticket_ids, entry))
    return CasesOnDay(frozenset(settled - set(carried)), carried)
