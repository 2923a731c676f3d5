"""The case actions: each checks that the account may touch the district and that the
case's state allows the step, then appends the event and its audit row in one
transaction.  The command line, the pages and the API call these and nothing below.

A refused step (closing a closed case, an outcome for a visit that is not planned,
a promised date in the past) is a :class:`CaseRefused` naming the case and the
reason, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planner.actor import Actor
from planner.cases.events import AGREEING, CallResult, CaseEvent, CaseKind, CloseReason, EventKind, Satisfaction, VisitResult
from planner.cases.lifecycle import (
    CaseState,
    Status,
    TransitionRefused,
    apply,
    derive,
    late_or_corrected,
)
from planner.clock import clock_time
from planner.errors import Reason, UserError
from planner.intake.lengths import FREE_TEXT_MAX, check_text
from planner.plan.document import PlanDocument
from planner.records import SiteRef
from planner.store import accounts
from planner.store import cases as case_store
from planner.store import repository as repo
from planner.store.cases import StoredCase
from planner.store.db import transaction
from planner.store.locks import cases_lock, serialise
from planner.store.models import INTEGER_MAX
from planner.triage.rules import Rules

#: how long a note on a case may be (a dispatcher's reason, a follow-up's progress, a visit
#: outcome's notes, which the outcome's event carries): free text, as long as those notes
NOTE_MAX = FREE_TEXT_MAX

#: the events any account holding the district appends (a plan's visits, a worker's
#: outcome through :mod:`planner.closure`, with the callback a planned site's visit
#: schedules); every other kind is a dispatcher's step
VISIT_EVENTS = frozenset({EventKind.SELECTED, EventKind.PLANNED, EventKind.UNASSIGNED, EventKind.OUTCOME,
                          EventKind.CALLBACK_DUE})

#: the steps follow-up staff take as well as dispatchers (:meth:`Actor.follows_up`): calls to
#: the customer, a follow-up's progress and escalation, and a close that the follow-up or the
#: phone settled; deciding a follow-up, a dispatcher's own close and a reopening stay theirs
FOLLOW_UP_EVENTS = frozenset({EventKind.CALL_ATTEMPT, EventKind.FOLLOW_UP_UPDATED, EventKind.FOLLOW_UP_ESCALATED,
                              EventKind.CALLED_BACK})
SETTLED_BY_FOLLOW_UP = frozenset({CloseReason.FOLLOW_UP_RESOLVED.value, CloseReason.RESOLVED_BY_PHONE.value})

#: how far ahead a follow-up may be promised to the customer
PROMISE_HORIZON = timedelta(days=365)


class CaseRefused(UserError):
    """A step the case's state (or the account) does not allow; nothing was written."""

    def __init__(self, district: str, case_id: int, reason: str):
        self.case_id, self.reason = case_id, reason
        super().__init__(f"case {case_id} ({district}): {reason}")


@dataclass(frozen=True)
class CaseStep:
    """A case after one of its actions: what it holds and where it stands now."""

    case: StoredCase
    state: CaseState


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _holds(actor: Actor, district: str) -> None:
    if not actor.holds(district):
        raise UserError(f"{actor.username} may not change the cases of {district}")


def _dispatches(actor: Actor, district: str) -> None:
    """A dispatcher's own step on a case (:meth:`Actor.dispatches`); a field worker's outcome
    reaches its case through :mod:`planner.closure`."""
    if not actor.dispatches(district):
        raise UserError(f"{actor.username} may not change the cases of {district}")


def _follows_up(actor: Actor, district: str) -> None:
    if not actor.follows_up(district):
        raise UserError(f"{actor.username} may not change the cases of {district}")


def _may_record(actor: Actor, district: str, kind: EventKind, data: dict[str, Any] | None) -> None:
    """Who may append which event: a visit's own events anyone holding the district; calls and
    a follow-up's steps the follow-up staff too; every other step a dispatcher."""
    if kind in VISIT_EVENTS:
        _holds(actor, district)
    elif kind in FOLLOW_UP_EVENTS or (kind is EventKind.CLOSED and (data or {}).get("reason") in SETTLED_BY_FOLLOW_UP):
        _follows_up(actor, district)
    else:
        _dispatches(actor, district)


def _case(session: Session, district: str, case_id: int) -> StoredCase:
    found = case_store.get_case(session, district, case_id) if 1 <= case_id <= INTEGER_MAX else None
    if found is None:
        raise UserError(f"no case {case_id} in {district}")
    return found


def record(session: Session, actor: Actor, district: str, case_id: int, kind: EventKind, *,
           day: date | None = None, note: str = "", data: dict[str, Any] | None = None,
           now: datetime | None = None, audit: bool = True) -> CaseStep:
    """Append one event to a case if its state allows it, with the audit row (``case_<kind>``)."""
    _may_record(actor, district, kind, data)
    check_text("note", note or "", NOTE_MAX)
    with transaction(session):
        case = _case(session, district, case_id)
        at = _now(now)
        seq = case.events[-1].seq + 1 if case.events else 1
        event = CaseEvent(seq, kind, at, actor.username, day, note or "", dict(data or {}))
        try:
            state = apply(derive(case.events), event)
        except TransitionRefused as refused:
            raise CaseRefused(district, case_id, refused.reason) from None  # a Reason: pages translate it
        try:  # numbered after the events read: a writer that appended since makes this collide
            stored = case_store.append_event(session, case_id, kind, at, actor.username, day=day, note=note or "",
                                             data=event.data, seq=event.seq)
        except IntegrityError:
            raise CaseRefused(district, case_id, "the case changed meanwhile (another action was recorded); "
                                                 "look at it again") from None
        if audit:
            accounts.audit(session, actor.username, f"case_{kind.value}", f"{district} case {case_id}",
                           {"day": day.isoformat() if day else None, "note": note or None, **event.data})
    return CaseStep(StoredCase(case.case_id, case.district, state.kind, case.opened_day, case.ticket_ids,
                               (*case.events, stored)), state)


def open_case(session: Session, actor: Actor, district: str, kind: CaseKind, day: date, ticket_ids: Iterable[str],
              reasons: Iterable[str], *, note: str = "", now: datetime | None = None, audit: bool = True) -> CaseStep:
    """A new case for these tickets, selected on ``day`` (its first event)."""
    _holds(actor, district)
    check_text("note", note or "", NOTE_MAX)
    tickets = list(dict.fromkeys(ticket_ids))
    with transaction(session):
        at = _now(now)
        case_id = case_store.open_case(session, district, kind, day, tickets, at)
        data = {"kind": kind.value, "ticket_ids": tickets, "reasons": list(reasons)}
        event = case_store.append_event(session, case_id, EventKind.SELECTED, at, actor.username, day=day,
                                        note=note, data=data)
        if audit:
            accounts.audit(session, actor.username, "case_selected", f"{district} case {case_id}",
                           {"day": day.isoformat(), **data})
    return CaseStep(StoredCase(case_id, district, kind, day, tuple(tickets), (event,)), derive([event]))


def close_case(session: Session, actor: Actor, district: str, case_id: int, note: str, *, day: date,
               now: datetime | None = None) -> CaseStep:
    """A dispatcher's close on ``day`` (the district's today), with the written reason."""
    _dispatches(actor, district)
    return record(session, actor, district, case_id, EventKind.CLOSED, day=day, note=note,
                  data={"reason": CloseReason.DISPATCHER.value}, now=now)


def reopen_case(session: Session, actor: Actor, district: str, case_id: int, note: str, *, day: date,
                now: datetime | None = None) -> CaseStep:
    """A closed case back on the books on ``day``: the next triage selects it."""
    _dispatches(actor, district)
    return record(session, actor, district, case_id, EventKind.REOPENED, day=day, note=note, now=now)


def record_call(session: Session, actor: Actor, district: str, case_id: int, result: str, *,
                day: date | None = None, start: str | None = None, end: str | None = None, note: str = "",
                now: datetime | None = None) -> CaseStep:
    """One call to the customer: unreached, refused, rescheduled or confirmed (a date and a
    window), or resolved on the phone (a phone follow-up, which the call then closes)."""
    _follows_up(actor, district)
    data: dict[str, Any] = {"result": result}
    agrees = result in AGREEING
    if (start or end) and not agrees:
        raise CaseRefused(district, case_id, Reason("a window belongs to a confirmed or rescheduled call"))
    if start or end:
        data.update(start=_clock(district, case_id, start, "start"), end=_clock(district, case_id, end, "end"))
    with transaction(session):
        if agrees:
            _check_agreed(session, district, case_id, day or _now(now).date(), _now(now).date())
        if result == CallResult.CONFIRMED and not (start or end):
            data.update(_agreed_window(session, district, case_id, day or _now(now).date()))
        step = record(session, actor, district, case_id, EventKind.CALL_ATTEMPT, day=day or _now(now).date(),
                      note=note, data=data, now=now)
        if result == CallResult.RESOLVED:
            step = record(session, actor, district, case_id, EventKind.CLOSED, day=day or _now(now).date(),
                          note=note, data={"reason": CloseReason.RESOLVED_BY_PHONE.value}, now=now)
    return step


def _check_agreed(session: Session, district: str, case_id: int, day: date, today: date) -> None:
    """A visit is agreed for a visit case, on a day from the case's first up to a year after
    that or after ``today``, the later (a typo such as 1990 or 2100 would hide the customer from
    every triage)."""
    case = _case(session, district, case_id)
    if derive(case.events).kind is not CaseKind.VISIT:
        raise CaseRefused(district, case_id, Reason("a phone follow-up agrees no visit: turn it into a visit first"))
    last = max(case.opened_day, today) + PROMISE_HORIZON
    if not case.opened_day <= day <= last:
        raise CaseRefused(district, case_id, Reason("a visit agreed for {day}: between {first} and {last}",
                                                    day=f"{day:%Y-%m-%d}", first=f"{case.opened_day:%Y-%m-%d}",
                                                    last=f"{last:%Y-%m-%d}"))


def _agreed_window(session: Session, district: str, case_id: int, day: date) -> dict[str, str]:
    """A confirmed call that names no window confirms the one agreed for ``day`` (a
    same-morning reconfirmation); none agreed: nothing, and the lifecycle asks for one."""
    agreed = derive(_case(session, district, case_id).events).appointment_on(day)
    return {"start": f"{agreed.start:%H:%M}", "end": f"{agreed.end:%H:%M}"} if agreed else {}


def call_about_visit(session: Session, actor: Actor, district: str, day: date, ticket_ids: Iterable[str],
                     reasons: Iterable[str], result: str, *, on: date | None = None, start: str | None = None,
                     end: str | None = None, note: str = "", now: datetime | None = None) -> CaseStep:
    """A call about a visit of ``day``'s call list (its tickets, and the reasons it was
    selected for): recorded on the case still to visit that holds the tickets, or, when
    the visit has none yet, on a new case the call opens (its selected event for ``day``
    with these reasons, then the call), in one transaction, so that publishing the day
    later puts that case on a route (:func:`record_plan` finds an open case by its
    tickets) and the next triage takes the window agreed for ``on`` (default ``day``) on
    that date only.  A visit whose case was visited already (in follow-up, or closed) has
    nothing to agree: refused, nothing written."""
    _follows_up(actor, district)
    tickets = list(dict.fromkeys(ticket_ids))
    if not tickets:
        raise UserError(Reason("a call about a visit names its tickets"))
    with transaction(session):
        serialise(session, cases_lock(district))  # two first calls at once open one case, not two
        missing = sorted(set(tickets) - repo.existing_ticket_ids(session, district, tickets))
        if missing:
            raise UserError(Reason("no ticket {tickets} in {district}", tickets=", ".join(missing), district=district))
        case_id = _case_to_visit(session, district, tickets)
        if case_id is None:
            case_id = open_case(session, actor, district, CaseKind.VISIT, day, tickets, reasons, now=now).case.case_id
        return record_call(session, actor, district, case_id, result, day=on or day, start=start, end=end, note=note,
                           now=now)


def _case_to_visit(session: Session, district: str, ticket_ids: list[str]) -> int | None:
    """The case still to be visited that holds these tickets (the oldest, as :func:`record_plan`
    picks it); None when none holds them; refused when their case was visited already."""
    held = _cases_by_ticket(session, district, ticket_ids)
    cases = {case_id: status for case_id, status, kind in (held[t] for t in ticket_ids if t in held)
             if kind is CaseKind.VISIT}
    to_visit = sorted(case_id for case_id, status in cases.items() if status in (Status.OPEN, Status.PLANNED))
    if to_visit:
        return to_visit[0]
    if cases:
        case_id, status = min(cases.items())
        raise CaseRefused(district, case_id, Reason("the visit's case is {status}: there is no visit to agree",
                                                    status=status.value))
    return None


def _clock(district: str, case_id: int, text: str | None, name: str) -> str | None:
    """A call's agreed start or end as given (:func:`planner.clock.clock_time`), or None."""
    if not text:
        return None
    try:
        clock_time(text, name)
    except UserError as wrong:
        raise UserError(f"case {case_id} ({district}): {wrong}") from None
    return text.strip()


def close_day(session: Session, actor: Actor, district: str, day: date, *, now: datetime | None = None) -> list[int]:
    """End a district's day: every visit planned for it with no outcome is recorded as not
    done (back on the list tomorrow, saying so).  Safe to run twice: the second run finds
    nothing planned without an outcome.  Returns the cases marked."""
    _dispatches(actor, district)
    marked: list[int] = []
    with transaction(session):
        for case in case_store.load_cases(session, district, planned_on=day):
            state = derive(case.events)
            if state.status is Status.PLANNED and state.plan is not None and state.plan.day == day:
                record(session, actor, district, case.case_id, EventKind.NOT_DONE, day=day,
                       note="day closed with no outcome recorded", data={"version": state.plan.version},
                       now=now, audit=False)
                marked.append(case.case_id)
        accounts.audit(session, actor.username, "day_close", f"{day} {district}", {"not_done": marked})
    return marked


def record_plan(session: Session, actor: Actor, plan: PlanDocument, *, now: datetime | None = None) -> dict[str, int]:
    """A published plan version puts each of its visits on the books: the case holding the
    visit's tickets that is still to be visited (the oldest, when several are), or a new case
    selected for the plan's day; then the case is planned on its worker's route, or left
    unassigned with the plan's reason.  New tickets of a known customer join the customer's
    case.  A visit whose case has moved on (in follow-up or closed: visited already, e.g. on
    an earlier version of the day) is left as it is.  The plan's phone follow-ups open their
    phone cases (:func:`_open_phone_cases`).  Runs inside the transaction that publishes the
    plan (whose audit row covers it).  Returns each visit's case id, and each phone
    follow-up's (by ticket id)."""
    day, district = date.fromisoformat(plan.date), plan.district
    if plan.version is None:
        raise UserError(f"the plan of {district} on {day} has no version number yet")
    entries: list[tuple[str, tuple[str, ...], tuple[str, ...], dict[str, Any], EventKind]] = []
    for route, step in plan.visit_steps():
        entries.append((str(step.visit_id), step.ticket_ids, step.reasons,
                        {"version": plan.version, "staff_id": route.staff_id}, EventKind.PLANNED))
    for u in plan.unassigned:
        entries.append((u.visit_id, u.ticket_ids, u.reasons, {"version": plan.version, "reason": u.reason},
                        EventKind.UNASSIGNED))
    found: dict[str, int] = {}
    with transaction(session):
        serialise(session, cases_lock(district))  # a call opening a case meanwhile: one case
        cases_of = _cases_by_ticket(session, district, [t for _, ids, _, _, _ in entries for t in ids])
        for visit_id, ticket_ids, reasons, data, kind in entries:
            held = {(case_id, status) for case_id, status, case_kind in
                    (cases_of[t] for t in ticket_ids if t in cases_of) if case_kind is CaseKind.VISIT}
            to_visit = sorted(case_id for case_id, status in held if status in (Status.OPEN, Status.PLANNED))
            if held and not to_visit:
                found[visit_id] = min(case_id for case_id, _ in held)
                continue
            if not to_visit:
                to_visit = [open_case(session, actor, district, CaseKind.VISIT, day, ticket_ids, reasons, now=now,
                                      audit=False).case.case_id]
            else:
                case_store.add_tickets(session, district, to_visit[0], [t for t in ticket_ids if t not in cases_of])
            for case_id in to_visit:
                if not _says_already(session, district, case_id, kind, day, data):
                    record(session, actor, district, case_id, kind, day=day, data=data, now=now, audit=False)
            found[visit_id] = to_visit[0]
        found.update(_open_phone_cases(session, actor, plan, day, now))
    return found


def _says_already(session: Session, district: str, case_id: int, kind: EventKind, day: date,
                  data: dict[str, Any]) -> bool:
    """Whether the case's latest event is this very one (the same version published again: a
    double click, a retry), which is then not appended a second time."""
    case = case_store.get_case(session, district, case_id)
    last = case.events[-1] if case and case.events else None
    return last is not None and (last.kind, last.day, last.data) == (kind, day, data)


def _open_phone_cases(session: Session, actor: Actor, plan: PlanDocument, day: date,
                      now: datetime | None) -> dict[str, int]:
    """A published plan's phone follow-ups on the books: one phone case per ticket that no open
    case holds yet (publishing again, or a later version, finds the case open and leaves it;
    a ticket whose phone case was resolved is not listed by the triage again).  Returns each
    follow-up's ticket → case id."""
    tickets = [f.ticket_id for f in plan.phone_followups]
    if not tickets:
        return {}
    cases_of = _cases_by_ticket(session, plan.district, tickets)
    found: dict[str, int] = {}
    for f in plan.phone_followups:
        held = cases_of.get(f.ticket_id)
        if held is not None:  # open, or settled already (resolved on the phone since the draft): not again
            found[f.ticket_id] = held[0]
            continue
        step = open_case(session, actor, plan.district, CaseKind.PHONE, day, [f.ticket_id], [f.why_code],
                         note=f.why, now=now, audit=False)
        found[f.ticket_id] = step.case.case_id
        cases_of[f.ticket_id] = (step.case.case_id, Status.OPEN, CaseKind.PHONE)
    return found


def _cases_by_ticket(session: Session, district: str,
                     ticket_ids: list[str]) -> dict[str, tuple[int, Status, CaseKind]]:
    """Each ticket's newest case, its status and its kind (a phone follow-up turned into a
    visit is a visit)."""
    found: dict[str, tuple[int, Status, CaseKind]] = {}
    for case in case_store.load_cases(session, district, ticket_ids=ticket_ids):  # oldest first: newest wins
        state = derive(case.events)
        for t in case.ticket_ids:
            found[t] = (case.case_id, state.status, state.kind)
    return found


def convert_to_visit(session: Session, actor: Actor, district: str, case_id: int, note: str, *, day: date,
                     now: datetime | None = None) -> CaseStep:
    """A dispatcher turns an open phone follow-up into a visit on ``day`` (the customer needs
    someone on site after all), with the written reason: the next triage selects it for a
    visit, saying "converted from a phone follow-up on DAY"."""
    _dispatches(actor, district)
    if not (note or "").strip():
        raise CaseRefused(district, case_id, "converting a phone follow-up to a visit needs a reason")
    return record(session, actor, district, case_id, EventKind.CONVERTED_TO_VISIT, day=day, note=note.strip(),
                  now=now)


#: the accounts that may own a follow-up: the district's dispatchers and follow-up staff
FOLLOW_UP_OWNERS = ("dispatcher", "followup")


def _today(rules: Rules, now: datetime | None) -> date:
    return _now(now).astimezone(rules.tz).date()


def follow_up_owners(session: Session, district: str) -> list[str]:
    """The accounts that may own the district's follow-ups (what a page offers to choose
    from): its active dispatcher and follow-up accounts, by name."""
    return sorted(u.username for u in accounts.list_users(session)
                  if u.active and u.role in FOLLOW_UP_OWNERS and u.district == district)


def _check_owner(session: Session, district: str, case_id: int, owner: str) -> None:
    user = accounts.get_user_by_name(session, owner.strip())
    if user is None or not user.active or user.role not in FOLLOW_UP_OWNERS or user.district != district:
        raise CaseRefused(district, case_id, Reason("{owner!r} is not an active dispatcher or follow-up account of "
                                                    "{district}", owner=owner, district=district))


def _check_promised(district: str, case_id: int, promised: date | None, today: date) -> None:
    if promised is not None and promised < today:
        raise CaseRefused(district, case_id, Reason("the promised date {day} is in the past", day=f"{promised:%Y-%m-%d}"))
    if promised is not None and promised > today + PROMISE_HORIZON:
        raise CaseRefused(district, case_id, Reason("the promised date {day} is more than a year ahead",
                                                    day=f"{promised:%Y-%m-%d}"))


def assign_follow_up(session: Session, actor: Actor, district: str, case_id: int, *, solution: str, owner: str,
                     promised: date, rules: Rules, note: str = "", now: datetime | None = None) -> CaseStep:
    """Decide how a visited customer's problem is solved (the pilot's step 4): a solution of
    the rules file's list, the account that owns it, and the date promised to the customer."""
    _dispatches(actor, district)
    solutions = rules.cases.follow_up_solutions
    if solution not in solutions:
        raise CaseRefused(district, case_id, f"solution {solution!r}: choose one of {', '.join(solutions)}")
    _check_owner(session, district, case_id, owner)
    _check_promised(district, case_id, promised, _today(rules, now))
    return record(session, actor, district, case_id, EventKind.FOLLOW_UP_ASSIGNED, day=_today(rules, now), note=note,
                  data={"solution": solution, "owner": owner.strip(), "promised": promised.isoformat()}, now=now)


def update_follow_up(session: Session, actor: Actor, district: str, case_id: int, *, rules: Rules,
                     status: str | None = None, promised: date | None = None, note: str = "",
                     now: datetime | None = None) -> CaseStep:
    """Progress on a follow-up (step 5): in progress, a new promised date, what was done."""
    _follows_up(actor, district)
    _check_promised(district, case_id, promised, _today(rules, now))
    data: dict[str, Any] = {}
    if status:
        data["status"] = status
    if promised:
        data["promised"] = promised.isoformat()
    return record(session, actor, district, case_id, EventKind.FOLLOW_UP_UPDATED, day=_today(rules, now), note=note,
                  data=data, now=now)


def escalate_follow_up(session: Session, actor: Actor, district: str, case_id: int, *, to: str, rules: Rules,
                       owner: str | None = None, promised: date | None = None, note: str = "",
                       now: datetime | None = None) -> CaseStep:
    """Hand a follow-up to a named next level (the city's network optimisation centre, another
    department), optionally with a new owner and promised date."""
    _follows_up(actor, district)
    check_text("escalated_to", to or "", 200, name="to")
    if owner:
        _dispatches(actor, district)  # who owns a follow-up is a dispatcher's decision, as assigning it is
        _check_owner(session, district, case_id, owner)
    _check_promised(district, case_id, promised, _today(rules, now))
    data: dict[str, Any] = {"to": (to or "").strip()}
    if owner:
        data["owner"] = owner.strip()
    if promised:
        data["promised"] = promised.isoformat()
    return record(session, actor, district, case_id, EventKind.FOLLOW_UP_ESCALATED, day=_today(rules, now),
                  note=note, data=data, now=now)


def record_callback(session: Session, actor: Actor, district: str, case_id: int, *, reached: bool, day: date,
                    answer: str | None = None, note: str = "", now: datetime | None = None) -> CaseStep:
    """The callback due on a case was made (the pilot's step 6, 电话回访): the customer reached,
    with the answer on the satisfaction scale when asked, and the callback is done; or not
    reached, and it stays due, one attempt more."""
    _follows_up(actor, district)
    data: dict[str, Any] = {"reached": bool(reached)}
    if answer:
        if not reached:
            raise CaseRefused(district, case_id, Reason("an answer needs the customer reached"))
        if answer not in set(Satisfaction):
            raise CaseRefused(district, case_id, Reason("answer {value!r}: choose one of {choices}", value=answer,
                                                        choices=", ".join(Satisfaction)))
        data["answer"] = answer
    return record(session, actor, district, case_id, EventKind.CALLED_BACK, day=day, note=note, data=data, now=now)


def resolve_follow_up(session: Session, actor: Actor, district: str, case_id: int, note: str, *,
                      rules: Rules, now: datetime | None = None) -> CaseStep:
    """The follow-up solved the problem (how, in ``note``: kept for the callback and the
    reports): the case is closed."""
    _follows_up(actor, district)
    if not (note or "").strip():
        raise CaseRefused(district, case_id, Reason("a resolved follow-up says how it was solved"))
    return record(session, actor, district, case_id, EventKind.CLOSED, day=_today(rules, now), note=note,
                  data={"reason": CloseReason.FOLLOW_UP_RESOLVED.value}, now=now)


def record_visit_outcome(session: Session, actor: Actor, district: str, day: date, *, version: int, staff_id: str,
                         ticket_ids: tuple[str, ...], reasons: tuple[str, ...], result: VisitResult, note: str = "",
                         planned_site: SiteRef | None = None, callback_after_days: int | None = None,
                         now: datetime | None = None) -> CaseStep:
    """The outcome of a published visit on its case, inside the transaction that stores the
    outcome (whose audit row covers it).  The case is the one planned for that day with these
    tickets, or the one whose outcome of that day is being corrected; a visit planned before
    cases were kept gets its case now.  A visit that relies on a planned site
    (``planned_site``, 规划在建型) and ends in a follow-up or closed on site has the customer's
    callback scheduled for when the site is live (:func:`callback_day`)."""
    with transaction(session):
        case_id = _visit_case(session, district, day, ticket_ids)
        if case_id is None:
            case_id = open_case(session, actor, district, CaseKind.VISIT, day, ticket_ids, reasons, now=now,
                                audit=False).case.case_id
            record(session, actor, district, case_id, EventKind.PLANNED, day=day,
                   data={"version": version, "staff_id": staff_id}, now=now, audit=False)
        step = record(session, actor, district, case_id, EventKind.OUTCOME, day=day, note=note,
                      data={"result": result.value, "version": version, "staff_id": staff_id}, now=now, audit=False)
        if planned_site is not None and result in CALLBACK_RESULTS:
            due = callback_day(planned_site, day, callback_after_days)
            step = record(session, actor, district, case_id, EventKind.CALLBACK_DUE, day=due, now=now, audit=False,
                          data={"site_id": planned_site.site_id, "name": planned_site.name or planned_site.site_id,
                                "expected_date": planned_site.expected_date.isoformat()
                                if planned_site.expected_date else None})
        return step


#: the visit results after which a planned site's customer is called back when it is live
CALLBACK_RESULTS = frozenset({VisitResult.FOLLOW_UP, VisitResult.CLOSED_ON_SITE})


def callback_day(site: SiteRef, visited: date, after_days: int | None) -> date:
    """When the customer of a visit relying on ``site`` is called back (届时回访): the day the site
    is expected live; when the network plan gives no date, or one already past on the day of
    the visit, the rules' ``cases.callback_after_days`` after the visit."""
    if site.expected_date is not None and site.expected_date >= visited:
        return site.expected_date
    if after_days is None:
        raise UserError(f"site {site.site_id} has no expected date ahead: the callback needs the rules' "
                        "cases.callback_after_days")
    return visited + timedelta(days=after_days)


def _visit_case(session: Session, district: str, day: date, ticket_ids: tuple[str, ...]) -> int | None:
    """The case an outcome of the visit of ``day`` belongs to: the newest holding its tickets
    that is planned for that day or may take the outcome late or corrected; failing that, the
    newest holding them (whose state then refuses the outcome, saying why); None when no case
    holds them (a visit planned before cases were kept)."""
    held = case_store.load_cases(session, district, ticket_ids=ticket_ids)
    for case in reversed(held):
        state = derive(case.events)
        planned = state.status is Status.PLANNED and state.plan is not None and state.plan.day == day
        if planned or late_or_corrected(state, day):
            return case.case_id
    return held[-1].case_id if held else None


def resolve_visit_follow_up(session: Session, actor: Actor, district: str, ticket_ids: tuple[str, ...], note: str,
                            *, now: datetime | None = None) -> CaseStep | None:
    """The dispatcher recorded a visit's follow-up as done: its case in follow-up is closed
    (inside the transaction that records it; a visit from before cases were kept has none)."""
    with transaction(session):
        for case in reversed(case_store.load_cases(session, district, ticket_ids=ticket_ids)):
            if derive(case.events).status is Status.FOLLOW_UP:
                return record(session, actor, district, case.case_id, EventKind.CLOSED, day=_now(now).date(),
                              note=note, data={"reason": CloseReason.FOLLOW_UP_RESOLVED.value}, now=now, audit=False)
    return None
