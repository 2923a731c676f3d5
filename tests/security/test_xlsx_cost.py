"""Small XLSX files that cost openpyxl minutes are refused, or read at the cost of their data.

The files are written here part by part, the way an attacker would: an empty cell in
column XFD on every row (openpyxl pads each row to 16,384 cells), a row numbered far
down (it yields every row before it), a shared-strings table of a million texts.  The
imports run in a child process that is killed after 20 s: a bound, not a speed goal
(without the counts taken before parsing, the first file took minutes).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from planner.errors import UserError
from planner.intake import load_file, readers
from tests.intake.helpers import ZH_HEADERS, row
from tests.security.helpers import run_cvp

BOUND_S = 20
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>'
        "</Types>"),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
        '<sheets><sheet name="工单" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
}


def _col(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _text_row(number: int, texts: list[str], numbered: bool = True) -> str:
    """A row of inline texts; without ``numbered``, neither the row nor its cells say
    where they are, and an empty text is an empty ``<c/>`` that holds its place."""
    if not numbered:
        cells = "".join(f'<c t="inlineStr"><is><t>{t}</t></is></c>' if t else "<c/>" for t in texts)
        return f"<row>{cells}</row>"
    cells = "".join(f'<c r="{_col(i)}{number}" t="inlineStr"><is><t>{t}</t></is></c>'
                    for i, t in enumerate(texts, start=1) if t)
    return f'<row r="{number}">{cells}</row>'


def _workbook(path: Path, rows_xml: str, shared: str = "", encoding: str = "utf-8") -> Path:
    """A minimal valid workbook: the ticket headers and one ticket, then ``rows_xml``."""
    sheet = (f'<?xml version="1.0" encoding="{encoding.upper()}"?><worksheet xmlns="{MAIN}">'
             '<dimension ref="A1:O2"/><sheetData>'
             + _text_row(1, ZH_HEADERS) + _text_row(2, row()) + rows_xml + "</sheetData></worksheet>")
    strings = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">{shared}</sst>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in PARTS.items():
            z.writestr(name, text)
        z.writestr("xl/worksheets/sheet1.xml", sheet.encode(encoding))
        z.writestr("xl/sharedStrings.xml", strings)
    return path


def test_the_hand_written_workbook_imports(tmp_path):
    """The attack files below are this workbook plus one thing; it is a valid import."""
    assert [t.ticket_id for t in load_file(_workbook(tmp_path / "ok.xlsx", "")).records] == ["T1"]


def test_an_empty_cell_in_column_xfd_on_every_row_costs_nothing(tmp_path):
    """Attack F2(a): 50,000 rows each holding only ``<c r="XFD…"/>``.  An empty cell
    widens no row, so the one ticket imports, within the bound."""
    rows = "".join(f'<row r="{i}"><c r="XFD{i}"/></row>' for i in range(3, 50_003))
    path = _workbook(tmp_path / "wide.xlsx", rows)
    assert path.stat().st_size < 1024 * 1024
    done = run_cvp("import", str(path), timeout=BOUND_S)
    assert done.code == 0, done.err[-2000:]
    assert "1 added" in done.out


def test_a_value_beyond_the_column_limit_is_refused_naming_its_cell(tmp_path):
    path = _workbook(tmp_path / "far.xlsx", '<row r="3"><c r="XFD3"><v>1</v></c></row>')
    done = run_cvp("import", str(path), timeout=BOUND_S)
    assert done.code == 2 and "Traceback" not in done.err
    assert "cell XFD3 is beyond column 256" in done.err


def test_a_row_numbered_beyond_the_row_limit_is_refused_before_parsing(tmp_path):
    """One row numbered 900,000 would have openpyxl yield 899,997 empty rows first."""
    path = _workbook(tmp_path / "far-down.xlsx", _text_row(900_000, ["x"]))
    done = run_cvp("import", str(path), timeout=BOUND_S)
    assert done.code == 2 and "Traceback" not in done.err
    assert "rows up to number 900,000" in done.err and "at most 200,000 rows" in done.err


def test_a_huge_shared_strings_table_is_refused_before_parsing(tmp_path):
    """Attack F2(b): a million and one small distinct texts, well under the size and ratio limits."""
    shared = "".join(f"<si><t>{i:x}</t></si>" for i in range(1_000_001))
    path = _workbook(tmp_path / "strings.xlsx", "", shared=shared)
    assert path.stat().st_size < 5 * 1024 * 1024  # under the upload limit
    done = run_cvp("import", str(path), timeout=BOUND_S)
    assert done.code == 2 and "Traceback" not in done.err and "MemoryError" not in done.err
    assert "shared-strings table holds more than 1,000,000 texts" in done.err


def test_cells_above_the_limit_are_refused(tmp_path, monkeypatch):
    """The cell count is a limit as data: lowered here, so the test needs no 6-million-cell file."""
    monkeypatch.setattr(readers, "MAX_XLSX_CELLS", 40)
    path = _workbook(tmp_path / "cells.xlsx", _text_row(3, ["a"] * 15))
    with pytest.raises(UserError, match=r"sheet1.xml: 4\d cells; an XLSX holds at most 40"):
        load_file(path)


def test_cells_written_without_references_are_read_and_still_bounded_in_columns(tmp_path):
    """Some writers leave out ``r``: such rows are read by position, and a value past
    column 256 is still refused rather than cut off."""
    path = _workbook(tmp_path / "plain.xlsx", _text_row(0, row(ticket_id="T2", phone="13809182346"), numbered=False))
    assert [t.ticket_id for t in load_file(path).records] == ["T1", "T2"]
    wide = _workbook(tmp_path / "plain-wide.xlsx", _text_row(0, ["x"] * 300, numbered=False))
    with pytest.raises(UserError, match="more than 256 columns"):
        load_file(wide)


def test_a_utf16_sheet_is_counted_like_a_utf8_one(tmp_path):
    path = _workbook(tmp_path / "utf16.xlsx", '<row r="3"><c r="XFD3"><v>1</v></c></row>', encoding="utf-16")
    assert zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")[:2] == b"\xff\xfe"
    with pytest.raises(UserError, match="cell XFD3 is beyond column 256"):
        load_file(path)
