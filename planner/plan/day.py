"""Planning a district's day: triage, roster, routing core, document, store.

``plan_day`` is what ``cvp plan`` and the web app's plan button call;
``plan_days`` plans several districts of one day with their searches running
side by side in processes (``cvp plan --district A --district B``); a single
district is searched from one seed per core, the best plan kept.  Both go
through the same three steps: ``prepare_day`` (triage and the routing
problem), the routing core, ``store_plan`` (document, new version and its audit
row, in one transaction).  The caller's session has no transaction open while the
routing core searches: the reads before it are ended first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from planner.actor import Actor
from planner.errors import UserError
from planner.geo.travel import TravelModel
from planner.plan.build import DayModel, build_day, worker_day
from planner.plan.compose import plan_document
from planner.plan.document import Gifts, PhoneFollowUp
from planner.roster import day_roster, on_duty_staff
from planner.routing import Problem, Solution, SolveOptions, recommended_options
from planner.routing.parallel import solve_all, solve_on_all_cores
from planner.store import accounts
from planner.store import repository as repo
from planner.store.db import end_reads, transaction
from planner.triage import Rules
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
    phone_followups: tuple[PhoneFollowUp, ...] = ()  # the triage's, carried by the plan to its publication


def prepare_day(session: Session, day: date, district: str, *, absent: tuple[str, ...] = (),
                pins: dict[str, str] | None = None, rules: Rules) -> PreparedDay:
    """Triage the day and build the routing problem over the staff on duty
    (:func:`planner.roster.on_duty_staff`: the day's roster less its absences, less ``absent``)."""
    triaged = triage_day(session, day, district, rules)
    staff = on_duty_staff(session, day, district, absent)
    workers = [worker_day(s, day, rules) for s in staff]
    model = build_day(day, district, list(triaged.visits), workers, rules, travel_model_of(rules),
                      allowed={vid: (sid,) for vid, sid in (pins or {}).items()})
    followups = tuple(PhoneFollowUp(ticket_id=f.ticket_id, why=f.why, why_code=f.why_code, case_id=f.case_id)
                      for f in triaged.phone_followups)
    return PreparedDay(model, len(staff), dict(pins or {}), triaged.gifts, followups)


def store_plan(session: Session, prepared: PreparedDay, solution: Solution, *, solver: SolverSettings,
               actor: Actor, rules: Rules, audit_details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The plan document (its JSON form), stored as the day's new version, audited ("plan",
    "DAY DISTRICT vN", by ``actor``) in the same transaction."""
    plan = plan_document(prepared.model, solution, rules, solver=solver.to_dict(), author=actor.username)
    if prepared.gifts is not None:
        plan = replace(plan, summary=replace(plan.summary, gifts=Gifts(**plan_gifts(plan, prepared.gifts))))
    plan = replace(plan, pins=dict(sorted(prepared.pins.items())) or None, phone_followups=prepared.phone_followups)
    doc = plan.to_json()
    save(session, doc, actor, audit_details)
    return doc


def save(session: Session, doc: dict[str, Any], actor: Actor, audit_details: dict[str, Any] | None = None) -> int:
    """Store a plan document (a plan's or a re-plan's) as the day's new version, with its
    audit row, in one transaction; returns the version.  A stored version is a draft: its
    visits go on the books when it is published (:func:`planner.plans.publish`)."""
    with transaction(session):
        version = repo.save_plan(session, doc, actor.username)
        accounts.audit(session, actor.username, "plan", f"{doc['date']} {doc['district']} v{version}",
                       audit_details)
    return version


def plan_day(session: Session, day: date, district: str, *, actor: Actor, rules: Rules,
             solver: SolverSettings = SolverSettings(), absent: tuple[str, ...] = (),
             pins: dict[str, str] | None = None, audit_details: dict[str, Any] | None = None) -> dict[str, Any]:
    """Triage the day, route it, store the plan as a new version and return the document.

    ``pins`` (visit id → staff id) keep visits with the worker a dispatcher chose.
    Staff the day's roster marks absent are left out, as are those named in ``absent``.
    """
    prepared = prepare_day(session, day, district, absent=absent, pins=pins, rules=rules)
    end_reads(session)  # no transaction spans the search
    solution = solve_on_all_cores(prepared.model.problem, solver.options(prepared.model.problem))
    return store_plan(session, prepared, solution, solver=solver, actor=actor, rules=rules,
                      audit_details=audit_details)


def plan_days(session: Session, day: date, districts: list[str], *, actor: Actor, rules: Rules,
              solver: SolverSettings = SolverSettings(), absent: tuple[str, ...] = (),
              processes: int | None = None) -> list[dict[str, Any]]:
    """``plan_day`` for several districts, their searches in parallel processes.

    Districts are independent (each district's staff visit its own customers),
    so a city's day takes about as long as its slowest district per core.
    ``absent`` may name staff of any of the districts; an id that two of them have
    (each district owns its ids) is refused, as it would mark two people off.
    """
    rosters = {d: {line.staff.staff_id for line in day_roster(session, day, d) if line.staff.active}
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
    prepared = [prepare_day(session, day, d, absent=tuple(a for a in absent if a in rosters[d]), rules=rules)
                for d in districts]
    end_reads(session)  # no transaction spans the searches
    problems = [p.model.problem for p in prepared]
    solutions = solve_all(problems, [solver.options(p) for p in problems], processes)
    return [store_plan(session, p, s, solver=solver, actor=actor, rules=rules)
            for p, s in zip(prepared, solutions, strict=True)]
