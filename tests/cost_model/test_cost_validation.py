"""Scenario files are validated with messages naming the file, the field and the problem."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cost_model import scenario
from cost_model.cli import cost
from cost_model.scenario import ScenarioError
from planner.errors import UserError


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# (what is broken, edit to the minimal scenario, field named, words of the reason)
CASES = [
    ("negative count", ("districts: 4", "districts: -4"),
     "staffing.districts", "must not be negative, got -4"),
    ("negative follow-up", ("followup_per_district: 2", "followup_per_district: -2"),
     "staffing.followup_per_district", "must not be negative"),
    ("negative daily visits", ("daily_visits: 23", "daily_visits: -23"),
     "demand.daily_visits", "must not be negative"),
    ("negative price", ("unit_price: 2000", "unit_price: -2000"),
     "lines[0].unit_price", "must not be negative"),
    ("fractional head count", ("support_staff: 3", "support_staff: 2.5"),
     "staffing.support_staff", "must be a whole number, got 2.5"),
    ("zero districts", ("districts: 4", "districts: 0"),
     "staffing.districts", "must be more than 0"),
    ("unknown top-level field", ("lines:", "colour: blue\nlines:"),
     "colour", "unknown field"),
    ("misspelt field", ("support_staff: 3", "suport_staff: 3"),
     "staffing.suport_staff", "unknown field; did you mean 'support_staff'?"),
    ("unknown line field", ("quantity: total_staff", "quantity: total_staff\n    price: 3"),
     "lines[0].price", "unknown field"),
    ("percentage of 200", ("percent: 20", "percent: 200"),
     "fees[0].percent", "must be a percentage between 0 and 100, got 200"),
    ("missing required value", ("  districts: 4\n", ""),
     "staffing.districts", "missing required value"),
    ("missing unit price", ("    unit_price: 2000\n", ""),
     "lines[0].unit_price", "missing required value"),
    ("missing section", ("staffing:\n  followup_per_district: 2\n  districts: 4\n  support_staff: 3\n", ""),
     "staffing", "missing required value"),
    ("missing capacity for the given rule", ("  visits_per_person_per_day: 6\n", "  rule: given\n"),
     "demand.visits_per_person_per_day", "missing required value: rule given needs it"),
    ("text for a number", ("unit_price: 2000", "unit_price: lots"),
     "lines[0].unit_price", "must be a number, got the text 'lots'"),
    ("yes/no for a number", ("districts: 4", "districts: yes"),
     "staffing.districts", "must be a number"),
    ("bad quantity", ("quantity: total_staff", "quantity: total_staff - 3"),
     "lines[0].quantity", "subtraction"),
    ("one-off without life", ("quantity: total_staff", "quantity: total_staff\n    recurrence: one_off"),
     "lines[0].life_months", "needs the months"),
    ("life on a monthly item", ("quantity: total_staff", "quantity: total_staff\n    life_months: 12"),
     "lines[0].life_months", "only one_off items have a life"),
    ("bad recurrence", ("quantity: total_staff", "quantity: total_staff\n    recurrence: weekly"),
     "lines[0].recurrence", "must be one of monthly, one_off"),
    ("unknown rule", ("visits_per_person_per_day: 6", "visits_per_person_per_day: 6\n  rule: magic"),
     "demand.rule", "unknown staffing rule 'magic'"),
    ("simulation not available", ("visits_per_person_per_day: 6",
                                  "visits_per_person_per_day: 6\n  rule: simulation"),
     "demand.rule", "needs the routing core"),
    ("visit longer than the day", ("  visits_per_person_per_day: 6\n",
                                   "  rule: derived\n  minutes_per_visit: 500\n"
                                   "  working_minutes_per_day: 480\n"),
     "demand.minutes_per_visit", "does not fit in a working day"),
    ("duplicate id", ("fees:", "  - item: labour\n    unit_price: 1\nfees:"),
     "lines[1].id", "'labour' is used twice"),
    ("duplicate key", ("  districts: 4\n", "  districts: 4\n  districts: 5\n"),
     "staffing.districts", "given twice"),
    ("YAML reads on: as true", ("percent: 20", "percent: 20\n    on: subtotal"),
     "fees[0].true", "quote the name"),
    ("basis", ("lines:", "basis: city\nlines:"),
     "basis", "must be one of whole, per_district"),
]


@pytest.mark.parametrize("label, edit, field, reason", CASES, ids=[c[0] for c in CASES])
def test_error_names_file_field_and_reason(write_yaml, minimal_yaml, label, edit, field, reason):
    path = write_yaml(_replace(minimal_yaml, *edit), "bad-scenario.yaml")
    with pytest.raises(ScenarioError) as err:
        scenario.load(path)
    exc = err.value
    assert isinstance(exc, UserError)
    assert [p.field for p in exc.problems] == [field], str(exc)
    message = str(exc)
    assert str(path) in message
    assert f": {field}: " in message
    assert reason in message
    assert exc.problems[0].line is not None  # points at a line of the file


def test_every_problem_is_listed(write_yaml, minimal_yaml):
    text = _replace(minimal_yaml, "districts: 4", "districts: -4")
    text = _replace(text, "percent: 20", "percent: 200")
    text = _replace(text, "lines:", "colour: blue\nlines:")
    path = write_yaml(text, "three.yaml")
    with pytest.raises(ScenarioError) as err:
        scenario.load(path)
    assert {p.field for p in err.value.problems} == {"staffing.districts", "fees[0].percent", "colour"}
    assert str(err.value).startswith(f"{path}: 3 problems:")


@pytest.mark.parametrize("text, field, reason", [
    ("demand: [1\n", "(syntax)", "not valid YAML"),
    ("", "(top level)", "the file is empty"),
    ("- 1\n- 2\n", "(top level)", "must be a mapping"),
])
def test_file_level_problems(write_yaml, text, field, reason):
    path = write_yaml(text, "broken.yaml")
    with pytest.raises(ScenarioError) as err:
        scenario.load(path)
    assert err.value.field == field and reason in str(err.value) and str(path) in str(err.value)


def test_missing_file_and_unknown_name(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        scenario.load(tmp_path / "nope.yaml")
    with pytest.raises(ScenarioError, match=r"not a built-in scenario \(xian-2010-recommended"):
        scenario.load("no-such-scenario")


def test_overridden_values_are_validated_and_named():
    sc = scenario.load("xian-2010-recommended")
    with pytest.raises(ScenarioError) as err:
        sc.with_values({"districts": -1})
    assert "(with districts = -1)" in str(err.value)
    assert err.value.field == "staffing.districts"
    with pytest.raises(ScenarioError) as err:
        sc.with_values({"no_such_param": 1})
    assert err.value.field == "no_such_param" and "unknown parameter" in err.value.reason


# ------------------------------------------------------------------ through the CLI


def _bad_file(write_yaml, minimal_yaml):
    return write_yaml(_replace(minimal_yaml, "percent: 20", "percent: 200"), "bad-fee.yaml")


def test_cli_exits_2_without_traceback(write_yaml, minimal_yaml):
    path = _bad_file(write_yaml, minimal_yaml)
    result = CliRunner().invoke(cost, ["run", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error: ")
    assert f"{path}:" in result.stderr and "fees[0].percent" in result.stderr
    assert "between 0 and 100" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args", [
    ["run", "no-such-scenario"],
    ["run", "xian-2010-recommended", "--set", "districts=-2"],
    ["run", "xian-2010-recommended", "--set", "nothing"],
    ["sweep", "xian-2010-recommended", "--vary", "districts=0:3", "--no-chart"],
    ["sweep", "xian-2010-recommended", "--vary", "bogus=1:3", "--no-chart"],
    ["sweep", "xian-2010-recommended", "--vary", "districts", "--no-chart"],
    ["compare", "xian-2010-recommended", "no-such-scenario"],
])
def test_cli_user_errors(args):
    result = CliRunner().invoke(cost, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error: ")


def test_through_cvp_main(write_yaml, minimal_yaml, capsys):
    """`cvp cost …` through planner.cli.main: a UserError becomes exit 2, no traceback."""
    import planner.cli as pcli

    path = _bad_file(write_yaml, minimal_yaml)
    assert pcli.main(["cost", "run", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "fees[0].percent" in err and "Traceback" not in err
    assert pcli.main(["cost", "run", "xian-2010-recommended", "--json"]) == 0
    assert '"total_monthly": 140520.0' in capsys.readouterr().out


def test_template_is_valid_and_documented(tmp_path):
    result = CliRunner().invoke(cost, ["init", str(tmp_path / "my.yaml")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "my.yaml").read_text(encoding="utf-8")
    assert text.count("#") > 30  # commented
    sc = scenario.load(tmp_path / "my.yaml")
    assert sc.name == "my-programme"
    # refuses to overwrite
    again = CliRunner().invoke(cost, ["init", str(tmp_path / "my.yaml")])
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert CliRunner().invoke(cost, ["init", str(tmp_path / "my.yaml"), "--force"]).exit_code == 0
