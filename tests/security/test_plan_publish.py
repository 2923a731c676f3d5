"""Publishing through the plans API (:mod:`planner.plans`) checks the actor itself, as the
case actions do: the web views pass only the signed-in dispatcher's own district, but
any other caller (a job, a script, the next shell) gets the same rule, and a refused
publish writes neither the change nor an audit row in the actor's name."""

from __future__ import annotations

from contextlib import closing

import pytest

from planner import plans
from planner.actor import Actor
from planner.errors import UserError
from planner.store import accounts
from planner.store.db import open_session
from planner.store.models import PlanRow
from tests.web.conftest import DAY, DISTRICT

NORTH = Actor("disp_north", "dispatcher", frozenset({"北区"}))
FIELD = Actor("f1", "field", frozenset({DISTRICT}))
DEACTIVATED = Actor("gone", "", frozenset({DISTRICT}))


@pytest.mark.parametrize("actor", [NORTH, FIELD, DEACTIVATED], ids=["other-district", "field", "deactivated"])
def test_only_a_dispatcher_of_the_district_publishes(planned, actor):
    with closing(open_session()) as s:
        row = s.query(PlanRow).filter_by(day=DAY, district=DISTRICT, version=1).one()
        row.status = "draft"
        s.commit()
        with pytest.raises(UserError, match=f"may not publish the plans of {DISTRICT}"):
            plans.publish(s, DAY, DISTRICT, 1, actor)
        assert plans.get_plan(s, DAY, DISTRICT, 1)[1] == "draft"
        assert accounts.audit_log(s, action="publish") == []
        plans.publish(s, DAY, DISTRICT, 1, Actor("disp", "dispatcher", frozenset({DISTRICT})))
        assert plans.get_plan(s, DAY, DISTRICT, 1)[1] == "published"
        assert [e.username for e in accounts.audit_log(s, action="publish")] == ["disp"]
