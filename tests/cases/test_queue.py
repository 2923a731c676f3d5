"""The follow-up staff's queue: follow-ups and callbacks due, overdue first, only the
district's own, and the follow-ups nobody owns yet listed to be assigned."""

from __future__ import annotations

from contextlib import closing
from datetime import date, datetime, timedelta, timezone

import pytest

from planner.actor import Actor
from planner.cases import actions
from planner.cases.events import CaseKind, EventKind
from planner.cases.queue import LineKind, follow_up_queue
from planner.store import accounts
from planner.store import cases as case_store
from planner.store.db import open_session

D1 = date(2010, 8, 5)
NOW = datetime(2010, 8, 5, 4, 0, tzinfo=timezone.utc)
SOUTH = Actor("dispatcher1", "dispatcher", frozenset({"南区"}))
NORTH = Actor("north1", "dispatcher", frozenset({"北区"}))


def _visited(s, district: str, ticket: str, result: str = "follow_up", actor: Actor = SOUTH) -> int:
    case_id = actions.open_case(s, actor, district, CaseKind.VISIT, D1, [ticket], ["vip"], now=NOW).case.case_id
    actions.record(s, actor, district, case_id, EventKind.PLANNED, day=D1, data={"version": 1, "staff_id": "S1"},
                   now=NOW)
    actions.record(s, actor, district, case_id, EventKind.OUTCOME, day=D1, data={"result": result}, now=NOW)
    return case_id


def _assigned(s, rules, ticket: str, owner: str, promised: date) -> int:
    case_id = _visited(s, "南区", ticket)
    actions.assign_follow_up(s, SOUTH, "南区", case_id, solution="planned_site", owner=owner, promised=promised,
                             rules=rules, now=NOW)
    return case_id


def _story(url: str | None, rules) -> None:
    with closing(open_session(url)) as s:
        for name, district in (("follow1", "南区"), ("follow2", "南区"), ("north2", "北区")):
            accounts.add_user(s, name, "a long password", "followup", district=district)
        s.commit()
        late = _assigned(s, rules, "T1", "follow1", D1 + timedelta(days=10))
        later = _assigned(s, rules, "T2", "follow2", D1 + timedelta(days=20))
        unowned = _visited(s, "南区", "T3")
        called_back = _visited(s, "南区", "T4", "closed_on_site")
        actions.record(s, SOUTH, "南区", called_back, EventKind.CALLBACK_DUE, day=D1 + timedelta(days=12), now=NOW)
        planned = actions.open_case(s, SOUTH, "南区", CaseKind.VISIT, D1, ["T5"], [], now=NOW).case.case_id
        north = _visited(s, "北区", "T6", actor=NORTH)

        day = D1 + timedelta(days=15)
        queue = follow_up_queue(s, "南区", rules, day=day)
        assert [line.case_id for line in queue.lines] == [late, called_back, later, unowned]
        first, callback, owned, to_assign = queue.lines
        assert first.overdue_days == 5 and first.due == "follow1 follows up by 2010-08-15"
        assert (first.owner, first.solution, first.promised, first.since) == (
            "follow1", "planned_site", D1 + timedelta(days=10), D1)
        assert callback.kind is LineKind.CALLBACK and callback.overdue_days == 3
        assert callback.due == "call back from 2010-08-17" and callback.since == D1 + timedelta(days=12)
        assert not owned.overdue and owned.due_on == D1 + timedelta(days=20)
        assert to_assign.kind is LineKind.TO_ASSIGN and to_assign.due == "assign the follow-up"
        assert to_assign.owner is None and not to_assign.overdue
        assert planned not in {line.case_id for line in queue.lines}

        # a callback is not due before its day
        before = follow_up_queue(s, "南区", rules, day=D1 + timedelta(days=11))
        assert called_back not in [line.case_id for line in before.lines]
        assert [(line.case_id, line.overdue_days) for line in before.lines if line.overdue] == [(late, 1)]
        # one owner's lines
        assert [line.case_id for line in follow_up_queue(s, "南区", rules, day=day, owner="follow1").lines] == [late]
        # another district's cases are never listed, and the other district sees only its own
        assert north not in {line.case_id for line in queue.lines}
        assert [line.case_id for line in follow_up_queue(s, "北区", rules, day=day).lines] == [north]
        # a resolved follow-up leaves the queue, and the store no longer reads it for the queue, nor a
        # case closed on site, nor one still to be visited
        actions.resolve_follow_up(s, SOUTH, "南区", late, "site live", rules=rules, now=NOW)
        assert late not in [line.case_id for line in follow_up_queue(s, "南区", rules, day=day).lines]
        closed_on_site = _visited(s, "南区", "T7", "closed_on_site")
        assert case_store.follow_up_candidates(s, "南区") == [later, unowned, called_back]
        assert closed_on_site not in case_store.follow_up_candidates(s, "南区")


def test_overdue_first_then_by_date_with_callbacks_from_their_day_and_to_assign_listed_on_sqlite(rules):
    _story(None, rules)


@pytest.mark.postgres
def test_the_queue_on_postgresql(fresh_postgres, rules):
    _story(fresh_postgres, rules)


def test_the_queue_is_bounded_and_says_how_many_are_left_off(rules):
    with closing(open_session()) as s:
        made = [_visited(s, "南区", f"T{i}") for i in range(3)]
        queue = follow_up_queue(s, "南区", rules, day=D1, limit=2)
        assert [line.case_id for line in queue.lines] == made[:2] and queue.left_off == 1
