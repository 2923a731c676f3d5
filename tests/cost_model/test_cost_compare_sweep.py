"""`cvp cost compare` and `cvp cost sweep` (table and chart)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from cost_model import compare, scenario, sweep
from cost_model.cli import cost
from cost_model.model import evaluate
from cost_model.scenario_params import parameters

D = Decimal


def test_compare_rows_and_differences(recommended, vendor):
    c = compare.compare([recommended, vendor])
    rows = {(r.section, r.key): r for r in c.rows}
    total = rows[("totals", "total_monthly")]
    assert total.values == (D("140520.00"), D("236488.80"))
    assert total.differences == (D("95968.80"),)
    # lines are whole-programme amounts: the quote's labour × 4 districts
    assert rows[("lines", "labour")].values == (D("54000.00"), D("156000.00"))
    assert rows[("lines", "transport")].values[1] is None
    assert rows[("lines", "transport")].differences == (None,)
    assert rows[("staffing", "total_staff")].differences == (D(-3),)
    assert rows[("totals", "per_district_total_monthly")].values == (None, D("59122.20"))
    # each column adds up to its subtotal
    for i in range(2):
        lines = [r.values[i] or 0 for r in c.rows if r.section == "lines"]
        assert sum(lines) == rows[("totals", "subtotal")].values[i]


def test_compare_cli_text_json_csv():
    args = ["compare", "xian-2010-recommended", "xian-2010-vendor-quote"]
    text = CliRunner().invoke(cost, args)
    assert text.exit_code == 0, text.output
    assert "+95,968.80" in text.stdout and "Δ xian-2010-vendor-quote" in text.stdout
    doc = json.loads(CliRunner().invoke(cost, [*args, "--json"]).stdout, parse_float=Decimal)
    assert doc["scenarios"] == ["xian-2010-recommended", "xian-2010-vendor-quote"]
    row = next(r for r in doc["rows"] if r["key"] == "total_monthly")
    assert row["values"] == [D("140520.00"), D("236488.80")] and row["differences"] == [D("95968.8")]
    csv_text = CliRunner().invoke(cost, [*args, "--format", "csv"]).stdout
    assert csv_text.splitlines()[0].startswith("section,key,label,xian-2010-recommended,")
    assert "totals,total_monthly,total monthly (each scenario's own way),140520.00,236488.80,95968.80" \
        in csv_text


def test_compare_needs_two():
    result = CliRunner().invoke(cost, ["compare", "xian-2010-recommended"])
    assert result.exit_code == 2 and "at least two" in result.output


@pytest.mark.parametrize("spec, name, values", [
    ("daily_visits=10:40:5", "daily_visits", [10, 15, 20, 25, 30, 35, 40]),
    ("districts=1:3", "districts", [1, 2, 3]),
    ("management_fee.percent=10:20:2.5", "management_fee.percent",
     [10, D("12.5"), 15, D("17.5"), 20]),
    ("districts=2,4,6", "districts", [2, 4, 6]),
    ("rule=given,derived", "rule", ["given", "derived"]),
    ("daily_visits=10:12:5", "daily_visits", [10]),
])
def test_parse_vary(spec, name, values):
    assert sweep.parse_vary(spec) == (name, values)


@pytest.mark.parametrize("spec, fragment", [
    ("daily_visits", "NAME=START:STOP:STEP"),
    ("daily_visits=10:5", "below the start"),
    ("daily_visits=1:5:0", "step must be more than 0"),
    ("daily_visits=a:5", "not a number"),
    ("daily_visits=1:100000", "at most"),
    ("daily_visits=1:2:3:4", "a range is"),
])
def test_parse_vary_errors(spec, fragment):
    with pytest.raises(sweep.SweepError, match=fragment):
        sweep.parse_vary(spec)


def test_sweep_daily_visits_table():
    sc = scenario.load("xian-2010-recommended")
    r = sweep.sweep(sc, "daily_visits", [10, 15, 20, 23, 25, 30, 35, 40])
    visitors = [p.evaluation.staffing.visitors_per_district for p in r.points]
    assert visitors == [2, 3, 4, 4, 5, 5, 6, 7]  # ceil(n ÷ 6)
    at_23 = r.points[3].evaluation
    assert at_23.budget.total_monthly == D("140520.00")
    totals = [p.evaluation.budget.total_monthly for p in r.points]
    assert totals == sorted(totals)
    text = sweep.render_text(r)
    assert "daily_visits" in text and "140,520.00" in text
    rows = sweep.to_dict(r)["rows"]
    assert rows[3] == {**rows[3], "daily_visits": 23, "total_staff": 27, "total_monthly": 140520.0}


def test_sweep_any_parameter():
    sc = scenario.load("xian-2010-vendor-quote")
    r = sweep.sweep(sc, "labour.unit_price.salary", [2000, 3000, 4000])
    per_district = [p.evaluation.budget.per_district.total for p in r.points]
    assert per_district[1] == D("59122.20")
    step = (per_district[2] - per_district[1])
    assert step == D(6 * 1000) * D("1.2") * D("1.055")


def test_sweep_cli_writes_chart(tmp_path):
    stem = tmp_path / "charts" / "visits"
    result = CliRunner().invoke(cost, ["sweep", "xian-2010-recommended", "--vary",
                                       "daily_visits=10:40:5", "--chart", str(stem)])
    assert result.exit_code == 0, result.output
    assert "140,520.00" in result.stdout  # the row for 20 visits a day equals the pilot's 23
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    svg_text = svg.read_text(encoding="utf-8")
    assert "<svg" in svg_text and svg.stat().st_size > 20_000
    assert "chart:" in result.stderr


def test_sweep_cli_default_chart_name_and_csv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cost, ["sweep", "xian-2010-vendor-quote", "--vary",
                                       "districts=1,2", "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("districts,visitors_per_district,total_staff,total_monthly")
    assert lines[1].split(",")[3] == "59122.20"
    assert (tmp_path / "cost-sweep-xian-2010-vendor-quote-districts.png").exists()
    assert (tmp_path / "cost-sweep-xian-2010-vendor-quote-districts.svg").exists()


def test_sweep_no_chart(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cost, ["sweep", "xian-2010-recommended", "--vary",
                                       "support_staff=0:3", "--no-chart", "--json"])
    assert result.exit_code == 0
    assert [r["total_staff"] for r in json.loads(result.stdout)["rows"]] == [24, 25, 26, 27]
    assert list(tmp_path.iterdir()) == []


def test_params_and_list():
    result = CliRunner().invoke(cost, ["params", "xian-2010-vendor-quote"])
    assert result.exit_code == 0
    assert "labour.unit_price.salary = 3000" in result.stdout
    assert "tax.percent = 5.5" in result.stdout
    listed = CliRunner().invoke(cost, ["list"]).stdout
    assert "xian-2010-recommended" in listed and "xian-2010-vendor-quote" in listed


def test_every_listed_parameter_can_be_set():
    for name in scenario.builtin_names():
        sc = scenario.load(name)
        for param, value in parameters(sc):
            if value is None:
                continue
            again = evaluate(sc.with_values({param: value}))
            assert again.budget.total_monthly == evaluate(sc).budget.total_monthly, param
