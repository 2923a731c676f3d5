"""Unit metrics planners ask for: cost per visit, per visitor-day, per extra satisfied customer.

* visits a month = daily visits × districts × working days a month;
* visitor-days a month = field visitors × working days a month (a field visitor
  working one day; the cost still includes follow-up and support staff);
* extra satisfied customers a month = visits a month × (satisfied share after −
  before), e.g. the pilot's 43% → 58% uplift.  This assumes the uplift measured
  on the pilot's call-backs holds for every visited customer.

Each cost metric is given both ways: on the total counted the scenario's way
and on the amortised total.  A metric is ``None`` when its inputs are missing
or its divisor is zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cost_model import money
from cost_model.budget import Budget
from cost_model.scenario import Scenario
from cost_model.staffing import Staffing


@dataclass(frozen=True)
class UnitMetrics:
    working_days_per_month: Decimal | None
    visits_per_month: Decimal | None
    visitor_days_per_month: Decimal | None
    satisfaction_before_percent: Decimal | None
    satisfaction_after_percent: Decimal | None
    extra_satisfied_per_month: Decimal | None
    cost_per_visit: Decimal | None
    cost_per_visit_amortised: Decimal | None
    cost_per_visitor_day: Decimal | None
    cost_per_visitor_day_amortised: Decimal | None
    cost_per_extra_satisfied: Decimal | None
    cost_per_extra_satisfied_amortised: Decimal | None


def _per(total: Decimal, n: Decimal | None) -> Decimal | None:
    if n is None or n <= 0:
        return None
    return money.cents(total / n)


def compute(scenario: Scenario, staffing: Staffing, budget: Budget) -> UnitMetrics:
    days = scenario.demand.working_days_per_month
    visits = visitor_days = extra = None
    if days is not None:
        visits = Decimal(staffing.daily_visits * staffing.districts) * days
        visitor_days = Decimal(staffing.field_visitors) * days
    before = after = None
    if scenario.outcome is not None:
        before = scenario.outcome.satisfaction_before_percent
        after = scenario.outcome.satisfaction_after_percent
    if visits is not None and before is not None and after is not None:
        extra = visits * (after - before) / money.HUNDRED
    counted, amortised = budget.total_monthly, budget.total_monthly_amortised
    return UnitMetrics(
        working_days_per_month=days,
        visits_per_month=visits,
        visitor_days_per_month=visitor_days,
        satisfaction_before_percent=before,
        satisfaction_after_percent=after,
        extra_satisfied_per_month=extra,
        cost_per_visit=_per(counted, visits),
        cost_per_visit_amortised=_per(amortised, visits),
        cost_per_visitor_day=_per(counted, visitor_days),
        cost_per_visitor_day_amortised=_per(amortised, visitor_days),
        cost_per_extra_satisfied=_per(counted, extra),
        cost_per_extra_satisfied_amortised=_per(amortised, extra),
    )
