"""A 规划在建 stop names its planned site and the date it is expected live, on the route sheet
(its HTML and the printed PDF; the stop page: tests/web/test_planned_site_stop.py), so the worker can tell the
customer the plan (说明计划情况)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from planner.sheets import load_texts, sheet_html, sheet_pdf, sheet_views

#: the fixture network plan's sites that are not live yet, and when they are expected
EXPECTED = {"XA-NQ-JZ-2107": "2010-09-15", "XA-NQ-JZ-2112": "2010-10-30", "XA-NQ-JZ-2115": "2010-08-25"}
NAMES = {"XA-NQ-JZ-2107": "曲江东站", "XA-NQ-JZ-2112": "电子城南站", "XA-NQ-JZ-2115": "丈八西站"}


def _planned_sheets(day, lang):
    sheets = sheet_views(day.doc, day.tickets, day.inputs.history, load_texts(day.rules, lang),
                         url_base="http://cvp.test", staff=day.inputs.staff)
    found = [(sheet, stop) for sheet in sheets for stop in sheet.stops if stop.planned_site]
    assert found, "a 规划在建 visit is on a route of the fixture day"
    return sheets, found


def test_the_sheet_names_the_planned_site_and_its_expected_date(day):
    sheets, found = _planned_sheets(day, "zh")
    steps = {s["visit_id"]: s for r in day.doc["routes"] for s in r["steps"] if s["type"] == "visit"}
    for sheet, stop in found:
        site = steps[stop.visit_id]["planned_site"]
        assert site["site_id"] in stop.planned_site and EXPECTED[site["site_id"]] in stop.planned_site
        assert site["name"] == NAMES[site["site_id"]] and site["name"] in stop.planned_site
        assert "说明计划情况" in stop.planned_site
        html = sheet_html(sheet)
        assert "规划站点" in html and stop.planned_site in html
    # the stops without a planned site print no such line
    others = [stop for sheet in sheets for stop in sheet.stops if not stop.planned_site]
    assert others and all(steps[s.visit_id].get("planned_site") is None for s in others)
    _, english = _planned_sheets(day, "en")
    assert all("expected live" in stop.planned_site for _sheet, stop in english)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_the_printed_sheet_names_the_planned_site(day, tmp_path):
    _, found = _planned_sheets(day, "zh")
    sheet, stop = found[0]
    target = tmp_path / "sheet.pdf"
    sheet_pdf(sheet, target)
    text = subprocess.run(["pdftotext", "-raw", str(target), "-"], check=True, capture_output=True, text=True,
                          timeout=60).stdout
    squeezed = "".join(text.split())
    site_id = next(s for s in EXPECTED if s in stop.planned_site)
    assert site_id in squeezed and EXPECTED[site_id] in squeezed and "说明计划情况" in squeezed
    assert NAMES[site_id] in squeezed
