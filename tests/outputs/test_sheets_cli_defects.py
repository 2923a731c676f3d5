"""Printing sheets as a new user does: without a Chinese font, in English beside the
Chinese sheets, and with QR codes that would open this machine only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import pytest

from planner.cli import main
from planner.plan.day import SolverSettings, plan_day
from planner.sheets.qr import is_loopback
from tests.conftest import ROOT, import_fixture_day
from tests.store_calls import in_store

CVP = "import sys; from planner.cli import main; sys.exit(main(sys.argv[1:]))"
NO_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""


@pytest.fixture
def plan_file(fixture_day, tmp_path):
    import_fixture_day(fixture_day)
    doc = in_store(plan_day, date(2010, 8, 5), "南区", solver=SolverSettings(time_limit_s=5, seed=1, solution_limit=30))
    path = tmp_path / "day" / "plan.json"
    path.parent.mkdir()
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def cvp_without_fonts(tmp_path, *args):
    """`cvp ARGS` in a process whose fontconfig knows no font at all (a server set up without
    scripts/install.sh), the store being the test's."""
    conf = tmp_path / "no-fonts.conf"
    conf.write_text(NO_FONTS.format(cache=tmp_path / "fc-cache"), encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", CVP, *args], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)


def test_sheets_without_a_chinese_font_are_refused_naming_the_package(plan_file, tmp_path):
    done = cvp_without_fonts(tmp_path, "sheets", str(plan_file))
    assert done.returncode == 2, done.stderr
    assert "fonts-noto-cjk" in done.stderr and "Traceback" not in done.stderr
    assert not (plan_file.parent / "sheets").exists()


def test_plan_without_a_chinese_font_is_refused_before_anything_is_stored(plan_file, tmp_path):
    done = cvp_without_fonts(tmp_path, "plan", "--date", "2010-08-05", "--district", "南区", "--out", "out",
                             "--time-limit", "1")
    assert done.returncode == 2 and "fonts-noto-cjk" in done.stderr, done.stderr
    assert not (tmp_path / "out").exists()
    from planner.store import repository as repo
    from planner.store.db import session_scope
    with session_scope() as s:
        assert [v for v, *_ in repo.plan_versions(s, date(2010, 8, 5), "南区")] == [1]  # only the fixture's


def test_the_html_sheets_need_no_server_font(plan_file, tmp_path):
    done = cvp_without_fonts(tmp_path, "sheets", str(plan_file), "--format", "html")
    assert done.returncode == 0, done.stderr


def test_english_sheets_are_written_beside_the_chinese_ones(plan_file, capsys):
    folder = plan_file.parent / "sheets"
    assert main(["sheets", str(plan_file), "--format", "html"]) == 0
    chinese = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}
    assert chinese and all(n.endswith(".html") and ".en." not in n for n in chinese)
    capsys.readouterr()
    assert main(["sheets", str(plan_file), "--format", "html", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    for name, text in chinese.items():
        assert (folder / name).read_text(encoding="utf-8") == text  # untouched
        english = folder / name.replace(".html", ".en.html")
        assert english.exists() and f"wrote {english}" in out
        assert english.read_text(encoding="utf-8") != text


def test_printing_sheets_for_a_loopback_address_warns(plan_file, capsys, monkeypatch):
    monkeypatch.delenv("CVP_URL_BASE", raising=False)
    assert main(["sheets", str(plan_file), "--format", "html"]) == 0
    err = capsys.readouterr().err
    assert "warning: the QR codes on these sheets open http://localhost:8000" in err and "CVP_URL_BASE" in err
    monkeypatch.setenv("CVP_URL_BASE", "http://cvp.intranet:8000")
    assert main(["sheets", str(plan_file), "--format", "html"]) == 0
    assert "warning" not in capsys.readouterr().err


@pytest.mark.parametrize("url,loopback", [("http://localhost:8000", True), ("http://127.0.0.1:8000/", True),
                                          ("http://[::1]:8000", True), ("http://0.0.0.0:8000", True),
                                          ("http://cvp.intranet", False), ("https://10.2.3.4:8443", False)])
def test_which_addresses_only_this_machine_reaches(url, loopback):
    assert is_loopback(url) is loopback
