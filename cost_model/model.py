"""One call from a scenario to its staffing, budget and unit metrics."""

from __future__ import annotations

from dataclasses import dataclass

from cost_model import budget as budget_mod
from cost_model import metrics as metrics_mod
from cost_model import staffing as staffing_mod
from cost_model.budget import Budget
from cost_model.metrics import UnitMetrics
from cost_model.scenario import Scenario
from cost_model.staffing import Staffing


@dataclass(frozen=True)
class Evaluation:
    scenario: Scenario
    staffing: Staffing
    budget: Budget
    metrics: UnitMetrics


def evaluate(scenario: Scenario) -> Evaluation:
    """Staff the scenario, price it and compute its unit metrics (pure)."""
    staffing = staffing_mod.staff(scenario)
    budget = budget_mod.compute(scenario, staffing)
    return Evaluation(scenario, staffing, budget, metrics_mod.compute(scenario, staffing, budget))
