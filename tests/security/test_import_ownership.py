"""A dispatcher's import writes only rows of their own district.

A 北区 dispatcher once rewrote a 南区 ticket (its text and phone) with an import, moved
it into 北区 by changing 区域, and took over 南区's worker S1 with a one-line roster.
A row naming another district is now a row error on the district column, and nothing
of the file is stored; a row naming one's own district is one's own record even where
another district has the same id (ids are keyed by district), so nothing of the other
district is reached, and no district can take another's next id first.  The operator's
``cvp import`` and admins (districts=None) are not limited.
Every case runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv

import pytest

from planner.errors import InvalidFileError
from planner.workflow import check_file, import_file
from tests.conftest import FIXTURE_DAY
from tests.security.import_helpers import STORES, fingerprint, row_of, rows_of, store_for, stored, write_csv
from tests.store_calls import in_store

NORTH = frozenset({"北区"})
SOUTH_TICKET = "XA-NQ-20100804-0071"
NORTH_TICKET = "XA-BQ-20100804-0001"


@pytest.fixture(params=STORES)
def store(request):
    return store_for(request)


def _ticket_file(tmp_path, *rows: dict, name: str = "t.csv"):
    header, _ = rows_of("tickets.csv")
    return write_csv(tmp_path / name, header, list(rows))


def _refused(path, url, districts=NORTH, **kw) -> InvalidFileError:
    before = fingerprint(url)
    with pytest.raises(InvalidFileError) as caught:
        in_store(import_file, path, database=url, districts=districts, **kw)
    assert fingerprint(url) == before, "a refused file stored something"
    return caught.value


def test_a_north_dispatcher_cannot_rewrite_a_south_ticket(store, tmp_path):
    row = row_of("tickets.csv", SOUTH_TICKET)
    row["投诉内容"], row["客户号码"] = "已处理，无需上门", "13800000000"
    exc = _refused(_ticket_file(tmp_path, row), store)
    [error] = exc.errors
    assert (error.line, error.column) == (2, "区域")
    assert error.reason == "district 南区 is not yours to import (yours: 北区)"


def test_the_same_id_in_the_north_district_is_a_north_record_and_leaves_the_south_one_alone(store, tmp_path):
    """Ids are the district's own: 区域=北区 with a 南区 ticket's id makes a 北区 ticket, it
    does not move (or reach) 南区's."""
    south_before = stored(store, "TicketRow", SOUTH_TICKET, "南区")
    row = row_of("tickets.csv", SOUTH_TICKET)
    row["区域"], row["投诉内容"], row["客户号码"] = "北区", "已处理，无需上门", "13800000000"
    outcome = in_store(import_file, _ticket_file(tmp_path, row), database=store, districts=NORTH)
    assert outcome.report.added == [SOUTH_TICKET] and not outcome.report.updated
    south = stored(store, "TicketRow", SOUTH_TICKET, "南区")
    assert (south.description, south.phone, south.updated_at) == (
        south_before.description, south_before.phone, south_before.updated_at)
    assert stored(store, "TicketRow", SOUTH_TICKET, "北区").phone == "13800000000"


def test_a_district_cannot_take_another_districts_next_id_first(store, tmp_path):
    """Id squatting: 北区 importing the id 南区 will use tomorrow does not lock 南区 out."""
    row = row_of("tickets.csv", SOUTH_TICKET)
    squat = {**row, "工单号": "XA-NQ-NEW-0001", "区域": "北区", "投诉内容": "抢注"}
    in_store(import_file, _ticket_file(tmp_path, squat, name="squat.csv"), database=store, districts=NORTH)
    real = {**row, "工单号": "XA-NQ-NEW-0001", "投诉内容": "真正的南区工单"}
    outcome = in_store(import_file, _ticket_file(tmp_path, real, name="real.csv"), database=store, districts={"南区"})
    assert outcome.report.added == ["XA-NQ-NEW-0001"]
    assert stored(store, "TicketRow", "XA-NQ-NEW-0001", "南区").description == "真正的南区工单"
    assert stored(store, "TicketRow", "XA-NQ-NEW-0001", "北区").description == "抢注"


def test_nor_create_a_ticket_in_the_south_district(store, tmp_path):
    row = row_of("tickets.csv", SOUTH_TICKET)
    row["工单号"] = "XA-NQ-NEW-0001"
    own = row_of("tickets.csv", NORTH_TICKET)
    exc = _refused(_ticket_file(tmp_path, own, row), store)
    assert [(e.line, e.column, str(e.reason)) for e in exc.errors] == [
        (3, "区域", "district 南区 is not yours to import (yours: 北区)")]


def test_a_one_line_roster_cannot_take_over_a_south_worker(store, tmp_path):
    header, _ = rows_of("staff.csv")
    s1 = row_of("staff.csv", "S1")
    s1["技能"], s1["午休开始"], s1["午休结束"], s1["交通方式"] = "", "", "", ""
    exc = _refused(write_csv(tmp_path / "roster.csv", header, [s1]), store)
    assert [(e.line, e.column) for e in exc.errors] == [(2, "区域")]
    # with 区域=北区 the row is a 北区 worker of the same id; 南区's S1 is untouched
    s1["区域"] = "北区"
    in_store(import_file, write_csv(tmp_path / "roster2.csv", header, [s1]), database=store, districts=NORTH)
    kept = stored(store, "StaffRow", "S1", "南区")
    assert (kept.district, kept.skills, kept.break_start, kept.transport) == ("南区", "test;vip", "11:30", "car")


def test_history_and_network_plan_are_checked_too(store, tmp_path):
    hist_header, hist = rows_of("history.csv")
    _refused(write_csv(tmp_path / "h.csv", hist_header, hist[:1]), store, history=True)
    header, sites = rows_of("network.csv")
    south_site = next(dict(s) for s in sites if s["区域"] == "南区")
    south_site["状态"] = "规划"
    assert "district 南区 is not yours" in _refused(write_csv(tmp_path / "n.csv", header, [south_site]),
                                                   store).errors[0].reason
    # a site without a district serves everybody: only an administrator imports one
    no_district = [h for h in header if h != "区域"]
    exc = _refused(write_csv(tmp_path / "n2.csv", no_district, [south_site, {**south_site, "站点编号": "NEW-1"}]), store)
    assert [(e.line, e.column) for e in exc.errors] == [(2, "区域/district"), (3, "区域/district")]
    assert all("only an administrator" in e.reason for e in exc.errors)


def test_own_district_rows_are_imported(store, tmp_path):
    mine = row_of("tickets.csv", NORTH_TICKET)
    mine["投诉内容"] = "客户补充：晚上信号更差"
    new = {**mine, "工单号": "XA-BQ-NEW-0001"}
    outcome = in_store(import_file, _ticket_file(tmp_path, mine, new), database=store, districts=NORTH)
    assert outcome.report.added == ["XA-BQ-NEW-0001"]
    assert outcome.report.updated == {NORTH_TICKET: ["description"]}
    assert stored(store, "TicketRow", NORTH_TICKET).description == "客户补充：晚上信号更差"


def test_skip_invalid_writes_the_refused_rows_to_the_rejects(store, tmp_path):
    mine = {**row_of("tickets.csv", NORTH_TICKET), "工单号": "XA-BQ-NEW-0002"}
    theirs = row_of("tickets.csv", SOUTH_TICKET)
    rejects = tmp_path / "rejects.csv"
    outcome = in_store(import_file, _ticket_file(tmp_path, mine, theirs), database=store, districts=NORTH,
                          skip_invalid=True, rejects_path=rejects)
    assert outcome.report.added == ["XA-BQ-NEW-0002"] and outcome.rejected == 1
    [line] = list(csv.DictReader(rejects.open(encoding="utf-8-sig")))
    assert line["line"] == "3" and "district 南区 is not yours" in line["reasons"] and line["工单号"] == SOUTH_TICKET
    assert stored(store, "TicketRow", SOUTH_TICKET).district == "南区"


def test_the_preview_refuses_the_same_rows_without_writing(store, tmp_path):
    row = row_of("tickets.csv", SOUTH_TICKET)
    before = fingerprint(store)
    check = in_store(check_file, _ticket_file(tmp_path, row), database=store, districts=NORTH)
    assert [(e.line, e.column) for e in check.result.errors] == [(2, "区域")] and not check.result.records
    assert fingerprint(store) == before


def test_the_operators_file_keys_rows_by_district_too(store, tmp_path):
    """A 南区 ticket's id under 北区 in the operator's file is 北区's record; a ticket is not
    moved between districts by an import (nor warned about as a lost value)."""
    row = row_of("tickets.csv", SOUTH_TICKET)
    row["区域"] = "北区"
    outcome = in_store(import_file, _ticket_file(tmp_path, row), database=store)
    assert outcome.report.added == [SOUTH_TICKET] and not outcome.report.warnings
    assert stored(store, "TicketRow", SOUTH_TICKET, "南区").district == "南区"
    assert stored(store, "TicketRow", SOUTH_TICKET, "北区").district == "北区"


def test_the_fixture_files_import_whole_for_the_operator(tmp_path):
    """The unlimited import is unchanged: the whole fixture day, both districts."""
    outcome = in_store(import_file, FIXTURE_DAY / "tickets.csv", gazetteer=FIXTURE_DAY / "gazetteer.csv")
    assert len(outcome.report.added) == 53
