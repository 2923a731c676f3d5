"""The plan page says what the outcome means in the page's language, lists a re-plan's
changes (who took which visit, what was dropped) and flags stale appointments."""

from __future__ import annotations

import pytest

from planner.store import accounts
from planner.store import repository as repo
from planner.store.db import session_scope
from tests.web.conftest import DAY, DISTRICT, PASSWORD, text_of
from tests.web.test_replan_page import job_of

pytestmark = pytest.mark.usefixtures("planned")


def stored(version: int) -> dict:
    with session_scope() as s:
        return repo.get_plan(s, DAY, DISTRICT, version)[0]


def test_the_outcome_is_said_in_chinese_and_english_not_as_the_solvers_status(client_for):
    c = client_for("disp")
    doc = stored(1)
    n = doc["summary"]["unassigned"]
    zh = text_of(c.get(f"/dispatch/{DAY}/plan/1"))
    assert "partial (" not in zh and "complete (" not in zh
    assert (f"{n} 个拜访未能安排（见下方列表）" if n else "所有拜访均已安排") in zh and "求解用时" in zh
    c.post("/lang", data={"lang": "en"})
    en = text_of(c.get(f"/dispatch/{DAY}/plan/1"))
    assert (f"{n} visits could not be planned (listed below)" if n else "every visit planned") in en
    for u in doc["unassigned"]:
        assert u["explanation_en"] in en


def test_a_replan_page_lists_who_took_each_visit_and_what_was_dropped(client_for):
    c = client_for("disp")
    job = job_of(c, c.post(f"/dispatch/{DAY}/plan/1/replan", {"now": "11:00", "absent": "S3"},
                           content_type="multipart/form-data"))
    assert job["status"] == "done", job
    new = stored(2)
    changes = new["summary"]["changes"]
    assert changes and any(ch["from"] == "S3" for ch in changes)
    page = text_of(c.get(f"/dispatch/{DAY}/plan/2"))
    assert "相对第 1 版的变动" in page
    for ch in changes:
        before = "S3 (缺勤)" if ch["from"] == "S3" else ch["from"]
        expected = (f"{ch['visit_id']}：{before} → {ch['to']}" if ch["to"]
                    else f"{ch['visit_id']}：{before} → 未安排：{ch['explanation']}")
        assert expected in page, expected


def test_a_visit_whose_appointment_has_passed_says_so_on_the_page(client_for):
    c = client_for("disp")
    job = job_of(c, c.post("/dispatch/2010-08-06/plan"))
    assert job["status"] == "done", job
    with session_scope() as s:
        doc = repo.get_plan(s, __import__("datetime").date(2010, 8, 6), DISTRICT)[0]
    flagged = [st for r in doc["routes"] for st in r["steps"] if st.get("needs_new_appointment")]
    assert flagged
    page = text_of(c.get(f"/dispatch/2010-08-06/plan/{doc['version']}"))
    assert "原预约（08-05）已过期，需重新预约" in page


def test_the_field_worker_is_told_a_passed_appointment_needs_a_new_one(client_for):
    """The phone pages are what the worker looks at on the day: a stop whose appointment of
    an earlier day has passed says so there, as the dispatcher's page and the sheet do."""
    import datetime as dt

    disp = client_for("disp")
    job = job_of(disp, disp.post("/dispatch/2010-08-06/plan"))
    assert job["status"] == "done", job
    with session_scope() as s:
        doc = repo.get_plan(s, dt.date(2010, 8, 6), DISTRICT)[0]
        repo.publish_plan(s, dt.date(2010, 8, 6), DISTRICT, doc["version"])
    staff_of = {r["staff_id"]: [st for st in r["steps"] if st["type"] == "visit"] for r in doc["routes"]}
    stale = [(sid, n) for sid, steps in staff_of.items() for n, st in enumerate(steps, 1)
             if st.get("needs_new_appointment")]
    assert stale, "the fixture's appointments of 08-05 are stale on 08-06"
    sid, seq = stale[0]
    with session_scope() as s:  # the field account of whoever has that stop
        accounts.add_user(s, f"field-{sid}", PASSWORD, "field", staff_id=sid, district=DISTRICT)
    field = client_for(f"field-{sid}")
    assert "原预约（08-05）已过期，需重新预约" in text_of(field.get(f"/field/routes/2010-08-06/{sid}"))
    assert "原预约（08-05）已过期，需重新预约" in text_of(field.get(f"/field/stops/2010-08-06/{sid}/{seq}"))


def test_the_plan_page_warns_when_the_sheets_qr_codes_open_a_loopback_address(tmp_path):
    """Served at 127.0.0.1 without CVP_URL_BASE, the sheets' QR codes open an address no
    phone reaches: the dispatcher who prints them is told, as `cvp sheets` tells its user."""
    from tests.web.conftest import Client, make_app

    with session_scope() as s:
        version = repo.plan_versions(s, DAY, DISTRICT)[-1][0]
    warning = "路线单上的二维码指向 http://localhost，外勤人员的手机无法打开"
    local = Client(make_app(tmp_path, URL_BASE=None), "disp")
    assert warning in text_of(local.get(f"/dispatch/{DAY}/plan/{version}"))
    served = Client(make_app(tmp_path / "b", URL_BASE="http://10.1.2.3:8000"), "disp")
    assert "二维码指向" not in text_of(served.get(f"/dispatch/{DAY}/plan/{version}"))
