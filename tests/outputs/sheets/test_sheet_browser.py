"""The HTML sheet prints from a browser: Chromium's "Print to PDF" gives A4 pages with the route."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from planner.sheets import render_sheets
from tests.outputs.sheets.browser import offline_page
from tests.outputs.sheets.outputs_day import ARTIFACTS

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not shutil.which("pdfinfo"), reason="poppler-utils not installed")]


def test_html_sheet_prints_a4_from_chromium(day, tmp_path, session_playwright):
    route = day.doc["routes"][0]
    [html] = render_sheets(day.doc, day.tickets, day.inputs.history, day.rules, tmp_path, fmt="html",
                           staff=day.inputs.staff, only=[route["staff_id"]])
    pdf = tmp_path / "printed.pdf"
    with offline_page(session_playwright) as (page, blocked, errors):
        page.goto(html.as_uri())
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "sheet-html.png"), full_page=False)
        assert blocked == [] and errors == []
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert (round(w), round(h)) == (595, 842)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                             check=True).stdout)
    assert route["staff_name"] in text
    for step in day.visit_steps(route):
        assert day.tickets[step["ticket_ids"][0]].phone in text
