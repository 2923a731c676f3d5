"""A worker the dispatcher marks absent on the day's roster (what the web app's roster page
and API do, through :func:`planner.roster.set_absence`) is off for `cvp plan` and
`cvp replan` too: the command line and the web app read one roster."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from planner import roster
from planner.actor import Actor
from planner.cli import main
from planner.plan.replan import split_route
from planner.store import accounts
from planner.store.db import session_scope
from tests.conftest import import_fixture_day
from tests.store_calls import in_store

DAY = date(2010, 8, 5)
DISTRICT = "南区"
QUICK = ["--seed", "1", "--solution-limit", "60", "--time-limit", "30"]


@pytest.fixture
def dispatcher():
    import_fixture_day()
    with session_scope() as s:
        return accounts.add_user(s, "disp", "a-long-password", "dispatcher", district=DISTRICT)


def routed(doc: dict) -> dict[str, int]:
    """Staff id → number of visits on its route."""
    return {r["staff_id"]: sum(st["type"] == "visit" for st in r["steps"]) for r in doc["routes"]}


def cvp_plan(tmp_path, *extra) -> dict:
    out = tmp_path / "plan"
    assert main(["plan", "--date", str(DAY), "--district", DISTRICT, "--out", str(out), "--no-outputs",
                 *QUICK, *extra]) == 0
    return json.loads((out / "plan.json").read_text(encoding="utf-8"))


def test_cvp_plan_leaves_out_a_worker_marked_absent_on_the_roster(dispatcher, tmp_path, capsys):
    in_store(roster.set_absence, Actor.of(dispatcher), DAY, DISTRICT, "S2", True, "病假")
    doc = cvp_plan(tmp_path)
    assert "S2" not in routed(doc)
    assert routed(doc)["S1"] > 0 and sum(routed(doc).values()) > 0
    # back on duty: routed again by the next plan
    in_store(roster.set_absence, Actor.of(dispatcher), DAY, DISTRICT, "S2", False)
    assert routed(cvp_plan(tmp_path))["S2"] > 0


def test_the_roster_and_absent_together_can_leave_nobody(dispatcher, tmp_path, capsys):
    for staff in ("S1", "S2", "S3"):
        in_store(roster.set_absence, Actor.of(dispatcher), DAY, DISTRICT, staff, True)
    assert main(["plan", "--date", str(DAY), "--district", DISTRICT, "--out", str(tmp_path / "p"), "--no-outputs",
                 "--absent", "S4", *QUICK]) == 2
    assert "nobody is on duty in 南区: everyone on its roster (S1, S2, S3, S4) is absent" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()


def test_cvp_replan_takes_a_worker_marked_absent_since_the_plan_off_from_now(dispatcher, tmp_path, capsys):
    doc = cvp_plan(tmp_path)
    assert routed(doc)["S3"] > 0
    in_store(roster.set_absence, Actor.of(dispatcher), DAY, DISTRICT, "S3", True, "回家")
    new_file = tmp_path / "plan-v2.json"
    assert main(["replan", str(tmp_path / "plan" / "plan.json"), "--now", "11:00", "--out", str(new_file),
                 *QUICK]) == 0
    new = json.loads(new_file.read_text(encoding="utf-8"))
    assert new["replanned_from"]["absent"] == ["S3"]
    # S3 keeps only what had begun by 11:00; the rest went to others or is unassigned
    now = datetime.fromisoformat(new["replanned_from"]["now"])
    begun, rest = split_route(next(r for r in doc["routes"] if r["staff_id"] == "S3"), now)
    [s3] = [r for r in new["routes"] if r["staff_id"] == "S3"]
    assert [st["visit_id"] for st in s3["steps"] if st["type"] == "visit"] == \
        [st.visit_id for st in begun if st.type == "visit"]
    assert rest and {st.visit_id for st in rest} & set(new["summary"]["handed_over_from_absent"])
