"""Cases and their events are kept as written: appended in order, never changed, per district."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy.exc import IntegrityError

from planner.cases.events import CaseKind, EventKind
from planner.cases.lifecycle import Status, derive
from planner.store import cases
from planner.store.db import session_scope
from planner.store.models import CaseEventRow

DAY = date(2010, 8, 5)
AT = datetime(2010, 8, 5, 1, 0, tzinfo=timezone.utc)


def _story(url: str | None) -> int:
    with session_scope(url) as s:
        case_id = cases.open_case(s, "南区", CaseKind.VISIT, DAY, ["T1", "T2", "T1"], AT)
        cases.append_event(s, case_id, EventKind.SELECTED, AT, "cli:root", day=DAY,
                           data={"kind": "visit", "ticket_ids": ["T1", "T2"], "reasons": ["vip"]})
        cases.append_event(s, case_id, EventKind.PLANNED, AT, "cli:root", day=DAY, data={"version": 1, "staff_id": "S1"})
        cases.append_event(s, case_id, EventKind.NOT_DONE, AT, "dispatcher1", day=DAY, note="no one went")
    return case_id


def _round_trip(url: str | None) -> None:
    case_id = _story(url)
    with session_scope(url) as s:
        stored = cases.get_case(s, "南区", case_id)
        assert stored is not None and stored.ticket_ids == ("T1", "T2")
        assert [e.seq for e in stored.events] == [1, 2, 3]
        assert [e.kind for e in stored.events] == [EventKind.SELECTED, EventKind.PLANNED, EventKind.NOT_DONE]
        assert stored.events[2].note == "no one went" and stored.events[2].at == AT
        state = derive(stored.events)
        assert state.status is Status.OPEN and state.back_because == "planned 2010-08-05, no outcome recorded"
        assert cases.get_case(s, "北区", case_id) is None  # another district's case is not found
        assert [c.case_id for c in cases.load_cases(s, "南区", ticket_ids=["T2"])] == [case_id]
        assert cases.load_cases(s, "北区", ticket_ids=["T2"]) == []


def test_a_case_and_its_history_round_trip_on_sqlite():
    _round_trip(None)


@pytest.mark.postgres
def test_a_case_and_its_history_round_trip_on_postgresql(fresh_postgres):
    _round_trip(fresh_postgres)


def test_two_events_cannot_take_the_same_place_in_a_history():
    case_id = _story(None)
    with pytest.raises(IntegrityError), session_scope() as s:
        s.add(CaseEventRow(case_id=case_id, seq=2, kind="closed", at=AT, actor="x", data={}))
        s.flush()
    with session_scope() as s:
        assert len(cases.get_case(s, "南区", case_id).events) == 3  # nothing half-written
