"""An import never blanks what it does not hold, and says when it lowers or clears a value.

A ticket file with only the required columns once reset a diamond VIP to none and
cleared the window and name; a roster with only the required columns wiped S1's
phone, shift, breaks, skills and max visits and reset the car to bus.  A column the
file does not have now keeps the stored value; an update that lowers a VIP tier or
empties a filled field is listed (report, CLI, and refused there without
``--allow-downgrade``).  The rejects CSV escapes formula cells like the plan exports.
Every store case runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv

import pytest

from planner.cli import main
from planner.workflow import LosingUpdate, import_file
from tests.security.import_helpers import STORES, fingerprint, row_of, rows_of, store_for, stored, write_csv
from tests.store_calls import in_store

DIAMOND = "XA-NQ-20100804-0012"  # 冯亮丽: 钻卡, window 09:30–10:30, tenure 14, ARPU 1286.5
REQUIRED_TICKET = ["工单号", "受理时间", "客户号码", "区域", "地址", "纬度", "经度", "坐标系"]
REQUIRED_STAFF = ["员工编号", "姓名", "区域", "基地纬度", "基地经度", "坐标系"]


@pytest.fixture(params=STORES)
def store(request):
    return store_for(request)


def _ticket_state(url):
    t = stored(url, "TicketRow", DIAMOND)
    return (t.vip_level, t.customer_name, t.window_start, t.window_end, t.tenure_years, t.arpu, t.description,
            t.category, t.comm_style)


def test_a_ticket_file_with_only_the_required_columns_keeps_the_rest(store, tmp_path):
    before = _ticket_state(store)
    assert before[:2] == ("diamond", "冯亮丽") and before[2] is not None and before[4:6] == (14, 1286.5)
    path = write_csv(tmp_path / "t.csv", REQUIRED_TICKET, [row_of("tickets.csv", DIAMOND)])
    outcome = in_store(import_file, path, database=store)
    assert outcome.report.unchanged == [DIAMOND] and not outcome.report.warnings
    assert _ticket_state(store) == before


def test_a_roster_with_only_the_required_columns_keeps_the_rest(store, tmp_path):
    def state():
        s = stored(store, "StaffRow", "S1")
        return (s.phone, s.shift_start, s.shift_end, s.break_start, s.break_end, s.skills, s.max_visits, s.transport)

    before = state()
    assert before == ("13949966892", "09:00", "17:30", "11:30", "13:00", "test;vip", 6, "car")
    outcome = in_store(import_file, write_csv(tmp_path / "r.csv", REQUIRED_STAFF, [row_of("staff.csv", "S1")]), database=store)
    assert outcome.report.unchanged == ["S1"]
    assert state() == before


def test_a_new_row_gets_the_defaults_of_absent_columns(store, tmp_path):
    row = {**row_of("staff.csv", "S1"), "员工编号": "S9"}
    in_store(import_file, write_csv(tmp_path / "r.csv", REQUIRED_STAFF, [row]), database=store)
    s9 = stored(store, "StaffRow", "S9")
    assert (s9.transport, s9.skills, s9.max_visits, s9.phone) == ("bus", "", None, "")


def test_emptied_cells_and_a_lower_tier_are_listed_and_need_allow_downgrade(store, tmp_path):
    header, _ = rows_of("tickets.csv")
    row = row_of("tickets.csv", DIAMOND)
    row.update({"VIP等级": "普通", "网龄": "", "ARPU": "", "预约开始": "", "预约结束": ""})
    path = write_csv(tmp_path / "t.csv", header, [row])
    before = fingerprint(store)
    with pytest.raises(LosingUpdate) as caught:
        in_store(import_file, path, database=store)
    expected = ["appointment start cleared (the file's cell is empty)",
                "appointment end cleared (the file's cell is empty)",
                "VIP tier lowered from diamond to none", "tenure cleared (the file's cell is empty)",
                "ARPU cleared (the file's cell is empty)"]
    assert sorted(caught.value.report.warnings[DIAMOND]) == sorted(expected)
    assert "--allow-downgrade" in str(caught.value)
    assert fingerprint(store) == before
    outcome = in_store(import_file, path, database=store, allow_downgrade=True)
    assert sorted(outcome.report.warnings[DIAMOND]) == sorted(expected)
    assert _ticket_state(store)[0] == "none" and _ticket_state(store)[4:6] == (None, None)


def test_a_changed_value_that_loses_nothing_is_not_listed(store, tmp_path):
    header, _ = rows_of("tickets.csv")
    row = {**row_of("tickets.csv", DIAMOND), "投诉内容": "客户补充说明", "ARPU": "1300"}
    outcome = in_store(import_file, write_csv(tmp_path / "t.csv", header, [row]), database=store)
    assert outcome.report.updated == {DIAMOND: ["description", "arpu"]} and not outcome.report.warnings


def test_the_cli_lists_losing_updates_and_imports_them_only_when_told(store, tmp_path, capsys, monkeypatch):
    if store:
        monkeypatch.setenv("CVP_DATABASE_URL", store)
    header, _ = rows_of("staff.csv")
    s1 = {**row_of("staff.csv", "S1"), "技能": "", "交通方式": "", "每日最多拜访": ""}
    path = str(write_csv(tmp_path / "roster.csv", header, [s1]))
    assert main(["import", path]) == 2
    err = capsys.readouterr().err
    assert "1 update(s) would lose stored values; nothing was imported" in err
    assert "S1: skills cleared (the file's cell is empty); transport cleared" in err and "--allow-downgrade" in err
    assert stored(store, "StaffRow", "S1").skills == "test;vip"
    assert main(["import", path, "--allow-downgrade"]) == 0
    out = capsys.readouterr().out
    assert "1 losing stored values" in out and "losing values S1: skills cleared" in out
    assert "max visits cleared" in out
    s = stored(store, "StaffRow", "S1")
    assert (s.skills, s.transport, s.max_visits) == ("", "bus", None)


def test_the_rejects_csv_escapes_formula_cells(tmp_path):
    header, _ = rows_of("tickets.csv")
    good = row_of("tickets.csv", DIAMOND)
    bad = {**good, "工单号": "=HYPERLINK(\"http://x\")", "客户号码": "12", "投诉内容": "=cmd|' /C calc'!A0",
           "客户姓名": "@SUM(1+1)", "地址": "-2+3"}
    rejects = tmp_path / "rejects.csv"
    in_store(import_file, write_csv(tmp_path / "t.csv", [*header, "+evil"], [good, {**bad, "+evil": "+1"}]),
                skip_invalid=True, rejects_path=rejects, allow_downgrade=True)
    with rejects.open(encoding="utf-8-sig", newline="") as fh:
        head, line = list(csv.reader(fh))
    assert head[-1] == "'+evil"
    cells = dict(zip(head, line, strict=True))
    assert cells["投诉内容"] == "'=cmd|' /C calc'!A0" and cells["客户姓名"] == "'@SUM(1+1)"
    assert cells["地址"] == "'-2+3" and cells["'+evil"] == "'+1" and cells["工单号"].startswith("'=")
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in line + head)
