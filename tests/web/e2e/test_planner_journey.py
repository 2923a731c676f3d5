"""The planner's cost page and a field worker's stop page, in Debian's Chromium (issue #12,
items 16 and 18).

A server of its own over a store with the fixture day planned and published, so this
file does not depend on the dispatcher's journey having run first.  Screenshots go
to test-artifacts/ (web-planner-*.png, web-stop-*.png).
"""

from __future__ import annotations

import os
import re

import pytest

from tests.conftest import need_playwright
from tests.web.conftest import DAY, DISTRICT, PASSWORD, TEST_SOLVER, _seed
from tests.web.e2e.conftest import served

expect = need_playwright().expect  # imported here, not at collection: see need_playwright

pytestmark = pytest.mark.slow

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def planned_server(tmp_path_factory):
    """The base URL of `cvp serve` over a store with the day planned and published."""
    from planner.plan.day import SolverSettings, plan_day
    from planner.store import db
    from planner.store import repository as repo

    top = tmp_path_factory.mktemp("planner-live")
    url = f"sqlite:///{top / 'store.sqlite3'}"
    _seed(url)
    plan_day(DAY, DISTRICT, solver=SolverSettings(**TEST_SOLVER), author="disp", database=url)
    with db.session_scope(url) as s:
        repo.publish_plan(s, DAY, DISTRICT, 1)
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


def cells(page, selector: str) -> list[list[str]]:
    return page.locator(f"{selector} tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.children).map(c => c.innerText.trim()))")


def test_planner_uses_the_form_and_reads_chinese_figures(page, planned_server, shot):
    base = planned_server
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, "plan")
    page.goto(base + "/planner/")
    # the figures are there before anything is pressed
    expect(page.locator("#result1 .total-month")).to_have_text("140,520.00")
    expect(page.locator("#result2 .total-month")).to_have_text("236,488.80")
    expect(page.locator("#result1 ul.explanation")).to_contain_text("每区拜访人员 = ceil(23 ÷ 6) = 4")
    # the form: Chinese labels, units, the pilot's values; the YAML is folded away
    row = page.locator("#params1 tr", has=page.locator("label", has_text="每月工作天数"))
    expect(row).to_contain_text("天")
    expect(row.locator("td.pilot")).to_have_text("22")
    expect(page.locator("#yaml1")).to_be_hidden()
    shot(page, "planner-01-first-load")

    # five districts, typed into the form, then 计算
    page.fill("#f1-districts", "5")
    page.click("#run-button")
    expect(page.locator("#result1 .total-month")).not_to_have_text("140,520.00")
    page.locator("#slot1 details.advanced summary").click()
    expect(page.locator("#yaml1")).to_have_value(re.compile(r"\n  districts: 5\n"))
    shot(page, "planner-02-form-run")

    # the sweep on the vendor quote, chosen in the page
    page.select_option("#sweep-slot", "2")
    page.fill("input[name=vary]", "daily_visits.vip=6,12")
    page.click("#sweep-button")
    expect(page.locator("h2", has_text="敏感性分析")).to_contain_text("xian-2010-vendor-quote")
    header, first, second = cells(page, "#sweep")
    assert header[:4] == ["每区每日拜访量 · VIP投诉", "每区拜访人员", "总人数", "每月总费用 (元)"]
    assert first[:3] == ["6", "4", "24"] and second[:3] == ["12", "5", "28"]
    assert re.fullmatch(r"[\d,]+\.\d\d", first[3])
    expect(page.locator("#sweep-chart")).to_be_visible()
    shot(page, "planner-03-sweep")

    page.click("#compare-button")
    labels = [r[0] for r in cells(page, "#comparison")]
    assert "每人每日拜访量" in labels and "每次拜访成本" in labels and "总人数" in labels
    shot(page, "planner-04-compare")

    page.click("button[name=lang][value=en]")
    page.goto(base + "/planner/")
    expect(page.locator("#result1 ul.explanation")).to_contain_text("visitors per district = ceil(23 ÷ 6) = 4")
    expect(page.locator("#params1")).to_contain_text("working days per month")
    shot(page, "planner-05-english")


def test_the_stop_page_labels_both_times_and_says_why(browser, planned_server, shot):
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        sign_in(page, planned_server, "f1")
        page.goto(f"{planned_server}/field/stops/{DAY.isoformat()}/S1/1")
        expect(page.locator("article.stop p.window")).to_contain_text(re.compile(r"预约时间: (未预约|\d\d:\d\d–\d\d:\d\d)"))
        expect(page.locator("article.stop p.planned")).to_contain_text(re.compile(r"计划拜访: \d\d:\d\d–\d\d:\d\d"))
        why = page.locator("article.stop p.why")
        expect(why).to_contain_text("拜访原因")
        assert why.locator(".tag").count() >= 1 and why.locator(".tag").first.inner_text().strip()
        shot(page, "stop-01-labels-and-why")
    finally:
        context.close()
