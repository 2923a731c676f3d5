"""Hostile files are refused with a message, within a memory and time bound, and leave nothing behind.

The cases of the security review: nested YAML aliases ("billion laughs") in a cost
scenario and in a rules file, an XLSX zip bomb (a huge cell in a small file), XML
entities in a workbook, a workbook whose rows lie beyond its declared dimension or
that has data on two sheets, 200,000-deep JSON, a JSON object where text belongs,
a CSV cut off in its last line; and through the web: every refused upload leaves
the uploads folder empty.  Resource cases run the CLI in a child process with an
address-space limit (tests/security/helpers.py), so a regression fails the test
instead of exhausting the machine.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from planner.errors import UserError
from planner.intake import load_file
from planner.store.db import session_scope
from planner.store.models import TicketRow
from tests.intake.helpers import EN_HEADERS, ZH_HEADERS, row, write_csv, write_xlsx
from tests.security.helpers import run_cvp

# -- YAML -------------------------------------------------------------------------------------------

#: 9^7 ≈ 4.8 million strings from 300 bytes: what PyYAML's safe_load expands
LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]" for p, n in zip("abcdef", "bcdefg", strict=True)]
) + "\n"
#: the same without anchors on the first line, so the first refusal is an alias
ALIAS_ONLY = "demand:\n  daily_visits: 30\nstaffing: *missing\n"


def test_billion_laughs_scenario_is_refused_by_the_cli_within_bounds(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS, encoding="utf-8")
    done = run_cvp("cost", "run", str(path))
    assert done.code == 2, done.err
    assert "Traceback" not in done.err and "MemoryError" not in done.err
    assert f"{path}:1:" in done.err and "anchor &a is not allowed" in done.err


def test_billion_laughs_rules_file_is_refused_within_bounds(tmp_path, fixture_day):
    path = tmp_path / "rules.yaml"
    path.write_text(LAUGHS, encoding="utf-8")
    done = run_cvp("--rules", str(path), "import", str(fixture_day / "staff.csv"))
    assert done.code == 2, done.err
    assert "Traceback" not in done.err
    assert f"rules file {path}: line 1: anchor &a is not allowed" in done.err


def test_an_alias_is_refused_with_its_line(tmp_path):
    from cost_model import scenario

    with pytest.raises(scenario.ScenarioError) as err:
        scenario.loads(ALIAS_ONLY, "s.yaml")
    assert "s.yaml:3:" in str(err.value) and "alias *missing is not allowed" in str(err.value)


def test_rules_and_scenarios_and_texts_share_the_one_bounded_loader():
    """No module parses YAML itself: every yaml.safe_load / yaml.load went through planner.safeyaml."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for folder in ("planner", "cost_model", "web"):
        for py in (root / folder).rglob("*.py"):
            text = py.read_text(encoding="utf-8")
            if re.search(r"(?<![\w.])yaml\.(safe_load|load|full_load|unsafe_load|compose)\(", text) and py.name != "safeyaml.py":
                offenders.append(str(py.relative_to(root)))
    assert offenders == []


def test_deep_and_huge_yaml_is_refused_not_a_recursion_error():
    from planner import safeyaml

    with pytest.raises(safeyaml.LimitError, match="nested more than"):
        safeyaml.load("[" * 10_000 + "]" * 10_000)
    with pytest.raises(safeyaml.LimitError, match="at most"):
        safeyaml.load("x: " + "1" * 5_000_000)
    with pytest.raises(safeyaml.LimitError, match="cannot be read"):
        safeyaml.load("x: " + "1" * 5_000)  # longer than Python's int() accepts


def test_billion_laughs_through_the_planner_page(client_for, seeded):
    c = client_for("plan")
    r = c.post("/planner/run", {"yaml1": LAUGHS, "sets1": ""})
    assert r.status_code == 422
    assert "anchor &amp;a is not allowed" in r.get_data(as_text=True)


# -- XLSX -------------------------------------------------------------------------------------------


def _rewrite_sheet(src: Path, dst: Path, edit) -> Path:
    """Copy a workbook, passing its first sheet's XML through ``edit``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data)
    return dst


def _zip_bomb(tmp_path: Path, cell_mb: int = 512) -> Path:
    """A valid workbook whose sheet holds one cell of ``cell_mb`` MB: about 2 MB on disk."""
    src = write_xlsx(tmp_path / "base.xlsx", [row()])
    dst = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info in zin.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zout.writestr(info, zin.read(info))
                continue
            head, tail = zin.read(info).decode("utf-8").split("</sheetData>")
            with zout.open(info.filename, "w", force_zip64=True) as fh:
                fh.write(head.encode() + b'<row r="3"><c r="A3" t="inlineStr"><is><t>')
                chunk = b"a" * (1 << 20)
                for _ in range(cell_mb):
                    fh.write(chunk)
                fh.write(b"</t></is></c></row></sheetData>" + tail.encode())
    return dst


def test_xlsx_zip_bomb_is_refused_before_parsing_within_bounds(tmp_path):
    bomb = _zip_bomb(tmp_path)
    assert bomb.stat().st_size < 5 * 1024 * 1024  # under the web upload limit
    done = run_cvp("import", str(bomb), limit=1024 ** 3)
    assert done.code == 2, done.err[-2000:]
    assert "Traceback" not in done.err and "MemoryError" not in done.err
    assert "xl/worksheets/sheet1.xml" in done.err or "inflates to more than" in done.err


def _with_dtd(xml: str, dtd: str, cell: str) -> str:
    root = xml.index("<worksheet")
    xml = xml[:root] + dtd + xml[root:]
    return xml.replace("</sheetData>", f'<row r="3"><c r="A3" t="inlineStr"><is><t>{cell}</t></is></c></row>'
                                       "</sheetData>")


ENTITY_CASES = {
    "entity expansion": ('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                         '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>', "&c;"),
    "external entity": ('<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;"),
}


@pytest.mark.parametrize("case", sorted(ENTITY_CASES))
def test_xlsx_with_a_dtd_is_refused_and_nothing_is_expanded(tmp_path, capsys, case):
    from planner.cli import main

    dtd, cell = ENTITY_CASES[case]
    src = write_xlsx(tmp_path / "base.xlsx", [row()])
    path = _rewrite_sheet(src, tmp_path / "dtd.xlsx", lambda xml: _with_dtd(xml, dtd, cell))
    assert main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "declares a DTD or entities" in err and "xl/worksheets/sheet1.xml" in err
    assert "root:" not in err and "aaaaaaaaaa" not in err
    with session_scope() as s:
        assert s.query(TicketRow).count() == 0


def test_xlsx_rows_beyond_the_declared_dimension_are_read(tmp_path):
    rows = [row(ticket_id=f"T{i}", phone=f"1380918234{i}") for i in range(4)]
    src = write_xlsx(tmp_path / "base.xlsx", rows)
    path = _rewrite_sheet(src, tmp_path / "dim.xlsx",
                          lambda xml: re.sub(r'<dimension ref="[^"]+"\s*/>', '<dimension ref="A1:O2"/>', xml))
    assert '<dimension ref="A1:O2"/>' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    result = load_file(path)
    assert [t.ticket_id for t in result.records] == ["T0", "T1", "T2", "T3"]
    assert result.errors == []


def test_xlsx_with_data_on_two_sheets_is_refused_with_their_names(tmp_path):
    import openpyxl

    path = write_xlsx(tmp_path / "two.xlsx", [row()])
    wb = openpyxl.load_workbook(path)
    wb.active.title = "工单"
    wb.create_sheet("备注")["A1"] = "这张表还有数据"
    wb.create_sheet("空白")  # an empty sheet is no reason to refuse
    wb.save(path)
    with pytest.raises(UserError, match=r"data on 2 sheets \(工单, 备注\)"):
        load_file(path)


def test_xlsx_with_one_sheet_of_data_and_empty_sheets_imports(tmp_path):
    import openpyxl

    path = write_xlsx(tmp_path / "one.xlsx", [row()])
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Sheet2")
    wb.save(path)
    assert [t.ticket_id for t in load_file(path).records] == ["T1"]


# -- JSON -------------------------------------------------------------------------------------------


def test_200000_deep_json_is_a_user_error_not_a_recursion_error(tmp_path, capsys):
    from planner.cli import main

    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    with pytest.raises(UserError, match="nested too deeply"):
        load_file(path)
    assert main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "nested too deeply" in err and "Traceback" not in err


def test_a_json_object_in_a_text_field_is_a_row_error_not_python_text(tmp_path):
    record = dict(zip(EN_HEADERS, row(), strict=True))
    record["customer_name"] = {"first": "建国", "last": "王"}
    record["description"] = ["信号", "差"]
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"tickets": [record]}, ensure_ascii=False), encoding="utf-8")
    result = load_file(path)
    assert result.records == []
    assert sorted(str(e) for e in result.errors) == [
        "line 1, column customer_name: a JSON object where a single value belongs",
        "line 1, column description: a JSON list where a single value belongs",
    ]


# -- CSV --------------------------------------------------------------------------------------------


def test_a_csv_cut_off_in_its_last_line_is_refused(tmp_path):
    path = write_csv(tmp_path / "t.csv", [row(ticket_id="T1"), row(ticket_id="T2")])
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"13809182345", data.index(b"T2"))])  # the upload stopped inside row 3
    with pytest.raises(UserError, match=r"line 3: the last line has no line end"):
        load_file(path)
    path.write_bytes(data[: data.index("信号很差".encode(), data.index(b"T2")) + 1])  # inside a character
    with pytest.raises(UserError, match=r"line 3: the file ends in the middle of a character"):
        load_file(path)


def test_a_csv_ending_inside_a_quoted_cell_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(",".join(ZH_HEADERS) + "\n" + ",".join(row()[:-4]) + ',"家里信号\n很差\n', encoding="utf-8")
    with pytest.raises(UserError, match="ends inside a quoted cell"):
        load_file(path)


def test_a_complete_csv_still_imports_and_a_one_line_file_is_not_called_truncated(tmp_path):
    path = write_csv(tmp_path / "t.csv", [row()])
    assert len(load_file(path).records) == 1
    one = tmp_path / "one.csv"
    one.write_text(",".join(ZH_HEADERS), encoding="utf-8")  # header only, no line end at all
    assert "header but no data rows" in str(load_file(one).errors[0])


# -- the web: nothing left in the uploads folder ----------------------------------------------------


def _hostile_uploads(tmp_path: Path) -> dict[str, bytes]:
    src = write_xlsx(tmp_path / "base.xlsx", [row()])
    dtd, cell = ENTITY_CASES["external entity"]
    dtd_xlsx = _rewrite_sheet(src, tmp_path / "dtd.xlsx", lambda xml: _with_dtd(xml, dtd, cell)).read_bytes()
    import openpyxl

    two = write_xlsx(tmp_path / "two.xlsx", [row()])
    wb = openpyxl.load_workbook(two)
    wb.create_sheet("备注")["A1"] = "x"
    wb.save(two)
    truncated = write_csv(tmp_path / "t.csv", [row(ticket_id="T1"), row(ticket_id="T2")]).read_bytes()[:-30]
    return {
        "dtd.xlsx": dtd_xlsx,
        "bomb.xlsx": _zip_bomb(tmp_path, cell_mb=200).read_bytes(),
        "two.xlsx": two.read_bytes(),
        "deep.json": b"[" * 200_000 + b"]" * 200_000,
        "nested.json": json.dumps([{"ticket_id": {"a": 1}}]).encode(),
        "truncated.csv": truncated,
        "broken.xlsx": b"PK\x03\x04 not a zip at all",
    }


def _uploads_left(app) -> list[str]:
    folder = Path(app.config["WORK_DIR"]) / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_every_refused_upload_on_the_page_leaves_no_folder(app, client_for, seeded, tmp_path):
    c = client_for("disp")
    for name, data in _hostile_uploads(tmp_path).items():
        r = c.post("/dispatch/import", {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
        assert r.status_code == 422, (name, r.status_code)
        assert _uploads_left(app) == [], name
    with session_scope() as s:
        assert s.query(TicketRow).filter(TicketRow.ticket_id == "T1").count() == 0


def test_every_refused_upload_through_the_api_leaves_no_folder(app, seeded, tmp_path):
    from planner.store import accounts

    with session_scope() as s:
        token = accounts.issue_token(s, "disp")
    http = app.test_client()
    for name, data in _hostile_uploads(tmp_path).items():
        r = http.post("/api/imports", data={"file": (io.BytesIO(data), name)},
                      headers={"Authorization": f"Bearer {token}"}, content_type="multipart/form-data")
        assert r.status_code == 422, (name, r.status_code)
        assert _uploads_left(app) == [], name
