"""Rendering: text, JSON shape, CSV and XLSX read back."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import openpyxl
from click.testing import CliRunner

from cost_model import report
from cost_model.cli import cost

D = Decimal


def _json(ev) -> dict:
    return json.loads(report.render_json(ev), parse_float=Decimal)


def test_json_shape(recommended, vendor):
    for ev in (recommended, vendor):
        doc = _json(ev)
        assert {"scenario", "staffing", "lines", "subtotal", "fees", "taxes", "total_monthly",
                "total_monthly_amortised", "per_district"} <= set(doc)
        assert {"visitors_per_district", "followup_per_district", "districts", "support_staff",
                "total_staff"} <= set(doc["staffing"])
        for line in doc["lines"]:
            assert {"item", "formula", "amount", "recurrence"} <= set(line)
            assert line["recurrence"] in ("monthly", "one_off")
            assert isinstance(line["formula"], str)


def test_json_recommended(recommended):
    doc = _json(recommended)
    assert doc["scenario"] == "xian-2010-recommended"
    assert doc["staffing"] == {**doc["staffing"], "visitors_per_district": 4,
                               "followup_per_district": 2, "districts": 4, "support_staff": 3,
                               "total_staff": 27, "rule": "given"}
    lines = {x["item"]: x for x in doc["lines"]}
    assert lines["labour"]["formula"] == "27 × 2000" and lines["labour"]["amount"] == D("54000")
    assert lines["test equipment"]["recurrence"] == "one_off"
    assert lines["test equipment"]["life_months"] == 24
    assert lines["gifts"]["recurrence"] == "monthly"
    assert doc["subtotal"] == D("117100.00")
    assert doc["fees"] == D("23420.00")
    assert doc["taxes"] == 0
    assert doc["total_monthly"] == D("140520.00")
    assert doc["total_monthly_amortised"] == D("103720.00")
    assert doc["per_district"] is None


def test_json_vendor(vendor):
    doc = _json(vendor)
    assert doc["total_monthly"] == D("236488.80")
    assert doc["subtotal"] == D("186800")
    assert doc["per_district"]["subtotal"] == D("46700")
    assert doc["per_district"]["fees"] == D("9340")
    assert doc["per_district"]["taxes"] == D("3082.20")
    assert doc["per_district"]["total_monthly"] == D("59122.20")
    # line amounts are the quote's (one district); amount_whole adds up to the subtotal
    assert [x["amount"] for x in doc["lines"]] == [39000, 5600, 1200, 900]
    assert sum(x["amount_whole"] for x in doc["lines"]) == doc["subtotal"]
    assert all(x["scope"] == "per_district" for x in doc["lines"])


def test_text_recommended(recommended):
    text = report.render_text(recommended)
    for fragment in ["total staff", "27 = (4 + 2) × 4 + 3", "labour 人力", "27 × 2000", "54,000.00",
                     "350 × 10", "3,500.00", "16 × 1000", "16,000.00", "4 × 500", "2,000.00",
                     "16 × 3 × 200", "9,600.00", "16 × 2000", "32,000.00", "one-off",
                     "117,100.00", "20% × 117100", "23,420.00", "140,520.00",
                     "32000 ÷ 24 = 1,333.33", "103,720.00", "cost per visit"]:
        assert fragment in text, fragment


def test_text_vendor(vendor):
    text = report.render_text(vendor)
    for fragment in ["one district", "6 × 6500", "39,000.00",
                     "6500 = salary 3000 + bonus 1500 + welfare 500 + transport 600 + allowance 600"
                     " + phone 300", "5,600.00", "80 × 15", "1,200.00", "500 × 0.8 + 500", "900.00",
                     "46,700.00", "9,340.00", "5.5% × (46700 + 9340)", "3,082.20",
                     "total per district", "59,122.20", "total, 4 districts", "59122.20 × 4",
                     "236,488.80"]:
        assert fragment in text, fragment


def _csv_rows(text: str) -> dict[tuple[str, str], dict[str, str]]:
    return {(r["section"], r["key"]): r for r in csv.DictReader(io.StringIO(text))}


def test_csv_reads_back(recommended, vendor):
    rows = _csv_rows(report.render_csv(recommended))
    assert D(rows[("budget", "labour")]["value"]) == D("54000")
    assert rows[("budget", "labour")]["formula"] == "27 × 2000"
    assert rows[("budget", "test_equipment")]["recurrence"] == "one_off"
    assert D(rows[("budget", "test_equipment")]["monthly_amortised"]) == D("1333.33")
    assert D(rows[("budget", "total_monthly")]["value"]) == D("140520.00")
    assert D(rows[("budget", "total_monthly_amortised")]["value"]) == D("103720.00")
    assert rows[("staffing", "total_staff")]["value"] == "27"
    rows = _csv_rows(report.render_csv(vendor))
    assert D(rows[("budget_per_district", "total_monthly")]["value"]) == D("59122.20")
    assert D(rows[("budget_per_district", "tax")]["value"]) == D("3082.20")
    assert D(rows[("budget", "total_monthly")]["value"]) == D("236488.80")


def test_csv_file_has_bom_for_excel(tmp_path):
    out = tmp_path / "a.csv"
    result = CliRunner().invoke(cost, ["run", "xian-2010-recommended", "--format", "csv",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(raw.decode("utf-8-sig"))
    assert rows[("budget", "labour")]["item_zh"] == "人力"


def _xlsx_rows(path) -> dict[tuple[str, str], dict[str, object]]:
    ws = openpyxl.load_workbook(path).active
    values = list(ws.iter_rows(values_only=True))
    header = list(values[1])
    return {(r[0], r[1]): dict(zip(header, r, strict=True)) for r in values[2:]}


def test_xlsx_reads_back(tmp_path):
    for name, key, total in [("xian-2010-recommended", ("budget", "total_monthly"), 140520),
                             ("xian-2010-vendor-quote", ("budget", "total_monthly"), 236488.8)]:
        out = tmp_path / f"{name}.xlsx"
        result = CliRunner().invoke(cost, ["run", name, "--format", "xlsx", "-o", str(out)])
        assert result.exit_code == 0, result.output
        rows = _xlsx_rows(out)
        assert rows[key]["value"] == total
    rows = _xlsx_rows(tmp_path / "xian-2010-vendor-quote.xlsx")
    assert rows[("budget_per_district", "total_monthly")]["value"] == 59122.2
    assert rows[("budget_per_district", "labour")]["formula"] == "6 × 6500"


def test_xlsx_default_file_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cost, ["run", "xian-2010-recommended", "--format", "xlsx"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "xian-2010-recommended.xlsx").stat().st_size > 4000


def test_cli_json_flag_equals_format_json():
    a = CliRunner().invoke(cost, ["run", "xian-2010-vendor-quote", "--json"])
    b = CliRunner().invoke(cost, ["run", "xian-2010-vendor-quote", "--format", "json"])
    assert a.exit_code == b.exit_code == 0
    assert a.stdout == b.stdout
    assert json.loads(a.stdout, parse_float=Decimal)["total_monthly"] == D("236488.80")


def test_cli_run_text_and_set():
    result = CliRunner().invoke(cost, ["run", "xian-2010-recommended"])
    assert result.exit_code == 0 and "140,520.00" in result.stdout
    result = CliRunner().invoke(cost, ["run", "xian-2010-recommended", "--set", "rule=derived",
                                       "--json"])
    doc = json.loads(result.stdout)
    assert doc["staffing"]["visitors_per_district"] == 5 and doc["staffing"]["rule"] == "derived"


def test_cli_run_user_file(write_yaml, minimal_yaml):
    path = write_yaml(minimal_yaml)
    result = CliRunner().invoke(cost, ["run", str(path), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout, parse_float=Decimal)
    assert doc["scenario"] == "my"
    assert doc["total_monthly"] == D("2000") * 27 * D("1.2")
