"""The Xi'an pilot's two cost tables, reproduced to the cent from the shipped scenario files.

The expected figures are the pilot report's (docs: DOMAIN.md, cost tables A and
B); the scenario files hold only parameters, so every amount here went through
the model.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from cost_model import scenario
from cost_model.model import evaluate

D = Decimal


def _lines(ev):
    return {la.line.id: la for la in ev.budget.lines}


# --------------------------------------------------------------------- table A


def test_table_a_staffing(recommended):
    st = recommended.staffing
    assert (st.visitors_per_district, st.followup_per_district, st.districts,
            st.support_staff) == (4, 2, 4, 3)
    assert st.field_visitors == 16
    assert st.total_staff == 27


@pytest.mark.parametrize("ident, formula, amount", [
    ("labour", "27 × 2000", "54000.00"),
    ("gifts", "350 × 10", "3500.00"),
    ("transport", "16 × 1000", "16000.00"),
    ("brochures", "4 × 500", "2000.00"),
    ("communication", "16 × 3 × 200", "9600.00"),
    ("test_equipment", "16 × 2000", "32000.00"),
])
def test_table_a_lines(recommended, ident, formula, amount):
    la = _lines(recommended)[ident]
    assert la.formula == formula
    assert la.amount == D(amount)
    assert str(la.amount) == amount  # to the cent


def test_table_a_recurrence(recommended):
    lines = _lines(recommended)
    assert lines["test_equipment"].line.recurrence == "one_off"
    assert all(la.line.recurrence == "monthly" for k, la in lines.items() if k != "test_equipment")


def test_table_a_totals(recommended):
    b = recommended.budget
    assert b.basis == "whole"
    assert b.whole.subtotal == D("117100.00")
    assert [f.amount for f in b.counted.fees] == [D("23420.00")]
    assert b.counted.fees[0].formula == "20% × 117100"
    assert b.whole.taxes_total == 0
    assert str(b.total_monthly) == "140520.00"
    assert b.per_district is None


def test_table_a_amortised(recommended):
    """The one-off test equipment spread over its life (24 months in the file)."""
    b = recommended.budget
    equipment = _lines(recommended)["test_equipment"]
    assert equipment.line.life_months == 24
    assert equipment.amortised == D("1333.33")  # 32000 ÷ 24, half-up to the cent
    assert b.amortised.subtotal == D("86433.33")
    assert b.amortised.fees[0].amount == D("17286.67")  # 20% of 86433.33 = 17286.666
    assert str(b.total_monthly_amortised) == "103720.00"


def test_table_a_amortised_life_is_configurable():
    sc = scenario.load("xian-2010-recommended").with_values({"test_equipment.life_months": 36})
    b = evaluate(sc).budget
    assert b.total_monthly == D("140520.00")  # the pilot's way does not change
    # 32000 ÷ 36 = 888.89; (85100 + 888.89) × 1.2 = 103186.67 (fee 17197.78)
    assert b.total_monthly_amortised == D("103186.67")


# --------------------------------------------------------------------- table B


def test_table_b_staffing(vendor):
    st = vendor.staffing
    assert st.district_staff == 6  # the quote's 6 people per district
    assert (st.visitors_per_district, st.followup_per_district, st.districts) == (4, 2, 4)


@pytest.mark.parametrize("ident, formula, amount", [
    ("labour", "6 × 6500", "39000.00"),
    ("car_and_driver", "5600", "5600.00"),
    ("gifts", "80 × 15", "1200.00"),
    ("brochures", "500 × 0.8 + 500", "900.00"),
])
def test_table_b_lines(vendor, ident, formula, amount):
    la = _lines(vendor)[ident]
    assert la.formula == formula
    assert str(la.amount) == amount


def test_table_b_labour_breakdown(vendor):
    labour = _lines(vendor)["labour"].line
    assert dict(labour.price_components) == {
        "salary": 3000, "bonus": 1500, "welfare": 500, "transport": 600,
        "allowance": 600, "phone": 300}
    assert labour.unit_price == 6500


def test_table_b_per_district(vendor):
    pd = vendor.budget.per_district
    assert pd is not None
    assert pd.subtotal == D("46700.00")
    assert pd.fees_total == D("9340.00")
    tax = pd.taxes[0]
    assert tax.base == D("56040.00")  # tax on subtotal + fee
    assert tax.formula == "5.5% × (46700 + 9340)"
    assert tax.amount == D("3082.20")
    assert str(pd.total) == "59122.20"


def test_table_b_four_districts(vendor):
    b = vendor.budget
    assert b.basis == "per_district"
    assert str(b.total_monthly) == "236488.80"
    assert b.whole.total_formula == "59122.20 × 4"
    assert b.whole.subtotal == D("186800.00")
    assert b.total_monthly_amortised == b.total_monthly  # no one-off items


def test_totals_follow_the_parameters_not_stored_figures():
    """Change a price in the scenario and the total moves by the expected amount."""
    sc = scenario.load("xian-2010-recommended")
    more = evaluate(sc.with_values({"labour.unit_price": 2100})).budget.total_monthly
    assert more - D("140520.00") == D("100") * 27 * D("1.2")


def test_a_scenario_cannot_state_a_total(write_yaml, minimal_yaml):
    """Totals are never read from a file: a `total` field is rejected."""
    path = write_yaml(minimal_yaml + "total: 140520\n")
    with pytest.raises(scenario.ScenarioError) as err:
        scenario.load(path)
    assert err.value.field == "total"
    assert "unknown field" in err.value.reason
