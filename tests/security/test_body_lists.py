"""The API's lists of changes (overrides, pins) are bounded; overrides are checked and
audited as one batch.

10,000 overrides fit in a 700 KB body (under the 1 MiB limit); each was a district
look-up, a write and an audit row in a transaction of its own, and one dispatcher's
request kept the server busy for over 5 minutes.  A request holds at most
``web.bodies.MAX_ITEMS`` overrides (a day's triage has a few hundred tickets at most),
refused before anything is written; the allowed ones are checked in one query and
audited in one transaction.  Another district's ticket anywhere in the list refuses
the whole list.
"""

from __future__ import annotations

from sqlalchemy import func, select

from planner.store.db import session_scope
from planner.store.models import AuditRow, OverrideRow, TicketRow
from tests.web.conftest import Client
from web import bodies

OWN = "XA-NQ-20100802-0001"
ONE = {"ticket_id": OWN, "field": "select", "value": "no"}


def _count(model) -> int:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(model))


def _post(client, items):
    return client.http.post("/api/days/2010-08-05/overrides", json={"overrides": items},
                            headers={"X-CSRF-Token": client.csrf})


def test_more_overrides_than_the_limit_are_refused_whole(store_app):
    disp = Client(store_app, "disp")
    before = (_count(OverrideRow), _count(AuditRow))
    r = _post(disp, [ONE] * (bodies.MAX_ITEMS + 1))
    assert r.status_code == 422
    assert f"at most {bodies.MAX_ITEMS}" in r.get_json()["error"]["message"]
    assert (_count(OverrideRow), _count(AuditRow)) == before


def test_the_limit_is_saved_and_audited(store_app):
    disp = Client(store_app, "disp")
    overrides, audits = _count(OverrideRow), _count(AuditRow)
    r = _post(disp, [ONE] * bodies.MAX_ITEMS)
    assert r.status_code == 200 and r.get_json() == {"saved": bodies.MAX_ITEMS}
    assert _count(OverrideRow) == overrides + bodies.MAX_ITEMS
    assert _count(AuditRow) == audits + bodies.MAX_ITEMS


def test_another_districts_ticket_in_the_list_refuses_it_whole(store_app):
    north = Client(store_app, "disp_north")
    before = (_count(OverrideRow), _count(AuditRow))
    with session_scope() as s:
        own = s.scalar(select(TicketRow.ticket_id).where(TicketRow.district == "北区", TicketRow.is_history.is_(False)))
    r = _post(north, [{**ONE, "ticket_id": own}] * 3 + [ONE])
    assert r.status_code == 422
    assert (_count(OverrideRow), _count(AuditRow)) == before


def test_more_pins_than_the_limit_are_refused(store_app):
    from planner.store.models import JobRow

    disp = Client(store_app, "disp")
    jobs = _count(JobRow)
    pins = {f"V{i}": "S1" for i in range(bodies.MAX_ITEMS + 1)}
    r = disp.http.post("/api/days/2010-08-05/plans", json={"pins": pins}, headers={"X-CSRF-Token": disp.csrf})
    assert r.status_code == 422
    assert f"at most {bodies.MAX_ITEMS}" in r.get_json()["error"]["message"]
    assert _count(JobRow) == jobs
