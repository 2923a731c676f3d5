"""The ticket actions of :mod:`planner.workflow` (an override, an agreed window) check
the actor themselves, as publishing, the roster and the case actions do: a dispatcher
(or an administrator, or the operator) holding the district.  The web views pass the
signed-in dispatcher's own district, but the library is what every shell calls, and a
refused action writes neither the change nor an audit row in the actor's name."""

from __future__ import annotations

from contextlib import closing
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from planner import workflow
from planner.actor import Actor
from planner.errors import UserError
from planner.store import accounts
from planner.store.db import open_session
from planner.store.models import OverrideRow, TicketRow
from planner.triage import load_rules
from tests.web.conftest import DAY, DISTRICT

NORTH = Actor("disp_north", "dispatcher", frozenset({"北区"}))
FIELD = Actor("f1", "field", frozenset({DISTRICT}))
DEACTIVATED = Actor("gone", "", frozenset({DISTRICT}))
SOUTH = Actor("disp", "dispatcher", frozenset({DISTRICT}))


@pytest.mark.parametrize("actor", [NORTH, FIELD, DEACTIVATED], ids=["other-district", "field", "deactivated"])
def test_only_a_dispatcher_of_the_district_changes_its_tickets(store_url, actor):
    rules = load_rules(None)
    start = datetime(DAY.year, DAY.month, DAY.day, 10, 0, tzinfo=rules.tz)
    with closing(open_session(store_url)) as s:
        ticket = s.scalars(select(TicketRow.ticket_id).where(TicketRow.district == DISTRICT,
                                                             TicketRow.is_history.is_(False))).first()
        with pytest.raises(UserError, match=f"may not change the tickets of {DISTRICT}"):
            workflow.set_overrides(s, DISTRICT, [(ticket, "type", "irate")], actor=actor, rules=rules)
        with pytest.raises(UserError, match=f"may not change the tickets of {DISTRICT}"):
            workflow.set_appointment(s, DISTRICT, ticket, start, start + timedelta(hours=1), actor=actor)
        assert s.scalars(select(OverrideRow)).all() == []
        assert accounts.audit_log(s, action="override") == accounts.audit_log(s, action="appointment") == []
        workflow.set_overrides(s, DISTRICT, [(ticket, "type", "irate")], actor=SOUTH, rules=rules)
        workflow.set_appointment(s, DISTRICT, ticket, start, start + timedelta(hours=1), actor=SOUTH)
        assert [e.username for e in accounts.audit_log(s, action="override")] == ["disp"]
        assert [e.username for e in accounts.audit_log(s, action="appointment")] == ["disp"]
