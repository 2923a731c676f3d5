"""Two actions on one case at the same moment: each derives the case's state from the
events it read, so the one that appends second must collide (the unique case and
sequence number) instead of appending after the first as if it had seen it.  Before,
``append_event`` numbered the event after whatever was stored by then, so a dispatcher
closing a case while another planned it (or closed it too) both succeeded: a case
closed twice, or planned after it was closed."""

from __future__ import annotations

from contextlib import closing
from datetime import date, datetime, timezone

import pytest

from planner.actor import Actor
from planner.cases import actions
from planner.cases.events import CaseKind, EventKind
from planner.store import accounts
from planner.store import cases as case_store
from planner.store.db import open_session

D1 = date(2010, 8, 5)
NOW = datetime(2010, 8, 5, 4, 0, tzinfo=timezone.utc)
SOUTH = Actor("disp", "dispatcher", frozenset({"南区"}))
OTHER = Actor("admin", "admin", None)


def test_the_second_of_two_concurrent_closes_is_refused_and_writes_nothing(store_url, monkeypatch):
    with closing(open_session(store_url)) as first, closing(open_session(store_url)) as second:
        case_id = actions.open_case(first, SOUTH, "南区", CaseKind.VISIT, D1, ["T1"], ["vip"], now=NOW).case.case_id
        read = actions._case

        def read_then_someone_else_closes(session, district, cid):
            found = read(session, district, cid)
            if session is first:  # the first action has read the case; the second acts now
                monkeypatch.setattr(actions, "_case", read)
                actions.close_case(second, OTHER, "南区", cid, "duplicate of T9", day=NOW.date(), now=NOW)
            return found

        monkeypatch.setattr(actions, "_case", read_then_someone_else_closes)
        with pytest.raises(actions.CaseRefused, match="changed meanwhile"):
            actions.close_case(first, SOUTH, "南区", case_id, "customer satisfied", day=NOW.date(), now=NOW)
        events = case_store.get_case(first, "南区", case_id).events
        assert [e.kind for e in events] == [EventKind.SELECTED, EventKind.CLOSED]
        assert [e.username for e in accounts.audit_log(first, action="case_closed")] == ["admin"]
        # the session is usable afterwards: the next action works
        actions.reopen_case(first, SOUTH, "南区", case_id, "customer called again", day=NOW.date(), now=NOW)


def test_first_calls_about_one_visit_at_once_open_one_case(store_url):
    """Six dispatchers' first calls about the same visit at the same moment: the first opens the
    visit's case, the others find it (or are told it changed meanwhile); never two open cases
    for one ticket."""
    import threading

    from planner.errors import UserError

    ticket, barrier, answers = "XA-NQ-20100805-0001", threading.Barrier(6), []

    def call() -> None:
        with closing(open_session(store_url)) as s:
            barrier.wait()
            try:
                step = actions.call_about_visit(s, SOUTH, "南区", D1, [ticket], ["repeat"], "unreached", now=NOW)
                answers.append(step.case.case_id)
            except UserError as refused:
                answers.append(str(refused))

    threads = [threading.Thread(target=call) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with closing(open_session(store_url)) as s:
        holding = case_store.load_cases(s, "南区", ticket_ids=[ticket])
    assert len(holding) == 1, answers
    assert all(a == holding[0].case_id or "changed meanwhile" in str(a) for a in answers), answers
