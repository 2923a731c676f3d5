"""`cvp replan --absent S3` said "moved to another worker: none" while S3's visits went to
others and visits were dropped: the re-plan now records and prints every change."""

from __future__ import annotations

import json
from datetime import datetime

from planner.cli import main
from planner.plan.day import plan_day
from planner.plan.replan import split_route
from planner.plan.summary import outcome_text, plan_text
from tests.plan.conftest import DAY, DETERMINISTIC
from tests.store_calls import in_store
from tests.triage.helpers import TZ


def owner_of(doc):
    return {s["visit_id"]: r["staff_id"] for r in doc["routes"] for s in r["steps"] if s["type"] == "visit"}


def test_replan_records_who_took_each_visit_and_what_was_dropped(stored_day, tmp_path, capsys):
    doc = in_store(plan_day, DAY, "南区", solver=DETERMINISTIC)
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert main(["replan", str(plan_file), "--now", "11:00", "--absent", "S3", "--seed", "1",
                 "--solution-limit", "200", "--time-limit", "30"]) == 0
    out = capsys.readouterr().out
    new = json.loads(next(tmp_path.glob("plan-v*.json")).read_text(encoding="utf-8"))
    changes = {c["visit_id"]: c for c in new["summary"]["changes"]}

    _, s3_rest = split_route(next(r for r in doc["routes"] if r["staff_id"] == "S3"),
                             datetime(2010, 8, 5, 11, 0, tzinfo=TZ))
    assert s3_rest, "S3 has visits still to come at 11:00"
    before, after = owner_of(doc), owner_of(new)
    for s in s3_rest:  # every visit S3 had left is either with someone else or dropped, and said so
        c = changes[s.visit_id]
        assert c["from"] == "S3" and c["to"] == after.get(s.visit_id)
        line = f"{s.visit_id}: S3 (absent) -> " + (c["to"] or "dropped")
        assert line in out, out
    for vid, sid in before.items():  # others' visits: each change listed with where it went
        if sid != "S3" and vid not in {st.visit_id for st in split_route(
                next(r for r in doc["routes"] if r["staff_id"] == sid), datetime(2010, 8, 5, 11, 0, tzinfo=TZ))[0]}:
            if after.get(vid) != sid:
                assert changes[vid]["to"] == after.get(vid)
                assert f"{vid}: {sid} -> {after.get(vid) or 'dropped'}" in out
            else:
                assert vid not in changes
    for c in changes.values():
        if c["to"] is None:
            assert c["reason"] and c["explanation_en"]
    assert "moved to another worker: none" not in out


def test_the_summary_says_what_partial_means():
    assert outcome_text("partial", 3) == "3 visits could not be planned (listed below)"
    assert outcome_text("complete", 0) == "every visit planned"
    assert outcome_text("no_solution", 25) == "no feasible plan found within the time limit"


def test_the_plan_text_never_shows_the_bare_solver_status(fixture_plan):
    text = plan_text(fixture_plan)
    assert "(partial," not in text and "(complete," not in text
    n = fixture_plan["summary"]["unassigned"]
    assert (f"{n} visit" in text.splitlines()[1]) if n else "every visit planned" in text
