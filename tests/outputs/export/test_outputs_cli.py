"""`cvp sheets`, `cvp map` and `cvp export` as a user runs them (the commands register
when planner.cli.outputs_cmd is imported)."""

from __future__ import annotations

import csv
import json

import pytest

import planner.cli.outputs_cmd  # noqa: F401  (registers the commands)
from planner.cli import main


@pytest.fixture
def plan_file(day, tmp_path, monkeypatch):
    """The planned fixture day as plan.json, with the store it was planned in."""
    from planner.store import db

    monkeypatch.setenv("CVP_DATABASE_URL", day.database_url)
    path = tmp_path / "plans" / "plan.json"
    path.parent.mkdir()
    path.write_text(json.dumps(day.doc, ensure_ascii=False), encoding="utf-8")
    yield path
    db.engine_for.cache_clear()


def test_export_defaults_to_masked_csv_beside_the_plan(day, plan_file, capsys):
    assert main(["export", str(plan_file)]) == 0
    target = plan_file.parent / "visits-2010-08-05-南区.csv"
    assert f"wrote {target}" in capsys.readouterr().out
    with open(target, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == day.doc["summary"]["assigned"] + day.doc["summary"]["unassigned"]
    assert all("****" in r["客户号码"] for r in rows)


def test_export_xlsx_with_full_phones_in_english(day, plan_file, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "out.xlsx"
    assert main(["export", str(plan_file), "--format", "xlsx", "--full-phone", "--lang", "en", "--out", str(out)]) == 0
    ws = load_workbook(out).active
    headers = [c.value for c in ws[1]]
    phones = {ws.cell(row=r, column=headers.index("phones") + 1).value for r in range(2, ws.max_row + 1)}
    assert day.tickets[day.visit_steps(day.doc["routes"][0])[0]["ticket_ids"][0]].phone in phones


def test_sheets_html_for_one_worker(day, plan_file, tmp_path, capsys):
    sid = day.doc["routes"][1]["staff_id"]
    assert main(["sheets", str(plan_file), "--format", "html", "--staff", sid, "--out", str(tmp_path / "s"),
                 "--url-base", "https://cvp.example"]) == 0
    [written] = list((tmp_path / "s").iterdir())
    assert written.name == f"2010-08-05_{sid}.html"
    assert f"https://cvp.example/field/stops/2010-08-05/{sid}/1" in written.read_text(encoding="utf-8")


def test_sheets_pdf_default_folder(day, plan_file):
    sid = day.doc["routes"][0]["staff_id"]
    assert main(["sheets", str(plan_file), "--staff", sid]) == 0
    pdf = plan_file.parent / "sheets" / f"2010-08-05_{sid}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")


def test_map_beside_the_plan_and_with_tiles(day, plan_file, tmp_path, capsys):
    assert main(["map", str(plan_file)]) == 0
    assert (plan_file.parent / "map.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    out = tmp_path / "m" / "amap.html"
    assert main(["map", str(plan_file), "--tiles", "amap", "--out", str(out)]) == 0
    assert "autonavi" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    (["sheets", "{plan}", "--staff", "S99"], "no route for S99"),
    (["map", "{plan}", "--tiles", "http://tiles/"], "expected a template with {x}, {y} and {z}"),
    (["export", "{bad}"], "not a readable plan file"),
    (["export", "{notplan}"], "not a plan document"),
])
def test_user_errors_are_one_clean_message(plan_file, tmp_path, capsys, args, message):
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    notplan = tmp_path / "notplan.json"
    notplan.write_text('{"routes": []}', encoding="utf-8")
    argv = [a.format(plan=plan_file, bad=bad, notplan=notplan) for a in args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_plan_from_another_store_is_explained(day, plan_file, tmp_path, monkeypatch, capsys):
    from planner.store import db

    monkeypatch.setenv("CVP_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    db.engine_for.cache_clear()
    assert main(["export", str(plan_file)]) == 2
    assert "not in the store" in capsys.readouterr().err
