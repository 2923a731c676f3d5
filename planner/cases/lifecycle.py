"""A case's state, derived from its events, and which event may come next.

The state is a fold over the history (:func:`derive`); nothing else stores it, so
it cannot drift from what happened.  :data:`ALLOWED` says in which states each
kind of event may be recorded; :func:`apply` refuses anything else with the
reason (closing a closed case, an outcome for a visit that is not planned, a
phone case planned on a route), and the action that called it writes nothing.

Only an explicit closure takes a case off the books: an outcome closed on site,
a follow-up resolved, a phone follow-up resolved on the phone, or a dispatcher's
close with a written reason.  Every other end of a day — planned with no outcome,
customer not met or refused, left unassigned, a call refused or moved to another
date — puts the case back among the open ones with the reason, which the next
triage shows ("planned 2010-08-05, no outcome recorded").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from planner.cases.events import (
    AGREEING,
    CallResult,
    CaseEvent,
    CaseKind,
    CloseReason,
    EventKind,
    FollowUpStatus,
    VisitResult,
)
from planner.errors import Reason, UserError


class Status(StrEnum):
    OPEN = "open"            # to be appointed and planned (a phone case: to be called)
    PLANNED = "planned"      # on a route of a plan version, waiting for its outcome
    FOLLOW_UP = "follow_up"  # visited, the problem is being followed up (需要后期闭环)
    CLOSED = "closed"        # off the books


OPEN_STATUSES = (Status.OPEN, Status.PLANNED, Status.FOLLOW_UP)

#: in which states each kind of event may be recorded (None: the case does not exist yet)
ALLOWED: dict[EventKind, frozenset[Status | None]] = {
    EventKind.SELECTED: frozenset({None}),
    EventKind.CALL_ATTEMPT: frozenset(OPEN_STATUSES),
    EventKind.APPOINTMENT_CONFIRMED: frozenset({Status.OPEN, Status.PLANNED}),
    EventKind.PLANNED: frozenset({Status.OPEN, Status.PLANNED}),
    EventKind.UNASSIGNED: frozenset({Status.OPEN, Status.PLANNED}),
    EventKind.OUTCOME: frozenset(Status),  # planned; or a correction of the outcome just recorded
    EventKind.NOT_DONE: frozenset({Status.PLANNED}),
    EventKind.FOLLOW_UP_ASSIGNED: frozenset({Status.FOLLOW_UP}),
    EventKind.FOLLOW_UP_UPDATED: frozenset({Status.FOLLOW_UP}),
    EventKind.FOLLOW_UP_ESCALATED: frozenset({Status.FOLLOW_UP}),
    EventKind.CONVERTED_TO_VISIT: frozenset({Status.OPEN}),
    EventKind.CLOSED: frozenset(OPEN_STATUSES),
    EventKind.CALLBACK_DUE: frozenset({Status.FOLLOW_UP, Status.CLOSED}),  # with the outcome, or after closing
    EventKind.CALLED_BACK: frozenset({Status.FOLLOW_UP, Status.CLOSED}),   # only while a callback is due
    EventKind.REOPENED: frozenset({Status.CLOSED}),
}

#: the kinds that only a face-to-face case can have
VISIT_ONLY = frozenset({EventKind.APPOINTMENT_CONFIRMED, EventKind.PLANNED, EventKind.UNASSIGNED,
                        EventKind.OUTCOME, EventKind.NOT_DONE})


class TransitionRefused(UserError):
    """An event that may not be recorded in the case's present state; nothing was written."""

    def __init__(self, reason: Reason):
        self.reason = reason
        super().__init__(str(reason))


@dataclass(frozen=True)
class Appointment:
    """A window agreed with the customer: it holds on ``day`` only."""

    day: date
    start: time
    end: time


@dataclass(frozen=True)
class PlanRef:
    day: date
    version: int
    staff_id: str | None = None  # None: in the plan, but on no route


@dataclass(frozen=True)
class FollowUp:
    """What happens after a visit that could not close the problem on site (steps 4–5)."""

    solution: str | None = None
    owner: str | None = None
    promised: date | None = None
    status: FollowUpStatus = FollowUpStatus.OPEN
    escalated_to: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Closure:
    reason: CloseReason
    at: datetime
    by: str
    note: str = ""
    day: date | None = None  # the working day it was closed on


@dataclass(frozen=True)
class CallbackSite:
    """The planned site a callback waits for (规划在建型: 届时回访): the customer is called back
    when it is live (on its expected date, else a set number of days after the visit)."""

    site_id: str
    name: str
    expected: date | None = None


@dataclass(frozen=True)
class CaseState:
    """Where a case stands, as its events say."""

    kind: CaseKind
    status: Status
    opened_on: date | None
    ticket_ids: tuple[str, ...] = ()
    selected_because: tuple[str, ...] = ()
    calls: int = 0
    last_call: CallResult | None = None
    appointment: Appointment | None = None
    plan: PlanRef | None = None
    last_visit: VisitResult | None = None
    visited: PlanRef | None = None       # the planned visit the last outcome was recorded for
    last_kind: EventKind | None = None   # the kind of the latest event (a callback scheduled is not one: it
    #                                       comes with the outcome or the close it follows)
    back_because: Reason | None = None  # why an open case is open again
    back_on: tuple[date, ...] = ()      # the days it came back unresolved, each once (its priority rises with them)
    back_day: date | None = None        # the day of the latest return (None: not back)
    follow_up: FollowUp | None = None
    closure: Closure | None = None
    callback_due: date | None = None
    callback_site: CallbackSite | None = None  # the planned site the callback waits for
    callback_attempts: int = 0          # calls made for the callback now due that did not reach the customer
    called_back: date | None = None     # the day the customer was last reached on a callback
    callback_answer: str | None = None  # what the customer said then (the outcome's satisfaction scale), if asked
    reopened: int = 0
    events: int = 0
    last_at: datetime | None = None

    def times_back(self, before: date) -> int:
        """On how many days before ``before`` the case came back unresolved (the aging of its
        priority counts days, not plan versions: a re-plan of the same day does not raise it)."""
        return sum(1 for d in self.back_on if d < before)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def appointment_on(self, day: date) -> Appointment | None:
        """The agreed window if it is for ``day``: a window agreed for another date does not
        carry over (the customer is called again, the case does not become unplannable)."""
        return self.appointment if self.appointment and self.appointment.day == day else None


def derive(events: Iterable[CaseEvent]) -> CaseState:
    """The state after these events, in order (each checked as :func:`apply` does)."""
    state: CaseState | None = None
    for event in events:
        state = apply(state, event)
    if state is None:
        raise ValueError("a case has at least its selected event")
    return state


def apply(state: CaseState | None, event: CaseEvent) -> CaseState:
    """The state after ``event``; :class:`TransitionRefused` if it may not happen now."""
    check(state, event)
    if state is None:
        return _selected(event)
    after = _STEPS[event.kind](state, event)
    last = state.last_kind if event.kind is EventKind.CALLBACK_DUE else event.kind
    return replace(after, events=state.events + 1, last_at=event.at, last_kind=last)


def check(state: CaseState | None, event: CaseEvent) -> None:
    """Refuse an event the case's present state does not allow, saying why."""
    kind = event.kind
    current = state.status if state else None
    if current not in ALLOWED[kind]:
        if state is None:
            raise TransitionRefused(Reason("{event} needs a case; the case starts when it is selected", event=kind.value))
        if kind is EventKind.SELECTED:
            raise TransitionRefused(Reason("the case exists already (it is {status})", status=current))
        raise TransitionRefused(Reason("cannot record {event}: the case is {status}{why}", event=kind.value,
                                       status=current, why=_why(state)))
    if state is None:
        return
    if kind in VISIT_ONLY and state.kind is not CaseKind.VISIT:
        raise TransitionRefused(Reason("{event} is for visits; this case is a phone follow-up", event=kind.value))
    if kind is EventKind.CONVERTED_TO_VISIT and state.kind is not CaseKind.PHONE:
        raise TransitionRefused(Reason("the case is a visit already"))
    value_check = _VALUE_CHECKS.get(kind)
    if value_check is not None:
        value_check(state, event)


def _check_planned_day(state: CaseState, event: CaseEvent) -> None:
    planned = state.plan
    if planned is None or planned.staff_id is None or event.day != planned.day:
        raise TransitionRefused(Reason("{event} for {day}: the visit is planned for {planned}", event=event.kind.value,
                                       day=_day(event.day), planned=_day(planned.day) if planned else "no day"))


def _check_plan_ref(state: CaseState, event: CaseEvent) -> None:
    version = event.data.get("version")
    if event.day is None or isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise TransitionRefused(Reason("a plan event names its day and plan version"))


def late_or_corrected(state: CaseState, day: date | None) -> bool:
    """Whether an outcome for the visit of ``day`` may still be recorded on a case no longer
    planned: it corrects the outcome just recorded, or comes after the day was closed without
    one (the worker typed the sheet in late); nothing else has happened since."""
    return (state.last_kind in (EventKind.OUTCOME, EventKind.NOT_DONE) and state.visited is not None
            and state.visited.day == day)


def _check_outcome(state: CaseState, event: CaseEvent) -> None:
    """An outcome for the planned visit, a correction of the outcome just recorded for that
    visit (the worker changes "not met" to "closed on site"), or a late one after the day was
    closed without it: nothing else between."""
    _enum(VisitResult, event.data.get("result"), "visit result")
    if state.status is not Status.PLANNED:
        if not late_or_corrected(state, event.day):
            raise TransitionRefused(Reason("cannot record outcome: the case is {status}{why}", status=state.status,
                                           why=_why(state)))
        return
    _check_planned_day(state, event)


def _check_call(state: CaseState, event: CaseEvent) -> None:
    result = _enum(CallResult, event.data.get("result"), "call result")
    if result is CallResult.RESOLVED and state.kind is not CaseKind.PHONE:
        raise TransitionRefused(Reason("a visit is not resolved on the phone: record its outcome, or close it "
                                       "with a reason"))


def _check_update(state: CaseState, event: CaseEvent) -> None:
    if "status" in event.data:
        _enum(FollowUpStatus, event.data["status"], "follow-up status")


def _check_escalation(state: CaseState, event: CaseEvent) -> None:
    if not str(event.data.get("to") or "").strip():
        raise TransitionRefused(Reason("an escalation names the level it goes to"))


def _check_reopen(state: CaseState, event: CaseEvent) -> None:
    if not event.note.strip():
        raise TransitionRefused(Reason("reopening a case needs a reason"))


def _enum(cls: type[StrEnum], value: Any, what: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        raise TransitionRefused(Reason("{what} {value!r}: choose one of {choices}", what=what, value=value,
                                       choices=", ".join(m.value for m in cls))) from None


def _check_close(state: CaseState, event: CaseEvent) -> None:
    reason = event.data.get("reason")
    if reason not in {r.value for r in CloseReason}:
        raise TransitionRefused(Reason("a closure says why: one of {reasons}",
                                       reasons=", ".join(r.value for r in CloseReason)))
    if reason == CloseReason.DISPATCHER and not event.note.strip():
        raise TransitionRefused(Reason("a dispatcher's close needs a written reason"))
    if reason == CloseReason.CLOSED_ON_SITE:
        raise TransitionRefused(Reason("closed on site is recorded with the visit's outcome"))
    if reason == CloseReason.FOLLOW_UP_RESOLVED and state.status is not Status.FOLLOW_UP:
        raise TransitionRefused(Reason("the case has no follow-up to resolve (it is {status})", status=state.status))
    if reason == CloseReason.RESOLVED_BY_PHONE and state.kind is not CaseKind.PHONE:
        raise TransitionRefused(Reason("resolved by phone closes phone follow-ups; this case is a visit"))


def _why(state: CaseState) -> str:
    if state.status is Status.CLOSED and state.closure:
        return f" ({state.closure.reason.value} {state.closure.day or state.closure.at.date():%Y-%m-%d})"
    if state.status is Status.PLANNED and state.plan:
        return f" (planned {state.plan.day:%Y-%m-%d})"
    return ""


def _day(day: date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else "no day"


def _selected(event: CaseEvent) -> CaseState:
    return CaseState(kind=CaseKind(event.data.get("kind", CaseKind.VISIT)), status=Status.OPEN, opened_on=event.day,
                     ticket_ids=tuple(event.data.get("ticket_ids", ())),
                     selected_because=tuple(event.data.get("reasons", ())), events=1, last_at=event.at)


def _back(state: CaseState, event: CaseEvent, why: Reason, *, counts: bool = True, **changes: Any) -> CaseState:
    """Open again: off any route, with the reason the next triage shows; ``counts``: a day the
    case came back unresolved (not when the customer chose another date)."""
    day = event.day
    back_on = state.back_on if not counts or day is None or day in state.back_on else (*state.back_on, day)
    return replace(state, status=Status.OPEN, plan=None, back_because=why, back_on=back_on, back_day=day, **changes)


def _call(state: CaseState, event: CaseEvent) -> CaseState:
    result = CallResult(event.data["result"])
    state = replace(state, calls=state.calls + 1, last_call=result)
    if result is CallResult.RESOLVED:
        return state  # the action closes the case with its own event
    if result in AGREEING and state.kind is CaseKind.VISIT:
        state = replace(state, appointment=_window(event))
        if result is CallResult.RESCHEDULED and state.status is Status.PLANNED:
            return _back(state, event, Reason("customer moved the visit to {day}", day=_day(event.day)), counts=False)
        return state
    if result is CallResult.REFUSED and state.status is Status.PLANNED:
        return _back(state, event, Reason("customer refused the visit on the phone {day}", day=_day(event.day)))
    return state


def _window(event: CaseEvent) -> Appointment:
    if event.day is None:
        raise TransitionRefused(Reason("an agreed window needs its date"))
    try:
        start, end = time.fromisoformat(event.data["start"]), time.fromisoformat(event.data["end"])
    except (KeyError, TypeError, ValueError):
        raise TransitionRefused(Reason("an agreed window needs a start and an end (HH:MM)")) from None
    if end <= start:
        raise TransitionRefused(Reason("the window ends at {end} before it starts at {start}",
                                       start=f"{start:%H:%M}", end=f"{end:%H:%M}"))
    return Appointment(event.day, start, end)


def _planned(state: CaseState, event: CaseEvent) -> CaseState:
    if event.day is None:
        raise TransitionRefused(Reason("a plan event needs its day"))
    ref = PlanRef(event.day, int(event.data["version"]), event.data.get("staff_id"))
    if event.kind is EventKind.UNASSIGNED:
        why = event.data.get("reason") or "no route could take it"
        return _back(state, event, Reason("left unassigned {day}: {why}", day=_day(event.day), why=why))
    return replace(state, status=Status.PLANNED, plan=ref)


def _outcome(state: CaseState, event: CaseEvent) -> CaseState:
    result = VisitResult(event.data["result"])
    if state.status is not Status.PLANNED:  # a correction or a late outcome: back to the visit as planned
        state = replace(state, status=Status.PLANNED, plan=state.visited, closure=None, follow_up=None,
                        back_because=None, callback_due=None, callback_site=None)
    state = replace(state, last_visit=result, visited=state.plan)
    if result is VisitResult.CLOSED_ON_SITE:
        return replace(state, status=Status.CLOSED,
                       closure=Closure(CloseReason.CLOSED_ON_SITE, event.at, event.actor, event.note, event.day))
    if result is VisitResult.FOLLOW_UP:
        return replace(state, status=Status.FOLLOW_UP, follow_up=FollowUp(note=event.note))
    texts = {VisitResult.NOT_MET: "customer not met {day}", VisitResult.REFUSED: "customer refused the visit {day}"}
    return _back(state, event, Reason(texts[result], day=_day(event.day)), appointment=None)


def _not_done(state: CaseState, event: CaseEvent) -> CaseState:
    return _back(state, event, Reason("planned {day}, no outcome recorded", day=_day(event.day)), appointment=None,
                 visited=state.plan)


def _follow_up(state: CaseState, event: CaseEvent) -> CaseState:
    current = state.follow_up or FollowUp()
    data = event.data
    promised = date.fromisoformat(data["promised"]) if data.get("promised") else current.promised
    if event.kind is EventKind.FOLLOW_UP_ASSIGNED:
        changed = replace(current, solution=data.get("solution") or current.solution,
                          owner=data.get("owner") or current.owner, promised=promised)
    elif event.kind is EventKind.FOLLOW_UP_ESCALATED:
        changed = replace(current, status=FollowUpStatus.ESCALATED, escalated_to=str(data["to"]).strip(),
                          owner=data.get("owner") or current.owner, promised=promised)
    else:
        status = FollowUpStatus(data.get("status", current.status))
        if status is FollowUpStatus.RESOLVED:
            raise TransitionRefused(Reason("a resolved follow-up closes the case (close it as follow_up_resolved)"))
        changed = replace(current, status=status, promised=promised)
    return replace(state, follow_up=replace(changed, note=event.note or changed.note))


#: the selection reason a phone follow-up turned into a visit is selected for: a dispatcher's decision
CONVERTED_REASON = "dispatcher"


def _converted(state: CaseState, event: CaseEvent) -> CaseState:
    """A phone follow-up that needs a visit after all: the case is a visit from now on, selected
    by the dispatcher's decision, and the next triage says why it is there (it is not a day
    the case came back unresolved: its priority does not rise for it)."""
    why = event.note.strip()
    because = (Reason("converted from a phone follow-up on {day}: {why}", day=_day(event.day), why=why) if why
               else Reason("converted from a phone follow-up on {day}", day=_day(event.day)))
    reasons = state.selected_because if CONVERTED_REASON in state.selected_because else (
        *state.selected_because, CONVERTED_REASON)
    return replace(state, kind=CaseKind.VISIT, selected_because=reasons, back_because=because, back_day=event.day)


def _closed(state: CaseState, event: CaseEvent) -> CaseState:
    reason = CloseReason(event.data["reason"])
    follow_up = state.follow_up
    if reason is CloseReason.FOLLOW_UP_RESOLVED and follow_up is not None:
        follow_up = replace(follow_up, status=FollowUpStatus.RESOLVED)
    return replace(state, status=Status.CLOSED, follow_up=follow_up, back_because=None,
                   closure=Closure(reason, event.at, event.actor, event.note, event.day))


def _callback_due(state: CaseState, event: CaseEvent) -> CaseState:
    data = event.data
    site = None
    if data.get("site_id"):
        expected = data.get("expected_date")
        site = CallbackSite(str(data["site_id"]), str(data.get("name") or data["site_id"]),
                            date.fromisoformat(expected) if expected else None)
    return replace(state, callback_due=event.day, callback_site=site)


def _check_callback(state: CaseState, event: CaseEvent) -> None:
    if event.day is None:
        raise TransitionRefused(Reason("a callback names the day it is due"))
    expected = event.data.get("expected_date")
    try:
        if expected:
            date.fromisoformat(expected)
    except (TypeError, ValueError):
        raise TransitionRefused(Reason("a callback's site date is YYYY-MM-DD")) from None


def _check_called_back(state: CaseState, event: CaseEvent) -> None:
    if state.callback_due is None:
        raise TransitionRefused(Reason("no callback is due on this case"))
    if event.day is None:
        raise TransitionRefused(Reason("a callback names the day it was made"))
    if not isinstance(event.data.get("reached"), bool):
        raise TransitionRefused(Reason("a callback says whether the customer was reached"))
    if event.day < state.callback_due:
        raise TransitionRefused(Reason("the callback is due from {day}", day=_day(state.callback_due)))


def _called_back(state: CaseState, event: CaseEvent) -> CaseState:
    """Reached: the callback is done (with the customer's answer, when asked); not reached:
    it stays due, one attempt more."""
    if not event.data["reached"]:
        return replace(state, callback_attempts=state.callback_attempts + 1)
    return replace(state, callback_due=None, callback_site=None, callback_attempts=0, called_back=event.day,
                   callback_answer=event.data.get("answer"))


def _reopened(state: CaseState, event: CaseEvent) -> CaseState:
    return replace(state, status=Status.OPEN, closure=None, plan=None, appointment=None, callback_due=None,
                   callback_site=None, back_because=Reason("reopened: {why}", why=event.note.strip()),
                   reopened=state.reopened + 1)


_VALUE_CHECKS = {
    EventKind.CALL_ATTEMPT: _check_call,
    EventKind.PLANNED: _check_plan_ref,
    EventKind.UNASSIGNED: _check_plan_ref,
    EventKind.OUTCOME: _check_outcome,
    EventKind.NOT_DONE: _check_planned_day,
    EventKind.FOLLOW_UP_UPDATED: _check_update,
    EventKind.FOLLOW_UP_ESCALATED: _check_escalation,
    EventKind.CLOSED: _check_close,
    EventKind.REOPENED: _check_reopen,
    EventKind.CALLBACK_DUE: _check_callback,
    EventKind.CALLED_BACK: _check_called_back,
}

_STEPS = {
    EventKind.CALL_ATTEMPT: _call,
    EventKind.APPOINTMENT_CONFIRMED: lambda s, e: replace(s, appointment=_window(e)),
    EventKind.PLANNED: _planned,
    EventKind.UNASSIGNED: _planned,
    EventKind.OUTCOME: _outcome,
    EventKind.NOT_DONE: _not_done,
    EventKind.FOLLOW_UP_ASSIGNED: _follow_up,
    EventKind.FOLLOW_UP_UPDATED: _follow_up,
    EventKind.FOLLOW_UP_ESCALATED: _follow_up,
    EventKind.CONVERTED_TO_VISIT: _converted,
    EventKind.CLOSED: _closed,
    EventKind.CALLBACK_DUE: _callback_due,
    EventKind.CALLED_BACK: _called_back,
    EventKind.REOPENED: _reopened,
}
