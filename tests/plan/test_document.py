"""The plan document is defined once (planner/plan/document.py): read with the path of what is
wrong, written back byte for byte, older stored versions still load, and the JSON Schema the
API references is generated from it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from planner.jsondoc import ShapeError
from planner.plan.document import PlanDocument, Route, summarise
from planner.plan.schema import SCHEMA_FILE, plan_schema, schema_text
from tests.conftest import ROOT


def test_a_plan_reads_and_writes_back_the_same_bytes(fixture_plan):
    plan = PlanDocument.from_json(fixture_plan)
    assert plan.to_json() == fixture_plan
    assert json.dumps(plan.to_json(), ensure_ascii=False, indent=2) == json.dumps(fixture_plan, ensure_ascii=False,
                                                                                  indent=2)
    # only visit steps carry their visit; start, break and end steps do not grow its keys
    start = fixture_plan["routes"][0]["steps"][0]
    assert "priority" not in start and "time_window" not in start
    assert PlanDocument.from_json(json.loads(json.dumps(fixture_plan))) == plan


def test_a_plan_stored_before_base_names_and_english_reasons_still_loads(fixture_plan):
    """Versions already in a database: written before the roster's base name, carried-over days
    and the English explanation existed."""
    for route in fixture_plan["routes"]:
        del route["base_name"]
        for step in route["steps"]:
            step.pop("carried_over_days", None)
    for u in fixture_plan["unassigned"]:
        del u["explanation_en"], u["carried_over_days"]
    plan = PlanDocument.from_json(fixture_plan)
    assert {r.base_name for r in plan.routes} == {""}
    assert all(u.explanation_en == "" and u.text("en") == u.explanation for u in plan.unassigned)
    assert all(s.carried_over_days == 0 for _r, s in plan.visit_steps())


@pytest.mark.parametrize("change, message", [
    (lambda d: d["routes"][2]["steps"][5].update(arrival="half past nine"),
     "routes[2].steps[5].arrival: expected an ISO 8601 time, found 'half past nine'"),
    (lambda d: d["routes"][2]["steps"][5].update(arrival="2010-08-05T09:30:00"),
     "routes[2].steps[5].arrival: expected an ISO 8601 time, found '2010-08-05T09:30:00' without a UTC offset"),
    (lambda d: d["routes"][0].update(shift=["2010-08-05T09:00:00+08:00"]),
     "routes[0].shift: expected an array of 2, found 1 items"),
    (lambda d: d["routes"][0]["steps"][1].update(gift="yes"), "routes[0].steps[1].gift: expected true or false"),
    (lambda d: d["routes"][0]["steps"][1].update(travel_min=True), "routes[0].steps[1].travel_min: expected a number"),
    (lambda d: d["unassigned"][0].pop("reason"), "unassigned[0].reason: missing"),
    (lambda d: d["unassigned"][0].update(carried_over_to="tomorrow"),
     "unassigned[0].carried_over_to: expected an ISO 8601 date"),
    (lambda d: d["summary"]["served_by_priority"].update({"1": 1.5}),
     "summary.served_by_priority.1: expected a whole number"),
    (lambda d: d.update(schema="cvp.plan/2"), "schema: expected 'cvp.plan/1', found 'cvp.plan/2'"),
])
def test_a_malformed_plan_names_the_path_of_what_is_wrong(fixture_plan, change, message):
    change(fixture_plan)
    with pytest.raises(ShapeError) as exc:
        PlanDocument.from_json(fixture_plan)
    assert str(exc.value).startswith(message)


def test_the_summary_totals_are_the_routes_totals(fixture_plan):
    """One summary function for plan and re-plan (the re-plan tests check theirs with cvp check)."""
    plan = PlanDocument.from_json(fixture_plan)
    totals = summarise(plan.routes, plan.unassigned)
    assert {k: fixture_plan["summary"][k] for k in totals} == totals
    for route in plan.routes:
        assert route.visits == len(route.visit_steps)


def test_the_committed_schema_is_the_one_the_classes_give():
    """`python -m planner.plan.schema` after changing planner/plan/document.py."""
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text()


def test_plans_validate_against_the_schema_and_broken_ones_do_not(fixture_plan):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(plan_schema(), format_checker=jsonschema.FormatChecker())
    assert list(validator.iter_errors(fixture_plan)) == []
    fixture_plan["routes"][0]["steps"][1]["arrival"] = 930
    fixture_plan["summary"].pop("assigned")
    assert {tuple(e.path) for e in validator.iter_errors(fixture_plan)} == {("routes", 0, "steps", 1, "arrival"),
                                                                            ("summary",)}


def test_a_route_reads_on_its_own(fixture_plan):
    route = Route.of(fixture_plan["routes"][0])
    assert route.staff_id == fixture_plan["routes"][0]["staff_id"] and route.steps[0].type == "start"


def test_the_checker_loads_no_solver_code():
    """The checker is independent of the model it checks: it imports the document (a data
    definition) and the travel model, never the routing core or OR-Tools."""
    code = ("import sys, planner.check; "
            "print(sorted(m for m in sys.modules if m.startswith(('planner.routing', 'ortools', 'planner.plan.build',"
            " 'planner.plan.compose'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
