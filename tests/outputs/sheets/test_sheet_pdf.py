"""The fixture day's route sheets as PDFs, read back as a person would: the text on each
sheet, the fonts embedded, a page rendered to an image, the QR links."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from planner.sheets import render_sheets
from tests.outputs.sheets.outputs_day import ARTIFACTS, planned_fixture_day

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The four sheets, rendered once for the module, by two worker processes (the batch path)."""
    day = planned_fixture_day()
    out = tmp_path_factory.mktemp("sheets")
    paths = render_sheets(day.doc, day.tickets, day.inputs.history, day.rules, out, url_base="http://cvp.test",
                          staff=day.inputs.staff, jobs=2)
    texts = {p.name: run("pdftotext", "-layout", str(p), "-") for p in paths}
    raw = {p.name: run("pdftotext", "-raw", str(p), "-") for p in paths}  # drawing order: a wrapped cell stays whole
    return day, paths, texts, raw


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_one_a4_portrait_pdf_per_worker_named_by_date_and_staff(rendered):
    day, paths, _, _ = rendered
    assert [p.name for p in paths] == [f"2010-08-05_{r['staff_id']}.pdf" for r in day.doc["routes"]]
    for p in paths:
        info = run("pdfinfo", str(p))
        w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
        assert (round(w), round(h)) == (595, 842)


def test_every_customer_is_on_their_workers_sheet_in_visit_order_and_on_no_other(rendered):
    day, paths, texts, _ = rendered
    names = [t.customer_name for t in day.tickets.values()]
    unique_names = {n for n in names if names.count(n) == 1}
    for route in day.doc["routes"]:
        mine = squeeze(texts[f"2010-08-05_{route['staff_id']}.pdf"])
        others = [squeeze(t) for n, t in texts.items() if n != f"2010-08-05_{route['staff_id']}.pdf"]
        positions = []
        for step in day.visit_steps(route):
            for tid in step["ticket_ids"]:
                t = day.tickets[tid]
                assert tid in mine and t.phone in mine, (route["staff_id"], tid)  # full phone on the own sheet
                if t.customer_name in unique_names:
                    assert t.customer_name in mine
                for other in others:
                    assert tid not in other and t.phone not in other
                    assert t.customer_name not in unique_names or t.customer_name not in other
            positions.append(mine.index(step["ticket_ids"][0]))
        assert positions == sorted(positions), route["staff_id"]


def test_header_toolkit_conduct_and_fill_in_boxes_are_printed(rendered):
    day, _, texts, _ = rendered
    route = day.doc["routes"][0]
    text = squeeze(texts[f"2010-08-05_{route['staff_id']}.pdf"])
    staff = day.inputs.staff[route["staff_id"]]
    for expected in ("投诉客户拜访路线单", "2010-08-05", "南区", route["staff_name"], staff.phone, "09:00–17:30",
                     "服务工具包", "测试手机", "×3部", "鞋套", "小礼品", "行为规范", "着装", "不穿短裤",
                     "路线示意图", "实际到达时间", "中国移动", "中国联通", "中国电信", "现场闭环", "需后期闭环",
                     "客户满意度", "客户签字", "备注", "应对措施", "第1站"):
        assert squeeze(expected) in text, expected


def test_each_stop_has_the_field_records_empty_boxes_per_operator_and_technology(rendered):
    """The paper sheet the worker fills in: the result (not met is a result), one line per
    operator × technology of the rules file with dBm, call and data, and boxes for the
    customer's problem and requests, the measure, a gift and a promised date."""
    day, paths, _, raw = rendered
    for p, route in zip(paths, day.doc["routes"], strict=True):
        text = squeeze(raw[p.name])
        n = len(day.visit_steps(route))
        for line in ("中国移动GSM", "中国移动TD-SCDMA", "中国联通GSM", "中国联通WCDMA", "中国电信CDMA"):
            assert text.count(line) == n, (p.name, line)
        for box in ("□未见到客户", "□客户拒访", "客户反映问题_", "客户要求_", "处理措施_", "赠送礼品□_", "承诺日期_"):
            assert text.count(box) == n, (p.name, box)
        assert text.count("dBm") == 5 * n and text.count("kbps") == 5 * n
        pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(p))).group(1))
        assert pages <= -(-n // 2), (p.name, pages, n)  # the boxes keep at least two stops a page


def test_a_cluster_stop_lists_every_member(rendered):
    day, _, texts, raw = rendered
    clusters = [(r, s) for r in day.doc["routes"] for s in day.visit_steps(r) if len(s["ticket_ids"]) > 1]
    assert clusters
    for route, step in clusters:
        text = squeeze(texts[f"2010-08-05_{route['staff_id']}.pdf"])
        assert f"集中投诉（{len(step['ticket_ids'])}户）" in text
        for tid in step["ticket_ids"]:
            t = day.tickets[tid]
            assert t.customer_name in text and t.phone in text
            assert squeeze(t.address) in squeeze(raw[f"2010-08-05_{route['staff_id']}.pdf"])


def test_a_cjk_font_is_embedded(rendered):
    _, paths, _, _ = rendered
    for p in paths:
        fonts = run("pdffonts", str(p)).splitlines()[2:]
        cjk = [line for line in fonts if re.search(r"Noto-?Sans-?CJK|Noto-?Serif-?CJK|WenQuanYi|SourceHan", line)]
        assert cjk, fonts
        assert all(line.split()[-5] == "yes" for line in cjk)  # emb column


def test_a_page_of_each_sheet_renders_as_an_image_that_is_not_blank(rendered, tmp_path):
    from PIL import Image

    _, paths, _, _ = rendered
    ARTIFACTS.mkdir(exist_ok=True)
    for pdf in paths:
        for page in (1, 2):  # the header page, and a page of stops
            prefix = tmp_path / f"{pdf.stem}-p{page}"
            run("pdftoppm", "-r", "50", "-png", "-f", str(page), "-l", str(page), str(pdf), str(prefix))
            png = next(tmp_path.glob(f"{pdf.stem}-p{page}*.png"))
            shutil.copy(png, ARTIFACTS / f"sheet-{pdf.stem}-p{page}.png")
            with Image.open(png) as im:
                grey = im.convert("L")
                dark = sum(grey.histogram()[:200]) / (grey.width * grey.height)
            assert grey.width > 350 and 0.02 < dark < 0.6, (pdf.name, page, dark)


def test_each_stop_has_a_qr_link_to_its_outcome_page(rendered):
    day, paths, _, _ = rendered
    for p, route in zip(paths, day.doc["routes"], strict=True):
        urls = set(re.findall(r"(http://cvp\.test/\S+)", run("pdfinfo", "-url", str(p))))
        n = len(day.visit_steps(route))
        assert urls == {f"http://cvp.test/field/stops/2010-08-05/{route['staff_id']}/{i}" for i in range(1, n + 1)}


@pytest.mark.slow
def test_english_sheets_render_too(tmp_path):
    day = planned_fixture_day()
    paths = render_sheets(day.doc, day.tickets, day.inputs.history, day.rules, tmp_path, lang="en",
                          staff=day.inputs.staff, only=[day.doc["routes"][0]["staff_id"]])
    text = run("pdftotext", "-layout", str(paths[0]), "-")
    assert "Complaint visit route sheet" in text and "Toolkit" in text and "Network test" in text
    assert Path(paths[0]).name == f"2010-08-05_{day.doc['routes'][0]['staff_id']}.en.pdf"  # beside the Chinese one


@pytest.mark.slow
def test_several_sheets_in_one_pdf_keep_their_order(tmp_path):
    from planner.sheets import load_texts, sheet_views, sheets_pdf

    day = planned_fixture_day()
    views = sheet_views(day.doc, day.tickets, day.inputs.history, load_texts(day.rules), url_base="http://cvp.test",
                        staff=day.inputs.staff)[:2]
    target = tmp_path / "all.pdf"
    sheets_pdf(views, target)
    text = squeeze(run("pdftotext", str(target), "-"))
    assert text.index(views[0].stops[0].customers[0].ticket_id) < text.index(views[1].stops[0].customers[0].ticket_id)
