"""The fixture day, planned once per test process in a store of its own, with the
records behind the plan: what the sheet, map and export tests render.

Shared by the sheet, map and export tests through tests/outputs/conftest.py (a
session fixture; the cache makes it one plan per process).
"""

from __future__ import annotations

import atexit
import copy
import shutil
import tempfile
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

from planner.day_outputs import PlanInputs, load_plan_inputs
from planner.plan.day import SolverSettings, plan_day
from planner.records import Ticket
from planner.triage import Rules, load_rules
from tests.conftest import FIXTURE_DAY, ROOT, import_fixture_day, store_at
from tests.store_calls import in_store

ARTIFACTS = ROOT / "test-artifacts"
DAY = date(2010, 8, 5)
DETERMINISTIC = SolverSettings(time_limit_s=30, seed=1, solution_limit=200)
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'


@dataclass
class OutputsDay:
    doc: dict
    inputs: PlanInputs
    rules: Rules
    database_url: str

    def copy(self) -> "OutputsDay":
        return OutputsDay(copy.deepcopy(self.doc),
                          PlanInputs(dict(self.inputs.tickets), {k: list(v) for k, v in self.inputs.history.items()},
                                     dict(self.inputs.staff)),
                          self.rules, self.database_url)

    @property
    def tickets(self) -> dict[str, Ticket]:
        return self.inputs.tickets

    def visit_steps(self, route: dict) -> list[dict]:
        return [s for s in route["steps"] if s["type"] == "visit"]

    def with_description(self, ticket_id: str, text: str) -> "OutputsDay":
        day = self.copy()
        day.inputs.tickets[ticket_id] = replace(day.inputs.tickets[ticket_id], description=text)
        return day


@lru_cache(maxsize=1)
def planned_fixture_day() -> OutputsDay:
    folder = Path(tempfile.mkdtemp(prefix="cvp-outputs-"))
    atexit.register(shutil.rmtree, folder, True)
    url = f"sqlite:///{folder / 'store.sqlite3'}"
    with store_at(url):
        import_fixture_day(FIXTURE_DAY)
        rules = load_rules()
        doc = in_store(plan_day, DAY, "南区", solver=DETERMINISTIC, rules=rules)
        inputs = in_store(load_plan_inputs, doc, rules)
    return OutputsDay(doc, inputs, rules, url)
