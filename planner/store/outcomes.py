"""What happened at each stop, as the field worker records it (the sheet's boxes, online),
and, for a case that needs later closure, when the dispatcher's follow-up closed it.

One outcome per visit of a district's day; recording again replaces it.  Only
table access lives here: what an outcome does to the visit's tickets is
:mod:`planner.closure`'s business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from planner.cases.events import VisitResult
from planner.errors import UserError
from planner.field_record import FieldRecord, NetworkTest, Satisfaction
from planner.store.models import OutcomeRow


@dataclass(frozen=True)
class Outcome:
    """A visit's stored outcome: the worker's record and who recorded it when; the follow-up's
    closure.  ``record.result`` is None only for an outcome recorded before visit results
    were kept that did not say whether the case was closed on site."""

    day: date
    district: str
    visit_id: str
    staff_id: str
    plan_version: int
    record: FieldRecord | None
    recorded_by: str = ""
    recorded_at: datetime | None = None
    ticket_ids: tuple[str, ...] = ()
    followed_up_at: datetime | None = None
    followed_up_by: str | None = None
    follow_up_notes: str = ""
    notes: str = ""  # the record's notes (kept for an old outcome without a result too)
    arrived_at: datetime | None = field(default=None)

    @property
    def result(self) -> VisitResult | None:
        return self.record.result if self.record else None

    @property
    def closed_on_site(self) -> bool | None:
        """True closed on site, False anything else said, None not said (an old outcome)."""
        return None if self.record is None else self.record.closed_on_site

    @property
    def satisfaction(self) -> str | None:
        return self.record.satisfaction.value if self.record and self.record.satisfaction else None

    @property
    def needs_follow_up(self) -> bool:
        """需要后期闭环 and not yet closed by the dispatcher's follow-up (an old outcome that did
        not say whether the case was closed on site counts: nothing may drop out of sight).  A
        customer not met or refusing is no follow-up: the visit is planned again (its case is open)."""
        return self.result in (VisitResult.FOLLOW_UP, None) and self.followed_up_at is None


def _record(r: OutcomeRow) -> FieldRecord | None:
    if r.visit_result is None:
        return None
    return FieldRecord(VisitResult(r.visit_result), Satisfaction(r.satisfaction) if r.satisfaction else None,
                       r.arrived_at, tuple(NetworkTest.from_json(m) for m in r.measurements or ()),
                       r.problem or "", r.requests or "", r.measure or "", bool(r.gift_given), r.gift_item or "",
                       r.promised_date, r.notes or "")


def _outcome(r: OutcomeRow) -> Outcome:
    return Outcome(r.day, r.district, r.visit_id, r.staff_id, r.plan_version, _record(r), r.recorded_by,
                   r.recorded_at, tuple(r.ticket_ids or ()), r.followed_up_at, r.followed_up_by,
                   r.follow_up_notes or "", r.notes or "", r.arrived_at)


def _row(session: Session, day: date, district: str, visit_id: str) -> OutcomeRow | None:
    return session.scalars(select(OutcomeRow).where(OutcomeRow.day == day, OutcomeRow.district == district,
                                                    OutcomeRow.visit_id == visit_id)).first()


def get_outcome(session: Session, day: date, district: str, visit_id: str) -> Outcome | None:
    row = _row(session, day, district, visit_id)
    return _outcome(row) if row else None


def record_outcome(session: Session, *, day: date, district: str, visit_id: str, staff_id: str, plan_version: int,
                   recorded_by: str, record: FieldRecord, ticket_ids: tuple[str, ...] | list[str] = ()) -> Outcome:
    """Store a checked record (:func:`planner.field_record.read_record`), replacing the visit's earlier one."""
    if record.arrived_at is not None and record.arrived_at.tzinfo is None:
        raise UserError("arrival time without a time zone")
    values = dict(staff_id=staff_id, plan_version=plan_version, arrived_at=record.arrived_at,
                  visit_result=record.result.value,
                  satisfaction=record.satisfaction.value if record.satisfaction else None,
                  measurements=[t.to_json() for t in record.tests], problem=record.problem,
                  requests=record.requests, measure=record.measure, gift_given=record.gift_given,
                  gift_item=record.gift_item, promised_date=record.promised, notes=record.notes,
                  recorded_by=recorded_by, recorded_at=datetime.now(timezone.utc), ticket_ids=list(ticket_ids))
    row = _row(session, day, district, visit_id)
    if row is None:
        row = OutcomeRow(day=day, district=district, visit_id=visit_id, **values)
        session.add(row)
    else:
        for k, v in values.items():
            setattr(row, k, v)
    session.flush()
    return _outcome(row)


def outcomes_for(session: Session, day: date, district: str, staff_id: str | None = None) -> dict[str, Outcome]:
    q = select(OutcomeRow).where(OutcomeRow.day == day, OutcomeRow.district == district)
    if staff_id is not None:
        q = q.where(OutcomeRow.staff_id == staff_id)
    return {r.visit_id: _outcome(r) for r in session.scalars(q)}


def open_follow_ups(session: Session, district: str) -> list[Outcome]:
    """The district's visits that need later closure and are not closed yet, oldest first."""
    q = (select(OutcomeRow)
         .where(OutcomeRow.district == district, OutcomeRow.followed_up_at.is_(None),
                or_(OutcomeRow.visit_result.is_(None), OutcomeRow.visit_result == VisitResult.FOLLOW_UP.value))
         .order_by(OutcomeRow.day, OutcomeRow.visit_id))
    return [_outcome(r) for r in session.scalars(q)]


def mark_followed_up(session: Session, day: date, district: str, visit_id: str, author: str,
                     notes: str = "") -> Outcome:
    """Record that the dispatcher's follow-up closed the case (the caller closes the tickets)."""
    row = _row(session, day, district, visit_id)
    if row is None:
        raise UserError(f"no outcome recorded for {visit_id} on {day} in {district}")
    if row.visit_result == VisitResult.CLOSED_ON_SITE.value:
        raise UserError(f"{visit_id} on {day} was closed on site; there is nothing to follow up")
    if row.visit_result in (VisitResult.NOT_MET.value, VisitResult.REFUSED.value):
        what = "was not met" if row.visit_result == VisitResult.NOT_MET.value else "refused the visit"
        raise UserError(f"the customer of {visit_id} {what} on {day}: the visit is planned again, "
                        f"not followed up (close its case with a reason if it is not to be visited)")
    if row.followed_up_at is not None:
        raise UserError(f"the follow-up of {visit_id} on {day} was closed by {row.followed_up_by}")
    notes = (notes or "").strip()
    if len(notes) > 4000:
        raise UserError("notes: at most 4000 characters")
    row.followed_up_at, row.followed_up_by, row.follow_up_notes = datetime.now(timezone.utc), author, notes
    session.flush()
    return _outcome(row)
