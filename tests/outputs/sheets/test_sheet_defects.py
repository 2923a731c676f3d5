"""Route sheets as a field worker reads them (issue #12, item 18): the start point is the
office's name from the roster (基地名称), the coordinates only when the roster names none;
the name survives intake, the store and the plan document."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace

import pytest

from planner.intake import load_file
from planner.sheets import load_texts, render_sheets
from planner.sheets.model import sheet_view
from planner.store.convert import staff_record
from planner.store.db import session_scope
from planner.store.models import StaffRow
from tests.conftest import FIXTURE_DAY
from tests.outputs.sheets.outputs_day import ARTIFACTS

OFFICE = "南区优化维护分部"


def test_the_roster_names_the_base_and_intake_reads_it():
    staff = load_file(FIXTURE_DAY / "staff.csv").records
    assert [s.base_name for s in staff] == [OFFICE] * 4


def test_the_base_name_is_stored_and_planned(day):
    with session_scope(day.database_url) as s:
        rows = s.query(StaffRow).order_by(StaffRow.staff_id).all()
        assert [staff_record(r).base_name for r in rows] == [OFFICE] * 4
    assert {r["base_name"] for r in day.doc["routes"]} == {OFFICE}


def test_the_sheet_prints_the_base_name_and_coordinates_only_without_one(day):
    texts = load_texts(day.rules, "zh")
    route = day.doc["routes"][0]
    view = sheet_view(day.doc, route, day.tickets, day.inputs.history, texts, url_base="http://cvp.test")
    assert view.base == OFFICE
    unnamed = sheet_view(day.doc, {**route, "base_name": ""}, day.tickets, day.inputs.history, texts,
                         url_base="http://cvp.test")
    assert unnamed.base == f"{route['base_lat']:.5f}, {route['base_lon']:.5f}"
    older = {k: v for k, v in route.items() if k != "base_name"}  # a plan made before the roster had names
    assert sheet_view(day.doc, older, day.tickets, day.inputs.history, texts, url_base="http://cvp.test").base \
        == unnamed.base


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_the_printed_sheet_shows_the_office_not_coordinates(day, tmp_path):
    first = day.doc["routes"][0]["staff_id"]
    [pdf] = render_sheets(day.doc, day.tickets, day.inputs.history, day.rules, tmp_path, url_base="http://cvp.test",
                          staff=day.inputs.staff, only=[first])
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True,
                          timeout=60).stdout
    head = text.split("服务工具包")[0]
    assert f"出发地 ■ {OFFICE}" in " ".join(head.split()) and "34.22141" not in head
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf),
                    str(ARTIFACTS / "sheet-base-name")], check=True, timeout=60)


def test_a_roster_without_the_column_still_imports(tmp_path):
    source = (FIXTURE_DAY / "staff.csv").read_text(encoding="utf-8").splitlines()
    cut = [",".join(line.split(",")[:-1]) for line in source]
    path = tmp_path / "staff.csv"
    path.write_text("\n".join(cut) + "\n", encoding="utf-8")
    staff = load_file(path).records
    assert len(staff) == 4 and {s.base_name for s in staff} == {""}
    assert replace(staff[0], base_name=OFFICE).base_name == OFFICE
