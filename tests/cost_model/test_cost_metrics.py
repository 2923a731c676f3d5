"""Unit metrics: cost per visit, per visitor-day, per extra satisfied customer."""

from __future__ import annotations

from decimal import Decimal

from cost_model import scenario
from cost_model.model import evaluate
from cost_model.money import cents


def test_recommended_metrics(recommended):
    m = recommended.metrics
    total, amortised = Decimal("140520.00"), Decimal("103720.00")
    visits = Decimal(23 * 4 * 22)
    assert m.visits_per_month == visits
    assert m.visitor_days_per_month == 16 * 22
    assert m.cost_per_visit == cents(total / visits)
    assert m.cost_per_visit_amortised == cents(amortised / visits)
    assert m.cost_per_visitor_day == cents(total / (16 * 22))
    extra = visits * (Decimal(58) - Decimal(43)) / 100
    assert m.extra_satisfied_per_month == extra
    assert m.cost_per_extra_satisfied == cents(total / extra)
    assert m.cost_per_extra_satisfied_amortised == cents(amortised / extra)


def test_missing_inputs_give_none():
    sc = scenario.load("xian-2010-vendor-quote").with_values(
        {"satisfaction_after_percent": None, "working_days_per_month": None})
    m = evaluate(sc).metrics
    assert m.cost_per_visit is None and m.cost_per_extra_satisfied is None


def test_no_uplift_gives_none():
    sc = scenario.load("xian-2010-vendor-quote").with_values({"satisfaction_after_percent": 43})
    m = evaluate(sc).metrics
    assert m.extra_satisfied_per_month == 0 and m.cost_per_extra_satisfied is None
    assert m.cost_per_visit is not None
