"""`cvp check` re-derives every time and catches each kind of broken plan."""

from __future__ import annotations

import json
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
    step = visits(fixture_plan)[0][2]
    fixture_plan["unassigned"].append({
        **{k: step[k] for k in ("visit_id", "ticket_ids", "time_window", "priority", "customer_type", "scenario",
                                "reasons", "service_min")},
        "reason": "over_capacity", "explanation": "当日人员已排满", "carried_over_to": "2010-08-06"})
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


def _mangled(plan: dict, change) -> bytes:
    change(plan)
    return json.dumps(plan, ensure_ascii=False).encode("utf-8")


def _drop(d: dict, key: str) -> None:
    del d[key]


MALFORMED = {
    # a file that is not a plan at all
    "empty": (lambda plan: b"", "(file)", "not JSON"),
    "not JSON": (lambda plan: b"not json", "(file)", "not JSON"),
    "not UTF-8": (lambda plan: b'{"schema": "' + bytes([0xFF, 0xFE]) + b'"}', "(file)", "UTF-8"),
    "a list": (lambda plan: b"[1, 2]", "(file)", "expected an object"),
    "deep": (lambda plan: b"[" * 100_000 + b"]" * 100_000, "(file)", "nested too deeply"),
    # a plan whose shape is wrong: reported where, not indexed blindly
    "no routes": (lambda plan: _mangled(plan, lambda p: _drop(p, "routes")), "routes", "missing"),
    "routes an object": (lambda plan: _mangled(plan, lambda p: p.update(routes={})), "routes", "expected an array"),
    "step without arrival": (lambda plan: _mangled(plan, lambda p: _drop(p["routes"][1]["steps"][2], "arrival")),
                             "routes[1].steps[2].arrival", "missing"),
    "arrival not a time": (lambda plan: _mangled(plan, lambda p: p["routes"][1]["steps"][2].update(arrival="9am")),
                           "routes[1].steps[2].arrival", "expected an ISO 8601 time"),
    "travel as text": (lambda plan: _mangled(plan, lambda p: p["routes"][0]["steps"][1].update(travel_min="12")),
                       "routes[0].steps[1].travel_min", "expected a number"),
    "null step": (lambda plan: _mangled(plan, lambda p: p["routes"][0]["steps"].insert(1, None)),
                  "routes[0].steps[1]", "expected an object"),
    "unknown step type": (lambda plan: _mangled(plan, lambda p: p["routes"][0]["steps"][1].update(type="lunch")),
                          "routes[0].steps[1].type", "expected one of"),
    "no settings": (lambda plan: _mangled(plan, lambda p: _drop(p, "settings")), "settings", "missing"),
    "summary count as text": (lambda plan: _mangled(plan, lambda p: p["summary"].update(visits="25")),
                              "summary.visits", "expected a whole number"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_plan_file_is_a_violation_not_a_traceback(fixture_plan, tmp_path, capsys, case):
    """drift 4: `cvp check` indexed keys before checking the shape; a malformed file is now one
    violation naming where, and exit status 1 like any plan that does not hold."""
    content, where, why = MALFORMED[case]
    p = tmp_path / "plan.json"
    p.write_bytes(content(fixture_plan))
    assert main(["check", str(p)]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    first = out.splitlines()[0]
    assert first.startswith(str(p) if where == "(file)" else f"{where}: shape:"), first
    assert why in first
    assert out.splitlines()[-1] == "1 violation(s)"


def test_a_plan_file_past_the_size_limit_is_refused_unread(tmp_path, capsys, monkeypatch):
    from planner.plan import document

    monkeypatch.setattr(document, "MAX_FILE_BYTES", 1000)
    p = tmp_path / "plan.json"
    p.write_bytes(b" " * 1001)
    assert main(["check", str(p)]) == 1
    assert "at most 1,000" in capsys.readouterr().out


def test_check_plan_reports_the_shape_of_parsed_json(fixture_plan):
    """The library function, as the test suite calls it on every stored plan, never raises either."""
    del fixture_plan["routes"][0]["steps"][1]["end"]
    assert [str(v) for v in check_plan(fixture_plan)] == ["routes[0].steps[1].end: shape: missing"]
    assert [v.rule for v in check_plan([1, 2])] == ["shape"]
