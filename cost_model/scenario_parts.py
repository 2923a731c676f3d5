"""The typed sections of a scenario, and the error listing what kept a file from being one.

A scenario holds only *parameters* (demand, head counts, unit prices, fee and tax
percentages, one-off items with their life); every amount is computed from them by
:mod:`cost_model.budget`.  The whole scenario is :class:`cost_model.scenario.Scenario`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

from cost_model import expr
from planner.errors import UserError
from planner.yamldoc import FieldProblem


class ScenarioError(UserError):
    """A scenario file that did not validate; lists every problem found, each with the
    file, the line where known, the field and what is wrong (never a traceback)."""

    def __init__(self, source: str, problems: list[FieldProblem]):
        self.source = source
        self.problems = problems
        lines = [p.render(source) for p in problems]
        if len(lines) == 1:
            text = lines[0]
        else:
            text = f"{source}: {len(lines)} problems:\n" + "\n".join(f"  {t}" for t in lines)
        super().__init__(text)

    @property
    def field(self) -> str:
        return self.problems[0].field

    @property
    def reason(self) -> str:
        return self.problems[0].reason


@dataclass(frozen=True)
class DemandParams:
    """The file's ``demand`` section: daily visits and the staffing rule's parameters.

    (A simulation's visits-a-day distribution is :class:`cost_model.simulate.DemandDistribution`.)"""

    daily_visits: int
    daily_visits_breakdown: tuple[tuple[str, int], ...]
    rule: str
    visits_per_person_per_day: Decimal | None
    minutes_per_visit: Decimal | None
    working_minutes_per_day: Decimal | None
    working_days_per_month: Decimal | None
    simulation: Mapping[str, Any] | None
    note: str | None


@dataclass(frozen=True)
class StaffingParams:
    """The file's ``staffing`` section: head counts that do not follow from demand."""

    followup_per_district: int
    districts: int
    support_staff: int
    note: str | None


@dataclass(frozen=True)
class LineItem:
    """One cost line: unit price × quantity + fixed, monthly or one-off with a life."""

    id: str
    item: str
    item_zh: str | None
    unit_price: Decimal
    price_components: tuple[tuple[str, Decimal], ...]
    quantity: expr.Quantity
    fixed: Decimal
    fixed_components: tuple[tuple[str, Decimal], ...]
    recurrence: str
    life_months: int | None
    note: str | None

    @property
    def label(self) -> str:
        return f"{self.item} {self.item_zh}" if self.item_zh else self.item


@dataclass(frozen=True)
class Percentage:
    """A fee or a tax: a percentage of the subtotal (or subtotal plus fees)."""

    id: str
    item: str
    item_zh: str | None
    percent: Decimal
    of: str
    note: str | None

    @property
    def label(self) -> str:
        return f"{self.item} {self.item_zh}" if self.item_zh else self.item


@dataclass(frozen=True)
class Satisfaction:
    """The file's ``outcome`` section: the satisfied share before and with the programme,
    for the unit metrics (a visit's recorded outcome is :class:`planner.store.outcomes.Outcome`)."""

    satisfaction_before_percent: Decimal | None
    satisfaction_after_percent: Decimal | None
    note: str | None
