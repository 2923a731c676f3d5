"""In the web app: planning a district where nobody is on duty fails with the reason and
stores nothing; a sheet download on a server without a Chinese font says which package
to install."""

from __future__ import annotations

import os
import subprocess
import sys

from planner.store import repository as repo
from planner.store.db import session_scope
from tests.conftest import ROOT
from tests.web.conftest import DAY
from tests.web.test_api import api, check, tokens  # noqa: F401  (fixtures)


def test_a_plan_job_for_a_district_nobody_is_on_duty_in_fails_with_the_reason(api):  # noqa: F811
    a = api("admin")
    r = a.post(f"/api/days/{DAY}/plans?district=北区", json={})
    job = a.get(r.get_json()["status_url"]).get_json()
    assert job["status"] == "failed" and "nobody is on duty in 北区" in job["error"], job
    with session_scope() as s:
        assert repo.plan_versions(s, DAY, "北区") == []


DOWNLOAD = """
import sys
from pathlib import Path
from tests.web.conftest import Client, make_app
app = make_app(Path(sys.argv[1]))
r = Client(app, "disp").get("/dispatch/{day}/plan/1/sheets/S1.pdf")
print(r.status_code)
print(r.get_data(as_text=True))
"""


def test_a_sheet_download_without_a_chinese_font_names_the_package(planned, tmp_path):
    conf = tmp_path / "no-fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
                    f"<fontconfig><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>", encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", DOWNLOAD.replace("{day}", str(DAY)), str(tmp_path)], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    status, _, page = done.stdout.partition("\n")
    assert status == "422", done.stdout[-2000:] + done.stderr[-2000:]
    assert "fonts-noto-cjk" in page and "未安装中文字体" in page
