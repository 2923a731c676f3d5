"""The dispatcher's and field worker's pages as they read in Chromium (#12 items 1, 2, 9,
15, 17): a wrong file in the import form, the days worth opening, the triage page's
people and sentences, the roster's lunch, Chinese codes and the map's scale bar, the
worker's list of published routes.  Desktop and phone widths; screenshots in
test-artifacts/ (web-pages-*.png).

Runs on the session's live server after tests/web/e2e/test_journeys.py or alone: it
imports the day's tickets itself (again: nothing changes) and plans a new version.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import need_playwright
from tests.web.e2e.conftest import copy_fixture
from tests.web.e2e.test_journeys import DAY, PHONE, no_dialogs
from tests.web.helpers import district_tickets

expect = need_playwright().expect  # imported here, not at collection: see need_playwright

pytestmark = pytest.mark.slow

DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def _check(page, path: str, gazetteer: str | None = None) -> None:
    page.goto(page.url.split("/dispatch")[0] + "/dispatch/import")
    page.set_input_files("#file", path)
    if gazetteer:
        page.set_input_files("#gazetteer", gazetteer)
    page.click("button[type=submit]:has-text('检查文件')")


def test_dispatcher_pages_read_as_a_product(browser, live_server, login, shot, upload_files, tmp_path):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    fired = no_dialogs(page)
    try:
        login(page, live_server, "disp")

        # item 1: a gazetteer in the main field is explained, not a 500
        _check(page, copy_fixture(tmp_path, "gazetteer.csv"))
        expect(page.locator(".flash.error")).to_contain_text("地址库")
        expect(page.locator("body")).not_to_contain_text("内部错误")
        shot(page, "pages-01-import-gazetteer-in-main-field")

        # item 17: roster and network-plan previews in Chinese
        _check(page, copy_fixture(tmp_path, "staff.csv"))
        records = page.locator("table.records")
        expect(records).to_contain_text("汽车")
        expect(records).to_contain_text("网络测试")
        for code in ("car", "bus", "taxi", "test, vip"):
            expect(records).not_to_contain_text(re.compile(rf"(^|\s){re.escape(code)}(\s|$)"))
        shot(page, "pages-02-roster-preview")
        _check(page, copy_fixture(tmp_path, "network.csv"))
        expect(page.locator("table.records")).to_contain_text("在网")
        expect(page.locator("table.records")).not_to_contain_text("live")
        shot(page, "pages-03-network-preview")

        # the day's tickets (again, if the morning journey ran: nothing changes)
        _check(page, upload_files("tickets.csv", district_tickets("南区")), copy_fixture(tmp_path, "gazetteer.csv"))
        page.click("#confirm-import")
        expect(page.locator(".flash.ok")).to_be_visible()

        # item 2: the home page points to the days with tickets, and its date box is one of them
        page.goto(live_server + "/dispatch/")
        expect(page.locator(f'#ticket-days a[data-day="{DAY}"]')).to_be_visible()
        assert page.input_value("#day") in page.locator("#ticket-days a").all_inner_texts()
        shot(page, "pages-04-dispatcher-home-days")
        page.click(f'#ticket-days a[data-day="{DAY}"]')
        expect(page).to_have_url(f"{live_server}/dispatch/{DAY}/triage")

        # item 15: who, what and why, in sentences; the codes only on demand
        rules = page.locator("#visits td.rules").first
        expect(rules).to_contain_text("客户类型：")
        assert "customer_type." not in rules.inner_text()  # what shows: the code waits in a closed <details>
        assert page.locator("#visits td.type").first.bounding_box()["width"] >= 80
        assert page.locator("#visits td.scenario").first.bounding_box()["width"] >= 80
        expect(page.locator("#visits td.customer .who-said strong").first).to_be_visible()
        expect(page.locator("#followups td.customer a.phone").first).to_have_attribute("href", re.compile(r"^tel:1\d{10}$"))
        shot(page, "pages-05-triage-desktop")
        page.locator("#visits details.rule-detail summary").first.click()
        expect(page.locator("#visits details.rule-detail code").first).to_be_visible()

        # item 9 and 17: the roster shows S4's lunch as the plan takes it, and transport in Chinese
        page.goto(f"{live_server}/dispatch/{DAY}/roster")
        expect(page.locator("#s-S4 td.lunch")).to_contain_text("11:30–14:00 之间休息 60 分钟")
        expect(page.locator("#s-S1")).to_contain_text("汽车")
        shot(page, "pages-06-roster")

        # plan, look at the map's scale bar, publish
        page.click("#plan-button")
        page.wait_for_url(re.compile(rf"/dispatch/{DAY}/plan/\d+$"), timeout=90_000)
        frame = page.frame_locator("iframe.map")
        scale = frame.locator(".leaflet-control-scale-line")
        expect(scale).to_have_count(1)  # metric only
        expect(scale).to_have_text(re.compile(r"^\d+ (米|公里)$"))
        expect(frame.locator(".cvp-stop").first).to_be_visible(timeout=15_000)
        page.wait_for_timeout(500)
        shot(page, "pages-07-plan-map-scale")
        page.click("#publish-button")
        expect(page.locator("#plan-status")).to_have_text("已发布")
        assert not fired
    finally:
        context.close()


def test_dispatcher_pages_at_phone_width(browser, live_server, login, shot):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        login(page, live_server, "disp")
        page.goto(live_server + "/dispatch/")
        expect(page.locator("#plan-days")).to_contain_text(DAY)
        shot(page, "pages-08-dispatcher-home-phone")
        page.goto(f"{live_server}/dispatch/{DAY}/triage")
        expect(page.locator("#visits")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # each visit a card
        expect(page.locator("#visits td.customer a.phone").first).to_be_visible()
        shot(page, "pages-09-triage-phone")
    finally:
        context.close()


def test_field_worker_finds_their_published_routes(browser, live_server, login, shot):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        login(page, live_server, "f1")
        page.goto(live_server + "/field/")
        # today (the server's clock) has no route; the fixture day's is the latest published one
        expect(page).to_have_url(f"{live_server}/field/routes/{DAY}/S1")
        expect(page.locator("article.stop").first).to_be_visible()
        expect(page.locator(f'#my-routes a[data-day="{DAY}"]')).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "pages-10-field-route-with-list")
        page.goto(f"{live_server}/field/routes/2010-08-06/S1")
        expect(page.locator("body")).to_contain_text("没有发布给您的路线")
        page.click(f'#my-routes a[data-day="{DAY}"]')
        expect(page).to_have_url(f"{live_server}/field/routes/{DAY}/S1")
        page.goto(f"{live_server}/field/routes/2010-08-06/S1")
        shot(page, "pages-11-field-other-day-phone")
    finally:
        context.close()
