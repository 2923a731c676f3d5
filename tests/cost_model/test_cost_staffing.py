"""Staffing from demand: visitors = ceil(daily visits ÷ visits per person per day)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cost_model import scenario, staffing
from cost_model.model import evaluate
from cost_model.report import render_text


def test_given_rule_pilot_takes_six_a_day():
    """The pilot took 6 visits a person a day (top of 4–6): ceil(23 ÷ 6) = 4."""
    st = evaluate(scenario.load("xian-2010-recommended")).staffing
    assert st.rule == "given"
    assert st.daily_visits == 23
    assert dict(st.daily_visits_breakdown) == {"vip": 6, "repeat_or_clustered": 17}
    assert st.visits_per_person_per_day == 6
    assert st.visitors_per_district == 4
    assert st.explanation[-1] == "visitors per district = ceil(23 ÷ 6) = 4"


def test_derived_rule_480_over_90_gives_5():
    assert staffing.derived_capacity(Decimal(480), Decimal(90)) == 5
    sc = scenario.load("xian-2010-recommended").with_values({"rule": "derived"})
    st = evaluate(sc).staffing
    assert st.rule == "derived"
    assert st.visits_per_person_per_day == 5
    assert st.visitors_per_district == 5
    assert st.total_staff == (5 + 2) * 4 + 3
    assert "floor(480 ÷ 90) = 5" in st.explanation[0]
    assert st.explanation[-1] == "visitors per district = ceil(23 ÷ 5) = 5"


@pytest.mark.parametrize("daily, capacity, visitors", [
    (23, 6, 4), (23, 5, 5), (24, 6, 4), (25, 6, 5), (0, 6, 0), (1, 6, 1), (23, Decimal("5.5"), 5),
])
def test_visitors_for(daily, capacity, visitors):
    assert staffing.visitors_for(daily, Decimal(capacity)) == visitors


def test_report_says_which_rule_and_what_the_other_gives():
    text = render_text(evaluate(scenario.load("xian-2010-recommended")))
    assert "staffing rule" in text and "given" in text
    assert "ceil(23 ÷ 6) = 4" in text
    assert "the derived rule would give floor(480 ÷ 90) = 5" in text
    derived = render_text(evaluate(scenario.load("xian-2010-recommended")
                                   .with_values({"rule": "derived"})))
    assert "derived" in derived and "ceil(23 ÷ 5) = 5" in derived
    assert "the given rule would give 6" in derived


def test_rule_defaults_from_the_fields_given(write_yaml):
    path = write_yaml("""\
        demand:
          daily_visits: 23
          minutes_per_visit: 90
          working_minutes_per_day: 480
        staffing: {followup_per_district: 2, districts: 4}
        lines: [{item: labour, unit_price: 2000, quantity: total_staff}]
        """)
    st = evaluate(scenario.load(path)).staffing
    assert st.rule == "derived" and st.visitors_per_district == 5
    assert st.support_staff == 0 and st.total_staff == 28


def test_counts_available_to_quantities(recommended):
    counts = recommended.staffing.counts()
    assert counts == {
        "visitors_per_district": 4, "followup_per_district": 2, "district_staff": 6,
        "districts": 4, "field_visitors": 16, "followup_staff": 8, "support_staff": 3,
        "total_staff": 27, "daily_visits": 23,
    }


def test_a_simulation_rule_can_plug_in():
    """The registry is the seam for staffing by simulation (not written yet)."""
    def fake(demand):
        return staffing.Capacity(Decimal(4), 6, ("simulated",), "4 (simulated)")

    staffing.register_rule(staffing.Rule("test_sim", ("simulation",), fake, "route simulation"))
    try:
        sc = scenario.load("xian-2010-recommended").with_values(
            {"rule": "test_sim", "demand.simulation": {"seed": 1}})
        assert sc.demand.simulation == {"seed": 1}
        st = evaluate(sc).staffing
        assert st.rule == "test_sim" and st.visitors_per_district == 6
        assert st.total_staff == (6 + 2) * 4 + 3
    finally:
        del staffing.RULES["test_sim"]
