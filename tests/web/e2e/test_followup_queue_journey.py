"""A follow-up account's day in Debian's Chromium: it signs in and lands on its queue, the
overdue follow-up first and marked, moves it on ("in progress", with a note), then resolves
it, and the case leaves the queue.

A server of its own over a store with the fixture day planned and published and two
visits needing follow-up, both owned by the follow-up account ``fu``: one promised for
2010-08-10 (overdue), one due in a week.  Screenshots: test-artifacts/web-followups-*.png.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import need_playwright
from tests.store_calls import in_store
from tests.web.conftest import DAY, DISTRICT, PASSWORD, TEST_SOLVER, _seed
from tests.web.e2e.conftest import served

expect = need_playwright().expect  # imported here, not at collection: see need_playwright

pytestmark = pytest.mark.slow

LONG_AGO = datetime(2010, 8, 5, 4, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def queue_server(tmp_path_factory):
    """`cvp serve` over a store with two follow-ups owned by ``fu``; (base URL, case ids)."""
    from planner import closure
    from planner.actor import Actor
    from planner.cases import actions
    from planner.cases.events import VisitResult
    from planner.field_record import FieldRecord
    from planner.plan.day import SolverSettings, plan_day
    from planner.store import cases as case_store
    from planner.store import db
    from planner.store import repository as repo
    from planner.triage import load_rules

    top = tmp_path_factory.mktemp("followups-live")
    url = f"sqlite:///{top / 'store.sqlite3'}"
    _seed(url)
    in_store(plan_day, DAY, DISTRICT, solver=SolverSettings(**TEST_SOLVER), author="disp", database=url)
    with db.session_scope(url) as s:
        repo.publish_plan(s, DAY, DISTRICT, 1)
        doc, _ = repo.get_plan(s, DAY, DISTRICT, 1)
    stops = [st for r in doc["routes"] for st in r["steps"] if st["type"] == "visit"][:2]
    rules, disp = load_rules(), Actor("disp", "dispatcher", frozenset({DISTRICT}))
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    cases = []
    for stop, (promised, now) in zip(stops, ((DAY + timedelta(days=5), LONG_AGO), (today + timedelta(days=7), None)),
                                     strict=True):
        in_store(closure.record_outcome, day=DAY, district=DISTRICT, visit_id=stop["visit_id"], author="f1",
                 record=FieldRecord(VisitResult.FOLLOW_UP, notes="需协调基站参数优化"), database=url)
        with db.session_scope(url) as s:
            case_id = case_store.load_cases(s, DISTRICT, ticket_ids=stop["ticket_ids"])[-1].case_id
            actions.assign_follow_up(s, disp, DISTRICT, case_id, solution="cell_parameters", owner="fu",
                                     promised=promised, rules=rules, now=now)
        cases.append(case_id)
    db.engine_for(url).dispose()
    db.engine_for.cache_clear()
    env = {**os.environ, "CVP_DATABASE_URL": url, "XDG_DATA_HOME": str(top / "xdg"), "CVP_WEB_DIR": str(top / "web"),
           "CVP_SECRET_KEY": "e2e-secret"}
    env.pop("CVP_RULES", None)
    with served(env, top) as base:
        yield base, cases


def test_a_followup_account_works_its_queue(page, queue_server, shot):
    base, (overdue, later) = queue_server
    page.goto(base + "/login")
    page.fill("#username", "fu")
    page.fill("#password", PASSWORD)
    page.click("form[action=\"/login\"] button[type=submit]")
    page.wait_for_load_state()
    expect(page).to_have_url(f"{base}/followups")  # its home page is its queue
    rows = page.locator("#followup-queue tr[data-case]")
    expect(rows).to_have_count(2)
    first = rows.first
    expect(first).to_have_attribute("data-case", str(overdue))  # overdue first
    expect(first).to_have_class("overdue")
    expect(first.locator(".tag.overdue")).to_contain_text("逾期")
    expect(first.locator(f'a[href="/cases/{overdue}"]')).to_be_visible()
    expect(rows.nth(1)).to_have_attribute("data-case", str(later))
    expect(rows.nth(1)).not_to_have_class("overdue")
    shot(page, "followups-queue")

    first.locator(".step-progress input[name=note]").fill("参数调整已提交网优中心")
    first.locator(".step-progress button[type=submit]").click()
    expect(page.locator(".flash.ok")).to_contain_text(f"案例 {overdue}：后续跟踪处理中")
    row = page.locator(f"#case-{overdue}")
    expect(row).to_contain_text("处理中")
    expect(row).to_contain_text("参数调整已提交网优中心")

    row.locator(".step-resolve input[name=note]").fill("优化后信号恢复，客户满意")
    row.locator(".step-resolve button[type=submit]").click()
    expect(page.locator(".flash.ok")).to_contain_text(f"案例 {overdue}：后续跟踪已解决，案例已关闭")
    expect(page.locator(f"#case-{overdue}")).to_have_count(0)  # it leaves the queue
    expect(page.locator("#followup-queue tr[data-case]")).to_have_count(1)
    shot(page, "followups-resolved")
