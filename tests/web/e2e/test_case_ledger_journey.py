"""A dispatcher's case ledger in Chromium: open the ledger, narrow it to one ticket, open
that case, close it with a reason, see it gone from the ledger and shown as closed when
closed cases are asked for.  Its own `cvp serve` over a store with the fixture day and
three open cases (made with the case actions, as publishing a plan would); screenshots in
test-artifacts/ (web-cases-*.png)."""

from __future__ import annotations

import os
from contextlib import closing

import pytest

from planner.actor import Actor
from planner.cases import actions
from planner.cases.events import CaseKind
from tests.conftest import need_playwright
from tests.web.conftest import DAY, DISTRICT, PASSWORD, _seed
from tests.web.e2e.conftest import served
from tests.web.e2e.test_journeys import no_dialogs

expect = need_playwright().expect  # imported here, not at collection: see need_playwright

pytestmark = pytest.mark.slow

DESKTOP = {"viewport": {"width": 1366, "height": 900}}


@pytest.fixture(scope="module")
def case_server(tmp_path_factory):
    """A running server whose store holds the fixture day and three open cases of 南区:
    its base URL and the cases' ticket ids."""
    from sqlalchemy import select

    from planner.store import db
    from planner.store.models import TicketRow

    top = tmp_path_factory.mktemp("cases-live")
    url = f"sqlite:///{top / 'store.sqlite3'}"
    _seed(url)
    who = Actor("disp", "dispatcher", frozenset({DISTRICT}))
    with closing(db.open_session(url)) as s:
        ticket_ids = list(s.scalars(select(TicketRow.ticket_id).where(
            TicketRow.district == DISTRICT, TicketRow.is_history.is_(False)).order_by(TicketRow.ticket_id).limit(3)))
        for ticket_id in ticket_ids:
            actions.open_case(s, who, DISTRICT, CaseKind.VISIT, DAY, [ticket_id], ["repeat"])
    db.engine_for(url).dispose()
    db.engine_for.cache_clear()
    env = {**os.environ, "CVP_DATABASE_URL": url, "XDG_DATA_HOME": str(top / "xdg"), "CVP_WEB_DIR": str(top / "web"),
           "CVP_SECRET_KEY": "e2e-secret"}
    env.pop("CVP_RULES", None)
    with served(env, top) as base:
        yield base, ticket_ids


def test_a_dispatcher_closes_a_case_from_the_ledger(browser, case_server, shot):
    base, ticket_ids = case_server
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    fired = no_dialogs(page)
    try:
        page.goto(base + "/login")
        page.fill("#username", "disp")
        page.fill("#password", PASSWORD)
        page.click("form[action=\"/login\"] button[type=submit]")
        page.wait_for_load_state()

        page.click("#nav-cases")
        rows = page.locator("#cases tr[data-case]")
        expect(rows).to_have_count(3)
        expect(page.locator("h1")).to_contain_text("案例台账")
        shot(page, "cases-01-ledger")

        target = ticket_ids[1]
        page.fill("#f-ticket", target)
        page.click("#filter-button")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(target)
        case_id = rows.first.get_attribute("data-case")
        shot(page, "cases-02-filtered")

        rows.first.locator("a").first.click()
        expect(page.locator("#case-state")).to_have_text("待处理")
        expect(page.locator("#case-history tr[data-kind]")).to_have_count(1)
        page.fill("#close-reason", "客户已搬离本区")
        page.click("#close-button")
        expect(page.locator(".flash.ok")).to_contain_text("案例已关闭")
        expect(page.locator("#case-state")).to_have_text("已关闭")
        expect(page.locator("#case-history tr[data-kind=closed]")).to_contain_text("客户已搬离本区")
        expect(page.locator("#form-reopen")).to_be_visible()
        expect(page.locator("#form-close, #form-update, #form-call")).to_have_count(0)  # a closed case is reopened or left
        shot(page, "cases-03-closed")

        page.click("#nav-cases")
        expect(rows).to_have_count(2)
        expect(page.locator(f"#case-{case_id}")).to_have_count(0)

        page.check("#f-closed")
        page.click("#filter-button")
        expect(rows).to_have_count(3)
        closed_row = page.locator(f"#case-{case_id}")
        expect(closed_row).to_contain_text("已关闭")
        expect(closed_row).to_have_attribute("data-state", "closed")
        shot(page, "cases-04-closed-shown")
        assert not fired
    finally:
        context.close()
