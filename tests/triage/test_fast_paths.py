"""The shortcuts a big district's triage takes give the answers of the plain way.

* the network-plan sites near all visits screened in one numpy pass equal the
  site-by-site look-up, and both agree with the geodesic;
* tickets filled in straight from plain column rows equal the records made from
  ORM rows (local times included);
* a run's compiled conditions read as the rule says: the first listed keyword
  names the reason, whatever comes first in the text.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from planner.geo.distance import geodesic_m
from planner.store import convert
from planner.store.db import session_scope
from planner.store.models import TicketRow
from planner.triage import load_rules
from planner.triage.conditions import Compiled, Facts, evaluate
from planner.triage.engine import _SiteIndex
from tests.triage.helpers import TZ, YESTERDAY, north_of, site, ticket

RULES = load_rules()
STATUSES = ["live", "planned", "under_construction"]
place = st.tuples(st.floats(-500, 4000), st.floats(-500, 4000))  # metres north and east of the office


@settings(max_examples=60, deadline=None)
@given(sites=st.lists(st.tuples(place, st.sampled_from(STATUSES)), max_size=40),
       places=st.lists(place, min_size=1, max_size=40))
def test_sites_screened_in_one_pass_equal_the_site_by_site_look_up(sites, places):
    network = [site(status, north_of(*at)) for at, status in sites]
    # some visits stand exactly on a site, and two visits share a place
    tickets = [ticket(at=north_of(*at)) for at in places] + [ticket(at=(s.lat, s.lon)) for s in network[:3]]
    tickets.append(ticket(at=(tickets[0].lat, tickets[0].lon)))
    one_by_one = _SiteIndex(network, RULES)
    together = _SiteIndex(network, RULES)
    together.prepare(tickets)
    radius = one_by_one.radius_m
    assert radius == 800  # the rules' near_site.within_m
    for t in tickets:
        got = together.nearest(t)
        assert got == one_by_one.nearest(t)
        for status in STATUSES:
            exact = min((geodesic_m((t.lat, t.lon), (s.lat, s.lon)) for s in network if s.status == status),
                        default=float("inf"))
            if exact <= radius:
                assert f"{got[status]:.0f}" == f"{exact:.0f}"
            else:
                assert status not in got


def test_tickets_from_plain_rows_equal_the_records_of_orm_rows():
    now = datetime.now(timezone.utc)
    window = (YESTERDAY.replace(hour=14), YESTERDAY.replace(hour=16))
    written = [ticket(), ticket(window_start=window[0], window_end=window[1], tenure_years=3.5, arpu=88.0,
                                escalation=True, comm_style="direct", vip_level="gold"),
               ticket(at=(None, None), received_at=YESTERDAY - timedelta(days=20), status="closed",
                      is_history=True, customer_name="王先生")]
    with session_scope() as session:
        session.connection().execute(TicketRow.__table__.insert(), [
            {**convert.ticket_values(t), "ticket_id": t.ticket_id, "source_file": "test", "imported_at": now,
             "updated_at": now} for t in written])
    with session_scope() as session:
        orm = [convert.ticket_record(r, TZ) for r in session.scalars(select(TicketRow).order_by(TicketRow.id))]
        columns = [getattr(TicketRow, f) for f in convert.TICKET_COLUMNS]
        plain = convert.ticket_records(session.execute(select(*columns).order_by(TicketRow.id)), TZ)
    assert plain == orm == written
    assert [t.received_at.utcoffset() for t in plain] == [timedelta(hours=8)] * 3
    assert plain[1].window_start.tzinfo == TZ and plain[1].window_start == window[0]


def test_the_first_listed_keyword_names_the_reason():
    cond = {"any": [{"keywords_any": ["工信部", "投诉到底"]}, {"flag": "escalation"}]}
    facts = Facts(ticket=ticket(description="要投诉到底，已向工信部反映"))
    compiled = Compiled()
    assert compiled.evaluate(cond, facts) == evaluate(cond, facts) == (True, "keyword 工信部")
    plain = Facts(ticket=ticket(description="咨询话费"))
    assert compiled.evaluate(cond, plain) == (False, "")
    assert compiled.evaluate({"keywords_any": []}, plain) == (False, "")
