"""Staffing by simulation: sampled days planned with the real routing core."""

from __future__ import annotations

import json
from datetime import date

import pytest

from cost_model import simulate as sim
from planner.cli import main
from planner.errors import UserError
from planner.plan.day import travel_model_of

BASE = (34.223, 108.948)
PLACES = tuple((BASE[0] + 0.01 * (i % 5) - 0.02, BASE[1] + 0.012 * (i // 5) - 0.02) for i in range(20))


def settings(**kw):
    values = dict(district="南区", days=3, demand=sim.DemandDistribution("fixed", 10), vip_share=0.3, staff_counts=(1, 2, 3),
                  locations=PLACES, base=BASE, time_limit_s=10, solution_limit=60, seed=3)
    values.update(kw)
    return sim.SimulationSettings(**values)


def test_more_staff_never_serves_fewer_visits_on_the_same_days(rules):
    result = sim.simulate(settings(), rules, travel_model_of(rules), processes=1)
    shares = [lv.share_served for lv in result.levels]
    assert shares == sorted(shares)
    assert shares[0] < 1.0  # one worker cannot do 10 visits (cap 6)
    assert result.levels[0].as_dict()["mean_visits_per_worker"] <= 6
    assert result.pilot_arithmetic == 2  # ceil(10 / 6)


def test_recommends_the_smallest_count_meeting_the_service_levels(rules):
    result = sim.simulate(settings(), rules, travel_model_of(rules), processes=1)
    ok = [lv.staff for lv in result.levels if lv.share_days_all_vip >= 0.95 and lv.share_served >= 0.9]
    assert result.recommended == ok[0]
    strict = sim.simulate(settings(staff_counts=(1,)), rules, travel_model_of(rules), processes=1)
    assert strict.recommended is None and "meets the levels" in strict.notes[-1]


def test_every_staff_count_sees_the_same_sampled_days(rules):
    s = settings(demand=sim.DemandDistribution("poisson", 12))
    a = sim.sample_day(s, rules, 1, date(2010, 8, 3))
    b = sim.sample_day(s, rules, 1, date(2010, 8, 3))
    assert a == b and a != sim.sample_day(s, rules, 2, date(2010, 8, 3))
    vip = sum("vip" in v.reasons for d in range(40) for v in sim.sample_day(s, rules, d, date(2010, 8, 3)))
    total = sum(len(sim.sample_day(s, rules, d, date(2010, 8, 3))) for d in range(40))
    assert 0.2 < vip / total < 0.4


def test_overtime_allowance_is_measured(rules):
    tight = settings(demand=sim.DemandDistribution("fixed", 14), staff_counts=(2,), overtime_allowance_min=120)
    result = sim.simulate(tight, rules, travel_model_of(rules), processes=1)
    assert result.levels[0].as_dict()["mean_overtime_min_per_worker"] >= 0


@pytest.mark.parametrize("text", ["poisson", "poisson:-3", "normal:20", "fixed:x"])
def test_bad_demand_is_a_clear_error(text):
    with pytest.raises(UserError, match="--demand"):
        sim.DemandDistribution.parse(text)


def test_staff_range_parsing():
    assert sim.parse_staff_range("3:7") == (3, 4, 5, 6, 7)
    assert sim.parse_staff_range("6,4") == (4, 6)
    with pytest.raises(UserError):
        sim.parse_staff_range("0:3")


def test_cli_simulate_on_the_fixture_district(fixture_day, tmp_path, capsys):
    assert main(["import", str(fixture_day / "history.csv"), "--history"]) == 0
    assert main(["import", str(fixture_day / "staff.csv")]) == 0
    out = tmp_path / "sim.json"
    code = main(["cost", "simulate", "--district", "南区", "--days", "2", "--staff", "3:4", "--demand", "fixed:12",
                 "--processes", "2", "--time-limit", "1", "--all-level", "0.5", "--json", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "pilot arithmetic: ceil(12 ÷ 6) = 2" in text
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [lv["staff"] for lv in doc["levels"]] == [3, 4]
    assert doc["service_levels"]["share_of_visits_same_day"] == 0.5


def test_cli_simulate_without_a_roster_says_what_to_import(capsys):
    assert main(["cost", "simulate", "--district", "南区", "--days", "1"]) == 2
    assert "cvp import" in capsys.readouterr().err


def _custom_rules(tmp_path, rules, **day):
    """The shipped rules with another working day and shorter visits, as a dispatcher's copy."""
    import yaml

    data = {**rules.data, "day": {**rules.data["day"], **day},
            "service_minutes": {**rules.data["service_minutes"],
                                "by_type": {t: 20 for t in rules.data["service_minutes"]["by_type"]}}}
    path = tmp_path / "short-day.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_cli_simulate_plans_with_the_rules_named_by_rules(fixture_day, tmp_path, rules, capsys):
    """`cvp --rules FILE cost simulate` plans with FILE's working day, not the shipped one."""
    assert main(["import", str(fixture_day / "history.csv"), "--history"]) == 0
    assert main(["import", str(fixture_day / "staff.csv")]) == 0
    custom = _custom_rules(tmp_path, rules, max_visits_per_worker=3, shift_start="10:00", shift_end="15:00")
    out = tmp_path / "sim.json"
    code = main(["--rules", str(custom), "cost", "simulate", "--district", "南区", "--days", "1", "--staff", "2",
                 "--demand", "fixed:12", "--processes", "1", "--time-limit", "0.5", "--json", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "pilot arithmetic: ceil(12 ÷ 3) = 4" in text  # the shipped rules' 6 a person would say 2
    assert "rules: short-day.yaml" in text and "shift 10:00-15:00" in text
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["rules"]["file"] == "short-day.yaml" and doc["rules"]["max_visits_per_worker"] == 3
    assert doc["rules"]["service_minutes_by_type"]["irate"] == 20
    assert doc["levels"][0]["mean_visits_per_worker"] <= 3  # the visit cap of the file, not 6


def test_cli_simulate_takes_the_rules_of_cvp_rules_too(fixture_day, tmp_path, rules, capsys, monkeypatch):
    assert main(["import", str(fixture_day / "staff.csv")]) == 0
    monkeypatch.setenv("CVP_RULES", str(_custom_rules(tmp_path, rules, max_visits_per_worker=4)))
    code = main(["cost", "simulate", "--district", "南区", "--days", "1", "--staff", "1", "--demand", "fixed:8",
                 "--processes", "1", "--time-limit", "0.2", "--locations", str(fixture_day / "tickets.csv")])
    assert code == 0
    assert "ceil(8 ÷ 4) = 2" in capsys.readouterr().out


def test_sampled_days_take_service_minutes_and_shift_from_the_rules(tmp_path, rules):
    from planner.triage import load_rules

    custom = load_rules(_custom_rules(tmp_path, rules, shift_start="13:00", shift_end="18:00"))
    visits = sim.sample_day(settings(window_share=1.0), custom, 0, date(2010, 8, 2))
    assert visits and {v.service_min for v in visits} == {20}
    assert all(v.time_window[0].hour >= 13 for v in visits)  # windows fall in the file's shift
    shipped = sim.sample_day(settings(window_share=1.0), rules, 0, date(2010, 8, 2))
    assert {v.service_min for v in shipped} != {20}
