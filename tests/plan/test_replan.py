"""`cvp replan`: the rest of the day after something changed; and dispatcher pins."""

from __future__ import annotations

from datetime import time

from planner.check import check_plan
from planner.cli import main
from planner.plan.day import plan_day
from planner.plan.replan import replan, split_route
from tests.plan.conftest import DAY, DETERMINISTIC
from tests.store_calls import in_store
from tests.triage.helpers import TZ


def owner_of(doc):
    return {s["visit_id"]: r["staff_id"] for r in doc["routes"] for s in r["steps"] if s["type"] == "visit"}


def test_begun_stops_stay_and_the_new_version_checks(stored_day):
    doc = in_store(plan_day, DAY, "南区", solver=DETERMINISTIC)
    new = in_store(replan, doc, time(11, 0), solver=DETERMINISTIC)
    assert new["version"] == doc["version"] + 1 and new["replanned_from"]["version"] == doc["version"]
    assert check_plan(new) == []
    from datetime import datetime

    now = datetime(2010, 8, 5, 11, 0, tzinfo=TZ)
    for old_route in doc["routes"]:
        fixed, _ = split_route(old_route, now)
        [new_route] = [r for r in new["routes"] if r["staff_id"] == old_route["staff_id"]]
        assert new_route["steps"][:len(fixed)] == [s.to_json() for s in fixed]


def test_nothing_changed_means_nobody_loses_a_visit(stored_day):
    doc = in_store(plan_day, DAY, "南区", solver=DETERMINISTIC)
    new = in_store(replan, doc, time(9, 0), solver=DETERMINISTIC)
    before, after = owner_of(doc), owner_of(new)
    assert new["summary"]["moved_to_another_worker"] == []
    assert {vid: after.get(vid) for vid in before} == before  # every visit kept, by the same worker
    assert len(after) >= len(before)


def test_an_absent_workers_visits_are_redistributed(stored_day):
    doc = in_store(plan_day, DAY, "南区", solver=DETERMINISTIC)
    new = in_store(replan, doc, time(11, 0), absent=("S3",), solver=DETERMINISTIC)
    assert check_plan(new) == []
    [s3] = [r for r in new["routes"] if r["staff_id"] == "S3"]  # the begun part of S3's day stays on record
    from datetime import datetime

    fixed, rest = split_route(next(r for r in doc["routes"] if r["staff_id"] == "S3"),
                              datetime(2010, 8, 5, 11, 0, tzinfo=TZ))
    rest_ids = {s.visit_id for s in rest}
    assert rest_ids  # S3 had visits still to come at 11:00: there is something to redistribute
    assert [s["visit_id"] for s in s3["steps"] if s["type"] == "visit"] == \
        [s.visit_id for s in fixed if s.type == "visit"]
    placed = set(owner_of(new)) | {u["visit_id"] for u in new["unassigned"]}
    assert rest_ids <= placed
    assert set(new["summary"]["handed_over_from_absent"]) <= rest_ids


def test_new_urgent_tickets_are_inserted(stored_day, tmp_path, capsys):
    from tests.intake.helpers import row, write_csv

    doc = in_store(plan_day, DAY, "南区", solver=DETERMINISTIC)
    import json

    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    urgent = write_csv(tmp_path / "urgent.csv", [row(ticket_id="XA-NQ-URGENT-1", vip_level="钻卡",
                                                     received_at="2010-08-05 08:00", phone="13900000001",
                                                     lat="34.2260", lon="108.9500")])
    code = main(["replan", str(plan_file), "--now", "10:00", "--add", str(urgent), "--seed", "1",
                 "--solution-limit", "100"])
    assert code == 0
    new = json.loads((tmp_path / f"plan-v{doc['version'] + 1}.json").read_text(encoding="utf-8"))
    assert "V-XA-NQ-URGENT-1" in owner_of(new)  # diamond: served before lower priorities
    assert check_plan(new) == []


def test_a_pinned_visit_goes_to_the_chosen_worker(stored_day):
    doc = in_store(plan_day, DAY, "南区", solver=DETERMINISTIC)
    owners = owner_of(doc)
    vid = next(v for v, s in owners.items() if s != "S4" and not v.startswith("V-XA-NQ-20100804-0012"))
    pinned = in_store(plan_day, DAY, "南区", solver=DETERMINISTIC, pins={vid: "S4"})
    assert owner_of(pinned).get(vid) == "S4" or vid in {u["visit_id"] for u in pinned["unassigned"]}
    assert pinned["pins"] == {vid: "S4"}
    assert check_plan(pinned) == []


def test_a_diamond_visit_pinned_to_a_worker_without_the_vip_skill_is_explained(stored_day):
    diamond = "V-XA-NQ-20100804-0012"
    doc = in_store(plan_day, DAY, "南区", solver=DETERMINISTIC, pins={diamond: "S4"})  # S4 has no vip skill
    [u] = [u for u in doc["unassigned"] if u["visit_id"] == diamond]
    assert u["reason"] == "no_skilled_staff" and "pinned to S4" in u["detail"]


def test_a_visit_moves_to_another_worker_only_when_its_own_cannot_keep_it(stored_day, tmp_path):
    """S1 must leave at 12:00 and S3 can take more: S1's afternoon goes to others."""
    import csv

    from planner.workflow import import_file

    doc = in_store(plan_day, DAY, "南区", solver=DETERMINISTIC)
    s1_late = [s["visit_id"] for r in doc["routes"] if r["staff_id"] == "S1" for s in r["steps"]
               if s["type"] == "visit" and s["end"][11:16] > "12:00"]
    assert s1_late  # the fixture plan has S1 busy in the afternoon: S1 cannot keep everything
    with (stored_day / "staff.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    for r in rows[1:]:
        if r[0] == "S1":
            r[head.index("下班时间")] = "12:00"
        if r[0] == "S3":
            r[head.index("每日最多拜访")] = "9"
    roster = tmp_path / "staff.csv"
    with roster.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    in_store(import_file, roster)

    new = in_store(replan, doc, time(9, 0), solver=DETERMINISTIC)
    assert check_plan(new) == []
    moved = new["summary"]["moved_to_another_worker"]
    before, after = owner_of(doc), owner_of(new)
    assert moved  # only S1's day shrank, so only S1's visits move
    assert all(before[v] == "S1" and after[v] not in (None, "S1") for v in moved)
    # nobody else lost a visit they could still make
    assert all(after.get(v) in (sid, None) for v, sid in before.items() if sid != "S1")
    [s1] = [r for r in new["routes"] if r["staff_id"] == "S1"]
    assert s1["steps"][-1]["arrival"][11:16] <= "12:00" and s1["break_window"] is None


def test_tickets_received_since_the_plan_are_inserted_up_to_now(stored_day, tmp_path):
    """Imported through the usual import (not --add): the 10:00 diamond comes in, the 11:30 one waits."""
    from planner.workflow import import_file
    from tests.intake.helpers import row, write_csv

    doc = in_store(plan_day, DAY, "南区", solver=DETERMINISTIC)
    later = write_csv(tmp_path / "later.csv", [
        row(ticket_id="XA-NQ-LATE-1000", vip_level="钻卡", received_at="2010-08-05 10:00",
            phone="13900000002", lat="34.2260", lon="108.9500"),
        row(ticket_id="XA-NQ-LATE-1130", vip_level="钻卡", received_at="2010-08-05 11:30",
            phone="13900000003", lat="34.2250", lon="108.9510")])
    in_store(import_file, later)
    new = in_store(replan, doc, time(11, 0), solver=DETERMINISTIC)
    planned = set(owner_of(new)) | {u["visit_id"] for u in new["unassigned"]}
    assert "V-XA-NQ-LATE-1000" in planned and "V-XA-NQ-LATE-1130" not in planned
    assert check_plan(new) == []
