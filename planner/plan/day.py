"""Planning a district's day: triage, roster, routing core, document, store.

``plan_day`` is what ``cvp plan`` and the web app's plan button call;
``plan_days`` plans several districts of one day with their searches running
side by side in processes (``cvp plan --district A --district B``); a single
district is searched from one seed per core, the best plan kept.  Both go
through the same three steps: ``prepare_day`` (triage and the routing
problem), the routing core, ``store_plan`` (document and new version).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from planner.errors import UserError
from planner.geo.travel import TravelModel
from planner.plan.build import DayModel, build_day, worker_day
from planner.plan.compose import plan_document
from planner.plan.document import Gifts
from planner.roster import day_roster, on_duty_staff
from planner.routing import Problem, Solution, SolveOptions, recommended_options
from planner.routing.parallel import solve_all, solve_on_all_cores
from planner.store import repository as repo
from planner.store.db import session_scope
from planner.triage import Rules, load_rules
from planner.triage.gifts import GiftTally, plan_gifts
from planner.workflow import triage_day


@dataclass(frozen=True)
class SolverSettings:
    """How long and how reproducibly to search (recorded in the plan)."""

    time_limit_s: float = 5.0
    seed: int | None = None
    solution_limit: int | None = None

    def options(self, problem: Problem) -> SolveOptions:
        """The routing core's recommended search for this problem, with these limits."""
        return recommended_options(problem, self.time_limit_s, seed=self.seed,
                                   solution_limit=self.solution_limit)

    def to_dict(self) -> dict[str, Any]:
        return {"time_limit_s": self.time_limit_s, "seed": self.seed, "solution_limit": self.solution_limit}


def travel_model_of(rules: Rules) -> TravelModel:
    """The rules' travel model (checked when the rules were loaded)."""
    return rules.travel


@dataclass
class PreparedDay:
    """A district's day ready for the routing core: its model and what the plan records."""

    model: DayModel
    staff_count: int
    pins: dict[str, str]
    gifts: GiftTally | None = None


def prepare_day(day: date, district: str, *, absent: tuple[str, ...] = (), pins: dict[str, str] | None = None,
                rules: Rules, database: str | None = None) -> PreparedDay:
    """Triage the day and build the routing problem over the staff on duty
    (:func:`planner.roster.on_duty_staff`: the day's roster less its absences, less ``absent``)."""
    triaged = triage_day(day, district, rules, database)
    staff = on_duty_staff(day, district, absent, database)
    workers = [worker_day(s, day, rules) for s in staff]
    model = build_day(day, district, list(triaged.visits), workers, rules, travel_model_of(rules),
                      allowed={vid: (sid,) for vid, sid in (pins or {}).items()})
    return PreparedDay(model, len(staff), dict(pins or {}), triaged.gifts)


def store_plan(prepared: PreparedDay, solution: Solution, *, solver: SolverSettings, author: str, rules: Rules,
               database: str | None = None) -> dict[str, Any]:
    """The plan document (its JSON form), stored as the day's new version."""
    plan = plan_document(prepared.model, solution, rules, solver=solver.to_dict(), author=author)
    if prepared.gifts is not None:
        plan = replace(plan, summary=replace(plan.summary, gifts=Gifts(**plan_gifts(plan, prepared.gifts))))
    plan = replace(plan, pins=dict(sorted(prepared.pins.items())) or None)
    doc = plan.to_json()
    with session_scope(database) as session:
        repo.save_plan(session, doc, author)
    return doc


def plan_day(day: date, district: str, *, solver: SolverSettings = SolverSettings(), absent: tuple[str, ...] = (),
             pins: dict[str, str] | None = None, author: str = "", rules: Rules | None = None,
             database: str | None = None) -> dict[str, Any]:
    """Triage the day, route it, store the plan as a new version and return the document.

    ``pins`` (visit id → staff id) keep visits with the worker a dispatcher chose.
    Staff the day's roster marks absent are left out, as are those named in ``absent``.
    """
    rules = rules or load_rules()
    prepared = prepare_day(day, district, absent=absent, pins=pins, rules=rules, database=database)
    solution = solve_on_all_cores(prepared.model.problem, solver.options(prepared.model.problem))
    return store_plan(prepared, solution, solver=solver, author=author, rules=rules, database=database)


def plan_days(day: date, districts: list[str], *, solver: SolverSettings = SolverSettings(),
              absent: tuple[str, ...] = (), author: str = "", rules: Rules | None = None,
              database: str | None = None, processes: int | None = None) -> list[dict[str, Any]]:
    """``plan_day`` for several districts, their searches in parallel processes.

    Districts are independent (each district's staff visit its own customers),
    so a city's day takes about as long as its slowest district per core.
    ``absent`` may name staff of any of the districts; an id that two of them have
    (each district owns its ids) is refused, as it would mark two people off.
    """
    rules = rules or load_rules()
    rosters = {d: {line.staff.staff_id for line in day_roster(day, d, database) if line.staff.active}
               for d in districts}
    unknown = set(absent) - set().union(*rosters.values())
    if unknown:
        raise UserError(f"--absent {', '.join(sorted(unknown))}: not on the roster of "
                        f"{', '.join(districts)}")
    for staff_id in sorted(set(absent)):  # each district owns its ids: one id may be two people
        holders = sorted(d for d in districts if staff_id in rosters[d])
        if len(holders) > 1:
            raise UserError(f"--absent {staff_id}: {', '.join(holders)} each have a staff member {staff_id}; "
                            f"plan those districts one at a time (--district NAME --absent {staff_id})")
    prepared = [prepare_day(day, d, absent=tuple(a for a in absent if a in rosters[d]), rules=rules,
                            database=database) for d in districts]
    problems = [p.model.problem for p in prepared]
    solutions = solve_all(problems, [solver.options(p) for p in problems], processes)
    return [store_plan(p, s, solver=solver, author=author, rules=rules, database=database)
            for p, s in zip(prepared, solutions, strict=True)]
