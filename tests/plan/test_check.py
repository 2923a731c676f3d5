"""`cvp check` re-derives every time and catches each kind of broken plan."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from planner.check import check_plan
from planner.cli import main


def shift(iso: str, minutes: float) -> str:
    return (datetime.fromisoformat(iso) + timedelta(minutes=minutes)).isoformat()


def visits(doc):
    return [(r, i, s) for r in doc["routes"] for i, s in enumerate(r["steps"]) if s["type"] == "visit"]


def rules_broken(doc):
    return {v.rule for v in check_plan(doc)}


def test_the_fixture_plan_holds(fixture_plan):
    assert check_plan(fixture_plan) == []


def test_cli_check_passes_and_fails_with_status(fixture_plan, tmp_path, capsys):
    import json

    good = tmp_path / "good.json"
    good.write_text(json.dumps(fixture_plan, ensure_ascii=False), encoding="utf-8")
    assert main(["check", str(good)]) == 0
    route, i, step = visits(fixture_plan)[0]
    step["travel_min"] += 10
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(fixture_plan, ensure_ascii=False), encoding="utf-8")
    assert main(["check", str(bad)]) == 1
    assert "travel time" in capsys.readouterr().out


def test_a_visit_moved_outside_its_window_is_caught(fixture_plan):
    route, i, step = next(v for v in visits(fixture_plan) if v[2]["time_window"])
    for key in ("arrival", "start", "end"):
        step[key] = shift(step[key], -300)
    assert "appointment window" in rules_broken(fixture_plan)


def test_broken_arithmetic_is_caught(fixture_plan):
    route, i, step = visits(fixture_plan)[1]
    step["end"] = shift(step["end"], 5)
    broken = rules_broken(fixture_plan)
    assert "end = start + service" in broken


def test_a_visit_over_the_90_minute_budget_is_caught(fixture_plan):
    route, i, step = visits(fixture_plan)[0]
    extra = 91 - (step["travel_min"] + step["wait_min"] + step["service_min"])
    step["service_min"] += extra
    later = route["steps"][i:]
    step["end"] = shift(step["end"], extra)
    for s in later[1:]:
        for key in ("arrival", "start", "end"):
            s[key] = shift(s[key], extra)
    assert "visit budget" in rules_broken(fixture_plan)


def test_duplicates_skills_caps_and_summary_are_checked(fixture_plan):
    r0 = fixture_plan["routes"][0]
    r0["max_visits"] = 1
    r0["skills"] = []
    vip_needed = any(s.get("required_skills") for s in r0["steps"])
    fixture_plan["unassigned"].append({"visit_id": visits(fixture_plan)[0][2]["visit_id"], "reason": "over_capacity"})
    broken = rules_broken(fixture_plan)
    assert {"max visits", "each visit once", "summary"} <= broken
    if vip_needed:
        assert "skills" in broken


def test_shift_and_lunch_are_checked(fixture_plan):
    r = fixture_plan["routes"][0]
    r["shift"][1] = shift(r["steps"][-1]["arrival"], -30)
    lunch = next(s for s in r["steps"] if s["type"] == "break")
    lunch["lat"] += 0.01
    broken = rules_broken(fixture_plan)
    assert {"shift", "break where the worker is"} <= broken


def test_wrong_schema_is_refused(fixture_plan):
    fixture_plan["schema"] = "something/else"
    assert rules_broken(fixture_plan) == {"schema"}


@pytest.mark.parametrize("content", [b"", b"not json", b"[1, 2]"])
def test_unreadable_plan_file_is_a_clear_error(tmp_path, capsys, content):
    p = tmp_path / "plan.json"
    p.write_bytes(content)
    assert main(["check", str(p)]) == 2
    assert "Traceback" not in capsys.readouterr().err
