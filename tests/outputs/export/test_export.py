"""Exports: one row per stop, Chinese headers, masked phones; CSV and XLSX read back."""

from __future__ import annotations

import csv
from dataclasses import replace

import pytest

from planner.day_outputs import write_day_outputs
from planner.errors import UserError
from planner.export import COLUMNS, default_export_name, export_plan, export_rows
from planner.masking import mask_phone
from planner.tables import write_csv, write_xlsx


@pytest.mark.parametrize("phone, masked", [
    ("13812341234", "138****1234"), ("138 1234 1234", "138****1234"), ("029-88881234", "029****1234"),
    ("88881234", "****1234"), ("1234", "****"), ("", ""), (None, ""),
])
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def col(headers, rows, name):
    i = headers.index(name)
    return [r[i] for r in rows]


def test_one_row_per_stop_in_route_and_visit_order_then_the_unassigned(day):
    headers, rows = export_rows(day.doc, day.tickets, day.rules, history=day.inputs.history)
    assert headers == [zh for _, zh, _ in COLUMNS]
    expected = [(r["staff_id"], i, s["visit_id"]) for r in day.doc["routes"]
                for i, s in enumerate(day.visit_steps(r), start=1)]
    planned = [row for row in rows if row[headers.index("员工编号")]]
    assert [(r[2], r[4], r[9]) for r in planned] == expected
    left = [row for row in rows if not row[headers.index("员工编号")]]
    assert [r[9] for r in left] == [u["visit_id"] for u in day.doc["unassigned"]]
    for r, u in zip(left, day.doc["unassigned"], strict=True):
        assert r[headers.index("状态")] == f"未安排：{u['explanation']}"
    first = day.visit_steps(day.doc["routes"][0])[0]
    row = planned[0]
    assert row[headers.index("计划到达")] == first["arrival"][11:16]
    assert row[headers.index("工单号")] == "; ".join(first["ticket_ids"])
    assert row[headers.index("客户类型")] == day.rules.label("customer_types", first["customer_type"])
    assert row[headers.index("场景")] == day.rules.label("scenarios", first["scenario"])


def test_phones_are_masked_unless_asked(day):
    headers, rows = export_rows(day.doc, day.tickets, day.rules)
    phones = [t.phone for t in day.tickets.values()]
    flat = "\n".join(str(v) for r in rows for v in r)
    assert not any(p in flat for p in phones)
    assert all("****" in p for p in col(headers, rows, "客户号码"))
    headers, rows = export_rows(day.doc, day.tickets, day.rules, full_phone=True)
    flat = "\n".join(str(v) for r in rows for v in r)
    assert all(p in flat for p in phones)


def test_a_cluster_stop_is_one_row_naming_every_member(day):
    headers, rows = export_rows(day.doc, day.tickets, day.rules)
    step = next(s for r in day.doc["routes"] for s in day.visit_steps(r) if len(s["ticket_ids"]) > 1)
    row = next(r for r in rows if r[headers.index("拜访编号")] == step["visit_id"])
    for tid in step["ticket_ids"]:
        assert tid in row[headers.index("工单号")]
        assert day.tickets[tid].customer_name in row[headers.index("客户姓名")]
    assert f"集中投诉（{len(step['ticket_ids'])}户）" in row[headers.index("拜访原因")]


def test_english_headers(day):
    headers, rows = export_rows(day.doc, day.tickets, day.rules, lang="en")
    assert headers[:5] == ["date", "district", "staff id", "worker", "sequence"]
    assert rows[0][headers.index("status")] == "planned"


def test_csv_opens_in_excel_and_reads_back(day, tmp_path):
    path = export_plan(day.doc, day.tickets, day.rules, tmp_path / "v.csv", "csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel on Chinese Windows opens UTF-8 correctly
    with open(path, encoding="utf-8-sig", newline="") as fh:
        read = list(csv.reader(fh))
    headers, rows = export_rows(day.doc, day.tickets, day.rules)
    assert read[0] == headers and len(read) == len(rows) + 1
    gb = export_plan(day.doc, day.tickets, day.rules, tmp_path / "g.csv", "csv", encoding="gb18030")
    assert gb.read_bytes().decode("gb18030").splitlines()[0].startswith("日期,区域")
    with pytest.raises(UserError, match="encoding"):
        write_csv(tmp_path / "x.csv", ["a"], [], encoding="latin-1")


def test_xlsx_reads_back_with_text_cells(day, tmp_path):
    from openpyxl import load_workbook

    path = export_plan(day.doc, day.tickets, day.rules, tmp_path / "v.xlsx", "xlsx")
    ws = load_workbook(path).active
    headers, rows = export_rows(day.doc, day.tickets, day.rules)
    assert [c.value for c in ws[1]] == headers and ws.max_row == len(rows) + 1
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    assert [c.value for c in ws[2]][:5] == rows[0][:5]


def test_ticket_text_never_becomes_a_formula(day, tmp_path):
    from openpyxl import load_workbook

    tid = day.visit_steps(day.doc["routes"][0])[0]["ticket_ids"][0]
    evil = '=HYPERLINK("http://evil","x")'
    day.inputs.tickets[tid] = replace(day.tickets[tid], customer_name=evil, address="+1+cmd|' /C calc'!A0\x07")
    path = export_plan(day.doc, day.tickets, day.rules, tmp_path / "v.csv", "csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        row = next(r for r in csv.reader(fh) if tid in r)
    assert "'" + evil in row and all(not v.startswith(("=", "+")) for v in row)
    xlsx = export_plan(day.doc, day.tickets, day.rules, tmp_path / "v.xlsx", "xlsx")
    cells = [c for r in load_workbook(xlsx).active.iter_rows() for c in r if c.value == evil]
    assert cells and all(c.data_type == "s" for c in cells)
    write_xlsx(tmp_path / "ctl.xlsx", ["a"], [["bad\x00char"]])  # control characters are dropped, not an error


def test_unknown_format_and_default_name(day, tmp_path):
    with pytest.raises(UserError, match="format 'ods'"):
        export_plan(day.doc, day.tickets, day.rules, tmp_path / "v.ods", "ods")
    assert default_export_name(day.doc, "xlsx") == "visits-2010-08-05-南区.xlsx"
    with pytest.raises(UserError, match="not a plan document"):
        export_rows({"routes": []}, day.tickets, day.rules)


def test_write_day_outputs_writes_sheets_map_and_export(day, tmp_path):
    out = write_day_outputs(day.doc, day.rules, tmp_path, inputs=day.inputs, sheet_format="html")
    assert [p.name for p in out["sheets"]] == [f"2010-08-05_{r['staff_id']}.html" for r in day.doc["routes"]]
    assert out["map"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert out["export"].name == "visits-2010-08-05-南区.xlsx" and out["export"].stat().st_size > 0
