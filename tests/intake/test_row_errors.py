"""Every bad row is reported as `line N, column X: reason`, and nothing is imported."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from planner.cli import main
from planner.errors import InvalidFileError
from planner.intake import load_file
from planner.store.db import session_scope
from planner.store.models import TicketRow
from planner.workflow import import_file
from tests.intake.helpers import row, write_csv
from tests.store_calls import in_store

CASES = [
    (row(phone="1380918"), "客户号码", "bad phone number"),
    (row(received_at="昨天上午"), "受理时间", "unparseable time"),
    (row(lat="134.2"), "纬度", "above 90"),
    (row(lon="abc"), "经度", "not a number"),
    (row(window_start="2010-08-05 11:00", window_end="2010-08-05 10:00"), "预约结束", "ends"),
    (row(window_start="2010-08-05 11:00", window_end=""), "预约结束", "both a start and an end"),
    (row(vip_level="白金卡"), "VIP等级", "unknown VIP tier"),
    (row(address=""), "地址", "missing required value"),
    (row(ticket_id=""), "工单号", "missing required value"),
    (row(district=""), "区域", "missing required value"),
]


@pytest.mark.parametrize("bad,column,reason", CASES)
def test_each_kind_of_bad_value_names_line_column_and_reason(tmp_path, bad, column, reason):
    path = write_csv(tmp_path / "t.csv", [row(ticket_id="OK1"), bad, row(ticket_id="OK2")])
    result = load_file(path)
    assert len(result.errors) == 1
    err = result.errors[0]
    assert (err.line, err.column) == (3, column)
    assert reason in err.reason
    assert str(err).startswith(f"line 3, column {column}: ")


def test_duplicate_ticket_id_in_the_file(tmp_path):
    path = write_csv(tmp_path / "t.csv", [row(ticket_id="A"), row(ticket_id="B"), row(ticket_id="A")])
    err = load_file(path).errors[0]
    assert (err.line, err.column) == (4, "工单号")
    assert "duplicate" in err.reason and "line 2" in err.reason


def test_one_bad_row_imports_nothing_and_lists_every_problem(tmp_path):
    path = write_csv(tmp_path / "t.csv", [row(ticket_id="A"), row(ticket_id="B", phone="12"),
                                          row(ticket_id="C", vip_level="x", received_at="")])
    with pytest.raises(InvalidFileError) as info:
        in_store(import_file, path)
    text = str(info.value)
    assert "line 3, column 客户号码" in text
    assert "line 4, column VIP等级" in text and "line 4, column 受理时间" in text
    assert "nothing was imported" in text
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(TicketRow)) == 0


def test_skip_invalid_imports_good_rows_and_writes_rejects(tmp_path):
    import csv

    path = write_csv(tmp_path / "t.csv", [row(ticket_id="A"), row(ticket_id="B", phone="12"), row(ticket_id="C")])
    rejects = tmp_path / "rejects.csv"
    outcome = in_store(import_file, path, skip_invalid=True, rejects_path=rejects)
    assert outcome.rejected == 1
    assert sorted(outcome.report.added) == ["A", "C"]
    with open(rejects, encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1
    assert rows[0]["line"] == "3" and rows[0]["工单号"] == "B"
    assert "客户号码: bad phone number" in rows[0]["reasons"]


def test_cli_reports_errors_without_traceback(tmp_path, capsys):
    path = write_csv(tmp_path / "t.csv", [row(phone="999")])
    assert main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 2, column 客户号码: bad phone number" in err
    assert "Traceback" not in err
