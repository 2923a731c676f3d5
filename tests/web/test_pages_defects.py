"""Defects of the dispatcher's and field worker's pages (#12 items 1, 2, 9, 15, 17): each a
page the user reads, checked through the app as a user would reach it."""

from __future__ import annotations

import html
import io

import pytest

from tests.conftest import FIXTURE_DAY
from tests.store_calls import in_store
from tests.web.conftest import DAY, DISTRICT, text_of

FILES = {"tickets": "tickets.csv", "history": "history.csv", "staff": "staff.csv", "sites": "network.csv",
         "gazetteer": "gazetteer.csv", "tickets_xlsx": "tickets.xlsx"}


def _file(name: str):
    return io.BytesIO((FIXTURE_DAY / name).read_bytes()), name


# -- item 1: every file kind in every upload field: a clear page, never a 500 -------------

@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("what", sorted(FILES))
@pytest.mark.parametrize("kind", ["", "tickets", "staff", "sites"])
@pytest.mark.parametrize("history", [False, True])
def test_any_file_of_any_kind_in_the_main_field_gives_a_page_not_a_500(client_for, what, kind, history):
    c = client_for("disp")
    form = {"file": _file(FILES[what]), "kind": kind}
    if history:
        form["history"] = "1"
    r = c.post("/dispatch/import", form, content_type="multipart/form-data")
    assert r.status_code in (200, 422), r.status_code
    assert "内部错误" not in text_of(r)


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("what", sorted(FILES))
def test_any_file_in_the_gazetteer_field_gives_a_page_not_a_500(client_for, what):
    c = client_for("disp")
    r = c.post("/dispatch/import", {"file": _file("tickets.csv"), "gazetteer": _file(FILES[what])},
               content_type="multipart/form-data")
    assert r.status_code in (200, 422), r.status_code
    assert "内部错误" not in text_of(r)


@pytest.mark.usefixtures("seeded")
def test_a_gazetteer_in_the_main_field_is_explained_in_the_pages_words(client_for):
    c = client_for("disp")
    r = c.post("/dispatch/import", {"file": _file("gazetteer.csv")}, content_type="multipart/form-data")
    assert r.status_code == 422
    page = html.unescape(text_of(r))
    assert "地址库" in page and "地址坐标表" in page and "--gazetteer" not in page, page[:2000]
    assert "/tmp" not in page and "uploads" not in page


@pytest.mark.usefixtures("seeded")
def test_a_roster_ticked_as_history_is_explained_in_the_pages_words(client_for):
    c = client_for("disp")
    r = c.post("/dispatch/import", {"file": _file("staff.csv"), "history": "1"}, content_type="multipart/form-data")
    assert r.status_code == 422
    page = html.unescape(text_of(r))
    assert "只有投诉工单可以作为历史工单导入" in page and "人员名单" in page and "--history" not in page


# -- item 17: codes in the page's language ---------------------------------------------

@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("name, chinese, codes", [
    ("network.csv", ["在网"], ["live", "under_construction", "planned"]),
    ("staff.csv", ["汽车", "公交", "VIP 服务", "网络测试"], ["car", "bus", "taxi", "test", "vip"]),
])
def test_the_preview_shows_roster_and_network_codes_in_chinese(client_for, name, chinese, codes):
    import re

    c = client_for("admin")
    r = c.post("/dispatch/import", {"file": _file(name)}, content_type="multipart/form-data")
    assert r.status_code == 200
    table = html.unescape(re.search(r'<table class="records">.*?</table>', r.get_data(as_text=True), re.S).group(0))
    cells = set(re.findall(r"<td>([^<]*)</td>", table)) | set(re.findall(r'<span class="tag">([^<]*)</span>', table))
    for word in chinese:
        assert word in cells, (word, cells)
    assert not cells & set(codes), cells & set(codes)


@pytest.mark.usefixtures("seeded")
def test_the_roster_shows_transport_and_skills_in_chinese(client_for):
    import re

    c = client_for("disp")
    page = html.unescape(c.get(f"/dispatch/{DAY}/roster").get_data(as_text=True))
    row = re.search(r'<tr id="s-S1">.*?</tr>', page, re.S).group(0)
    assert "汽车" in row and "VIP 服务" in row and "网络测试" in row
    assert not re.search(r">(car|bus|vip|test)<", row), row


# -- item 9: the roster shows the lunch the plan gives ------------------------------------

@pytest.mark.usefixtures("planned")
def test_the_roster_shows_the_lunch_window_the_plan_uses_even_where_the_roster_is_silent(client_for):
    import re
    from datetime import datetime

    from planner.store import repository as repo
    from planner.store.db import session_scope

    with session_scope() as s:
        doc, _ = repo.get_plan(s, DAY, DISTRICT, 1)
    c = client_for("disp")
    page = html.unescape(c.get(f"/dispatch/{DAY}/roster").get_data(as_text=True))
    for r in doc["routes"]:
        earliest, latest, minutes = r["break_window"]
        ends_by = datetime.fromisoformat(latest).timestamp() + minutes * 60
        until = datetime.fromtimestamp(ends_by, datetime.fromisoformat(latest).tzinfo)
        shown = f"{earliest[11:16]}–{until:%H:%M} 之间休息 {minutes} 分钟"
        row = re.search(rf'<tr id="s-{r["staff_id"]}">.*?</tr>', page, re.S).group(0)
        assert shown in row, (r["staff_id"], shown, row)
        lunch = next((st for st in r["steps"] if st["type"] == "break"), None)
        if lunch:  # the plan's lunch lies inside the window the roster shows
            assert earliest <= lunch["start"] <= latest
    s4 = re.search(r'<tr id="s-S4">.*?</tr>', page, re.S).group(0)
    assert "按规则默认" in s4 and "无午休" not in s4


# -- item 15: the triage page says who, what and why in the page's language --------------

def _visible(fragment: str) -> str:
    """What shows without opening any <details> (its summary stays visible)."""
    import re

    fragment = re.sub(r"<details[^>]*>\s*<summary>(.*?)</summary>.*?</details>", r"\1", fragment, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


@pytest.mark.usefixtures("seeded")
def test_the_triage_page_shows_rules_as_chinese_sentences_once_each_with_details_on_demand(client_for):
    import re

    body = client_for("disp").get(f"/dispatch/{DAY}/triage").get_data(as_text=True)
    rows = re.findall(r'<tr id="v-[^"]+".*?</tr>', body, re.S)
    assert rows
    cluster_rows = 0
    for row in rows:
        cell = re.search(r'<td class="rules"[^>]*>(.*?)</td>', row, re.S).group(1)
        shown = _visible(cell)
        assert not re.search(r"\b(customer_type|scenario|selection|priority)\.?\w*", shown), shown
        assert not re.search(r"tenure|ARPU|complaints from", shown), shown
        rules = re.findall(r'data-rule="([^"]+)"', cell)
        assert len(rules) == len(set(rules)), rules
        assert "客户类型：" in shown and "场景：" in shown
        assert "<code>" in cell  # the rule's id is still there, inside the details
        cluster_rows += "selection.cluster" in rules
    assert cluster_rows, "the fixture day has a clustered complaint"


@pytest.mark.usefixtures("seeded")
def test_the_triage_page_shows_who_the_customer_is_and_what_they_said(client_for):
    import re

    from planner.store import repository as repo
    from planner.store.db import session_scope
    from planner.triage.rules import load_rules

    body = client_for("disp").get(f"/dispatch/{DAY}/triage").get_data(as_text=True)
    visits = re.findall(r'<tr id="v-[^"]+".*?</tr>', body, re.S)
    follow = re.findall(r'<tr id="f-([^"]+)">(.*?)</tr>', body, re.S)
    assert visits and follow
    ids = [re.search(r'<span class="tag" id="t-([^"]+)"', v).group(1) for v in visits] + [t for t, _ in follow]
    with session_scope() as s:
        tickets = repo.tickets_by_ids(s, DISTRICT, ids, load_rules().tz)
    for v in visits:
        tid = re.search(r'<span class="tag" id="t-([^"]+)"', v).group(1)
        t = tickets[tid]
        assert t.customer_name in html.unescape(v) and t.description[:20] in html.unescape(v)
    for tid, row in follow:  # the dispatcher phones them: name and number to call
        t = tickets[tid]
        assert t.customer_name in html.unescape(row) and f'href="tel:{t.phone}"' in row


@pytest.mark.usefixtures("seeded")
def test_the_triage_page_is_only_the_dispatchers_own_district(client_for):
    from tests.web.helpers import fixture_phones

    body = client_for("disp_north").get(f"/dispatch/{DAY}/triage").get_data(as_text=True)
    south = client_for("disp").get(f"/dispatch/{DAY}/triage").get_data(as_text=True)
    shown_south = {p for p in fixture_phones() if p in south}
    assert shown_south and not shown_south & {p for p in fixture_phones() if p in body}


# -- item 2: the day a user needs is one click away ---------------------------------------

@pytest.mark.usefixtures("seeded")
def test_the_dispatcher_home_lists_the_days_with_open_tickets_and_defaults_to_one(client_for):
    import re

    from planner.calendar import district_days, first_plannable_day
    from planner.store import repository as repo
    from planner.store.db import session_scope
    from planner.triage.rules import load_rules

    rules = load_rules()
    with session_scope() as s:
        tickets = repo.open_tickets(s, DISTRICT, __import__("datetime").datetime.now(rules.tz), rules.tz)
    expected = sorted({first_plannable_day(t.received_at, rules) for t in tickets if not t.is_history})
    assert DAY in expected
    body = client_for("disp").get("/dispatch/").get_data(as_text=True)
    listed = re.findall(r'<a href="/dispatch/([\d-]+)/triage" data-day', body)
    assert listed == [d.isoformat() for d in expected]
    default = re.search(r'<input id="day" type="date" name="day" value="([\d-]+)"', body).group(1)
    assert default == max(expected).isoformat()  # no day ahead has work: the latest that has
    assert [t.day for t in in_store(district_days, DISTRICT, rules).tickets] == expected


@pytest.mark.usefixtures("planned")
def test_the_dispatcher_home_lists_the_days_with_plans(client_for):
    body = html.unescape(client_for("disp").get("/dispatch/").get_data(as_text=True))
    plans = body.split('id="plan-days"')[1].split("</ul>")[0]
    assert f'href="/dispatch/{DAY}/plan"' in plans and "已发布" in plans and "1 个版本" in plans


@pytest.mark.usefixtures("planned")
def test_a_dispatcher_on_an_empty_day_sees_where_the_work_is(client_for):
    body = client_for("disp").get("/dispatch/2010-07-01/triage").get_data(as_text=True)
    assert 'id="days"' in body and f'href="/dispatch/{DAY}/plan"' in body


@pytest.mark.usefixtures("planned")
def test_the_field_worker_lands_on_the_nearest_published_route_and_lists_them(client_for):
    f1 = client_for("f1")
    r = f1.get("/field/")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/field/routes/{DAY}/S1")
    other = html.unescape(f1.get("/field/routes/2010-08-06/S1").get_data(as_text=True))
    assert "没有发布给您的路线" in other
    routes = other.split('id="my-routes"')[1].split("</nav>")[0]
    assert f'href="/field/routes/{DAY}/S1"' in routes


@pytest.mark.usefixtures("planned")
def test_the_route_list_prefers_today_then_the_next_published_day(client_for):
    from datetime import timedelta

    from planner.calendar import nearest_day

    days = [DAY, DAY + timedelta(days=1), DAY + timedelta(days=3)]
    assert nearest_day(days, DAY + timedelta(days=1)) == DAY + timedelta(days=1)  # today's
    assert nearest_day(days, DAY + timedelta(days=2)) == DAY + timedelta(days=3)  # the next (tomorrow's the evening before)
    assert nearest_day(days, DAY + timedelta(days=9)) == DAY + timedelta(days=3)  # else the latest
    assert nearest_day([], DAY) == DAY


@pytest.mark.usefixtures("seeded")
def test_a_field_worker_without_a_published_route_is_told_so(client_for):
    r = client_for("f1").get("/field/", follow_redirects=True)
    assert r.status_code == 200 and "还没有发布给您的路线" in text_of(r)


@pytest.mark.parametrize("kind", ["tickets", "staff", "sites", "gazetteer"])
def test_the_preview_table_renders_every_kind_of_file_it_can_be_given(app, kind):
    """The preview's rows template once drew any kind but tickets and staff as sites (a
    gazetteer's (address, lat, lon) tuples: UndefinedError, a 500)."""
    from flask import render_template

    from planner.intake import IntakeContext, load_file
    from planner.triage.rules import load_rules

    name = {"tickets": "tickets.csv", "staff": "staff.csv", "sites": "network.csv", "gazetteer": "gazetteer.csv"}[kind]
    result = load_file(FIXTURE_DAY / name, kind, IntakeContext(tz=load_rules().tz))
    assert result.records
    with app.test_request_context("/dispatch/import"):
        page = render_template("dispatcher/_records.html", result=result, rows=result.records[:5])
    assert ("<table" in page) == (kind != "gazetteer")  # a gazetteer is never previewed as a table of sites


def test_every_code_label_and_rule_sentence_has_its_chinese():
    from web.i18n import CODE_LABELS, RULE_SENTENCES, ZH

    english = [m for labels in CODE_LABELS.values() for m in labels.values()] + list(RULE_SENTENCES.values())
    assert [m for m in english if m not in ZH] == []


@pytest.mark.usefixtures("seeded")
def test_the_triage_page_in_english_speaks_english_sentences(client_for):
    c = client_for("disp")
    c.post("/lang", data={"lang": "en"})
    page = html.unescape(text_of(c.get(f"/dispatch/{DAY}/triage")))
    assert "Customer type: " in page and "Visited because: " in page and "客户类型：" not in page
