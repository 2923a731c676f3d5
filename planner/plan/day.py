"""Planning a district's day: triage, roster, routing core, document, store.

``plan_day`` is what ``cvp plan`` and the web app's plan button call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from planner.errors import UserError
from planner.geo.travel import TravelModel
from planner.plan.build import build_day, worker_day
from planner.plan.document import plan_document
from planner.routing import SolveOptions, solve
from planner.store import repository as repo
from planner.store.db import session_scope
from planner.triage import Rules, load_rules
from planner.workflow import triage_day


@dataclass(frozen=True)
class SolverSettings:
    """How long and how reproducibly to search (recorded in the plan)."""

    time_limit_s: float = 5.0
    seed: int | None = None
    solution_limit: int | None = None

    def options(self) -> SolveOptions:
        return SolveOptions(time_limit_s=self.time_limit_s, seed=self.seed, solution_limit=self.solution_limit)

    def to_dict(self) -> dict[str, Any]:
        return {"time_limit_s": self.time_limit_s, "seed": self.seed, "solution_limit": self.solution_limit}


def travel_model_of(rules: Rules) -> TravelModel:
    try:
        return TravelModel.from_dict(rules.data["travel_model"])
    except (KeyError, ValueError, TypeError) as exc:
        raise UserError(f"rules file {rules.path}: field travel_model: {exc}") from None


def staff_on_duty(district: str, absent: tuple[str, ...] = (), database: str | None = None):
    with session_scope(database) as session:
        staff = [s for s in repo.staff_for(session, district) if s.active]
    unknown = set(absent) - {s.staff_id for s in staff}
    if unknown:
        raise UserError(f"--absent {', '.join(sorted(unknown))}: not on the {district} roster "
                        f"({', '.join(s.staff_id for s in staff) or 'no staff imported'})")
    return [s for s in staff if s.staff_id not in absent]


def plan_day(day: date, district: str, *, solver: SolverSettings = SolverSettings(), absent: tuple[str, ...] = (),
             pins: dict[str, str] | None = None, author: str = "", rules: Rules | None = None,
             database: str | None = None) -> dict[str, Any]:
    """Triage the day, route it, store the plan as a new version and return the document.

    ``pins`` (visit id → staff id) keep visits with the worker a dispatcher chose.
    """
    rules = rules or load_rules()
    triaged = triage_day(day, district, rules, database)
    staff = staff_on_duty(district, absent, database)
    workers = [worker_day(s, day, rules) for s in staff]
    model = build_day(day, district, list(triaged.visits), workers, rules, travel_model_of(rules),
                      allowed={vid: (sid,) for vid, sid in (pins or {}).items()})
    solution = solve(model.problem, solver.options())
    doc = plan_document(model, solution, rules, solver=solver.to_dict(), author=author)
    if pins:
        doc["pins"] = dict(sorted(pins.items()))
    if not staff:
        doc["summary"]["warnings"].append(f"no staff on duty in {district}: import a roster with `cvp import`")
    with session_scope(database) as session:
        repo.save_plan(session, doc, author)
    return doc
