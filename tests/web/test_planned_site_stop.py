"""The field worker's stop page of a 规划在建 visit names its planned site and the date it is
expected live (the worker tells the customer the plan, 说明计划情况); other stops do not."""

from __future__ import annotations

from planner.plan.document import PlanDocument
from planner.store import accounts
from planner.store.db import session_scope
from planner.store.repository import get_plan
from tests.web.conftest import DAY, DISTRICT, PASSWORD, Client, text_of


def test_the_stop_page_names_the_planned_site(planned, app):
    with session_scope() as s:
        doc = PlanDocument.from_json(get_plan(s, DAY, DISTRICT, 1, published_only=True)[0])
    route, seq, step = next((r, i, st) for r in doc.routes for i, st in enumerate(r.visit_steps, 1)
                            if st.planned_site is not None)
    with session_scope() as s:
        accounts.add_user(s, "fsite", PASSWORD, "field", staff_id=route.staff_id)
    c = Client(app, "fsite")
    page = text_of(c.get(f"/field/stops/{DAY}/{route.staff_id}/{seq}"))
    site = step.planned_site
    assert "规划站点" in page and site.site_id in page and str(site.expected_date) in page and "说明计划情况" in page
    assert site.name and site.name in page
    other = next(i for i, st in enumerate(route.visit_steps, 1) if st.planned_site is None) if any(
        st.planned_site is None for st in route.visit_steps) else None
    if other is not None:
        assert "规划站点" not in text_of(c.get(f"/field/stops/{DAY}/{route.staff_id}/{other}"))
