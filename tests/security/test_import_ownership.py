"""A dispatcher's import writes only rows of their own district.

A 北区 dispatcher once rewrote a 南区 ticket (its text and phone) with an import, moved
it into 北区 by changing 区域, and took over 南区's worker S1 with a one-line roster.
Each such row is now a row error on the district column, and nothing of the file is
stored; the operator's ``cvp import`` and admins (districts=None) are not limited.
Every case runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv

import pytest

from planner.errors import InvalidFileError
from planner.workflow import LosingUpdate, check_file, import_file
from tests.conftest import FIXTURE_DAY
from tests.security.import_helpers import STORES, fingerprint, row_of, rows_of, store_for, stored, write_csv

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
        import_file(path, database=url, districts=districts, **kw)
    assert fingerprint(url) == before, "a refused file stored something"
    return caught.value


def test_a_north_dispatcher_cannot_rewrite_a_south_ticket(store, tmp_path):
    row = row_of("tickets.csv", SOUTH_TICKET)
    row["投诉内容"], row["客户号码"] = "已处理，无需上门", "13800000000"
    exc = _refused(_ticket_file(tmp_path, row), store)
    [error] = exc.errors
    assert (error.line, error.column) == (2, "区域")
    assert error.reason == f"{SOUTH_TICKET} belongs to district 南区, not yours (北区)"


def test_nor_move_it_into_the_north_district(store, tmp_path):
    row = row_of("tickets.csv", SOUTH_TICKET)
    row["区域"] = "北区"
    exc = _refused(_ticket_file(tmp_path, row), store)
    assert [(e.line, e.column) for e in exc.errors] == [(2, "区域")]
    assert "belongs to district 南区" in exc.errors[0].reason
    assert stored(store, "TicketRow", SOUTH_TICKET).district == "南区"


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
    s1["区域"], s1["技能"], s1["午休开始"], s1["午休结束"], s1["交通方式"] = "北区", "", "", "", ""
    exc = _refused(write_csv(tmp_path / "roster.csv", header, [s1]), store)
    assert [(e.line, e.column) for e in exc.errors] == [(2, "区域")]
    kept = stored(store, "StaffRow", "S1")
    assert (kept.district, kept.skills, kept.break_start, kept.transport) == ("南区", "test;vip", "11:30", "car")


def test_history_and_network_plan_are_checked_too(store, tmp_path):
    hist_header, hist = rows_of("history.csv")
    _refused(write_csv(tmp_path / "h.csv", hist_header, hist[:1]), store, history=True)
    header, sites = rows_of("network.csv")
    south_site = next(dict(s) for s in sites if s["区域"] == "南区")
    south_site["状态"] = "规划"
    assert "belongs to district 南区" in _refused(write_csv(tmp_path / "n.csv", header, [south_site]), store).errors[0].reason
    # without a district column the stored district decides; a new site without one serves everybody
    no_district = [h for h in header if h != "区域"]
    exc = _refused(write_csv(tmp_path / "n2.csv", no_district, [south_site, {**south_site, "站点编号": "NEW-1"}]), store)
    assert [(e.line, e.column) for e in exc.errors] == [(2, "区域/district"), (3, "区域/district")]
    assert "only an administrator" in exc.errors[1].reason


def test_own_district_rows_are_imported(store, tmp_path):
    mine = row_of("tickets.csv", NORTH_TICKET)
    mine["投诉内容"] = "客户补充：晚上信号更差"
    new = {**mine, "工单号": "XA-BQ-NEW-0001"}
    outcome = import_file(_ticket_file(tmp_path, mine, new), database=store, districts=NORTH)
    assert outcome.report.added == ["XA-BQ-NEW-0001"]
    assert outcome.report.updated == {NORTH_TICKET: ["description"]}
    assert stored(store, "TicketRow", NORTH_TICKET).description == "客户补充：晚上信号更差"


def test_skip_invalid_writes_the_refused_rows_to_the_rejects(store, tmp_path):
    mine = {**row_of("tickets.csv", NORTH_TICKET), "工单号": "XA-BQ-NEW-0002"}
    theirs = row_of("tickets.csv", SOUTH_TICKET)
    rejects = tmp_path / "rejects.csv"
    outcome = import_file(_ticket_file(tmp_path, mine, theirs), database=store, districts=NORTH,
                          skip_invalid=True, rejects_path=rejects)
    assert outcome.report.added == ["XA-BQ-NEW-0002"] and outcome.rejected == 1
    [line] = list(csv.DictReader(rejects.open(encoding="utf-8-sig")))
    assert line["line"] == "3" and "belongs to district 南区" in line["reasons"] and line["工单号"] == SOUTH_TICKET
    assert stored(store, "TicketRow", SOUTH_TICKET).district == "南区"


def test_the_preview_refuses_the_same_rows_without_writing(store, tmp_path):
    row = row_of("tickets.csv", SOUTH_TICKET)
    before = fingerprint(store)
    check = check_file(_ticket_file(tmp_path, row), database=store, districts=NORTH)
    assert [(e.line, e.column) for e in check.result.errors] == [(2, "区域")] and not check.result.records
    assert fingerprint(store) == before


def test_the_operator_may_move_a_ticket_but_only_saying_so(store, tmp_path):
    row = row_of("tickets.csv", SOUTH_TICKET)
    row["区域"] = "北区"
    path = _ticket_file(tmp_path, row)
    before = fingerprint(store)
    with pytest.raises(LosingUpdate) as caught:
        import_file(path, database=store)
    assert caught.value.report.warnings == {SOUTH_TICKET: ["moves from district 南区 to 北区"]}
    assert fingerprint(store) == before
    outcome = import_file(path, database=store, allow_downgrade=True)
    assert outcome.report.updated == {SOUTH_TICKET: ["district"]}
    assert stored(store, "TicketRow", SOUTH_TICKET).district == "北区"


def test_the_fixture_files_import_whole_for_the_operator(tmp_path):
    """The unlimited import is unchanged: the whole fixture day, both districts."""
    outcome = import_file(FIXTURE_DAY / "tickets.csv", gazetteer=FIXTURE_DAY / "gazetteer.csv")
    assert len(outcome.report.added) == 53
