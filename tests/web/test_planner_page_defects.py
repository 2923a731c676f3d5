"""The planner's page as a planner meets it (issue #12, item 16): a form of the scenario's
parameters with Chinese labels, units, ranges and the pilot's values, the YAML kept as the
advanced view; figures on first load; the sweep on the scenario the planner chose, its
counts as counts and money as money under Chinese headers; the comparison and the
staffing explanations in Chinese, English with the language switch."""

from __future__ import annotations

import html as html_mod
import re

import pytest

from cost_model import bounds
from cost_model.scenario import builtin_text
from tests.web.conftest import text_of

pytestmark = pytest.mark.usefixtures("seeded")

A, B = builtin_text("xian-2010-recommended"), builtin_text("xian-2010-vendor-quote")


def _section(html: str, ident: str) -> str:
    return html.split(f'id="{ident}"')[1].split("</table>")[0]


def _cells(table: str) -> list[list[str]]:
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    return [[html_mod.unescape(re.sub(r"<[^>]+>", "", c)).strip()
             for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)] for r in rows]


def _english(client) -> None:
    client.post("/lang", {"lang": "en"})


def test_the_first_load_shows_both_scenarios_figures(client_for):
    r = client_for("plan").get("/planner/")
    html = r.get_data(as_text=True)
    assert 'id="result1"' in html and 'id="result2"' in html
    first = html.split('id="result1"')[1].split('id="result2"')[0]
    assert '<td class="num total-month">140,520.00</td>' in first
    assert "236,488.80" in html.split('id="result2"')[1]


def test_the_form_shows_each_parameter_with_label_unit_range_and_the_pilots_value(client_for):
    html = client_for("plan").get("/planner/").get_data(as_text=True)
    rows = {r[0]: r for r in _cells(_section(html, "params1"))}
    assert rows["每区每日拜访量 · VIP投诉"][2:] == ["次/天", "6"]
    assert rows["每人每日拜访量"][2:] == ["次/天", "6"]
    assert rows["每月工作天数"][2:] == ["天", "22"]
    assert rows["人力：单价"][2:] == ["元", "2000"]
    assert rows["管理费：比例"][2:] == ["%", "20"]
    # the input carries the value and the documented range of cost_model/bounds.py
    days = re.search(r'<input type="number" id="f1-working_days_per_month"[^>]*>', html).group(0)
    assert 'value="22"' in days and 'min="0"' in days
    assert f'max="{bounds.MAXIMA["working_days_per_month"]}"' in days
    assert 'step="1"' in re.search(r'<input type="number" id="f1-districts"[^>]*>', html).group(0)
    # the vendor quote's own pilot figures stand beside its fields (0 support staff in the quote)
    quote = {r[0]: r for r in _cells(_section(html, "params2"))}
    assert quote["支撑人员"][2:] == ["人", "0"] and quote["人力：单价 · 工资"][2:] == ["元", "3000"]
    # the YAML is still there, as the advanced view
    assert re.search(r'<details class="advanced">\s*<summary>高级：以 YAML 编辑方案</summary>', html)
    assert "scenario: xian-2010-recommended" in html


def test_a_changed_field_is_the_same_scenario_as_the_changed_yaml(client_for):
    c = client_for("plan")
    by_form = c.post("/planner/run", {"yaml1": A, "f1-districts": "5", "o1-districts": "4",
                                      "f1-gifts.unit_price": "10", "o1-gifts.unit_price": "10"})
    by_yaml = c.post("/planner/run", {"yaml1": A.replace("districts: 4", "districts: 5")})
    assert by_form.status_code == by_yaml.status_code == 200
    total = re.compile(r'<td class="num total-month">([\d,.]+)</td>')
    assert total.search(by_form.get_data(as_text=True)).group(1) == \
        total.search(by_yaml.get_data(as_text=True)).group(1) != "140,520.00"
    # the YAML view now says what the form said, its comments kept
    page = html_mod.unescape(by_form.get_data(as_text=True))
    assert re.search(r"^  districts: 5\s+$", page, re.M) is None
    assert "  districts: 5                     \n" in page or "  districts: 5" in page
    assert "support_staff: 3                # support-centre callback/inspection staff" in page


def test_a_field_left_alone_keeps_an_edit_made_in_the_yaml(client_for):
    r = client_for("plan").post("/planner/run", {"yaml1": A.replace("districts: 4", "districts: 6"),
                                                 "f1-districts": "4", "o1-districts": "4"})
    assert "districts: 6" in html_mod.unescape(r.get_data(as_text=True))
    assert "140,520.00" not in r.get_data(as_text=True)


def test_a_bad_field_is_refused_by_the_scenario_checker_and_cannot_add_yaml(client_for):
    c = client_for("plan")
    r = c.post("/planner/run", {"yaml1": A, "f1-districts": "2.5", "o1-districts": "4"})
    assert r.status_code == 422 and "districts" in text_of(r) and "whole number" in text_of(r)
    sneaky = c.post("/planner/run", {"yaml1": A, "f1-districts": "4\nbasis: per_district", "o1-districts": "4"})
    assert sneaky.status_code == 422 and "must be a number" in text_of(sneaky)
    assert c.post("/planner/run", {"yaml1": A, "f1-districts": str(10**6), "o1-districts": "4"}).status_code == 422


def test_the_sweep_runs_on_the_chosen_scenario(client_for):
    r = client_for("plan").post("/planner/sweep", {"yaml1": A, "yaml2": B, "vary": "districts=4",
                                                   "sweep_slot": "2"})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "xian-2010-vendor-quote" in html.split('id="sweep-chart"')[0].rsplit("<h2>", 1)[1]
    rows = _cells(_section(html, "sweep"))
    assert "236,488.80" in rows[1]  # the vendor quote's four districts, not the recommendation's 140,520.00
    assert re.search(r'<option value="2" selected>', html)


def test_sweep_counts_are_counts_money_is_money_under_chinese_headers(client_for):
    r = client_for("plan").post("/planner/sweep", {"yaml1": A, "yaml2": B, "vary": "daily_visits=10:20:10",
                                                   "sweep_slot": "1"})
    header, first, second = _cells(_section(r.get_data(as_text=True), "sweep"))
    assert header[:4] == ["每区每日拜访量", "每区拜访人员", "总人数", "每月总费用 (元)"]
    assert not any("_" in h for h in header)  # no raw column names
    assert first[:5] == ["10", "2", "19", "86,760.00", "68,360.00"]
    assert second[:4] == ["20", "4", "27", "140,520.00"]
    # a price varied is money, by its unit
    price = client_for("plan").post("/planner/sweep", {"yaml1": A, "vary": "labour.unit_price=2000,2500",
                                                       "sweep_slot": "1"})
    assert _cells(_section(price.get_data(as_text=True), "sweep"))[1][:3] == ["2,000.00", "4", "27"]


def test_comparison_and_staffing_explanations_are_chinese_and_english_on_request(client_for):
    c = client_for("plan")
    html = c.post("/planner/compare", {"yaml1": A, "yaml2": B}).get_data(as_text=True)
    labels = [r[0] for r in _cells(_section(html, "comparison"))]
    assert "每人每日拜访量" in labels and "每次拜访成本" in labels and "人力" in labels
    assert "合计（元）" in labels and not any(re.search(r"[a-z]{4}", x) for x in labels[1:])
    page = c.get("/planner/").get_data(as_text=True)
    explanation = page.split('class="explanation">')[1].split("</ul>")[0]
    assert "每人每日拜访量 = 6（给定）" in explanation and "每区拜访人员 = ceil(23 ÷ 6) = 4" in explanation
    assert "若按推算规则" in explanation and "visits" not in explanation
    _english(c)
    page = c.get("/planner/").get_data(as_text=True)
    explanation = page.split('class="explanation">')[1].split("</ul>")[0]
    assert "visits per person per day = 6 (given)" in explanation
    assert "the derived rule would give floor(480 ÷ 90) = 5" in html_mod.unescape(explanation)
    assert "visitors per district" in _cells(_section(
        c.post("/planner/sweep", {"yaml1": A, "vary": "districts=4", "sweep_slot": "1"}).get_data(as_text=True),
        "sweep"))[0]
    rows = {r[0]: r for r in _cells(_section(page, "params1"))}
    assert rows["labour: unit price"][2:] == ["yuan", "2000"]
