"""The planner's cost pages: the form prefilled with the pilot's two scenarios, results
line by line with formulas, compare, sweep with the chart, saved scenarios."""

from __future__ import annotations

import re

import pytest

from cost_model.scenario import builtin_text
from planner.store import accounts
from planner.store.db import session_scope
from tests.web.conftest import text_of

pytestmark = pytest.mark.usefixtures("seeded")

A, B = builtin_text("xian-2010-recommended"), builtin_text("xian-2010-vendor-quote")


def test_the_form_is_prefilled_with_the_pilot_scenarios(client_for):
    html = client_for("plan").get("/planner/").get_data(as_text=True)
    assert html.count("<textarea id=\"yaml") == 2
    assert "scenario: xian-2010-recommended" in html and "scenario: xian-2010-vendor-quote" in html


def test_running_both_pilot_scenarios(client_for):
    r = client_for("plan").post("/planner/run", {"yaml1": A, "yaml2": B})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    first = html.split('id="result1"')[1].split('id="result2"')[0]
    second = html.split('id="result2"')[1]
    assert '<td class="num total-month">140,520.00</td>' in first
    assert '<td class="num total-district">59,122.20</td>' in second
    assert "236,488.80" in second  # four districts
    for formula in ("27 × 2000", "350 × 10", "16 × 3 × 200", "20% × 117100"):
        assert formula in text_of(r), formula
    assert "5.5% × (46700 + 9340)" in text_of(r)


def test_changes_for_one_run(client_for):
    r = client_for("plan").post("/planner/run", {"yaml1": A, "sets1": "districts=5\n"})
    assert "人员配置" in text_of(r) and "140,520.00" not in r.get_data(as_text=True)


def test_a_broken_scenario_names_the_problem(client_for):
    r = client_for("plan").post("/planner/run", {"yaml1": A.replace("districts: 4", "districts: four")})
    assert r.status_code == 422 and "districts" in text_of(r)


def test_compare(client_for):
    r = client_for("plan").post("/planner/compare", {"yaml1": A, "yaml2": B})
    table = r.get_data(as_text=True).split('id="comparison"')[1].split("</table>")[0]
    assert "xian-2010-recommended" in table and "总人数" in table
    assert re.search(r"<td>总人数</td><td class=\"num\">27</td><td class=\"num\">24</td>", table)


def test_sweep_with_the_chart(client_for):
    r = client_for("plan").post("/planner/sweep", {"yaml1": A, "yaml2": B, "vary": "daily_visits=10:40:10", "slot": "1"})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="sweep-chart"' in html and 'src="data:image/png;base64,' in html
    assert "140,520.00" in html.split('id="sweep"')[1]  # 20 visits a day: the recommendation's staffing
    bad = client_for("plan").post("/planner/sweep", {"yaml1": A, "vary": "nonsense", "slot": "1"})
    assert bad.status_code == 422


def test_saving_loading_and_deleting_a_scenario(client_for):
    c = client_for("plan")
    mine = A.replace("districts: 4", "districts: 5")
    r = c.post("/planner/scenarios", {"yaml1": mine, "save_name1": "five-districts", "slot": "1"})
    assert r.status_code == 302 and "s1=five-districts" in r.headers["Location"]
    page = c.get("/planner/?s1=five-districts").get_data(as_text=True)
    assert "districts: 5" in page and "five-districts" in page
    assert c.post("/planner/scenarios", {"yaml1": "a: [", "save_name1": "broken", "slot": "1"}).status_code == 422
    c.post("/planner/scenarios/delete", {"name": "five-districts"})
    page = c.get("/planner/").get_data(as_text=True)
    assert "方案已删除：five-districts" in page and 'value="five-districts"' not in page
    with session_scope() as s:
        assert [e.action for e in accounts.audit_log(s, username="plan")][:2] == ["scenario_delete", "scenario_save"]


def test_scenario_names_are_not_file_paths(client_for):
    page = client_for("plan").get("/planner/?s1=../../../etc/passwd")
    assert "root:" not in page.get_data(as_text=True) and "no scenario" in text_of(page)


@pytest.mark.parametrize("slot", ["0", "3", "x", "-1"])
def test_a_slot_that_is_not_on_the_form_is_named(client_for, slot):
    c = client_for("plan")
    r = c.post("/planner/sweep", {"yaml1": A, "yaml2": B, "vary": "daily_visits=10:20:10", "slot": slot})
    assert r.status_code == 422 and f"slot &#39;{slot}&#39;: choose a scenario from 1 to 2" in text_of(r)
    r = c.post("/planner/scenarios", {"yaml1": A, "save_name1": "x", "slot": slot})
    assert r.status_code == 422 and "choose a scenario from 1 to 1" in text_of(r)
    with session_scope() as s:
        assert not accounts.audit_log(s, action="scenario_save")
