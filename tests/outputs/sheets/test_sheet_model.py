"""What a route sheet says, checked on the planned fixture day without rendering a PDF."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from planner.errors import UserError
from planner.sheets import load_texts, sheet_html, sheet_views
from planner.sheets.diagram import nice_scale, route_svg
from planner.sheets.model import is_indoor, sheet_stem, toolkit_for
from planner.sheets.qr import DEFAULT_URL_BASE, stop_url, url_base
from planner.sheets.stops import complaint_number, route_stops
from planner.triage.rules import Rules
from tests.outputs.sheets.outputs_day import XSS

BASE = "http://cvp.test"


def views(day, lang="zh", **kw):
    return sheet_views(day.doc, day.tickets, day.inputs.history, load_texts(day.rules, lang), url_base=BASE,
                       staff=day.inputs.staff, **kw)


def test_one_sheet_per_worker_named_by_date_and_staff_id(day):
    sheets = views(day)
    assert [s.staff_id for s in sheets] == [r["staff_id"] for r in day.doc["routes"]]
    assert [s.file_stem for s in sheets] == [f"2010-08-05_{r['staff_id']}" for r in day.doc["routes"]]
    assert sheet_stem("2010-08-05", "S/1 x") == "2010-08-05_S_1_x"


def test_header_has_date_district_worker_phone_base_shift_break_visits_and_times(day):
    for sheet, route in zip(views(day), day.doc["routes"], strict=True):
        staff = day.inputs.staff[route["staff_id"]]
        steps = route["steps"]
        assert (sheet.date, sheet.district, sheet.worker) == ("2010-08-05", "南区", route["staff_name"])
        assert sheet.phone == staff.phone and re.fullmatch(r"1\d{10}", sheet.phone)
        assert sheet.shift == "09:00–17:30"
        assert sheet.base == route["base_name"] == "南区优化维护分部"  # the office, as the roster names it
        assert sheet.visits == len(day.visit_steps(route)) == len(sheet.stops)
        assert sheet.leave == steps[0]["end"][11:16] and sheet.back == steps[-1]["arrival"][11:16]
        lunch = [s for s in steps if s["type"] == "break"]
        if lunch:
            assert sheet.lunch == f"{lunch[0]['start'][11:16]}–{lunch[0]['end'][11:16]}"


def test_stops_in_visit_order_with_times_window_and_customers(day):
    for sheet, route in zip(views(day), day.doc["routes"], strict=True):
        for seq, (stop, step) in enumerate(zip(sheet.stops, day.visit_steps(route), strict=True), start=1):
            assert stop.seq == seq and stop.visit_id == step["visit_id"]
            assert stop.arrival == step["arrival"][11:16] and stop.end == step["end"][11:16]
            assert [c.ticket_id for c in stop.customers] == step["ticket_ids"]
            if step["time_window"]:
                assert stop.window == f"{step['time_window'][0][11:16]}–{step['time_window'][1][11:16]}"
            else:
                assert stop.window == ""
            for c in stop.customers:
                t = day.tickets[c.ticket_id]
                assert (c.name, c.phone, c.address, c.description) == (t.customer_name, t.phone, t.address,
                                                                       t.description)


def test_toolkit_counts_follow_the_route(day):
    texts = load_texts(day.rules)
    for route in day.doc["routes"]:
        stops = route_stops(route, day.tickets)
        kit = {line.key: line.count for line in toolkit_for(stops, texts)}
        tickets = [t for s in stops for t in s.tickets]
        assert kit["test_phones"] == 3 and kit["notebook"] == 1
        # every fixture visit is indoors: one pair per distinct address
        assert kit["shoe_covers"] == len({t.address.replace(" ", "") for t in tickets})
        assert kit["brochures"] == len({t.phone for t in tickets})
        assert kit["gifts"] == sum(1 for s in day.visit_steps(route) if s["gift"])
    assert sum(1 for s in day.doc["routes"] for st in day.visit_steps(s) if st["gift"]) > 0


def test_an_outdoor_meeting_place_needs_no_shoe_covers(day):
    texts = load_texts(day.rules)
    assert is_indoor("雁塔区小寨东路126号 长安大学家属院 5号楼2单元", texts)
    assert not is_indoor("雁塔区小寨 移动营业厅门口", texts)
    route = next(r for r in day.doc["routes"] if day.visit_steps(r))
    first = day.visit_steps(route)[0]["ticket_ids"][0]
    before = {k.key: k.count for k in toolkit_for(route_stops(route, day.tickets), texts)}["shoe_covers"]
    day.inputs.tickets[first] = replace(day.tickets[first], address="雁塔区小寨 十字路口广场")
    after = {k.key: k.count for k in toolkit_for(route_stops(route, day.tickets), texts)}["shoe_covers"]
    assert after == before - 1


def test_why_visited_says_vip_tier_nth_complaint_cluster_size_and_escalation(day):
    whys = {}
    for sheet, route in zip(views(day), day.doc["routes"], strict=True):
        for stop, step in zip(sheet.stops, day.visit_steps(route), strict=True):
            whys[step["visit_id"]] = (stop.why, step)
    seen = set()
    for why, step in whys.values():
        text = "；".join(why)
        if "vip" in step["reasons"]:
            assert "VIP" in text or "贵宾" in text
            seen.add("vip")
        if "cluster" in step["reasons"]:
            n = len(step["ticket_ids"])
            assert (f"集中投诉（{n}户）" if n > 1 else "集中投诉") in text and "（1户）" not in text
            seen.add("cluster")
        if "repeat" in step["reasons"]:
            t = day.tickets[step["ticket_ids"][0]]
            n = complaint_number(t, day.inputs.history)
            assert n >= 2 and f"第{n}次投诉" in text
            seen.add("repeat")
        if "escalation" in step["reasons"]:
            assert "升级" in text
            seen.add("escalation")
    assert seen == {"vip", "cluster", "repeat", "escalation"}


def test_complaint_history_lists_the_earlier_complaints_newest_first(day):
    stop = next(c for s in views(day) for st in s.stops for c in st.customers if len(c.history) >= 2)
    earlier = [h for h in day.inputs.history[stop.phone] if h.ticket_id != stop.ticket_id]
    assert [h.ticket_id for h in stop.history] == [h.ticket_id for h in reversed(earlier)][:5]


def test_measures_and_tips_come_from_the_rules_file(day):
    data = {**day.rules.data, "measures": {
        "customer_types": {k: {"zh": f"类型措施-{k}"} for k in day.rules.data["measures"]["customer_types"]},
        "scenarios": {k: {"zh": f"场景措施-{k}"} for k in day.rules.data["measures"]["scenarios"]}},
        "communication_styles": {k: {**v, "zh": f"技巧-{k}"}
                                 for k, v in day.rules.data["communication_styles"].items()}}
    rules = Rules(data=data, path="test", digest="x")
    sheets = sheet_views(day.doc, day.tickets, day.inputs.history, load_texts(rules), url_base=BASE)
    stops = [(st, step) for s, r in zip(sheets, day.doc["routes"], strict=True)
             for st, step in zip(s.stops, day.visit_steps(r), strict=True)]
    for stop, step in stops:
        assert stop.measure_type == f"类型措施-{step['customer_type']}"
        assert stop.measure_scenario == f"场景措施-{step['scenario']}"
        assert stop.customer_type == day.rules.label("customer_types", step["customer_type"])
        for c in stop.customers:
            style = day.tickets[c.ticket_id].comm_style
            assert (c.style is None) == (style is None)
            if style:
                assert c.style == (day.rules.data["communication_styles"][style]["label"], f"技巧-{style}")


def test_english_sheet_keeps_the_chinese_type_with_an_english_gloss(day):
    sheet = views(day, "en")[0]
    assert sheet.labels["title"] == "Complaint visit route sheet"
    assert any("(" in s.customer_type and any("\u4e00" <= ch <= "\u9fff" for ch in s.customer_type)
               for s in sheet.stops)
    with pytest.raises(UserError, match="language 'fr'"):
        load_texts(day.rules, "fr")


def test_qr_url_per_stop_from_option_env_or_default(day, monkeypatch):
    assert stop_url("http://a/", "2010-08-05", "S1", 3) == "http://a/field/stops/2010-08-05/S1/3"
    monkeypatch.delenv("CVP_URL_BASE", raising=False)
    assert url_base() == DEFAULT_URL_BASE
    monkeypatch.setenv("CVP_URL_BASE", "https://cvp.intranet/app/")
    assert url_base() == "https://cvp.intranet/app"
    assert url_base("http://opt") == "http://opt"
    sheet = views(day)[0]
    assert [s.url for s in sheet.stops] == [f"{BASE}/field/stops/2010-08-05/{sheet.staff_id}/{i}"
                                            for i in range(1, len(sheet.stops) + 1)]
    assert all(s.qr.startswith("data:image/png;base64,") for s in sheet.stops)


def test_route_diagram_draws_base_numbered_stops_line_and_scale_bar(day):
    route = day.doc["routes"][0]
    steps = day.visit_steps(route)
    svg = views(day)[0].diagram
    assert svg.count('<g class="stop">') == len(steps)
    for n in range(1, len(steps) + 1):
        assert f">{n}</text></g>" in svg
    assert 'class="base"' in svg and 'class="scale-bar"' in svg and 'class="north"' in svg
    line = re.search(r'<polyline points="([^"]+)"', svg).group(1).split()
    assert len(line) == len(steps) + 2 and line[0] == line[-1]
    assert re.search(r">\d+(\.\d+)? (米|公里)</text>", svg)
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # no tiles: prints offline


def test_route_diagram_copes_with_one_place_and_with_nothing():
    same = route_svg([(34.2, 108.9), (34.2, 108.9), (34.2, 108.9)], (34.2, 108.9))
    centres = re.findall(r'<g class="stop"><circle cx="([\d.]+)" cy="([\d.]+)"', same)
    assert len(set(centres)) == 3  # fanned out, every number readable
    assert route_svg([], None).endswith("</svg>")
    assert 'class="stop"' not in route_svg([None], (34.2, 108.9))
    assert nice_scale(10, 100) == 1000 and nice_scale(1, 120) == 100


def test_ticket_text_is_escaped_in_the_sheet(day):
    route = day.doc["routes"][0]
    tid = day.visit_steps(route)[0]["ticket_ids"][0]
    day = day.with_description(tid, XSS)
    day.inputs.tickets[tid] = replace(day.tickets[tid], customer_name="<b>王</b>")
    html = sheet_html(views(day)[0])
    assert "<script>window" not in html and 'onerror="window' not in html and "<b>王</b>" not in html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html and "&lt;b&gt;王&lt;/b&gt;" in html


def test_html_sheet_is_self_contained_print_css(day):
    html = sheet_html(views(day)[0], inline_css=True)
    assert "@page" in html and "A4 portrait" in html and "Noto Sans CJK SC" in html
    assert "<link" not in html and "<script" not in html
    assert not re.search(r'src="https?://', html)


def test_a_worker_without_visits_gets_a_sheet_that_says_so(day):
    route = day.doc["routes"][0]
    route["steps"] = [s for s in route["steps"] if s["type"] in ("start", "end")]
    route["visits"] = 0
    sheet = views(day)[0]
    assert sheet.stops == [] and sheet.visits == 0 and sheet.leave == ""
    assert "今日无拜访安排" in sheet_html(sheet)


def test_render_sheets_in_worker_processes_writes_the_same_files(day, tmp_path):
    from planner.sheets import render_sheets
    from planner.sheets.render import auto_jobs

    args = (day.doc, day.tickets, day.inputs.history, day.rules)
    one = render_sheets(*args, tmp_path / "one", fmt="html", url_base=BASE, staff=day.inputs.staff, jobs=1)
    two = render_sheets(*args, tmp_path / "two", fmt="html", url_base=BASE, staff=day.inputs.staff, jobs=2)
    assert [p.name for p in one] == [p.name for p in two]
    assert all(a.read_text(encoding="utf-8") == b.read_text(encoding="utf-8") for a, b in zip(one, two, strict=True))
    assert auto_jobs(1, "pdf") == 1 and auto_jobs(16, "html") == 1 and 1 <= auto_jobs(16, "pdf") <= 2
    with pytest.raises(UserError, match="sheet format 'docx'"):
        render_sheets(*args, tmp_path, fmt="docx")


def test_one_workers_sheet_is_the_same_as_in_the_whole_days_batch(day):
    everyone = views(day)
    second = everyone[1]
    [alone] = views(day, only=[second.staff_id])
    assert (alone.staff_id, alone.colour, alone.diagram) == (second.staff_id, second.colour, second.diagram)
    assert sheet_html(alone) == sheet_html(second)  # the colour matches the dispatcher's map either way
