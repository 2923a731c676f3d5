"""Property: the importer either accepts a row or names what is wrong with it, never crashes."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.errors import UserError
from planner.intake import load_file
from tests.intake.helpers import EN_HEADERS, ZH_HEADERS, row, write_csv

valid = {
    "ticket_id": st.from_regex(r"XA-[0-9]{4}", fullmatch=True),
    "received_at": st.datetimes(min_value=__import__("datetime").datetime(2005, 1, 1),
                                max_value=__import__("datetime").datetime(2030, 1, 1)).map(
        lambda d: d.strftime("%Y-%m-%d %H:%M")),
    "phone": st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    "vip_level": st.sampled_from(["钻卡", "金卡", "银卡", "贵宾", "普通", "diamond", "none", ""]),
    "lat": st.floats(33.9, 34.5).map(lambda x: f"{x:.6f}"),
    "lon": st.floats(108.6, 109.3).map(lambda x: f"{x:.6f}"),
    "coord_system": st.sampled_from(["wgs84", "gcj02", "bd09", "GCJ-02", ""]),
    "tenure_years": st.one_of(st.just(""), st.integers(0, 30).map(str)),
}
anything = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r\n"), max_size=20)
# (line breaks inside cells shift physical line numbers: test_multiline_cells covers those)


def _field_value(name):
    good = valid.get(name, st.text(alphabet="南区雁塔小寨路号abc123 ", min_size=1, max_size=12))
    return st.one_of(good, good, good, anything)


row_values = st.fixed_dictionaries({h: _field_value(h) for h in EN_HEADERS})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row_values, min_size=1, max_size=6))
def test_every_row_is_accepted_or_explained(rows):
    with tempfile.TemporaryDirectory() as tmp:
        path = write_csv(Path(tmp) / "t.csv", [row(**r) for r in rows])
        try:
            result = load_file(path)
        except UserError:
            return  # a whole-file problem (e.g. a value that breaks the CSV) is reported, not raised as a bug
    errors_by_line = {e.line for e in result.errors}
    accepted = {t.ticket_id for t in result.records}
    for e in result.errors:
        assert e.column in ZH_HEADERS or e.column in ("(row)", "(file)")
        assert e.reason
    ids = [r["ticket_id"].strip() for r in rows]
    for line, r in enumerate(rows, start=2):
        if line in errors_by_line:
            continue
        if not any(str(v).strip() for v in row(**r)):
            continue  # blank line
        assert r["ticket_id"].strip() in accepted or ids.count(r["ticket_id"].strip()) > 1


@settings(max_examples=100, deadline=None)
@given(values=st.fixed_dictionaries({k: v for k, v in valid.items()}))
def test_valid_rows_are_always_accepted(values):
    with tempfile.TemporaryDirectory() as tmp:
        path = write_csv(Path(tmp) / "t.csv", [row(**values)])
        result = load_file(path)
    assert not result.errors, result.errors
    t = result.records[0]
    assert t.ticket_id == values["ticket_id"] and t.phone == values["phone"]
    assert t.received_at.strftime("%Y-%m-%d %H:%M") == values["received_at"]


def test_multiline_cells_keep_the_physical_line_numbers(tmp_path):
    path = write_csv(tmp_path / "t.csv", [row(ticket_id="A", description="第一行\n第二行\n第三行"),
                                          row(ticket_id="B", phone="1")])
    result = load_file(path)
    assert result.records[0].description == "第一行\n第二行\n第三行"
    assert [(e.line, e.column) for e in result.errors] == [(5, "客户号码")]
