"""How many people a scenario needs, from its demand.

Per district, ``visitors = ceil(daily visits ÷ visits per person per day)``; the
capacity "visits per person per day" comes from a *staffing rule*:

``given``
    the planner states it (the Xi'an pilot took 6, the top of its 4–6 range,
    which gives ceil(23 ÷ 6) = 4 visitors);
``derived``
    ``floor(working minutes ÷ minutes per visit)`` (480 ÷ 90 → 5, which gives
    ceil(23 ÷ 5) = 5 visitors).

Rules live in a registry so that a later rule (staffing by route simulation,
which needs the routing core) can plug in with :func:`register_rule` and be
selected by ``demand.rule`` in a scenario file, with its own parameters under
``demand.simulation``.  Everything downstream (budget, reports, sweeps) only
sees the resulting :class:`Staffing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Callable

from cost_model import money
from planner.errors import Reason

if TYPE_CHECKING:  # pragma: no cover
    from cost_model.scenario import Scenario
    from cost_model.scenario_parts import DemandParams


# How the visitor count was reached, in English with message ids and values
# (planner.errors.Reason): reports and JSON show the English, the web page
# translates the message id (web/i18n.py).  The rule names "given" and "derived"
# are Reasons too, so they translate inside ALTERNATIVE.
GIVEN_CAPACITY = "visits per person per day = {capacity} (given)"
DERIVED_CAPACITY = ("visits per person per day = floor({minutes} ÷ {per_visit}) = {capacity}"
                    " (derived: working minutes ÷ minutes per visit)")
VISITORS = "visitors per district = ceil({visits} ÷ {capacity}) = {visitors}"
ALTERNATIVE = ("the {rule} rule would give {capacity} visits per person per day"
               " → {visitors} visitors per district")


@dataclass(frozen=True)
class Capacity:
    """What a staffing rule decides for one district."""

    visits_per_person_per_day: Decimal
    visitors_per_district: int
    explanation: tuple[str, ...]
    capacity_formula: str = ""


@dataclass(frozen=True)
class Rule:
    """A staffing rule: its name, the ``demand`` fields it needs, and the function."""

    name: str
    requires: tuple[str, ...]
    compute: Callable[["DemandParams"], Capacity]
    summary: str


RULES: dict[str, Rule] = {}


def register_rule(rule: Rule) -> None:
    """Make ``rule`` selectable as ``demand.rule: <name>`` in scenario files."""
    RULES[rule.name] = rule


def visitors_for(daily_visits: int, capacity: Decimal) -> int:
    """``ceil(daily visits ÷ visits per person per day)``."""
    return int(money.ceil(Decimal(daily_visits) / capacity))


def derived_capacity(working_minutes: Decimal, minutes_per_visit: Decimal) -> Decimal:
    """``floor(working minutes ÷ minutes per visit)``: whole visits fit in a day."""
    return money.floor(working_minutes / minutes_per_visit)


def _given(demand: "DemandParams") -> Capacity:
    cap = demand.visits_per_person_per_day
    assert cap is not None
    n = visitors_for(demand.daily_visits, cap)
    return Capacity(cap, n, (
        Reason(GIVEN_CAPACITY, capacity=money.num(cap)),
        Reason(VISITORS, visits=demand.daily_visits, capacity=money.num(cap), visitors=n),
    ), money.num(cap))


def _derived(demand: "DemandParams") -> Capacity:
    wm, mpv = demand.working_minutes_per_day, demand.minutes_per_visit
    assert wm is not None and mpv is not None
    cap = derived_capacity(wm, mpv)
    n = visitors_for(demand.daily_visits, cap)
    return Capacity(cap, n, (
        Reason(DERIVED_CAPACITY, minutes=money.num(wm), per_visit=money.num(mpv), capacity=money.num(cap)),
        Reason(VISITORS, visits=demand.daily_visits, capacity=money.num(cap), visitors=n),
    ), f"floor({money.num(wm)} ÷ {money.num(mpv)}) = {money.num(cap)}")


register_rule(Rule("given", ("visits_per_person_per_day",), _given,
                   "visits per person per day as given"))
register_rule(Rule("derived", ("minutes_per_visit", "working_minutes_per_day"), _derived,
                   "visits per person per day = floor(working minutes ÷ minutes per visit)"))


@dataclass(frozen=True)
class Staffing:
    """Head counts of one scenario, and how the visitor count was reached."""

    daily_visits: int
    daily_visits_breakdown: tuple[tuple[str, int], ...]
    rule: str
    visits_per_person_per_day: Decimal
    visitors_per_district: int
    followup_per_district: int
    districts: int
    support_staff: int
    explanation: tuple[str, ...]
    alternatives: tuple[str, ...]

    @property
    def district_staff(self) -> int:
        return self.visitors_per_district + self.followup_per_district

    @property
    def field_visitors(self) -> int:
        return self.visitors_per_district * self.districts

    @property
    def followup_staff(self) -> int:
        return self.followup_per_district * self.districts

    @property
    def total_staff(self) -> int:
        return self.district_staff * self.districts + self.support_staff

    @property
    def total_formula(self) -> str:
        return (f"({self.visitors_per_district} + {self.followup_per_district}) × "
                f"{self.districts} + {self.support_staff}")

    def counts(self) -> dict[str, Decimal]:
        """The names a line's quantity expression may use (see :mod:`cost_model.expr`)."""
        return {
            "visitors_per_district": Decimal(self.visitors_per_district),
            "followup_per_district": Decimal(self.followup_per_district),
            "district_staff": Decimal(self.district_staff),
            "districts": Decimal(self.districts),
            "field_visitors": Decimal(self.field_visitors),
            "followup_staff": Decimal(self.followup_staff),
            "support_staff": Decimal(self.support_staff),
            "total_staff": Decimal(self.total_staff),
            "daily_visits": Decimal(self.daily_visits),
        }


def staff(scenario: "Scenario") -> Staffing:
    """Apply the scenario's staffing rule and count everyone."""
    demand = scenario.demand
    rule = RULES[demand.rule]
    cap = rule.compute(demand)
    alternatives = []
    for other in RULES.values():
        if other.name == rule.name or other.name not in ("given", "derived"):
            continue
        if all(getattr(demand, f) is not None for f in other.requires):
            alt = other.compute(demand)
            capacity = alt.capacity_formula or money.num(alt.visits_per_person_per_day)
            alternatives.append(Reason(ALTERNATIVE, rule=Reason(other.name), capacity=capacity,
                                       visitors=alt.visitors_per_district))
    return Staffing(
        daily_visits=demand.daily_visits,
        daily_visits_breakdown=demand.daily_visits_breakdown,
        rule=rule.name,
        visits_per_person_per_day=cap.visits_per_person_per_day,
        visitors_per_district=cap.visitors_per_district,
        followup_per_district=scenario.staffing.followup_per_district,
        districts=scenario.staffing.districts,
        support_staff=scenario.staffing.support_staff,
        explanation=cap.explanation,
        alternatives=tuple(alternatives),
    )
