"""Every value is bounded before it is stored or computed: the same rows on SQLite and PostgreSQL,
no control characters or line breaks where they break pages, no number that costs minutes.

Field lengths are the store's own columns (planner.store.models via
planner.intake.lengths); cost parameters are those of cost_model/bounds.py.
"""

from __future__ import annotations

import re

import pytest

from planner.errors import InvalidFileError, UserError
from planner.intake import load_file
from planner.store.db import session_scope
from planner.store.models import AuditRow, OverrideRow, TicketRow
from planner.workflow import import_file
from tests.intake.helpers import ZH_HEADERS, row, write_csv
from tests.security.helpers import run_cvp
from tests.store_calls import in_store

DAY = "2010-08-05"

#: (what the row carries, the row error it must give); column names as in the file
BAD_ROWS = [
    ({"ticket_id": "T" * 65}, "column 工单号: 65 characters; at most 64"),
    ({"customer_name": "王" * 129}, "column 客户姓名: 129 characters; at most 128"),
    ({"category": "网" * 129}, "column 投诉类别: 129 characters; at most 128"),
    ({"district": "南" * 65}, "column 区域: 65 characters; at most 64"),
    ({"description": "信号很差\x00"}, "column 投诉内容: a control character (U+0000) is not allowed"),
    ({"ticket_id": "T-CR\r\nLF"}, "column 工单号: a line break is not allowed here"),
    ({"customer_name": "王\x1b[31m"}, "column 客户姓名: a control character (U+001B) is not allowed"),
    ({"address": "小寨东路" * 1001}, "column 地址: 4004 characters; at most 4000"),
    ({"lat": "34.2,1"}, "column 纬度: latitude '34.2,1' is not a number (a comma is not a decimal point)"),
]


def _hostile_tickets(tmp_path):
    """400 good tickets (more than 64 KiB, so the NUL is past the binary-file sniff), then the bad rows."""
    good = [row(ticket_id=f"G{i:04d}", description="家里信号很差，打电话经常掉线" * 3) for i in range(400)]
    bad = [row(**{"ticket_id": f"B{i}", **over}) for i, (over, _) in enumerate(BAD_ROWS)]
    path = write_csv(tmp_path / "hostile.csv", good + bad)
    assert path.read_bytes().index(b"\x00") > 65536
    return path, len(good)


def _problems(path, database):
    with pytest.raises(InvalidFileError) as err:
        in_store(import_file, path, database=database)
    return [str(e) for e in err.value.errors]


def _expected(first_bad_line: int) -> list[str]:
    """Each bad row's error on the line where the row starts (a quoted line break spans two)."""
    out, line = [], first_bad_line
    for over, reason in BAD_ROWS:
        out.append(f"line {line}, {reason}")
        line += 1 + sum(v.count("\n") for v in over.values())
    return out


def _tickets(database) -> int:
    with session_scope(database) as s:
        return s.query(TicketRow).count()


def test_overlong_and_control_characters_are_row_errors_on_sqlite(tmp_path):
    path, good = _hostile_tickets(tmp_path)
    assert _problems(path, None) == _expected(good + 2)
    assert _tickets(None) == 0  # one bad row imports nothing
    outcome = in_store(import_file, path, skip_invalid=True, rejects_path=tmp_path / "rejects.csv")
    assert len(outcome.report.added) == good and outcome.rejected == len(BAD_ROWS)


@pytest.mark.postgres
def test_the_same_rows_are_refused_on_postgresql_and_the_rest_import(tmp_path, fresh_postgres):
    path, good = _hostile_tickets(tmp_path)
    assert _problems(path, fresh_postgres) == _expected(good + 2)
    assert _tickets(fresh_postgres) == 0
    outcome = in_store(import_file, path, skip_invalid=True, rejects_path=tmp_path / "rejects.csv", database=fresh_postgres)
    assert len(outcome.report.added) == good and outcome.rejected == len(BAD_ROWS)
    assert _tickets(fresh_postgres) == good


def test_the_cli_names_line_column_and_reason(tmp_path, capsys):
    from planner.cli import main

    path, good = _hostile_tickets(tmp_path)
    assert main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for line in _expected(good + 2):
        assert line in err


def test_a_thousands_separator_is_still_a_number_and_a_comma_coordinate_is_not():
    from planner.intake import values

    assert values.number("1,234.5", "ARPU") == 1234.5
    for text in ("34.2,1", "34,2235", "1,23"):
        with pytest.raises(ValueError, match="a comma is not a decimal point"):
            values.latitude(text) if text != "1,23" else values.number(text, "ARPU")
    with pytest.raises(ValueError, match="is not a number"):
        values.number("1_000", "ARPU")


def test_a_ticket_file_without_its_phone_column_says_so(tmp_path, capsys):
    from planner.cli import main

    headers = [h for h in ZH_HEADERS if h != "客户号码"]
    values = [v for h, v in zip(ZH_HEADERS, row(), strict=True) if h != "客户号码"]
    path = write_csv(tmp_path / "t.csv", [values], headers=headers)
    result = load_file(path)
    assert result.kind == "tickets"
    assert [str(e) for e in result.errors] == [
        "line 1, column 客户号码/手机号码: required column phone (客户号码/手机号码) is missing"]
    assert main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "gazetteer" not in err and "required column phone" in err


# -- overrides ----------------------------------------------------------------------------------------


def test_an_override_on_a_crlf_id_is_refused_before_anything_is_written():
    from planner.workflow import parse_override, set_overrides

    for bad in ("T1\r\nSet-Cookie: x", "T1\x00", "T" * 65):
        with pytest.raises(UserError, match="ticket id"):
            in_store(set_overrides, "南区", [(bad, "type", "irate")], author="cli")
    with pytest.raises(UserError, match="ticket id: a control character"):
        parse_override("T1\x07 type=irate")
    with session_scope() as s:
        assert s.query(OverrideRow).count() == 0


def _legacy_crlf_ticket() -> str:
    """A ticket stored before intake refused line breaks in ids (as SQLite allowed)."""
    from tests.web.conftest import DISTRICT

    tid = "XA-LEGACY\r\n1"
    with session_scope() as s:
        model = s.query(TicketRow).filter(TicketRow.district == DISTRICT).first()
        cols = {c.name: getattr(model, c.name) for c in TicketRow.__table__.columns if c.name != "id"}
        s.add(TicketRow(**{**cols, "ticket_id": tid}))
    return tid


def _nothing_stored() -> None:
    with session_scope() as s:
        assert s.query(OverrideRow).count() == 0
        assert s.query(AuditRow).filter(AuditRow.action == "override").count() == 0


def test_a_crlf_override_on_the_page_is_a_422_with_nothing_stored(client_for, seeded):
    tid = _legacy_crlf_ticket()
    r = client_for("disp").post(f"/dispatch/{DAY}/overrides", {"ticket_id": tid, "field": "type", "value": "irate"})
    assert r.status_code == 422
    assert "a line break is not allowed here" in r.get_data(as_text=True)
    _nothing_stored()


def test_a_crlf_override_through_the_api_is_a_422_with_nothing_stored(app, seeded):
    from planner.store import accounts

    tid = _legacy_crlf_ticket()
    with session_scope() as s:
        token = accounts.issue_token(s, "disp")
    r = app.test_client().post(f"/api/days/{DAY}/overrides", headers={"Authorization": f"Bearer {token}"},
                               json={"overrides": [{"ticket_id": tid, "field": "type", "value": "irate"}]})
    assert r.status_code == 422 and "a line break is not allowed here" in r.get_json()["error"]["message"]
    _nothing_stored()


# -- cost numbers -------------------------------------------------------------------------------------


def test_a_sweep_of_1e999999_is_a_clear_error_within_bounds():
    done = run_cvp("cost", "sweep", "xian-2010-recommended", "--vary", "daily_visits=1E+999999:1E+999999")
    assert done.code == 2, done.err
    assert "'1E+999999' must be at most 1 000 000 000 000" in done.err and "Traceback" not in done.err


@pytest.mark.parametrize("spec, reason", [
    ("daily_visits=1E+999999,3", "'1E+999999' must be at most"),
    ("daily_visits=1:1E+999999", "must be at most"),
    ("daily_visits=NaN:3", "must be a finite number"),
    ("daily_visits=1:201", "201 values; at most 200"),
    ("daily_visits=" + ",".join(str(i) for i in range(1, 202)), "201 values; at most 200"),
    ("daily_visits=1:2:1E-999999", "more than 6 decimal places"),
])
def test_sweep_values_are_finite_bounded_and_few(spec, reason):
    from cost_model.sweep import SweepError, parse_vary

    with pytest.raises(SweepError, match=re.escape(reason)):
        parse_vary(spec)


@pytest.mark.parametrize("setting, reason", [
    ("daily_visits=1.0E+999999", "demand.daily_visits: must be at most 100 000"),
    ("districts=10001", "staffing.districts: must be at most 10 000"),
    ("working_days_per_month=32", "demand.working_days_per_month: must be at most 31"),
    ("labour.unit_price=.inf", "must be a finite number"),
    ("labour.quantity=1e999999*districts", "a number must be at most"),
])
def test_every_cost_parameter_has_a_documented_range(setting, reason):
    from cost_model import scenario
    from cost_model.scenario_params import parse_sets

    with pytest.raises(scenario.ScenarioError) as err:
        scenario.load("xian-2010-recommended").with_values(parse_sets((setting,)))
    assert reason in str(err.value) and len(str(err.value)) < 1000


def test_the_planner_pages_answer_422_not_500(client_for, seeded):
    from cost_model import scenario

    c = client_for("plan")
    text = scenario.builtin_text("xian-2010-recommended")
    r = c.post("/planner/sweep", {"yaml1": text, "sets1": "", "slot": "1", "vary": "daily_visits=1E+999999:1E+999999"})
    assert r.status_code == 422 and "must be at most" in r.get_data(as_text=True)
    r = c.post("/planner/run", {"yaml1": text, "sets1": "daily_visits=1.0E+999999"})
    assert r.status_code == 422 and "must be at most 100 000" in r.get_data(as_text=True)
    r = c.post("/planner/run", {"yaml1": text, "sets1": "districts=nan"})
    assert r.status_code == 422
