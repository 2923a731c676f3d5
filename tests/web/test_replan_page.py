"""Re-planning the rest of the day from the plan page: the same `planner.plan.replan` as
`cvp replan`, through the job queue, as a new version; bad input is refused before any
job or import."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest

from planner.plan.replan import split_route
from planner.store import accounts, jobs
from planner.store import repository as repo
from planner.store.db import session_scope
from planner.store.models import TicketRow
from tests.intake.helpers import row, write_csv
from tests.triage.helpers import TZ
from tests.web.conftest import DAY, DISTRICT, text_of

pytestmark = pytest.mark.usefixtures("planned")

URGENT = "XA-NQ-URGENT-1"


def stored(version: int) -> dict:
    with session_scope() as s:
        found = repo.get_plan(s, DAY, DISTRICT, version)
    assert found is not None, f"no version {version}"
    return found[0]


def job_of(c, response) -> dict:
    assert response.status_code == 302, text_of(response)[:2000]
    job_url = response.headers["Location"]
    assert c.get(job_url).status_code == 200  # the progress page
    return c.get(job_url.replace("/dispatch/jobs/", "/api/jobs/")).get_json()


def owners(doc: dict) -> dict[str, str]:
    return {s["visit_id"]: r["staff_id"] for r in doc["routes"] for s in r["steps"] if s["type"] == "visit"}


def test_the_plan_page_offers_re_planning_the_rest_of_the_day(client_for):
    html = client_for("disp").get(f"/dispatch/{DAY}/plan/1").get_data(as_text=True)
    form = html.split('id="replan"')[1].split("</form>")[0]
    assert f'action="/dispatch/{DAY}/plan/1/replan"' in form and 'name="now"' in form
    assert all(f'name="absent" value="{s}"' in form for s in ("S1", "S2", "S3", "S4"))
    assert 'type="file" name="file"' in form and "重新规划当天剩余行程" in html


def test_an_absent_worker_from_eleven_makes_a_new_version(client_for):
    c = client_for("disp")
    job = job_of(c, c.post(f"/dispatch/{DAY}/plan/1/replan", {"now": "11:00", "absent": "S3"},
                           content_type="multipart/form-data"))
    assert job["kind"] == "replan" and job["status"] == "done", job
    assert job["result"]["version"] == 2 and job["page_url"] == f"/dispatch/{DAY}/plan/2"
    assert job["params"]["now"] == "11:00" and job["params"]["absent"] == ["S3"]
    old, new = stored(1), stored(2)
    assert new["replanned_from"] == {"version": 1, "now": "2010-08-05T11:00:00+08:00", "absent": ["S3"],
                                     "added": None}
    now = datetime(2010, 8, 5, 11, 0, tzinfo=TZ)
    for route in old["routes"]:  # what had begun at 11:00 is kept as it was
        fixed, rest = split_route(route, now)
        [kept] = [r for r in new["routes"] if r["staff_id"] == route["staff_id"]] or [None]
        if kept is not None:
            assert kept["steps"][:len(fixed)] == [s.to_json() for s in fixed]
        if route["staff_id"] == "S3":  # nothing after 11:00 stays with S3
            assert not {s.visit_id for s in rest} & {v for v, s in owners(new).items() if s == "S3"}
    assert set(job["result"]["handed_over_from_absent"]) <= set(owners(old))
    assert "第 2 版" in text_of(c.get(f"/dispatch/{DAY}/plan/2"))
    assert stored(1) == old  # version 1 is unchanged
    with session_scope() as s:
        entry = accounts.audit_log(s, action="plan")[0]
    assert entry.details["replan_of"] == 1 and entry.details["absent"] == ["S3"]


def test_urgent_tickets_from_a_file_are_inserted(client_for, tmp_path):
    urgent = write_csv(tmp_path / "urgent.csv", [row(ticket_id=URGENT, vip_level="钻卡", received_at="2010-08-05 08:00",
                                                     phone="13900000001", lat="34.2260", lon="108.9500")])
    c = client_for("disp")
    job = job_of(c, c.post(f"/dispatch/{DAY}/plan/1/replan",
                           {"now": "10:00", "file": (io.BytesIO(urgent.read_bytes()), "urgent.csv")},
                           content_type="multipart/form-data"))
    assert job["status"] == "done", job
    new = stored(2)
    assert f"V-{URGENT}" in owners(new)  # a diamond customer is served first
    assert new["replanned_from"]["added"].endswith("urgent.csv")
    assert not list((tmp_path / "web" / "uploads").glob("*/urgent.csv"))  # the upload is removed afterwards


def _nothing_happened() -> None:
    with session_scope() as s:
        assert [v for v, *_ in repo.plan_versions(s, DAY, DISTRICT)] == [1]
        assert s.query(TicketRow).filter(TicketRow.ticket_id == URGENT).count() == 0
        assert jobs.recent_jobs(s, kind="replan") == []


@pytest.mark.parametrize("now", ["", "25:00", "soon"])
def test_a_bad_time_is_refused_before_anything_runs(client_for, now):
    c = client_for("disp")
    r = c.post(f"/dispatch/{DAY}/plan/1/replan", {"now": now, "absent": "S3"}, content_type="multipart/form-data")
    assert r.status_code == 422 and re.search(r"now '.*': write HH:MM", text_of(r).replace("&#39;", "'"))
    _nothing_happened()


def test_a_file_with_a_bad_row_is_listed_and_nothing_is_imported_or_planned(client_for, tmp_path):
    bad = write_csv(tmp_path / "urgent.csv", [row(ticket_id=URGENT, received_at="2010-08-05 08:00"),
                                              row(ticket_id="XA-NQ-URGENT-2", received_at="yesterday-ish")])
    c = client_for("disp")
    r = c.post(f"/dispatch/{DAY}/plan/1/replan", {"now": "10:00", "file": (io.BytesIO(bad.read_bytes()), "u.csv")},
               content_type="multipart/form-data")
    assert r.status_code == 422
    page = text_of(r)
    assert re.search(r"\b3 受理时间 ", page) and "不会导入任何数据" in page
    assert f'href="/dispatch/{DAY}/plan/1"' in r.get_data(as_text=True)  # back to the plan, not the import page
    _nothing_happened()


def test_an_admins_urgent_file_with_another_districts_row_is_refused_at_the_request(client_for, tmp_path):
    """The urgent tickets of a re-plan are the re-planned district's, even from an admin
    (who may import any district's file elsewhere): refused by line, before any job."""
    north = write_csv(tmp_path / "urgent.csv", [row(ticket_id=URGENT, district="北区", received_at="2010-08-05 08:00")])
    c = client_for("admin")
    c.post("/dispatch/district", {"district": DISTRICT})
    r = c.post(f"/dispatch/{DAY}/plan/1/replan",
               {"now": "10:00", "file": (io.BytesIO(north.read_bytes()), "u.csv")}, content_type="multipart/form-data")
    assert r.status_code == 422 and "不能导入北区的数据" in text_of(r)
    _nothing_happened()


def test_re_planning_another_districts_plan_is_not_found(client_for):
    r = client_for("disp_north").post(f"/dispatch/{DAY}/plan/1/replan", {"now": "11:00"},
                                      content_type="multipart/form-data")
    assert r.status_code == 404
