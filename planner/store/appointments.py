"""Appointment windows confirmed by phone (提前与客户确认拜访时间).

The dispatcher calls the customer and records the agreed window as an override
of the ticket's 预约开始/预约结束 (field ``window``): triage gives the visit that
window, and re-importing the same export does not undo the phone call.  An
empty value clears the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.errors import UserError
from planner.records import window_text
from planner.store.models import OverrideRow, TicketRow

FIELD = "window"


@dataclass(frozen=True)
class Appointment:
    ticket_id: str
    start: datetime | None
    end: datetime | None


def set_appointment(session: Session, district: str, ticket_id: str, start: datetime | None,
                    end: datetime | None, author: str = "") -> Appointment:
    """Set (or, with both None, clear) a ticket's appointment window; ``author`` is who
    made the call (kept with the override, like any dispatcher decision)."""
    if (start is None) != (end is None):
        raise UserError("an appointment needs both a start and an end time (or neither, to clear it)")
    if start is not None and end is not None:  # both or neither, checked above
        if start.tzinfo is None or end.tzinfo is None:
            raise UserError("appointment times need a time zone")
        if end <= start:
            raise UserError(f"appointment {start:%H:%M}–{end:%H:%M}: the end must be after the start")
        if start.date() != end.date():
            raise UserError("an appointment window starts and ends on the same day")
    row = session.scalars(select(TicketRow).where(TicketRow.district == district,
                                                  TicketRow.ticket_id == ticket_id)).first()
    if row is None:
        raise UserError(f"no ticket {ticket_id!r} in {district}")
    if row.is_history or row.status != "open":
        raise UserError(f"ticket {ticket_id} is not open (status {row.status})")
    value = window_text((start, end) if start is not None and end is not None else None)
    session.add(OverrideRow(district=district, ticket_id=ticket_id, field=FIELD, value=value, author=author,
                            created_at=datetime.now(timezone.utc)))
    return Appointment(ticket_id, start, end)

