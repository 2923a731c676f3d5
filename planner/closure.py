"""Closing the loop (闭环): what a visit's recorded outcome does to its tickets.

The pilot's six steps end with every case closed.  A visit ends one of two ways:

* **closed on site** (现场能够闭环): the visit's tickets are closed, so no later
  triage selects them again (not the next day's, not a re-plan of the same day);
* **needs later closure** (需要后期闭环): the tickets stay open and the visit is on
  the dispatcher's follow-up list (steps 5–6: coordinate, track, call back) until
  the dispatcher records the follow-up as done, which closes them;
* **customer not met** or **refused**: the tickets stay open and the case is open
  again, for a new appointment and a later plan.

Correcting an outcome from "closed on site" to anything else opens the tickets
again.  Each action runs in one transaction with its audit row (by the
:class:`~planner.actor.Actor`): the outcome, the tickets' statuses and the row
change together or not at all.  The web pages, the API and ``cvp
outcomes`` call these; nothing else changes a ticket's status after import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from planner.actor import Actor
from planner.cases import actions as case_actions
from planner.cases.actions import CaseStep, record_visit_outcome, resolve_visit_follow_up
from planner.errors import UserError
from planner.field_record import FieldRecord
from planner.intake.lengths import check_text
from planner.plan.compose import site_ref
from planner.plan.document import PlanDocument, Step
from planner.store import accounts
from planner.store import outcomes as outcome_store
from planner.store import repository as repo
from planner.store.db import transaction
from planner.store.outcomes import Outcome
from planner.triage.rules import Rules

#: ticket statuses (as intake reads them): waiting for a visit or a call, and done
OPEN, CLOSED = "open", "closed"


@dataclass(frozen=True)
class Recorded:
    """An outcome as stored, and the tickets whose status it changed."""

    outcome: Outcome
    closed: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)
    unchanged: bool = False  # the same record was stored already: nothing was written


def visit_in_plan(plan: PlanDocument, visit_id: str) -> tuple[str, Step]:
    """(staff id, step) of a planned visit; a visit the plan does not route is an error."""
    for route, step in plan.visit_steps():
        if step.visit_id == visit_id:
            return route.staff_id, step
    raise UserError(f"visit {visit_id!r} is not on any route of plan version {plan.version} "
                    f"({plan.district}, {plan.date})")


def record_outcome(session: Session, *, day: date, district: str, visit_id: str, actor: Actor, record: FieldRecord,
                   rules: Rules, plan_version: int | None = None, staff_id: str | None = None,
                   audit_details: dict[str, Any] | None = None) -> Recorded:
    """Store what happened at a published visit (a record checked by
    :func:`planner.field_record.read_record`) and close (or keep open) its tickets; the
    case's outcome event and the audit row ("outcome", by ``actor``) are written in the same
    transaction.

    ``plan_version`` defaults to the day's latest published version; ``staff_id``,
    when given, must be the worker the visit is routed to.  The same record again (a
    form sent twice, a sheet typed in twice) changes nothing: no second case event, no
    audit row; a changed one replaces the record and appends the case's correction.  A
    visit that relies on a planned site has its customer's callback scheduled with the
    outcome (``rules``: whose ``cases.callback_after_days`` apply when the site has no date
    ahead).
    """
    with transaction(session) as s:
        found = repo.get_plan(s, day, district, plan_version, published_only=True)
        if found is None:
            which = f"version {plan_version}" if plan_version else "plan"
            raise UserError(f"no published {which} for {district} on {day}: outcomes are recorded on published routes")
        plan = PlanDocument.from_json(found[0])
        if plan.version is None:  # a stored plan always has its version
            raise UserError(f"the stored plan of {district} on {day} has no version number")
        owner, step = visit_in_plan(plan, visit_id)
        if staff_id is not None and staff_id != owner:
            raise UserError(f"visit {visit_id} is on {owner}'s route, not {staff_id}'s")
        previous = outcome_store.get_outcome(s, day, district, visit_id)
        if previous is not None and previous.record == record and previous.plan_version == plan.version:
            return Recorded(previous, unchanged=True)
        outcome = outcome_store.record_outcome(
            s, day=day, district=district, visit_id=visit_id, staff_id=owner, plan_version=plan.version,
            recorded_by=actor.username, record=record, ticket_ids=step.ticket_ids)
        closed: list[str] = []
        reopened: list[str] = []
        if record.closed_on_site:
            closed = repo.set_ticket_status(s, district, outcome.ticket_ids, CLOSED, only_from=(OPEN,))
        elif previous is not None and previous.closed_on_site is True:
            reopened = repo.set_ticket_status(s, district, outcome.ticket_ids, OPEN, only_from=(CLOSED,))
        site = site_ref(step.planned_site)
        after_days = rules.cases.callback_after_days if site is not None else None
        record_visit_outcome(s, actor, district, day, version=plan.version, staff_id=owner, ticket_ids=step.ticket_ids,
                             reasons=step.reasons, result=record.result, note=record.notes,
                             planned_site=site, callback_after_days=after_days)
        accounts.audit(s, actor.username, "outcome", f"{day} {district} {visit_id}",
                       {"staff": owner, "result": record.result.value, "closed_on_site": record.closed_on_site,
                        "closed": closed, "reopened": reopened, **(audit_details or {})})
    return Recorded(outcome, closed, reopened)


def outcomes_of_case(session: Session, district: str, days: set[date], ticket_ids: tuple[str, ...]) -> list[Outcome]:
    """What the field workers recorded for a case's visits (its tickets, on the days of its
    outcome events), oldest first: what the follow-up staff read before they call."""
    tickets = set(ticket_ids)
    with transaction(session) as s:
        found = [o for day in sorted(days) for o in outcome_store.outcomes_for(s, day, district, None).values()
                 if tickets & set(o.ticket_ids)]
    return found


def outcomes_of(session: Session, day: date, district: str, staff_id: str | None = None) -> dict[str, Outcome]:
    """The day's recorded outcomes by visit id (one worker's, with ``staff_id``)."""
    with transaction(session) as s:
        return outcome_store.outcomes_for(s, day, district, staff_id)


def close_follow_up(session: Session, day: date, district: str, visit_id: str, actor: Actor, notes: str = "",
                    audit_details: dict[str, Any] | None = None) -> Recorded:
    """The dispatcher's follow-up closed the case (resolved, customer called back): the
    visit leaves the follow-up list and its tickets are closed, audited ("follow_up", by
    ``actor``) in the same transaction."""
    check_text("follow_up_notes", notes or "", name="notes")
    with transaction(session) as s:
        outcome = outcome_store.mark_followed_up(s, day, district, visit_id, actor.username, notes)
        closed = repo.set_ticket_status(s, district, outcome.ticket_ids, CLOSED, only_from=(OPEN,))
        resolve_visit_follow_up(s, actor, district, outcome.ticket_ids, notes)
        accounts.audit(s, actor.username, "follow_up", f"{day} {district} {visit_id}",
                       {"closed": closed, "notes": outcome.follow_up_notes, **(audit_details or {})})
    return Recorded(outcome, closed)


def resolve_follow_up(session: Session, actor: Actor, district: str, case_id: int, note: str, *, rules: Rules,
                      now: datetime | None = None) -> CaseStep:
    """A follow-up resolved on its case (the follow-up queue, ``cvp followups resolve``): the
    case is closed (:func:`planner.cases.actions.resolve_follow_up`, which checks the account
    and the case), and in the same transaction its tickets are closed and the visit's outcome
    is recorded as followed up, as :func:`close_follow_up` does from the visit's side, so the
    tickets, the outcome and the case agree whichever way the follow-up was closed."""
    with transaction(session) as s:
        step = case_actions.resolve_follow_up(s, actor, district, case_id, note, rules=rules, now=now)
        tickets = set(step.case.ticket_ids)
        for outcome in outcome_store.open_follow_ups(s, district):
            if tickets & set(outcome.ticket_ids):
                outcome_store.mark_followed_up(s, outcome.day, district, outcome.visit_id, actor.username, note)
        closed = repo.set_ticket_status(s, district, sorted(tickets), CLOSED, only_from=(OPEN,))
        accounts.audit(s, actor.username, "follow_up", f"{district} case {case_id}", {"closed": closed, "notes": note})
    return step
