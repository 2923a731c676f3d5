"""Cases and their events in the store: table access only.

Which events may be appended is :mod:`planner.cases.lifecycle`'s business, and
the actions in :mod:`planner.cases` check it before they call these.  Events are
only ever inserted: nothing here updates or deletes one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.cases.events import CaseEvent, CaseKind, EventKind, VisitResult
from planner.store.models import CaseEventRow, CaseRow, CaseTicketRow, TicketRow


@dataclass(frozen=True)
class StoredCase:
    """A case as stored: its identity, its tickets and its whole history, in order."""

    case_id: int
    district: str
    kind: CaseKind
    opened_day: date
    ticket_ids: tuple[str, ...]
    events: tuple[CaseEvent, ...]


def _event(row: CaseEventRow) -> CaseEvent:
    return CaseEvent(row.seq, EventKind(row.kind), row.at, row.actor, row.day, row.note or "", dict(row.data or {}))


def open_case(session: Session, district: str, kind: CaseKind, day: date, ticket_ids: Iterable[str],
              at: datetime) -> int:
    """A new case with its tickets; its first event is appended by the caller."""
    row = CaseRow(district=district, kind=kind.value, opened_day=day, opened_at=at)
    session.add(row)
    session.flush()
    for ticket_id in dict.fromkeys(ticket_ids):
        session.add(CaseTicketRow(case_id=row.id, district=district, ticket_id=ticket_id))
    return row.id


def add_tickets(session: Session, district: str, case_id: int, ticket_ids: Iterable[str]) -> None:
    """More tickets for a case (the customer complained again before it was closed)."""
    held = set(session.scalars(select(CaseTicketRow.ticket_id).where(CaseTicketRow.case_id == case_id)))
    for ticket_id in dict.fromkeys(ticket_ids):
        if ticket_id not in held:
            session.add(CaseTicketRow(case_id=case_id, district=district, ticket_id=ticket_id))
    session.flush()


def append_event(session: Session, case_id: int, kind: EventKind, at: datetime, actor: str, *,
                 day: date | None = None, note: str = "", data: dict[str, Any] | None = None,
                 seq: int | None = None) -> CaseEvent:
    """Append the case's next event: number ``seq``, the one after the events the caller
    read and decided on (an ``IntegrityError`` if another writer appended it first), else
    numbered after the last one stored (a new case's first event)."""
    if seq is None:
        seq = (session.scalar(select(func.max(CaseEventRow.seq)).where(CaseEventRow.case_id == case_id)) or 0) + 1
    row = CaseEventRow(case_id=case_id, seq=seq, kind=kind.value, day=day, at=at, actor=actor, note=note,
                       data=dict(data or {}))
    session.add(row)
    session.flush()
    return _event(row)


def get_case(session: Session, district: str, case_id: int) -> StoredCase | None:
    """The district's case with this id (another district's case is not found)."""
    found = load_cases(session, district, case_ids=[case_id])
    return found[0] if found else None


def tickets_with_cases(session: Session, district: str, ticket_ids: Collection[str]) -> set[str]:
    """Those of ``ticket_ids`` that belong to a case of the district."""
    return set(session.scalars(select(CaseTicketRow.ticket_id).where(CaseTicketRow.district == district,
                                                                     CaseTicketRow.ticket_id.in_(list(ticket_ids)))))


def load_cases(session: Session, district: str, *, case_ids: Collection[int] | None = None,
               ticket_ids: Collection[str] | None = None, open_tickets_only: bool = False,
               planned_on: date | None = None) -> list[StoredCase]:
    """The district's cases (all, or those with these ids, or those holding these tickets, or
    those holding a ticket still open: what a triage needs, or those planned for a day: what
    closing it needs), oldest first, each with its tickets and its events in order."""
    query = select(CaseRow).where(CaseRow.district == district)
    if planned_on is not None:
        query = query.where(CaseRow.id.in_(select(CaseEventRow.case_id).where(CaseEventRow.kind == EventKind.PLANNED.value,
                                                                             CaseEventRow.day == planned_on)))
    if open_tickets_only:
        open_held = (select(CaseTicketRow.case_id)
                     .join(TicketRow, (TicketRow.district == CaseTicketRow.district)
                           & (TicketRow.ticket_id == CaseTicketRow.ticket_id))
                     .where(CaseTicketRow.district == district, TicketRow.status == "open"))
        query = query.where(CaseRow.id.in_(open_held))
    if case_ids is not None:
        query = query.where(CaseRow.id.in_(list(case_ids)))
    if ticket_ids is not None:
        holding = select(CaseTicketRow.case_id).where(CaseTicketRow.district == district,
                                                      CaseTicketRow.ticket_id.in_(list(ticket_ids)))
        query = query.where(CaseRow.id.in_(holding))
    rows = session.scalars(query.order_by(CaseRow.id)).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    tickets: dict[int, list[str]] = {}
    for case_id, ticket_id in session.execute(select(CaseTicketRow.case_id, CaseTicketRow.ticket_id)
                                              .where(CaseTicketRow.case_id.in_(ids)).order_by(CaseTicketRow.id)):
        tickets.setdefault(case_id, []).append(ticket_id)
    events: dict[int, list[CaseEvent]] = {}
    for row in session.scalars(select(CaseEventRow).where(CaseEventRow.case_id.in_(ids))
                               .order_by(CaseEventRow.case_id, CaseEventRow.seq)):
        events.setdefault(row.case_id, []).append(_event(row))
    return [StoredCase(r.id, r.district, CaseKind(r.kind), r.opened_day, tuple(tickets.get(r.id, ())),
                       tuple(events.get(r.id, ()))) for r in rows]


def customers(session: Session, district: str, ticket_ids: Collection[str]) -> dict[str, tuple[str, str]]:
    """Each of the district's ``ticket_ids``: its customer's name and phone (as stored, unmasked)."""
    found: dict[str, tuple[str, str]] = {}
    ids = list(dict.fromkeys(ticket_ids))
    for start in range(0, len(ids), 500):  # bounded IN lists
        for ticket_id, name, phone in session.execute(
                select(TicketRow.ticket_id, TicketRow.customer_name, TicketRow.phone)
                .where(TicketRow.district == district, TicketRow.ticket_id.in_(ids[start:start + 500]))):
            found[ticket_id] = (name or "", phone or "")
    return found


def follow_up_candidates(session: Session, district: str) -> list[int]:
    """The ids of the district's cases that may be on the follow-up queue, oldest
    first, read from each case's latest event alone: a visit's outcome needing follow-up, a
    step of the follow-up or a call (while in follow-up), or a callback scheduled (the only
    event a closed case takes but a reopening; in follow-up, the case is on the queue before
    the callback's day).  A pre-filter in SQL, so the queue does
    not read every case the district ever had (those closed stay behind); which of these are
    in follow-up the caller derives from their events."""
    latest = (select(CaseEventRow.case_id, func.max(CaseEventRow.seq).label("seq"))
              .join(CaseRow, CaseRow.id == CaseEventRow.case_id).where(CaseRow.district == district)
              .group_by(CaseEventRow.case_id).subquery())
    moving = (EventKind.FOLLOW_UP_ASSIGNED, EventKind.FOLLOW_UP_UPDATED, EventKind.FOLLOW_UP_ESCALATED,
              EventKind.CALL_ATTEMPT, EventKind.CALLED_BACK)  # a callback not reached stays due
    query = (select(CaseEventRow.case_id)
             .join(latest, (latest.c.case_id == CaseEventRow.case_id) & (latest.c.seq == CaseEventRow.seq))
             .where((CaseEventRow.kind.in_([k.value for k in moving]))
                    | ((CaseEventRow.kind == EventKind.OUTCOME.value)
                       & (CaseEventRow.data["result"].as_string() == VisitResult.FOLLOW_UP.value))
                    # a callback due by ``day``; due later, the case may still be in follow-up
                    | (CaseEventRow.kind == EventKind.CALLBACK_DUE.value))
             .order_by(CaseEventRow.case_id))
    return list(session.scalars(query))
