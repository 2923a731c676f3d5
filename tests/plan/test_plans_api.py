"""The stored-plan actions both shells call (:mod:`planner.plans`): a version, the day's
versions, publishing (audited, by the actor), and a worker's published route, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import copy

import pytest

from planner import plans
from planner.actor import Actor
from planner.errors import UserError
from planner.plan.day import save
from planner.store import accounts
from planner.store.db import session_scope

DAY_TEXT = "2010-08-05"
DISTRICT = "南区"
DISP = Actor("disp", "dispatcher", frozenset({DISTRICT}))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request):
    return request.getfixturevalue("fresh_postgres") if request.param == "postgres" else None


def test_versions_are_stored_listed_read_and_published(store, fixture_plan):
    from datetime import date

    day = date.fromisoformat(DAY_TEXT)
    worker = fixture_plan["routes"][0]["staff_id"]
    with session_scope(store) as s:
        assert plans.get_plan(s, day, DISTRICT) is None and plans.list_versions(s, day, DISTRICT) == []
        assert save(s, copy.deepcopy(fixture_plan), DISP) == 1
        assert save(s, copy.deepcopy(fixture_plan), DISP, {"replan_of": 1}) == 2
    with session_scope(store) as s:
        assert [(v, status, author) for v, status, author, _at in plans.list_versions(s, day, DISTRICT)] == [
            (1, "draft", "disp"), (2, "draft", "disp")]
        doc, status = plans.get_plan(s, day, DISTRICT)
        assert (doc.version, status, doc.district) == (2, "draft", DISTRICT)
        assert plans.get_plan(s, day, DISTRICT, 1)[0].version == 1
        assert plans.get_plan(s, day, DISTRICT, published_only=True) is None
        assert plans.published_route(s, day, DISTRICT, worker) is None  # nothing published yet
        plans.publish(s, day, DISTRICT, 1, DISP)
    with session_scope(store) as s:
        doc, status = plans.get_plan(s, day, DISTRICT, published_only=True)
        assert (doc.version, status) == (1, "published")
        found = plans.published_route(s, day, DISTRICT, worker)
        assert found is not None and found[0].version == 1 and found[1].staff_id == worker
        assert plans.published_route(s, day, DISTRICT, "NOBODY") is None
        assert plans.published_route(s, day, "北区", worker) is None
        with pytest.raises(UserError, match="no plan version 9"):
            plans.publish(s, day, DISTRICT, 9, DISP)
        log = accounts.audit_log(s)
    assert [(e.action, e.target, e.username) for e in reversed(log)] == [
        ("plan", f"{DAY_TEXT} {DISTRICT} v1", "disp"), ("plan", f"{DAY_TEXT} {DISTRICT} v2", "disp"),
        ("publish", f"{DAY_TEXT} {DISTRICT} v1", "disp")]
    assert log[1].details == {"replan_of": 1}
