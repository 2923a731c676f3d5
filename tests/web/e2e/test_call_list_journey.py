"""The dispatcher's calls of the morning (the pilot's step 2, 约见客户) in Debian's Chromium:
after a draft plan of the fixture day, the call list suggests a time for each visit; the
dispatcher records a customer's confirmed window and another customer not reached, and
sees both on the list.

A server of its own over a store with the day planned as a draft.  Screenshots go to
test-artifacts/ (web-calls-*.png).
"""

from __future__ import annotations

import os
import re

import pytest

from tests.conftest import need_playwright
from tests.store_calls import in_store
from tests.web.conftest import DAY, DISTRICT, PASSWORD, TEST_SOLVER, _seed
from tests.web.e2e.conftest import served

expect = need_playwright().expect  # imported here, not at collection: see need_playwright

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def drafted_server(tmp_path_factory):
    """The base URL of `cvp serve` over a store with the day planned, not published."""
    from planner.plan.day import SolverSettings, plan_day
    from planner.store import db

    top = tmp_path_factory.mktemp("calls-live")
    url = f"sqlite:///{top / 'store.sqlite3'}"
    _seed(url)
    in_store(plan_day, DAY, DISTRICT, solver=SolverSettings(**TEST_SOLVER), author="disp", database=url)
    db.engine_for(url).dispose()
    db.engine_for.cache_clear()
    env = {**os.environ, "CVP_DATABASE_URL": url, "XDG_DATA_HOME": str(top / "xdg"), "CVP_WEB_DIR": str(top / "web"),
           "CVP_SECRET_KEY": "e2e-secret"}
    env.pop("CVP_RULES", None)
    with served(env, top) as base:
        yield base


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form[action=\"/login\"] button[type=submit]")
    page.wait_for_load_state()


def test_the_dispatcher_agrees_one_visit_and_notes_another_not_reached(page, drafted_server, shot):
    base = drafted_server
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, base, "disp")
    page.goto(f"{base}/dispatch/{DAY}/triage")
    page.get_by_role("link", name="电话预约").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/calls?day={DAY}")
    expect(page.locator("#call-source")).to_contain_text("依据第 1 版计划（草稿）")
    expect(page.locator("#call-tips")).to_contain_text("语速不要太快")
    to_agree = page.locator("#calls tr.to-agree")
    first, second = (to_agree.nth(i).get_attribute("data-visit") for i in (0, 1))
    row = page.locator(f'tr[data-visit="{first}"]')
    expect(row.locator("td.slot")).to_have_text(re.compile(r"^\d{2}:\d{2}–\d{2}:\d{2}$"))
    expect(row.locator("td.tip")).not_to_be_empty()
    expect(row.locator("a.phone").first).to_have_text(re.compile(r"^1\d{10}$"))  # the whole number: dialled
    shot(page, "calls-01-list")

    # the first customer chooses 10:00–11:00 on the visit's day
    form = row.locator("form.record-call")
    form.locator("select[name=result]").select_option("confirmed")
    form.locator("input[name=start]").fill("10:00")
    form.locator("input[name=end]").fill("11:00")
    form.locator("input[name=note]").fill("客户上午在家")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".flash.ok")).to_contain_text("已确认")

    # the second does not answer
    form = page.locator(f'tr[data-visit="{second}"] form.record-call')
    form.locator("select[name=result]").select_option("unreached")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".flash.ok")).to_contain_text("未接通")

    agreed = page.locator(f'tr[data-visit="{first}"]')
    expect(agreed).to_have_class(re.compile(r"\bagreed\b"))
    expect(agreed.locator("td.agreed-window")).to_contain_text("10:00–11:00")
    expect(agreed.locator("td.calls")).to_contain_text("已确认")
    unreached = page.locator(f'tr[data-visit="{second}"]')
    expect(unreached).to_have_class(re.compile(r"\bto-agree\b"))
    expect(unreached.locator("td.calls")).to_contain_text("未接通")
    expect(unreached.locator("td.calls")).to_contain_text("已致电 1 次")
    # the agreed visit waits below those still to agree
    order = page.locator("#calls tr[data-visit]").evaluate_all("rows => rows.map(r => r.dataset.visit)")
    assert order.index(first) > order.index(second)
    shot(page, "calls-02-recorded")
