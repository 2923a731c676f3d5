"""The follow-up staff's queue (the pilot's steps 4–6: 汇总拜访情况, 跟踪处理, 电话回访).

What a district's follow-up staff work from every day: the cases in follow-up (a visit
that could not close the problem on site) with their solution, owner, promised date,
status and escalation, the follow-ups nobody owns yet ("to assign", a dispatcher's
step), and the closed cases whose customer is to be called back from a day that has
come.  Overdue lines first (the promised date or the callback's day passed, the most
days first), then by that date; undated follow-ups to assign after them.

One definition for every shell: ``cvp followups list`` (and ``cvp outcomes
followups``), the queue page, the dispatcher's follow-up link and ``GET
/api/v1/followups`` all read :func:`follow_up_queue`.  Read only; bounded: the store
pre-filters the cases that can be on it, and at most ``limit`` lines are returned
(``left_off`` says how many more there are).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from planner.cases.events import FollowUpStatus
from planner.cases.ledger import next_action
from planner.cases.lifecycle import CaseState, Status, derive
from planner.errors import Reason
from planner.store import cases as case_store
from planner.store import repository as repo
from planner.triage.rules import Rules

#: the most lines one read of the queue returns (a district's follow-up staff work from a
#: page, not from thousands of lines; the rest are counted in ``left_off``)
QUEUE_LIMIT = 500


class LineKind(StrEnum):
    TO_ASSIGN = "to_assign"  # in follow-up, no owner yet: a dispatcher decides solution, owner, date
    FOLLOW_UP = "follow_up"  # in follow-up, owned
    CALLBACK = "callback"    # closed, the customer is to be called back from its day


@dataclass(frozen=True)
class Customer:
    """Whom a line is about, from the case's tickets."""

    ticket_id: str
    name: str
    phone: str
    address: str


@dataclass(frozen=True)
class QueueLine:
    """One case on the queue: what is due, since when, and the follow-up's particulars."""

    case_id: int
    kind: LineKind
    ticket_ids: tuple[str, ...]
    customers: tuple[Customer, ...]
    due: Reason                # what is due, in words ("王五 follows up by 2010-08-20")
    since: date                # in follow-up since (the visit's day); a callback: its day
    visited_by: str | None     # the staff id of the visit that led to the follow-up
    due_on: date | None        # the promised date, or the callback's day; None: nothing promised yet
    overdue_days: int          # how many days past ``due_on`` (0: not overdue)
    solution: str | None = None
    owner: str | None = None
    promised: date | None = None
    status: FollowUpStatus | None = None
    escalated_to: str | None = None
    note: str = ""

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0


@dataclass(frozen=True)
class Queue:
    district: str
    day: date
    owner: str | None
    lines: list[QueueLine]
    left_off: int = 0  # lines past the limit, not returned


def _line(case_id: int, ticket_ids: tuple[str, ...], state: CaseState, day: date) -> QueueLine | None:
    """The case's line on ``day``, or None when it is not the follow-up staff's to do."""
    due, _late = next_action(state, day)
    follow_up = state.follow_up
    if state.status is Status.FOLLOW_UP:
        owner = follow_up.owner if follow_up else None
        kind = LineKind.FOLLOW_UP if owner else LineKind.TO_ASSIGN
        due_on = follow_up.promised if follow_up else None
        since = state.visited.day if state.visited else (state.opened_on or day)
    elif state.status is Status.CLOSED and state.callback_due is not None and state.callback_due <= day:
        kind, due_on, since = LineKind.CALLBACK, state.callback_due, state.callback_due
        owner = follow_up.owner if follow_up else None  # who followed it up calls the customer back
    else:
        return None
    overdue = (day - due_on).days if due_on is not None and due_on < day else 0
    visited_by = state.visited.staff_id if state.visited else None
    return QueueLine(case_id, kind, ticket_ids, (), due, since, visited_by, due_on, overdue,
                     solution=follow_up.solution if follow_up else None, owner=owner,
                     promised=follow_up.promised if follow_up else None,
                     status=follow_up.status if follow_up else None,
                     escalated_to=follow_up.escalated_to if follow_up else None,
                     note=follow_up.note if follow_up else "")


def _order(line: QueueLine) -> tuple:
    """Overdue first, the most days first; then by the date due; undated ones last, oldest first."""
    return (not line.overdue, -line.overdue_days, line.due_on is None, line.due_on or line.since, line.since,
            line.case_id)


def follow_up_queue(session: Session, district: str, rules: Rules, *, day: date | None = None,
                    owner: str | None = None, limit: int = QUEUE_LIMIT) -> Queue:
    """The district's follow-up queue on ``day`` (default: the district's today, in
    ``rules.tz``), or only the lines ``owner`` owns; another district's cases are never read."""
    day = day or datetime.now(rules.tz).date()
    lines = []
    for case in case_store.load_cases(session, district, case_ids=case_store.follow_up_candidates(session, district)):
        line = _line(case.case_id, case.ticket_ids, derive(case.events), day)
        if line is not None and (owner is None or line.owner == owner):
            lines.append(line)
    lines.sort(key=_order)
    shown, left_off = lines[:limit], max(0, len(lines) - limit)
    tickets = repo.tickets_by_ids(session, district, [t for line in shown for t in line.ticket_ids], rules.tz)
    shown = [_with_customers(line, tickets) for line in shown]
    return Queue(district, day, owner, shown, left_off)


def _with_customers(line: QueueLine, tickets: dict) -> QueueLine:
    found = tuple(Customer(t, tickets[t].customer_name, tickets[t].phone, tickets[t].address)
                  for t in line.ticket_ids if t in tickets)
    return replace(line, customers=found)
