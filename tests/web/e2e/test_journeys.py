"""The issue's journeys, as a person does them, in Debian's Chromium.

The tests run in file order on one live server: the dispatcher's morning makes and
publishes the plan the field worker then sees.  Screenshots: test-artifacts/.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import need_playwright
from tests.web.e2e.conftest import copy_fixture
from tests.web.helpers import XSS, district_tickets, tickets_with_bad_row, tickets_with_xss

expect = need_playwright().expect  # imported here, not at collection: see need_playwright

pytestmark = pytest.mark.slow

DAY = "2010-08-05"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def no_dialogs(page):
    """Fail on any alert/confirm: an XSS payload that ran would open one."""
    fired = []
    page.on("dialog", lambda d: (fired.append(d.message), d.dismiss()))
    return fired


def expect_map_drawn(page, workers: int = 4) -> None:
    """The plan page's map (a sandboxed frame) has drawn its stops and one line per worker;
    then the fit-to-bounds zoom settles, so a screenshot shows the whole map."""
    frame = page.frame_locator("iframe.map")
    expect(frame.locator(".cvp-stop").first).to_be_visible(timeout=15_000)
    expect(frame.locator("#cvp-legend")).to_be_visible()
    assert frame.locator("path.leaflet-interactive").count() >= workers
    expect(frame.locator(".leaflet-zoom-anim")).to_have_count(0)
    page.wait_for_timeout(300)


def test_dispatcher_morning(page, live_server, login, shot, upload_files, tmp_path):
    base = live_server
    fired = no_dialogs(page)
    page.goto(base + "/dispatch/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.locator("form[action=\"/login\"] input[name=csrf_token]")).to_have_count(1)
    shot(page, "01-login")
    login(page, base, "disp")
    expect(page).to_have_url(base + "/dispatch/")
    shot(page, "02-dispatcher-home")

    # upload the day's tickets: one row is bad → the preview lists it and saves nothing
    bad, line = tickets_with_bad_row()
    page.goto(base + "/dispatch/import")
    page.set_input_files("#file", upload_files("tickets.csv", bad))
    page.set_input_files("#gazetteer", copy_fixture(tmp_path, "gazetteer.csv"))
    page.click("button[type=submit]:has-text('检查文件')")
    errors = page.locator("table.errors")
    expect(errors).to_contain_text(str(line))
    expect(errors).to_contain_text("受理时间")
    expect(page.locator("#confirm-import")).to_have_count(0)
    shot(page, "03-import-preview-with-error")

    # the operator's export holds 北区's tickets too: refused by line, nothing saved
    page.click("text=检查另一个文件")
    page.set_input_files("#file", copy_fixture(tmp_path, "tickets.csv"))
    page.set_input_files("#gazetteer", copy_fixture(tmp_path, "gazetteer.csv"))
    page.click("button[type=submit]:has-text('检查文件')")
    expect(page.locator("table.errors")).to_contain_text("不能导入北区的数据（您的区域：南区）")
    expect(page.locator("#confirm-import")).to_have_count(0)

    # the district's own rows: all imported
    page.click("text=检查另一个文件")
    page.set_input_files("#file", upload_files("tickets.csv", district_tickets("南区")))
    page.set_input_files("#gazetteer", copy_fixture(tmp_path, "gazetteer.csv"))
    page.click("button[type=submit]:has-text('检查文件')")
    expect(page.locator("body")).to_contain_text("0 行有问题")
    shot(page, "04-import-preview-clean")
    page.click("#confirm-import")
    expect(page.locator(".flash.ok")).to_contain_text("已导入投诉工单：新增 50")

    # triage, and override a type
    page.goto(f"{base}/dispatch/{DAY}/triage")
    expect(page.locator("body")).to_contain_text("需拜访 25 户，电话回访 18 户")
    shot(page, "05-triage")
    row = page.locator('tr[data-visit="V-XA-NQ-20100804-0071"]')
    row.locator("td.change summary").click()
    form = row.locator("form.override-type")
    form.locator("select[name=value]").select_option("irate")
    form.locator("button").click()
    row = page.locator('tr[data-visit="V-XA-NQ-20100804-0071"]')
    expect(row.locator("td.type")).to_contain_text("激愤暴躁型")
    expect(row.locator("td.type .tag.override")).to_be_visible()
    shot(page, "06-triage-override")

    # the roster, then plan: the page does not block, a progress indicator until the plan is ready
    page.goto(f"{base}/dispatch/{DAY}/roster")
    expect(page.locator("#roster")).to_contain_text("李卫东")
    shot(page, "07-roster")
    page.click("#plan-button")
    page.wait_for_url(re.compile(rf"/dispatch/{DAY}/plan/1$"), timeout=60_000)
    expect(page.locator("#plan-summary")).to_contain_text("共 25 个拜访")
    expect(page.locator("#unassigned")).to_contain_text("当日人员已排满")
    expect_map_drawn(page)
    shot(page, "08-plan-v1")

    # pin a visit of S1's route to S2, and re-plan around the pin
    page.wait_for_load_state("networkidle")  # the map frame too
    pinned = page.locator("#route-S1 tr[data-visit]").first.get_attribute("data-visit")
    page.select_option(f'select[name="pin:{pinned}"]', "S2")
    page.locator("#replan-button").scroll_into_view_if_needed()
    page.click("#replan-button")
    page.wait_for_url(re.compile(rf"/dispatch/{DAY}/plan/2$"), timeout=60_000)
    pinned_row = page.locator(f'tr[data-visit="{pinned}"]')
    expect(pinned_row.locator(".tag.pinned")).to_be_visible()
    expect(page.locator(f'#route-S2 tr[data-visit="{pinned}"]')).to_have_count(1)
    expect_map_drawn(page)
    shot(page, "09-plan-v2-pinned")

    # publish: the version becomes read-only
    page.wait_for_load_state("networkidle")
    page.click("#publish-button")
    expect(page.locator("#plan-status")).to_have_text("已发布")
    expect(page.locator("#publish-button")).to_have_count(0)
    expect_map_drawn(page)
    shot(page, "10-plan-published")

    # download the sheets: all in one PDF, and one worker's
    with page.expect_download() as dl:
        page.click("#sheets-all")
    path = dl.value.path()
    assert open(path, "rb").read(5) == b"%PDF-" and dl.value.suggested_filename == f"{DAY}_all.pdf"
    with page.expect_download() as dl:
        page.click("#route-S1 h2 a")
    assert dl.value.suggested_filename == f"{DAY}_S1.pdf"
    assert not fired


def test_field_worker_on_a_phone_sees_only_their_route(browser, live_server, login, shot):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        login(page, live_server, "f1")
        page.goto(f"{live_server}/field/routes/{DAY}")
        expect(page).to_have_url(f"{live_server}/field/routes/{DAY}/S1")
        stops = page.locator("article.stop")
        assert stops.count() >= 3
        expect(page.locator("body")).to_contain_text("李卫东")
        expect(page.locator("body")).not_to_contain_text("赵雅琴")  # S2's name
        expect(stops.first.locator("a.call")).to_have_attribute("href", re.compile(r"^tel:1\d{10}$"))
        expect(stops.first.locator("a.nav")).to_have_attribute("href", re.compile(r"^geo:34\.\d+,108\.\d+"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        shot(page, "11-field-route-phone")

        # another worker's route and stop pages are refused
        response = page.goto(f"{live_server}/field/routes/{DAY}/S2")
        assert response.status == 403
        response = page.goto(f"{live_server}/field/stops/{DAY}/S2/1")
        assert response.status == 403
        shot(page, "12-field-other-route-403")

        # the QR code's page: record the outcome
        page.goto(f"{live_server}/field/stops/{DAY}/S1/1")
        page.fill("#arrived_at", "10:25")
        page.select_option("#result", "follow_up")
        page.fill('[name="signal:china_mobile:GSM"]', "-85")
        page.select_option('[name="call:china_mobile:GSM"]', "ok")
        page.select_option("#satisfaction", "satisfied")
        page.fill("#notes", "现场测试后调整参数")
        shot(page, "13-field-stop-form")
        page.click("#outcome button[type=submit]")
        expect(page.locator(".flash.ok")).to_contain_text("结果已保存")
        page.goto(f"{live_server}/field/routes/{DAY}/S1")
        expect(page.locator("#stop-1 .tag.published")).to_have_text("已登记")

        with page.expect_download() as dl:
            page.click("#sheet-pdf")
        assert dl.value.suggested_filename == f"{DAY}_S1.pdf"
    finally:
        context.close()


def test_planner_runs_both_pilot_scenarios(page, live_server, login, shot):
    login(page, live_server, "plan")
    expect(page).to_have_url(live_server + "/planner/")
    shot(page, "14-planner-form")
    page.click("#run-button")
    expect(page.locator("#result1 .total-month")).to_have_text("140,520.00")
    expect(page.locator("#result2 .total-district")).to_have_text("59,122.20")
    shot(page, "15-planner-results")
    page.click("#compare-button")
    expect(page.locator("#comparison")).to_contain_text("总人数")
    shot(page, "16-planner-compare")
    page.fill("input[name=vary]", "daily_visits=10:40:5")
    page.click("#sweep-button")
    expect(page.locator("#sweep-chart")).to_be_visible()
    shot(page, "17-planner-sweep")


def test_english_switch(page, live_server, login, shot):
    login(page, live_server, "disp")
    page.click("button[name=lang][value=en]")
    page.goto(f"{live_server}/dispatch/{DAY}/plan/2")
    expect(page.locator("h1")).to_contain_text("Plan for 2010-08-05")
    expect_map_drawn(page)
    shot(page, "18-plan-english")
    page.click("button[name=lang][value=zh]")


def test_security_rules_hold_in_the_browser(page, live_server, login, shot, upload_files, tmp_path):
    fired = no_dialogs(page)
    # no CSRF token → 400
    login(page, live_server, "disp")
    response = page.request.post(f"{live_server}/dispatch/{DAY}/roster", form={"staff_id": "S2", "absent": "1"})
    assert response.status == 400
    # a ticket carrying script shows as text and never runs
    page.goto(live_server + "/dispatch/import")
    page.set_input_files("#file", upload_files("tickets.csv", tickets_with_xss()))
    page.set_input_files("#gazetteer", copy_fixture(tmp_path, "gazetteer.csv"))
    page.click("button[type=submit]:has-text('检查文件')")
    expect(page.locator("body")).to_contain_text(XSS)
    page.click("#confirm-import")
    page.goto(f"{live_server}/dispatch/{DAY}/triage")
    expect(page.locator("#visits")).to_contain_text('<img src=x onerror="alert(1)">')
    shot(page, "19-xss-as-text")
    assert not fired
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_dispatcher_closes_a_follow_up_and_re_plans_the_rest_of_the_day(page, live_server, login, shot):
    login(page, live_server, "disp")
    # the field worker's stop 1 said nothing about closure: it is on the follow-up queue, to assign
    page.goto(f"{live_server}/dispatch/followups")
    expect(page).to_have_url(f"{live_server}/followups")
    row = page.locator("#followup-queue tr[data-case]").first
    expect(row).to_contain_text("现场测试后调整参数")
    expect(row).to_contain_text("待指定")
    shot(page, "20-follow-ups")
    row.locator(".step-resolve input[name=note]").fill("已优化，电话回访满意")
    row.locator(".step-resolve button[type=submit]").click()
    expect(page.locator(".flash.ok")).to_contain_text("后续跟踪已解决")
    expect(page.locator("body")).to_contain_text("没有需要跟踪的案例")
    # S3 leaves at 11:00: the rest of the day is planned again as a new version
    page.goto(f"{live_server}/dispatch/{DAY}/plan")
    latest = int(re.search(r"/plan/(\d+)$", page.url).group(1))
    page.locator("#replan summary").click()
    page.fill("#replan-now", "11:00")
    page.check("#replan input[name=absent][value=S3]")
    shot(page, "21-replan-form")
    page.click("#replan-rest-button")
    expect(page).to_have_url(f"{live_server}/dispatch/{DAY}/plan/{latest + 1}", timeout=60_000)
    expect(page.locator("#plan-status")).to_have_text("草稿")
    shot(page, "22-replanned")
