"""A dispatcher's file reads the same whatever format and encoding the export used."""

from __future__ import annotations

import pytest

from planner.intake import load_file
from tests.intake.helpers import EN_HEADERS, row, write_csv, write_json, write_xlsx

ROWS = [row(ticket_id="T1"), row(ticket_id="T2", phone="15929384756", vip_level="普通",
                                 window_start="2010-08-05 09:30", window_end="2010-08-05 10:30")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings_are_detected(tmp_path, encoding):
    path = write_csv(tmp_path / "t.csv", ROWS, encoding=encoding)
    result = load_file(path)
    assert result.kind == "tickets"
    assert not result.errors
    assert [t.ticket_id for t in result.records] == ["T1", "T2"]
    assert result.records[0].customer_name == "王建国"
    assert result.records[0].vip_level == "gold"
    assert result.records[0].address == "雁塔区小寨东路126号"


def test_xlsx_json_and_english_headers_give_the_same_tickets(tmp_path):
    reference = load_file(write_csv(tmp_path / "t.csv", ROWS)).records
    assert load_file(write_xlsx(tmp_path / "t.xlsx", ROWS)).records == reference
    assert load_file(write_json(tmp_path / "t.json", ROWS)).records == reference
    assert load_file(write_csv(tmp_path / "en.csv", ROWS, headers=EN_HEADERS)).records == reference


def test_times_are_aware_in_the_dispatchers_zone(tmp_path):
    t = load_file(write_csv(tmp_path / "t.csv", ROWS)).records[1]
    assert t.received_at.utcoffset().total_seconds() == 8 * 3600
    assert t.window_start.isoformat() == "2010-08-05T09:30:00+08:00"
    assert t.window_end.isoformat() == "2010-08-05T10:30:00+08:00"


def test_kind_is_detected_from_headers(tmp_path):
    staff = tmp_path / "staff.csv"
    staff.write_text("员工编号,姓名,区域,电话,基地纬度,基地经度,上班时间,下班时间,技能,交通方式,每日最多拜访\n"
                     "S1,李明,南区,13991234567,34.2235,108.948,09:00,17:30,vip;test,汽车,6\n", encoding="utf-8")
    result = load_file(staff)
    assert result.kind == "staff"
    s = result.records[0]
    assert (s.staff_id, s.transport, s.skills, s.max_visits) == ("S1", "car", ("test", "vip"), 6)
    sites = tmp_path / "net.csv"
    sites.write_text("站点编号,纬度,经度,状态,预计开通日期\nXA-1,34.21,108.95,在建,2010-10-01\n", encoding="utf-8")
    result = load_file(sites)
    assert result.kind == "sites"
    assert result.records[0].status == "under_construction"
